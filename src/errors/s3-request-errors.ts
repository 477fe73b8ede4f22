import { S3Error } from './s3-errors.js';

// S3 errors about the shape of a request (URL, headers, body encoding) and optional features.

/** The URL's path or query does not percent-decode to UTF-8. */
export class InvalidURI extends S3Error {
  constructor() {
    super('InvalidURI', 400, "Couldn't parse the specified URI.");
  }
}

/** The Authorization header (or presigned query) does not parse. */
export class AuthorizationHeaderMalformed extends S3Error {
  constructor(message = 'The authorization header is malformed.') {
    super('AuthorizationHeaderMalformed', 400, message);
  }
}

/** `x-amz-content-sha256` holds a hash that the received body does not have. */
export class XAmzContentSHA256Mismatch extends S3Error {
  constructor(clientComputed: string, computed: string) {
    super('XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed.", {
      details: { ClientComputedContentSHA256: clientComputed, S3ComputedContentSHA256: computed },
    });
  }
}

/** A condition (If-Match, If-Unmodified-Since, x-amz-copy-source-if-*) does not hold. */
export class PreconditionFailed extends S3Error {
  constructor(condition: string) {
    super('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { details: { Condition: condition } });
  }
}

/** If-None-Match / If-Modified-Since: the client's copy is current (304, sent without a body). */
export class NotModified extends S3Error {
  constructor() {
    super('NotModified', 304, 'Not Modified');
  }
}

/** The `aws-chunked` framing of a body is broken. */
export class MalformedChunkedEncoding extends S3Error {
  constructor(detail: string) {
    super('InvalidRequest', 400, `The aws-chunked request body is malformed: ${detail}.`);
  }
}

/** Trailer lines after the last chunk do not parse. */
export class MalformedTrailer extends S3Error {
  constructor() {
    super('MalformedTrailerError', 400, 'The request contained trailing data that was not well-formed or did not conform to our published schema.');
  }
}

/** User metadata (`x-amz-meta-*`) is over S3's 2 KB limit. */
export class MetadataTooLarge extends S3Error {
  constructor(size: number) {
    super('MetadataTooLarge', 400, 'Your metadata headers exceed the maximum allowed metadata size.', { details: { Size: size, MaxSizeAllowed: 2048 } });
  }
}

/** A PUT without Content-Length and without a streaming encoding. */
export class MissingContentLength extends S3Error {
  constructor() {
    super('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.');
  }
}

/**
 * A bucket sub-resource that is simply not configured (policy, tagging, CORS, lifecycle …): the
 * 404 S3 answers for a bucket that never had one, e.g. `NoSuchBucketPolicy`.
 */
export class NoSuchBucketConfiguration extends S3Error {
  constructor(code: string, message: string, bucket: string) {
    super(code, 404, message, { details: { BucketName: bucket } });
  }
}
