import { AccessDenied, InvalidArgument, NoSuchBucket } from '../../errors/index.js';
import { childText, parseXmlBody, xmlDocument, xmlLeaf, xmlNode } from '../protocol/s3-xml.js';
import { headerOf, ownerOf, type BucketContext, type S3Context } from './s3-context.js';
import { assertBucketName, isValidBucketName } from './s3-names.js';
import { sendEmpty, sendXml } from './s3-responses.js';
import { readVerifiedBody } from './request-body.js';

/** `x-amz-expected-bucket-owner` must name our account when given (AccessDenied otherwise). */
export function checkExpectedOwner(context: S3Context): void {
  for (const name of ['x-amz-expected-bucket-owner', 'x-amz-source-expected-bucket-owner']) {
    const owner = headerOf(context, name);
    if (owner !== undefined && owner !== context.settings.accountId) throw new AccessDenied();
  }
}

/** Throws NoSuchBucket for a name no bucket can have, before it reaches the store. */
export function assertBucketCanExist(bucket: string): void {
  if (!isValidBucketName(bucket) && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(bucket)) throw new NoSuchBucket(bucket);
}

/** GET / — every bucket, optionally only those starting with `prefix`. */
export async function listBuckets(context: S3Context): Promise<void> {
  const prefix = context.address.query.get('prefix') ?? '';
  const buckets = (await context.store.listBuckets()).filter((bucket) => bucket.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : 1));
  const owner = ownerOf(context.settings);
  sendXml(
    context,
    xmlDocument('ListAllMyBucketsResult', [
      xmlNode('Owner', [xmlLeaf('ID', owner.id), xmlLeaf('DisplayName', owner.displayName)]),
      xmlNode(
        'Buckets',
        buckets.map((bucket) =>
          xmlNode('Bucket', [xmlLeaf('Name', bucket.name), xmlLeaf('CreationDate', bucket.creationDate), xmlLeaf('BucketRegion', context.settings.region)]),
        ),
      ),
      prefix ? xmlLeaf('Prefix', prefix) : '',
    ]),
  );
}

/** PUT /bucket, with or without a CreateBucketConfiguration body. */
export async function createBucket(context: BucketContext): Promise<void> {
  assertBucketName(context.bucket);
  const body = await readVerifiedBody(context.request.raw, context.auth, context.settings.maxXmlBytes);
  if (body.toString('utf8').trim() !== '') {
    const configuration = parseXmlBody(body, 'CreateBucketConfiguration');
    const location = childText(configuration, 'LocationConstraint');
    if (location !== undefined && location !== '' && !/^[a-z]{2}(-[a-z]+)+-\d$|^EU$/.test(location)) {
      throw new InvalidArgument('The specified location-constraint is not valid', 'LocationConstraint', location);
    }
  }
  await context.store.createBucket(context.bucket);
  sendEmpty(context, 200, { location: `/${context.bucket}` });
}

/** HEAD /bucket — 200 with the region, or a bare 404. */
export async function headBucket(context: BucketContext): Promise<void> {
  await context.store.headBucket(context.bucket);
  sendEmpty(context, 200, { 'x-amz-bucket-region': context.settings.region, 'x-amz-access-point-alias': 'false' });
}

/** DELETE /bucket — 204; BucketNotEmpty while objects or uploads remain. */
export async function deleteBucket(context: BucketContext): Promise<void> {
  await context.store.deleteBucket(context.bucket);
  sendEmpty(context, 204);
}

/** GET /bucket?location — empty for us-east-1, as S3 answers. */
export async function getBucketLocation(context: BucketContext): Promise<void> {
  await context.store.headBucket(context.bucket);
  const region = context.settings.region === 'us-east-1' ? '' : context.settings.region;
  sendXml(
    context,
    `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${region}</LocationConstraint>`,
  );
}
