import type { FastifyReply } from 'fastify';
import type { AwsError } from '../../errors/index.js';
import { escapeXml, xmlLeaf } from '../protocol/s3-xml.js';
import type { S3Context } from './s3-context.js';

/** `x-amz-request-id` / `x-amz-id-2` for a request id. */
export function requestIdHeaders(requestId: string): Record<string, string> {
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': Buffer.from(`salvia/${requestId}`).toString('base64') };
}

/** Sends an XML document (built with s3-xml helpers). */
export function sendXml(context: S3Context, xml: string, status = 200, headers: Record<string, string> = {}): void {
  void context.reply
    .code(status)
    .headers({ ...requestIdHeaders(context.requestId), ...headers, 'content-type': 'application/xml' })
    .send(xml);
}

/** Sends a response without a body (204, or 200 with headers only). */
export function sendEmpty(context: S3Context, status = 200, headers: Record<string, string> = {}): void {
  void context.reply
    .code(status)
    .headers({ ...requestIdHeaders(context.requestId), ...headers })
    .send();
}

/**
 * Writes an S3 error: `<Error><Code/><Message/>…details…<Resource/><RequestId/><HostId/></Error>`,
 * or the bare status for HEAD requests and 304. Adds `Connection: close` when the request body
 * was not read to the end, so a client still sending is not left waiting.
 */
export function sendS3Error(reply: FastifyReply, error: AwsError, requestId: string, resource: string): void {
  const headers: Record<string, string> = { ...requestIdHeaders(requestId), ...error.headers };
  if (!reply.request.raw.complete) headers.connection = 'close';
  if (reply.request.method === 'HEAD' || error.status === 304) {
    void reply.code(error.status).headers(headers).send();
    return;
  }
  const details = Object.entries(error.details).map(([name, value]) => xmlLeaf(name, String(value)));
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    xmlLeaf('Code', error.code) +
    xmlLeaf('Message', error.message) +
    details.join('') +
    `<Resource>${escapeXml(resource)}</Resource>` +
    xmlLeaf('RequestId', requestId) +
    xmlLeaf('HostId', headers['x-amz-id-2']) +
    '</Error>';
  void reply
    .code(error.status)
    .headers({ ...headers, 'content-type': 'application/xml' })
    .send(body);
}
