import assert from 'node:assert/strict';
import { S3ServiceException } from '@aws-sdk/client-s3';

/** What an `@aws-sdk/*` client threw: its error code (`name`), message and HTTP status. */
export interface SdkErrorSummary {
  readonly name: string;
  readonly message: string;
  readonly status?: number;
}

/** Awaits a call that must fail and returns what the SDK threw; fails the test if it succeeds. */
export async function sdkErrorOf(promise: Promise<unknown>): Promise<SdkErrorSummary> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, ...(e.$metadata?.httpStatusCode ? { status: e.$metadata.httpStatusCode } : {}) };
  }
  assert.fail('expected an error');
}

/** Awaits an S3 call that must fail with a modelled S3 error and returns it (anything else is rethrown). */
export async function s3ErrorOf(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  assert.fail('expected an S3 error');
}
