import type { RecordBatch } from './record-batch.js';

/**
 * A batch whose records are spans of its body (start, end pairs); `records` is materialised only
 * when read, since most runs only POST `body`.
 */
export class SpanBatch implements RecordBatch {
  #records: Buffer[] | undefined;

  constructor(
    readonly body: Buffer,
    private readonly spans: readonly number[],
  ) {}

  get count(): number {
    return this.spans.length / 2;
  }

  get records(): readonly Buffer[] {
    if (this.#records === undefined) {
      const out: Buffer[] = [];
      for (let i = 0; i < this.spans.length; i += 2) out.push(this.body.subarray(this.spans[i], this.spans[i + 1]));
      this.#records = out;
    }
    return this.#records;
  }
}
