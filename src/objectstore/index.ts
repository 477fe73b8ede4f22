export type {
  ObjectStore,
  BucketInfo,
  StoredChecksum,
  ObjectMetadata,
  ObjectInfo,
  ByteRange,
  PutObjectInput,
  ListObjectsInput,
  ListObjectsResult,
  MultipartUploadInfo,
  PartInfo,
  CompletedPart,
} from './object-store.js';
