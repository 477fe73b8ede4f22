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
export { FsObjectStore } from './fs/fs-object-store.js';
export { validateBucketName, validateObjectKey, validatePartNumber, maxKeyBytes, maxPartNumber } from './validate-names.js';
export { compareUtf8 } from './utf8-order.js';
export { multipartEtag, compositeChecksum, quoteEtag, unquoteEtag } from './multipart-etag.js';
export { S3ObjectStore } from './s3/s3-object-store.js';
export type { S3ObjectStoreConfig, S3ObjectStoreDeps } from './s3/s3-object-store.js';
export { createObjectStore } from './create-object-store.js';
export type { ObjectStoreConfig, ObjectStoreDeps } from './create-object-store.js';
