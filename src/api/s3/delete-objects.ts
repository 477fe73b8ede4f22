import { AwsError, MalformedXML } from '../../errors/index.js';
import { childList, childText, parseXmlBody, xmlDocument, xmlLeaf, xmlNode } from '../protocol/s3-xml.js';
import type { BucketContext } from './s3-context.js';
import { maxKeyBytes } from './s3-names.js';
import { sendXml } from './s3-responses.js';
import { readVerifiedBody } from './request-body.js';

/** S3's limit on keys per DeleteObjects request. */
const maxKeysPerRequest = 1000;

/**
 * POST /bucket?delete — deletes up to 1000 keys from a `<Delete>` document; `<Quiet>true` lists
 * only failures. Malformed or oversized documents → MalformedXML.
 */
export async function deleteObjects(context: BucketContext): Promise<void> {
  const body = await readVerifiedBody(context.request.raw, context.auth, context.settings.maxXmlBytes);
  const document = parseXmlBody(body, 'Delete');
  const objects = childList(document, 'Object');
  if (objects.length === 0 || objects.length > maxKeysPerRequest) throw new MalformedXML();
  const keys = objects.map((object) => {
    const key = childText(object, 'Key');
    if (key === undefined || key === '') throw new MalformedXML();
    return key;
  });
  const quiet = (childText(document, 'Quiet') ?? '').trim().toLowerCase() === 'true';
  await context.store.headBucket(context.bucket);
  const results: string[] = [];
  for (const key of keys) {
    try {
      if (Buffer.byteLength(key) > maxKeyBytes) throw new AwsError('KeyTooLongError', 400, 'Your key is too long');
      await context.store.deleteObject(context.bucket, key);
      if (!quiet) results.push(xmlNode('Deleted', [xmlLeaf('Key', key)]));
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      results.push(xmlNode('Error', [xmlLeaf('Key', key), xmlLeaf('Code', error.code), xmlLeaf('Message', error.message)]));
    }
  }
  sendXml(context, xmlDocument('DeleteResult', results));
}
