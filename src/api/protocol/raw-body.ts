import type { IncomingMessage } from 'node:http';
import { RequestEntityTooLarge } from '../../errors/index.js';

/** Reads a whole (small) request body, failing with RequestEntityTooLarge past `limit` bytes. */
export async function readRawBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > limit) {
    request.resume();
    throw new RequestEntityTooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      request.resume();
      throw new RequestEntityTooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
