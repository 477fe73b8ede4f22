import type { LogEventInput } from './log-service.js';

/** Where a writer's batches go: LogService.append. */
export interface LogAppender {
  append(group: string, stream: string, events: readonly LogEventInput[]): Promise<void>;
}

export interface LogStreamWriterOptions {
  /** Events per batch (one transaction each); a full batch is written at once. Default 1000. */
  readonly maxBatch?: number;
  /** Longest a buffered event waits before it is written, in ms. Default 200. */
  readonly flushIntervalMs?: number;
  /** Longest message; longer lines are split. Default 256 KiB, CloudWatch's classic event limit. */
  readonly maxMessageBytes?: number;
  /** Clock in epoch milliseconds (tests); defaults to Date.now. */
  readonly now?: () => number;
}

/**
 * Buffers one stream's output and appends it in batches, for producers that emit many lines per
 * second (training, processing and transform jobs; model servers). Batches are written one at a
 * time, in order. Call `close()` (which flushes) before reporting the job finished: clients stop
 * reading logs once the job has ended, so every line must be stored by then. A failed write is
 * rethrown by the next `flush()`/`close()`.
 */
export class LogStreamWriter {
  private buffer: LogEventInput[] = [];
  private partial = '';
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly maxBatch: number;
  private readonly flushIntervalMs: number;
  private readonly maxMessageBytes: number;
  private readonly now: () => number;

  constructor(
    private readonly appender: LogAppender,
    readonly group: string,
    readonly stream: string,
    options: LogStreamWriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.maxMessageBytes = options.maxMessageBytes ?? 256 * 1024;
    this.now = options.now ?? Date.now;
  }

  /** Buffers one event (an empty message is skipped, as CloudWatch rejects it). Throws after close(). */
  write(message: string, timestamp: number = this.now()): void {
    if (this.closed) throw new Error(`log stream ${this.group}/${this.stream} is closed`);
    if (message === '') return;
    for (const piece of this.split(message)) this.buffer.push({ timestamp, message: piece });
    if (this.buffer.length >= this.maxBatch) this.schedule(0);
    else this.schedule(this.flushIntervalMs);
  }

  /** Buffers process output: complete lines become events; a trailing partial line waits for more. */
  writeChunk(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    const timestamp = this.now();
    for (const line of lines) this.write(line.endsWith('\r') ? line.slice(0, -1) : line, timestamp);
  }

  /** Writes everything buffered so far; resolves when it is stored. */
  async flush(): Promise<void> {
    this.drain();
    await this.chain;
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
  }

  /** Writes a trailing partial line and everything buffered, then refuses further writes. */
  async close(): Promise<void> {
    if (this.partial !== '') {
      const rest = this.partial;
      this.partial = '';
      this.write(rest);
    }
    this.closed = true;
    await this.flush();
  }

  private schedule(delay: number): void {
    if (delay === 0) {
      this.drain();
      return;
    }
    this.timer ??= setTimeout(() => this.drain(), delay);
  }

  private drain(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.maxBatch);
      this.chain = this.chain.then(() =>
        this.appender.append(this.group, this.stream, batch).catch((error: unknown) => {
          this.failure ??= error;
        }),
      );
    }
  }

  private *split(message: string): Generator<string> {
    if (Buffer.byteLength(message, 'utf8') <= this.maxMessageBytes) {
      yield message;
      return;
    }
    let piece = '';
    let bytes = 0;
    for (const char of message) {
      const size = Buffer.byteLength(char, 'utf8');
      if (bytes + size > this.maxMessageBytes) {
        yield piece;
        piece = '';
        bytes = 0;
      }
      piece += char;
      bytes += size;
    }
    if (piece !== '') yield piece;
  }
}
