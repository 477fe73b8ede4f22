/** The smallest buffer a {@link ByteWindow} allocates. */
const MIN_CAPACITY = 1024 * 1024;

/**
 * An append-only window over a byte stream, addressed by stream offsets. Bytes before the released
 * offset may be dropped; the bytes of every view handed out are never written again (a full buffer
 * is replaced by a new one holding the live bytes, never compacted in place), so views stay valid
 * while later chunks arrive. Memory: about twice the live bytes (released offset to end).
 */
export class ByteWindow {
  #buf: Buffer = Buffer.alloc(0);
  /** `#buf` up to the last byte written (searches must not see the unwritten tail). */
  #filled: Buffer = this.#buf;
  /** Stream offset of `#buf[0]`. */
  #base = 0;
  #end = 0;
  #keep = 0;

  /** Stream offset just after the last byte appended. */
  get end(): number {
    return this.#end;
  }

  /** Appends a chunk (copied). */
  append(chunk: Buffer): void {
    const used = this.#end - this.#base;
    if (used + chunk.length > this.#buf.length) {
      const live = this.#end - this.#keep;
      const next = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, 2 * (live + chunk.length)));
      this.#buf.copy(next, 0, this.#keep - this.#base, used);
      this.#buf = next;
      this.#base = this.#keep;
    }
    chunk.copy(this.#buf, this.#end - this.#base);
    this.#end += chunk.length;
    this.#filled = this.#buf.subarray(0, this.#end - this.#base);
  }

  /** Declares that no byte before `offset` will be read again. */
  release(offset: number): void {
    if (offset > this.#keep) this.#keep = Math.min(offset, this.#end);
  }

  /** The bytes `[start, end)` as a view (no copy); both must be at or after the released offset. */
  view(start: number, end: number): Buffer {
    return this.#buf.subarray(start - this.#base, end - this.#base);
  }

  /** The byte at `offset`. */
  byte(offset: number): number {
    return this.#buf[offset - this.#base] as number;
  }

  /** The stream offset of the first `value` byte at or after `from`, or -1. */
  indexOf(value: number, from: number): number {
    const at = this.#filled.indexOf(value, from - this.#base);
    return at < 0 ? -1 : at + this.#base;
  }

  /** A little-endian uint32 at `offset` (4 bytes must be available). */
  uint32(offset: number): number {
    return this.#buf.readUInt32LE(offset - this.#base);
  }
}
