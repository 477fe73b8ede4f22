import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { curlAvailable, curlPump, curlSafeKey, objectUrl } from './curl-pump.js';
import { epochItems } from './epoch-order.js';
import type { FeederPlan, PipeChannelPlan, PipePart } from './feeder-plan.js';
import type { ObjectSource } from './object-source.js';
import { Prefetcher } from './prefetcher.js';
import { recordIOFrame, recordIOHeader, recordIOPadding, recordIOParts } from './record-io.js';

/** A channel cannot be fed (an object vanished or could not be read): the message names the channel and the object. */
export class FeederFailure extends Error {
  override readonly name = 'FeederFailure';
}

/** The reader closed its end of the FIFO: this epoch is over (not an error). */
class ReaderClosed extends Error {}

/** Writes are collected up to this size before going to the FIFO (fewer system calls, no added latency worth counting). */
const batchBytes = 512 * 1024;

function mkfifo(file: string): void {
  rmSync(file, { force: true });
  const made = spawnSync('mkfifo', ['-m', '0666', file], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`mkfifo ${file} failed: ${made.error?.message ?? made.stderr.trim()}`);
}

/** Batched writes into an open FIFO; EPIPE (reader gone) becomes ReaderClosed. */
class FifoWriter {
  private pending: Buffer[] = [];
  private size = 0;

  constructor(private readonly handle: FileHandle) {}

  async write(chunk: Buffer): Promise<void> {
    this.pending.push(chunk);
    this.size += chunk.length;
    if (this.size >= batchBytes) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    let data = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.size);
    this.pending = [];
    this.size = 0;
    try {
      while (data.length > 0) {
        const { bytesWritten } = await this.handle.write(data);
        data = data.subarray(bytesWritten);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EPIPE') throw new ReaderClosed();
      throw error;
    }
  }
}

const s3Uri = (part: { bucket: string; key: string }): string => `s3://${part.bucket}/${part.key}`;

async function* chunksOf(body: Readable, gzip: boolean): AsyncGenerator<Buffer> {
  const stream = gzip ? body.pipe(createGunzip()) : body;
  if (gzip) body.once('error', (error) => stream.destroy(error));
  for await (const chunk of stream) yield chunk as Buffer;
}

/** Streams one part into the FIFO (as is, gunzipped, and/or as RecordIO records). */
async function streamPart(out: FifoWriter, part: PipePart, index: number, prefetch: Prefetcher, channel: PipeChannelPlan): Promise<void> {
  if ('text' in part) {
    const payload = Buffer.from(part.text, 'utf8');
    for (const piece of channel.recordIO ? recordIOFrame(payload) : [payload]) await out.write(piece);
    return;
  }
  let opened;
  try {
    opened = await prefetch.take(index);
  } catch (error) {
    throw new FeederFailure(
      `Channel ${channel.name}: the object ${s3Uri(part)} could not be read while streaming it into the pipe: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const body = opened.body;
  try {
    if (!channel.recordIO) {
      for await (const chunk of chunksOf(body, channel.gzip)) await out.write(chunk);
    } else if (channel.gzip || opened.length === undefined) {
      const chunks: Buffer[] = [];
      for await (const chunk of chunksOf(body, channel.gzip)) chunks.push(chunk);
      for (const piece of recordIOFrame(Buffer.concat(chunks))) await out.write(piece);
    } else {
      await streamRecordIO(out, body, opened.length);
    }
  } catch (error) {
    body.destroy();
    if (error instanceof ReaderClosed || error instanceof FeederFailure) throw error;
    throw new FeederFailure(
      `Channel ${channel.name}: the object ${s3Uri(part)} could not be read to its end while streaming it into the pipe: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** One object of known length as RecordIO record part(s), streamed. */
async function streamRecordIO(out: FifoWriter, body: Readable, length: number): Promise<void> {
  const parts = recordIOParts(length);
  let partIndex = 0;
  let left = (parts[0] as { length: number }).length;
  await out.write(recordIOHeader(left, (parts[0] as { flag: 0 | 1 }).flag));
  let total = 0;
  for await (const raw of body) {
    let chunk = raw as Buffer;
    total += chunk.length;
    if (total > length) throw new Error(`the object is longer than its Content-Length ${length}`);
    while (chunk.length > 0) {
      const take = Math.min(left, chunk.length);
      await out.write(chunk.subarray(0, take));
      chunk = chunk.subarray(take);
      left -= take;
      if (left === 0 && partIndex < parts.length - 1) {
        await out.write(recordIOPadding((parts[partIndex] as { length: number }).length));
        partIndex++;
        const next = parts[partIndex] as { length: number; flag: 0 | 1 | 2 | 3 };
        left = next.length;
        await out.write(recordIOHeader(next.length, next.flag));
      }
    }
  }
  if (total !== length) throw new Error(`the object ended after ${total} of ${length} bytes`);
  await out.write(recordIOPadding((parts[partIndex] as { length: number }).length));
}

/**
 * Feeds one channel for ever: epoch 0, 1, 2 … each through its own FIFO `<channel>_<epoch>`. The
 * next FIFO is created before the current one is closed, so a reader that sees the end of one
 * epoch finds the next pipe already there. A reader closing early ends that epoch.
 */
async function feedChannel(plan: FeederPlan, channel: PipeChannelPlan, source: () => Promise<ObjectSource>): Promise<never> {
  const selection = {
    ...(channel.seed !== undefined ? { seed: channel.seed } : {}),
    sharded: channel.sharded,
    instanceCount: plan.instanceCount,
    instanceIndex: plan.instanceIndex,
  };
  for (let epoch = 0; ; epoch++) {
    const fifo = path.join(plan.dataDir, `${channel.name}_${epoch}`);
    const parts = epochItems(channel.items, selection, epoch).flatMap((item) => item.parts);
    const objects = plainObjects(channel, parts);
    if (objects) {
      const handle = await open(fifo, 'w');
      if (objects.length > 0) await pumpWithCurl(plan, channel, objects, handle.fd);
      await nextEpoch(plan, channel, epoch, handle);
      continue;
    }
    const prefetch = new Prefetcher(await source(), parts);
    prefetch.warm(0);
    const handle = await open(fifo, 'w');
    try {
      const out = new FifoWriter(handle);
      for (let i = 0; i < parts.length; i++) await streamPart(out, parts[i] as PipePart, i, prefetch, channel);
      await out.flush();
    } catch (error) {
      if (!(error instanceof ReaderClosed)) throw error;
    } finally {
      prefetch.cancel();
    }
    await nextEpoch(plan, channel, epoch, handle);
  }
}

/** Creates the next epoch's FIFO, then closes (the reader sees the end) and removes this one. */
async function nextEpoch(plan: FeederPlan, channel: PipeChannelPlan, epoch: number, handle: FileHandle): Promise<void> {
  mkfifo(path.join(plan.dataDir, `${channel.name}_${epoch + 1}`));
  await handle.close();
  await unlink(path.join(plan.dataDir, `${channel.name}_${epoch}`)).catch(() => undefined);
}

/**
 * The epoch's objects when curl can carry it alone: objects only (no augmented-manifest values), no
 * Gzip or RecordIO framing, keys curl signs exactly as S3 does, curl with SigV4 present; else undefined.
 */
function plainObjects(channel: PipeChannelPlan, parts: readonly PipePart[]): Array<{ bucket: string; key: string }> | undefined {
  if (channel.gzip || channel.recordIO || !curlAvailable()) return undefined;
  const objects: Array<{ bucket: string; key: string }> = [];
  for (const part of parts) {
    if ('text' in part || !curlSafeKey(part.key)) return undefined;
    objects.push(part);
  }
  return objects;
}

/** Streams plain objects into the FIFO with curl (the bytes bypass node); a failed GET names the channel and object. */
async function pumpWithCurl(plan: FeederPlan, channel: PipeChannelPlan, objects: ReadonlyArray<{ bucket: string; key: string }>, fd: number): Promise<void> {
  const urls = objects.map((o) => objectUrl(plan.s3, o.bucket, o.key));
  const byUrl = new Map(urls.map((url, i) => [url, objects[i] as { bucket: string; key: string }]));
  const result = await curlPump(plan.s3, urls, fd);
  if (result.kind !== 'failed') return;
  const object = result.url !== undefined ? byUrl.get(result.url) : undefined;
  throw new FeederFailure(
    object
      ? `Channel ${channel.name}: the object ${s3Uri(object)} could not be read while streaming it into the pipe: ${result.detail}`
      : `Channel ${channel.name}: streaming into the pipe failed: ${result.detail}`,
  );
}

/**
 * The Pipe-mode feeder of one instance: creates every channel's `_0` FIFO, signals readiness, then
 * streams each channel's epochs independently until it is killed (at the end of the job). Rejects
 * with FeederFailure when an object cannot be read.
 */
export async function runFeeder(plan: FeederPlan): Promise<never> {
  // The S3 client loads only when a channel needs it (curl carries plain object streams): a faster first record.
  let client: Promise<ObjectSource> | undefined;
  const source = (): Promise<ObjectSource> => (client ??= import('./object-source.js').then((m) => new m.ObjectSource(plan.s3)));
  for (const channel of plan.channels) mkfifo(path.join(plan.dataDir, `${channel.name}_0`));
  writeFileSync(plan.readyFile, String(process.pid));
  return Promise.race(plan.channels.map((channel) => feedChannel(plan, channel, source)));
}
