import { crc32 } from 'node:zlib';

/**
 * Encodes one message of AWS's `application/vnd.amazon.eventstream` framing: prelude (total
 * length, headers length, CRC32 of both), string headers, payload, CRC32 of all that precedes.
 */
export function encodeEventMessage(headers: Readonly<Record<string, string>>, payload: Uint8Array): Buffer {
  const headerParts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const valueBytes = Buffer.from(value, 'utf8');
    const head = Buffer.alloc(1 + nameBytes.length + 3);
    head.writeUInt8(nameBytes.length, 0);
    nameBytes.copy(head, 1);
    head.writeUInt8(7, 1 + nameBytes.length); // type 7: string
    head.writeUInt16BE(valueBytes.length, 2 + nameBytes.length);
    headerParts.push(head, valueBytes);
  }
  const headerBytes = Buffer.concat(headerParts);
  const total = 12 + headerBytes.length + payload.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headerBytes.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headerBytes.copy(message, 12);
  Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).copy(message, 12 + headerBytes.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

/** One `PayloadPart` event of InvokeEndpointWithResponseStream. */
export function payloadPartEvent(bytes: Uint8Array): Buffer {
  return encodeEventMessage({ ':event-type': 'PayloadPart', ':content-type': 'application/octet-stream', ':message-type': 'event' }, bytes);
}

/** A modelled stream exception (`ModelStreamError`, `InternalStreamFailure`) ending the stream. */
export function exceptionEvent(code: string, message: string, errorCode?: string): Buffer {
  const body = JSON.stringify({ Message: message, ...(errorCode ? { ErrorCode: errorCode } : {}) });
  return encodeEventMessage({ ':exception-type': code, ':content-type': 'application/json', ':message-type': 'exception' }, Buffer.from(body, 'utf8'));
}
