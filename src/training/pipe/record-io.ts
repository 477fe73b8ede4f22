/** MXNet RecordIO's magic number (little-endian uint32 at the start of every record part). */
export const RECORDIO_MAGIC = 0xced7230a;

/** The largest payload one RecordIO part can hold (29 bits of length). */
export const RECORDIO_MAX_PART = 2 ** 29 - 1;

/**
 * Continuation flag of a record part: 0 = a whole record, 1 = first part, 2 = middle part, 3 = last
 * part (records larger than RECORDIO_MAX_PART are split into parts).
 */
export type RecordIOFlag = 0 | 1 | 2 | 3;

/** The 8-byte header of a RecordIO part of `length` bytes: magic, then `flag << 29 | length`. */
export function recordIOHeader(length: number, flag: RecordIOFlag = 0): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > RECORDIO_MAX_PART) throw new RangeError(`RecordIO part length out of range: ${length}`);
  const header = Buffer.alloc(8);
  header.writeUInt32LE(RECORDIO_MAGIC, 0);
  header.writeUInt32LE(((flag << 29) | length) >>> 0, 4);
  return header;
}

/** The zero bytes after a part of `length` bytes that align the next header to 4 bytes. */
export function recordIOPadding(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

/** How a record of `length` bytes is split into parts: each part's length and flag. */
export function recordIOParts(length: number): Array<{ length: number; flag: RecordIOFlag }> {
  if (length <= RECORDIO_MAX_PART) return [{ length, flag: 0 }];
  const parts: Array<{ length: number; flag: RecordIOFlag }> = [];
  for (let offset = 0; offset < length; offset += RECORDIO_MAX_PART) {
    const size = Math.min(RECORDIO_MAX_PART, length - offset);
    parts.push({ length: size, flag: offset === 0 ? 1 : offset + size >= length ? 3 : 2 });
  }
  return parts;
}

/** One whole record (header, payload, padding) as a buffer. */
export function recordIOFrame(payload: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (const part of recordIOParts(payload.length)) {
    out.push(recordIOHeader(part.length, part.flag), payload.subarray(offset, offset + part.length), recordIOPadding(part.length));
    offset += part.length;
  }
  return out;
}
