import { InvalidArgument, InvalidPart, InvalidRange, MalformedXML, NoSuchUpload } from '../../errors/index.js';
import type { CompletedPart, MultipartUploadInfo, PartInfo, StoredChecksum } from '../../objectstore/index.js';
import { childList, childText, parseXmlBody, xmlDocument, xmlLeaf, xmlNode } from '../protocol/s3-xml.js';
import { checkConditions } from './conditions.js';
import { metadataFromHeaders } from './object-headers.js';
import { copySourceConditions, parseCopySource, writeHeaders } from './object-write.js';
import { keyEncoder, parseMaxItems } from './list-objects.js';
import { decodeRequestBody, readVerifiedBody } from './request-body.js';
import { headerOf, ownerOf, type BucketContext, type ObjectContext } from './s3-context.js';
import { assertKey } from './s3-names.js';
import { sendEmpty, sendXml } from './s3-responses.js';

/** Validates a part number: an integer 1…10000. */
export function parsePartNumber(value: string | undefined): number {
  if (value === undefined || !/^\d{1,5}$/.test(value.trim()) || Number(value) < 1 || Number(value) > 10000) {
    throw new InvalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', value ?? '');
  }
  return Number(value);
}

function uploadIdOf(context: ObjectContext): string {
  const uploadId = context.address.query.get('uploadId') ?? '';
  if (uploadId === '') throw new NoSuchUpload(uploadId);
  return uploadId;
}

function checksumXml(checksum: StoredChecksum | undefined): string {
  return checksum ? xmlLeaf(`Checksum${checksum.algorithm}`, checksum.value) : '';
}

function ownerXml(context: BucketContext, name: string): string {
  const owner = ownerOf(context.settings);
  return xmlNode(name, [xmlLeaf('ID', owner.id), xmlLeaf('DisplayName', owner.displayName)]);
}

/** POST /bucket/key?uploads — CreateMultipartUpload. */
export async function createMultipartUpload(context: ObjectContext): Promise<void> {
  assertKey(context.key);
  context.request.raw.resume();
  const upload = await context.store.createMultipartUpload(context.bucket, context.key, metadataFromHeaders(context.request.headers));
  const algorithm = headerOf(context, 'x-amz-checksum-algorithm');
  sendXml(
    context,
    xmlDocument('InitiateMultipartUploadResult', [xmlLeaf('Bucket', context.bucket), xmlLeaf('Key', context.key), xmlLeaf('UploadId', upload.uploadId)]),
    200,
    algorithm ? { 'x-amz-checksum-algorithm': algorithm.toUpperCase() } : {},
  );
}

/** PUT /bucket/key?partNumber=N&uploadId=U — UploadPart (body decoded and verified like PutObject). */
export async function uploadPart(context: ObjectContext): Promise<void> {
  const partNumber = parsePartNumber(context.address.query.get('partNumber'));
  const uploadId = uploadIdOf(context);
  const body = decodeRequestBody(context.request.raw, context.auth, context.settings.maxObjectBytes);
  let part: PartInfo;
  try {
    part = await context.store.uploadPart(context.bucket, context.key, uploadId, partNumber, body.stream, () => body.checksum(), body.declaredLength);
  } catch (error) {
    throw body.failure() ?? error;
  }
  sendEmpty(context, 200, writeHeaders(context, part));
}

/** PUT …?partNumber&uploadId with `x-amz-copy-source` (and optional `x-amz-copy-source-range`). */
export async function uploadPartCopy(context: ObjectContext): Promise<void> {
  context.request.raw.resume();
  const partNumber = parsePartNumber(context.address.query.get('partNumber'));
  const uploadId = uploadIdOf(context);
  const source = parseCopySource(context);
  const sourceInfo = await context.store.headObject(source.bucket, source.key);
  checkConditions(sourceInfo, copySourceConditions(context), true);
  const rangeHeader = headerOf(context, 'x-amz-copy-source-range');
  let range: { start: number; end: number } | undefined;
  if (rangeHeader !== undefined) {
    const match = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader.trim());
    if (!match)
      throw new InvalidArgument(
        'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
        'x-amz-copy-source-range',
        rangeHeader,
      );
    range = { start: Number(match[1]), end: Number(match[2]) };
    if (range.end < range.start || range.end >= sourceInfo.size) throw new InvalidRange(sourceInfo.size, rangeHeader);
  }
  const { body } = await context.store.getObject(source.bucket, source.key, range);
  const part = await context.store.uploadPart(context.bucket, context.key, uploadId, partNumber, body);
  sendXml(context, xmlDocument('CopyPartResult', [xmlLeaf('LastModified', part.lastModified), xmlLeaf('ETag', part.etag), checksumXml(part.checksum)]));
}

/** POST /bucket/key?uploadId=U — CompleteMultipartUpload from a `<CompleteMultipartUpload>` list. */
export async function completeMultipartUpload(context: ObjectContext): Promise<void> {
  const uploadId = uploadIdOf(context);
  const body = await readVerifiedBody(context.request.raw, context.auth, context.settings.maxXmlBytes);
  const document = parseXmlBody(body, 'CompleteMultipartUpload');
  const parts: CompletedPart[] = childList(document, 'Part').map((part) => {
    const number = childText(part, 'PartNumber')?.trim();
    const etag = childText(part, 'ETag')?.trim();
    if (number === undefined || etag === undefined || !/^\d{1,5}$/.test(number)) throw new MalformedXML();
    const partNumber = Number(number);
    if (partNumber < 1 || partNumber > 10000) throw new InvalidPart(partNumber);
    return { partNumber, etag: etag.startsWith('"') ? etag : `"${etag}"` };
  });
  if (parts.length === 0) throw new MalformedXML();
  const info = await context.store.completeMultipartUpload(context.bucket, context.key, uploadId, parts);
  const host = headerOf(context, 'host') ?? 'localhost';
  const location = `http://${host}/${encodeURIComponent(context.bucket)}/${context.key.split('/').map(encodeURIComponent).join('/')}`;
  sendXml(
    context,
    xmlDocument('CompleteMultipartUploadResult', [
      xmlLeaf('Location', location),
      xmlLeaf('Bucket', context.bucket),
      xmlLeaf('Key', context.key),
      xmlLeaf('ETag', info.etag),
      checksumXml(info.checksum),
      info.checksum ? xmlLeaf('ChecksumType', info.checksum.type) : '',
    ]),
    200,
    { 'x-amz-server-side-encryption': 'AES256' },
  );
}

/** DELETE /bucket/key?uploadId=U — AbortMultipartUpload. */
export async function abortMultipartUpload(context: ObjectContext): Promise<void> {
  await context.store.abortMultipartUpload(context.bucket, context.key, uploadIdOf(context));
  sendEmpty(context, 204);
}

/** GET /bucket/key?uploadId=U — ListParts with max-parts / part-number-marker. */
export async function listParts(context: ObjectContext): Promise<void> {
  const uploadId = uploadIdOf(context);
  const query = context.address.query;
  const maxParts = parseMaxItems(query.get('max-parts'), 'max-parts');
  const markerText = query.get('part-number-marker') ?? '0';
  if (!/^\d{1,5}$/.test(markerText))
    throw new InvalidArgument('Provided part-number-marker not an integer or within integer range', 'part-number-marker', markerText);
  const marker = Number(markerText);
  const all = (await context.store.listParts(context.bucket, context.key, uploadId))
    .filter((part) => part.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, maxParts);
  const truncated = all.length > page.length;
  sendXml(
    context,
    xmlDocument('ListPartsResult', [
      xmlLeaf('Bucket', context.bucket),
      xmlLeaf('Key', context.key),
      xmlLeaf('UploadId', uploadId),
      xmlLeaf('PartNumberMarker', marker),
      xmlLeaf('NextPartNumberMarker', page.at(-1)?.partNumber ?? marker),
      xmlLeaf('MaxParts', maxParts),
      xmlLeaf('IsTruncated', truncated),
      ...page.map((part) =>
        xmlNode('Part', [
          xmlLeaf('PartNumber', part.partNumber),
          xmlLeaf('LastModified', part.lastModified),
          xmlLeaf('ETag', part.etag),
          xmlLeaf('Size', part.size),
          checksumXml(part.checksum),
        ]),
      ),
      ownerXml(context, 'Initiator'),
      ownerXml(context, 'Owner'),
      xmlLeaf('StorageClass', 'STANDARD'),
    ]),
  );
}

/** GET /bucket?uploads — ListMultipartUploads with prefix, delimiter, key/upload-id markers. */
export async function listMultipartUploads(context: BucketContext): Promise<void> {
  const query = context.address.query;
  const encodingType = query.get('encoding-type');
  const encode = keyEncoder(encodingType);
  const maxUploads = parseMaxItems(query.get('max-uploads'), 'max-uploads');
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') || undefined;
  const keyMarker = query.get('key-marker') ?? '';
  const uploadIdMarker = query.get('upload-id-marker') ?? '';
  const uploads = (await context.store.listMultipartUploads(context.bucket, prefix || undefined))
    .filter((upload) => upload.key > keyMarker || (upload.key === keyMarker && uploadIdMarker !== '' && upload.uploadId > uploadIdMarker))
    .sort((a, b) => (a.key === b.key ? a.initiated.getTime() - b.initiated.getTime() : a.key < b.key ? -1 : 1));
  const entries: Array<{ upload?: MultipartUploadInfo; prefix?: string }> = [];
  const seenPrefixes = new Set<string>();
  let truncated = false;
  for (const upload of uploads) {
    const cut = delimiter ? upload.key.indexOf(delimiter, prefix.length) : -1;
    const common = cut === -1 ? undefined : upload.key.slice(0, cut + (delimiter?.length ?? 0));
    if (common !== undefined && seenPrefixes.has(common)) continue;
    if (entries.length === maxUploads) {
      truncated = true;
      break;
    }
    if (common !== undefined) {
      seenPrefixes.add(common);
      entries.push({ prefix: common });
    } else entries.push({ upload });
  }
  const last = entries.at(-1);
  sendXml(
    context,
    xmlDocument('ListMultipartUploadsResult', [
      xmlLeaf('Bucket', context.bucket),
      xmlLeaf('KeyMarker', encode(keyMarker)),
      xmlLeaf('UploadIdMarker', uploadIdMarker),
      truncated && last ? xmlLeaf('NextKeyMarker', encode(last.upload?.key ?? last.prefix ?? '')) : '',
      truncated && last?.upload ? xmlLeaf('NextUploadIdMarker', last.upload.uploadId) : '',
      delimiter ? xmlLeaf('Delimiter', encode(delimiter)) : '',
      xmlLeaf('Prefix', encode(prefix)),
      xmlLeaf('MaxUploads', maxUploads),
      encodingType !== undefined ? xmlLeaf('EncodingType', 'url') : '',
      xmlLeaf('IsTruncated', truncated),
      ...entries
        .filter((entry) => entry.upload)
        .map(({ upload }) =>
          xmlNode('Upload', [
            xmlLeaf('Key', encode(upload?.key ?? '')),
            xmlLeaf('UploadId', upload?.uploadId),
            ownerXml(context, 'Initiator'),
            ownerXml(context, 'Owner'),
            xmlLeaf('StorageClass', 'STANDARD'),
            xmlLeaf('Initiated', upload?.initiated),
          ]),
        ),
      ...entries.filter((entry) => entry.prefix !== undefined).map((entry) => xmlNode('CommonPrefixes', [xmlLeaf('Prefix', encode(entry.prefix ?? ''))])),
    ]),
  );
}
