import { AwsError, type AwsErrorOptions } from './aws-error.js';

/**
 * S3's error codes with their HTTP statuses and AWS's wording. `details` become extra XML
 * elements of `<Error>` (`<BucketName>`, `<Key>` …).
 */
export class S3Error extends AwsError {
  constructor(code: string, status: number, message: string, options?: AwsErrorOptions) {
    super(code, status, message, options);
  }
}

export class NoSuchBucket extends S3Error {
  constructor(bucket: string) {
    super('NoSuchBucket', 404, 'The specified bucket does not exist', { details: { BucketName: bucket } });
  }
}
export class NoSuchKey extends S3Error {
  constructor(key: string) {
    super('NoSuchKey', 404, 'The specified key does not exist.', { details: { Key: key } });
  }
}
export class NoSuchUpload extends S3Error {
  constructor(uploadId: string) {
    super('NoSuchUpload', 404, 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', {
      details: { UploadId: uploadId },
    });
  }
}
export class BucketNotEmpty extends S3Error {
  constructor(bucket: string) {
    super('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', { details: { BucketName: bucket } });
  }
}
export class BucketAlreadyOwnedByYou extends S3Error {
  constructor(bucket: string) {
    super('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.', {
      details: { BucketName: bucket },
    });
  }
}
export class InvalidBucketName extends S3Error {
  constructor(bucket: string) {
    super('InvalidBucketName', 400, 'The specified bucket is not valid.', { details: { BucketName: bucket } });
  }
}
export class InvalidRange extends S3Error {
  constructor(size: number, range: string) {
    super('InvalidRange', 416, 'The requested range is not satisfiable', { details: { RangeRequested: range, ActualObjectSize: size } });
  }
}
export class InvalidPart extends S3Error {
  constructor(partNumber: number) {
    super(
      'InvalidPart',
      400,
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      { details: { PartNumber: partNumber } },
    );
  }
}
export class InvalidPartOrder extends S3Error {
  constructor() {
    super('InvalidPartOrder', 400, 'The list of parts was not in ascending order. Parts must be ordered by part number.');
  }
}
export class EntityTooSmall extends S3Error {
  constructor() {
    super('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed object size.');
  }
}
export class KeyTooLong extends S3Error {
  constructor() {
    super('KeyTooLongError', 400, 'Your key is too long');
  }
}
export class InvalidArgument extends S3Error {
  constructor(message: string, name?: string, value?: string) {
    super('InvalidArgument', 400, message, { details: { ...(name ? { ArgumentName: name } : {}), ...(value !== undefined ? { ArgumentValue: value } : {}) } });
  }
}
export class InvalidRequest extends S3Error {
  constructor(message: string) {
    super('InvalidRequest', 400, message);
  }
}
export class MalformedXML extends S3Error {
  constructor() {
    super('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');
  }
}
export class BadDigest extends S3Error {
  constructor(message = 'The Content-MD5 you specified did not match what we received.') {
    super('BadDigest', 400, message);
  }
}
export class InvalidDigest extends S3Error {
  constructor() {
    super('InvalidDigest', 400, 'The Content-MD5 you specified is not valid.');
  }
}
export class IncompleteBody extends S3Error {
  constructor() {
    super('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header');
  }
}
export class MethodNotAllowed extends S3Error {
  constructor(method: string) {
    super('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', { details: { Method: method } });
  }
}
export class NotImplemented extends S3Error {
  constructor(what: string) {
    super('NotImplemented', 501, `A header or query you provided implies functionality that is not implemented: ${what}`);
  }
}
export class SignatureDoesNotMatch extends S3Error {
  constructor(message = 'The request signature we calculated does not match the signature you provided. Check your key and signing method.') {
    super('SignatureDoesNotMatch', 403, message);
  }
}
export class InvalidAccessKeyId extends S3Error {
  constructor(accessKeyId: string) {
    super('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', { details: { AWSAccessKeyId: accessKeyId } });
  }
}
export class AccessDenied extends S3Error {
  constructor(message = 'Access Denied') {
    super('AccessDenied', 403, message);
  }
}
export class EntityTooLarge extends S3Error {
  constructor() {
    super('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed object size.');
  }
}
