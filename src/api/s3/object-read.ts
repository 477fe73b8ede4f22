import { InvalidArgument, NotImplemented } from '../../errors/index.js';
import type { ObjectInfo } from '../../objectstore/index.js';
import { checkConditions, resolveRange, type Conditions } from './conditions.js';
import { objectHeaders } from './object-headers.js';
import { headerOf, type ObjectContext } from './s3-context.js';
import { requestIdHeaders } from './s3-responses.js';

function readConditions(context: ObjectContext): Conditions {
  const pick = (name: string): string | undefined => headerOf(context, name);
  const conditions: Record<string, string> = {};
  for (const [field, name] of [
    ['ifMatch', 'if-match'],
    ['ifNoneMatch', 'if-none-match'],
    ['ifModifiedSince', 'if-modified-since'],
    ['ifUnmodifiedSince', 'if-unmodified-since'],
  ] as const) {
    const value = pick(name);
    if (value !== undefined) conditions[field] = value;
  }
  return conditions;
}

/** `?partNumber=1` of an object uploaded in one piece is the whole object; other parts are not kept apart. */
function checkPartNumber(context: ObjectContext, info: ObjectInfo): void {
  const partNumber = context.address.query.get('partNumber');
  if (partNumber === undefined) return;
  if (!/^\d+$/.test(partNumber) || Number(partNumber) < 1 || Number(partNumber) > 10000) {
    throw new InvalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', partNumber);
  }
  if (Number(partNumber) !== 1 || info.etag.includes('-')) throw new NotImplemented('partNumber on GetObject/HeadObject of a multipart object');
}

/**
 * GET /bucket/key and HEAD /bucket/key: conditions (304/412), Range (206 + Content-Range, 416
 * when unsatisfiable), stored headers and metadata, the checksum when `x-amz-checksum-mode:
 * ENABLED` asks for it and the whole object is sent. The body streams from the store.
 */
export async function getObject(context: ObjectContext): Promise<void> {
  const head = await context.store.headObject(context.bucket, context.key);
  checkConditions(head, readConditions(context));
  checkPartNumber(context, head);
  const range = resolveRange(headerOf(context, 'range'), head.size);
  const checksumMode = (headerOf(context, 'x-amz-checksum-mode') ?? '').toUpperCase() === 'ENABLED' && range === undefined;
  const isHead = context.request.method === 'HEAD';
  let info = head;
  let body: NodeJS.ReadableStream | undefined;
  if (!isHead) {
    const result = await context.store.getObject(context.bucket, context.key, range);
    info = result.info;
    body = result.body;
  }
  const headers: Record<string, string> = {
    ...requestIdHeaders(context.requestId),
    ...objectHeaders(info, { checksumMode, query: context.address.query }),
  };
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${info.size}`;
    headers['content-length'] = String(range.end - range.start + 1);
  } else {
    headers['content-length'] = String(info.size);
  }
  void context.reply
    .code(range ? 206 : 200)
    .headers(headers)
    .send(body);
}
