import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { HostedContainer, HostedInstance } from '../../hosting/index.js';
import type { ObjectStore } from '../../objectstore/index.js';
import type { ChannelObject, S3Location } from '../../training/data/index.js';
import { DataProcessingError, type RecordProcessor } from '../data-processing/index.js';
import { recordBatches, RecordTooLarge, type RecordBatch, type SplitType } from '../records/index.js';
import { assembled } from './assemble.js';
import type { BatchSettings } from './batch-settings.js';
import { invokeModel, ModelInvocationError, type ModelAnswer } from './invoke-model.js';
import { OutputWriter } from './output-writer.js';
import type { RequestSlots } from './request-slots.js';

/** What every file of one instance shares. */
export interface FileTransformContext {
  readonly store: ObjectStore;
  readonly instance: HostedInstance;
  readonly containers: readonly HostedContainer[];
  readonly settings: BatchSettings;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  readonly compression: 'None' | 'Gzip';
  readonly splitType: SplitType;
  readonly assembleWith: 'None' | 'Line';
  readonly processor: RecordProcessor | undefined;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** The instance's MaxConcurrentTransforms request slots (shared by the files it works on). */
  readonly slots: RequestSlots;
  readonly signal: AbortSignal;
  /** Bytes per uploaded output part (tests shrink it). */
  readonly partBytes?: number;
  /** First pause before a retry (invokeModel's default otherwise). */
  readonly retryDelayMs?: number;
}

/**
 * An input file could not be transformed: `reason` is the FailureReason part (`ClientError: …` or
 * `AlgorithmError: …`, naming the file), `lines` what the data log shows for it.
 */
export class FileTransformError extends Error {
  override readonly name = 'FileTransformError';

  constructor(
    readonly reason: string,
    readonly lines: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(reason, options);
  }
}

/**
 * Transforms one input object into `output`: streams it (gunzipped for Gzip), splits and packs its
 * records (recordBatches), sends each batch (through the DataProcessing InputFilter when set) with up
 * to MaxConcurrentTransforms requests in flight, and writes the answers (split per record, joined and
 * filtered when DataProcessing asks) in input order, assembled as AssembleWith says, to an OutputWriter.
 * The output is published only when every batch succeeded; otherwise it is aborted and
 * FileTransformError says why. Rejects with the signal's reason once it aborts (output aborted too).
 */
export async function transformFile(ctx: FileTransformContext, input: ChannelObject, output: S3Location): Promise<{ records: number; bytes: number }> {
  const file = `${input.bucket}/${input.key}`;
  const writer = new OutputWriter(ctx.store, output, ctx.partBytes);
  writer.contentType = ctx.accept;
  const pending: Promise<Buffer>[] = [];
  let source: Readable | undefined;
  let decompression: Error | undefined;
  let records = 0;
  const written = async (step: Promise<void>): Promise<void> => {
    try {
      await step;
    } catch (error) {
      const text = `the output s3://${output.bucket}/${output.key} could not be written: ${(error as Error).message}`;
      throw new FileTransformError(`ClientError: ${file}: ${text}`, [text], { cause: error });
    }
  };
  const flushHead = async (): Promise<void> => {
    await written(writer.write(await (pending.shift() as Promise<Buffer>)));
  };
  try {
    let body: Readable;
    try {
      body = (await ctx.store.getObject(input.bucket, input.key)).body;
    } catch (error) {
      throw new FileTransformError(`ClientError: ${file}: the input object could not be read: ${(error as Error).message}`, [
        `Could not read the input object: ${(error as Error).message}`,
      ]);
    }
    source = body;
    if (ctx.compression === 'Gzip') {
      const gunzip = createGunzip();
      gunzip.once('error', (error) => (decompression = error));
      body.once('error', (error) => gunzip.destroy(error));
      source = body.pipe(gunzip);
    }
    const maxPayloadBytes = ctx.settings.maxPayloadInMB * 1024 * 1024;
    for await (const batch of recordBatches(source, { splitType: ctx.splitType, strategy: ctx.settings.batchStrategy, maxPayloadBytes })) {
      await ctx.slots.acquire(ctx.signal);
      records += batch.count;
      const answer = invokeModel(
        ctx.instance,
        ctx.containers,
        { body: ctx.processor ? ctx.processor.request(batch) : batch.body, contentType: ctx.contentType, accept: ctx.accept },
        {
          timeoutMs: ctx.timeoutMs,
          maxRetries: ctx.maxRetries,
          signal: ctx.signal,
          ...(ctx.retryDelayMs !== undefined ? { retryDelayMs: ctx.retryDelayMs } : {}),
        },
      ).finally(() => ctx.slots.release());
      const outputs = answer.then((reply) => outputsOf(ctx, batch, reply, writer));
      outputs.catch(() => undefined); // awaited in order below; a rejection before then is not unhandled
      pending.push(outputs);
      while (pending.length > ctx.settings.maxConcurrentTransforms) await flushHead();
    }
    while (pending.length > 0) await flushHead();
    await written(writer.complete());
    return { records, bytes: writer.bytes };
  } catch (error) {
    source?.destroy();
    await Promise.allSettled(pending);
    await writer.abort();
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw asFileError(error, file, decompression);
  }
}

/** A batch's answer as the bytes to write: per-record outputs (DataProcessing) or the whole answer, assembled. */
function outputsOf(ctx: FileTransformContext, batch: RecordBatch, reply: ModelAnswer, writer: OutputWriter): Buffer {
  writer.contentType ??= reply.contentType;
  if (!ctx.processor) return Buffer.concat(assembled(reply.body, ctx.assembleWith));
  return Buffer.concat(ctx.processor.response(batch, reply.body).flatMap((output) => assembled(output, ctx.assembleWith)));
}

function asFileError(error: unknown, file: string, decompression: Error | undefined): FileTransformError {
  if (error instanceof FileTransformError) return error;
  if (decompression !== undefined) {
    const text = `the object could not be decompressed with CompressionType Gzip: ${decompression.message}`;
    return new FileTransformError(`ClientError: ${file}: ${text}`, [text], { cause: decompression });
  }
  if (error instanceof ModelInvocationError) {
    const kind = error.status !== undefined && error.status >= 400 && error.status < 500 ? 'ClientError' : 'AlgorithmError';
    return new FileTransformError(`${kind}: ${file}: ${error.message}`, error.lines, { cause: error });
  }
  if (error instanceof RecordTooLarge || error instanceof DataProcessingError) {
    return new FileTransformError(`ClientError: ${file}: ${error.message}`, [error.message], { cause: error });
  }
  const message = (error as Error).message ?? String(error);
  return new FileTransformError(`ClientError: ${file}: ${message}`, [message], { cause: error });
}
