export { S3Service, createS3Service, defaultS3Limits } from './s3-service.js';
export type { S3ServiceDependencies } from './s3-service.js';
export type { S3Settings } from './s3-context.js';
export { parseS3Address, bucketFromHost } from './s3-address.js';
export type { S3Address, AddressOptions } from './s3-address.js';
