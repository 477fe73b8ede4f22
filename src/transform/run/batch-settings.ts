import type { BatchStrategy } from '../records/index.js';
import type { TransformJobSpec } from '../transform-runner.js';

/** What a container's GET /execution-parameters may answer (every member optional). */
export interface ExecutionParameters {
  readonly MaxConcurrentTransforms?: number;
  readonly BatchStrategy?: BatchStrategy;
  readonly MaxPayloadInMB?: number;
}

/** The job's effective batch settings. */
export interface BatchSettings {
  /** Requests in flight per instance (≥ 1). */
  readonly maxConcurrentTransforms: number;
  readonly batchStrategy: BatchStrategy;
  /** 0: unlimited. */
  readonly maxPayloadInMB: number;
}

/** SageMaker's defaults when neither the request nor the container says: 1 request, MultiRecord, 6 MB. */
const defaultBatchSettings: BatchSettings = { maxConcurrentTransforms: 1, batchStrategy: 'MultiRecord', maxPayloadInMB: 6 };

const strategies: Readonly<Record<string, BatchStrategy>> = {
  MULTI_RECORD: 'MultiRecord',
  SINGLE_RECORD: 'SingleRecord',
  MultiRecord: 'MultiRecord',
  SingleRecord: 'SingleRecord',
};

/**
 * An /execution-parameters answer (`{"MaxConcurrentTransforms":8,"BatchStrategy":"MULTI_RECORD","MaxPayloadInMB":6}`),
 * keeping only members that are valid (integers in range, a known strategy); anything unparsable gives `{}`.
 */
export function parseExecutionParameters(body: Buffer): ExecutionParameters {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const integer = (member: unknown, min: number, max: number): number | undefined =>
    typeof member === 'number' && Number.isInteger(member) && member >= min && member <= max ? member : undefined;
  const concurrent = integer(record['MaxConcurrentTransforms'], 1, 1000);
  const payload = integer(record['MaxPayloadInMB'], 0, 100);
  const strategy = typeof record['BatchStrategy'] === 'string' ? strategies[record['BatchStrategy']] : undefined;
  return {
    ...(concurrent !== undefined ? { MaxConcurrentTransforms: concurrent } : {}),
    ...(payload !== undefined ? { MaxPayloadInMB: payload } : {}),
    ...(strategy !== undefined ? { BatchStrategy: strategy } : {}),
  };
}

/** Each setting from the request, else the container's execution parameters, else SageMaker's default. */
export function batchSettings(
  spec: Pick<TransformJobSpec, 'MaxConcurrentTransforms' | 'BatchStrategy' | 'MaxPayloadInMB'>,
  params: ExecutionParameters,
): BatchSettings {
  return {
    maxConcurrentTransforms: Math.max(1, spec.MaxConcurrentTransforms || params.MaxConcurrentTransforms || defaultBatchSettings.maxConcurrentTransforms),
    batchStrategy: spec.BatchStrategy ?? params.BatchStrategy ?? defaultBatchSettings.batchStrategy,
    maxPayloadInMB: spec.MaxPayloadInMB ?? params.MaxPayloadInMB ?? defaultBatchSettings.maxPayloadInMB,
  };
}

/** The data-log line SageMaker starts each instance's log with: `MaxConcurrentTransforms=1, MaxPayloadInMB=6, BatchStrategy=MULTI_RECORD`. */
export function settingsLine(settings: BatchSettings): string {
  const strategy = settings.batchStrategy === 'MultiRecord' ? 'MULTI_RECORD' : 'SINGLE_RECORD';
  return `MaxConcurrentTransforms=${settings.maxConcurrentTransforms}, MaxPayloadInMB=${settings.maxPayloadInMB}, BatchStrategy=${strategy}`;
}
