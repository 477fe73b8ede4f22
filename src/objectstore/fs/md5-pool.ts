import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** An MD5 being computed; `update` copies what it needs, so callers may reuse their buffers. */
export interface Md5 {
  update(chunk: Buffer): void;
  /** Resolves when the hasher has caught up enough to take more (bounded memory); undefined if it already can. */
  capacity(): Promise<void> | undefined;
  digest(): Promise<Buffer>;
}

/** Bytes copied per message to a worker. */
const batchBytes = 1024 * 1024;
/** Bytes a hasher may have queued in its worker before `capacity()` makes the writer wait. */
const maxQueued = 4 * batchBytes;

interface Reply {
  readonly id: number;
  readonly op: 'ack' | 'digest';
  readonly bytes?: number;
  /** An update's buffer, handed back for reuse. */
  readonly data?: ArrayBuffer;
  readonly digest?: ArrayBuffer;
}

class InlineMd5 implements Md5 {
  private readonly hash = createHash('md5');
  update(chunk: Buffer): void {
    this.hash.update(chunk);
  }
  capacity(): undefined {
    return undefined;
  }
  async digest(): Promise<Buffer> {
    return this.hash.digest();
  }
}

class RemoteMd5 implements Md5 {
  private batch: Uint8Array | undefined;
  /** Batch buffers the worker has handed back. */
  private readonly spare: Uint8Array[] = [];
  private filled = 0;
  private queued = 0;
  private failure: Error | undefined;
  private waiter: { resolve(): void; reject(error: Error): void } | undefined;
  private result: { resolve(digest: Buffer): void; reject(error: Error): void } | undefined;

  constructor(
    readonly worker: Worker,
    readonly id: number,
    private readonly done: (id: number) => void,
  ) {}

  update(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      this.batch ??= this.spare.pop() ?? new Uint8Array(batchBytes);
      const take = Math.min(chunk.length - offset, batchBytes - this.filled);
      this.batch.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === batchBytes) this.flush();
    }
  }

  capacity(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.queued <= maxQueued) return undefined;
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  digest(): Promise<Buffer> {
    this.flush();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.result = { resolve, reject };
      this.worker.postMessage({ id: this.id, op: 'digest' });
    });
  }

  onReply(reply: Reply): void {
    if (reply.op === 'ack') {
      this.queued -= reply.bytes ?? 0;
      if (reply.data?.byteLength === batchBytes) this.spare.push(new Uint8Array(reply.data));
      if (this.waiter && this.queued <= maxQueued / 2) {
        this.waiter.resolve();
        this.waiter = undefined;
      }
    } else {
      this.done(this.id);
      this.result?.resolve(Buffer.from(reply.digest ?? new ArrayBuffer(0)));
    }
  }

  fail(error: Error): void {
    this.failure = error;
    this.waiter?.reject(error);
    this.result?.reject(error);
  }

  private flush(): void {
    if (!this.batch || this.filled === 0) return;
    const data = this.batch.buffer as ArrayBuffer;
    this.worker.postMessage({ id: this.id, op: 'update', data, length: this.filled }, [data]);
    this.queued += this.filled;
    this.batch = undefined;
    this.filled = 0;
  }
}

/**
 * A few worker threads (at most two, unref'd) that compute MD5s, so hashing a body does not take
 * the main thread's time; with no worker available, hashing happens inline.
 */
class Md5Pool {
  private workers: Worker[] | undefined;
  private readonly hashers = new Map<number, RemoteMd5>();
  private nextId = 1;

  create(): Md5 {
    const workers = this.start();
    const worker = workers[this.nextId % workers.length];
    if (!worker) return new InlineMd5();
    const hasher = new RemoteMd5(worker, this.nextId++, (id) => this.forget(id));
    this.hashers.set(hasher.id, hasher);
    // Keep the process alive while a digest is being computed, not when the pool is idle.
    if (this.hashers.size === 1) for (const w of workers) w.ref();
    return hasher;
  }

  private forget(id: number): void {
    if (this.hashers.delete(id) && this.hashers.size === 0) for (const worker of this.workers ?? []) worker.unref();
  }

  private start(): Worker[] {
    if (this.workers) return this.workers;
    this.workers = [];
    try {
      for (let i = 0; i < Math.min(2, availableParallelism()); i++) this.workers.push(this.spawn());
    } catch {
      this.workers = [];
    }
    return this.workers;
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./md5-worker.js', import.meta.url));
    worker.on('message', (reply: Reply) => this.hashers.get(reply.id)?.onReply(reply));
    const fail = (error: Error): void => {
      // Fail the hashers on this worker; later ones go to the others, or hash inline.
      this.workers = this.workers?.filter((w) => w !== worker);
      for (const hasher of this.hashers.values()) {
        if (hasher.worker === worker) {
          hasher.fail(error);
          this.forget(hasher.id);
        }
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`md5 worker exited with code ${code}`)));
    // After the listeners (adding a 'message' listener refs the port again).
    worker.unref();
    return worker;
  }
}

const pool = new Md5Pool();

/** A new MD5 computation, in a worker thread when one is available. */
export function createMd5(): Md5 {
  return pool.create();
}

/** An MD5 computed on the calling thread (small bodies, or where a worker is not worth it). */
export function createInlineMd5(): Md5 {
  return new InlineMd5();
}
