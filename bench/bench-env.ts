// What the benchmarks share: a real server with clients and a bucket, user images, waiting for a
// training job by polling DescribeTrainingJob (the benchmarks time that wait), and medians.
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeTrainingJobCommand, type DescribeTrainingJobCommandOutput } from '@aws-sdk/client-sagemaker';
import { builtinEnv, type BuiltinEnv } from '../test/e2e/builtin-harness.js';
import type { TrainingEnv } from '../test/e2e/training-harness.js';

export { addImage, getBytes } from '../test/e2e/training-harness.js';

/**
 * Starts `salvia server` (its own data dir, `--log-level warn` and `args`) with clients and
 * `bucket`; `dispose()` stops the clients and the server and removes its data directory.
 */
export function benchEnv(bucket: string, args: readonly string[] = []): Promise<BuiltinEnv> {
  return builtinEnv(bucket, { args: ['--log-level', 'warn', ...args] });
}

/**
 * Polls DescribeTrainingJob every `pollMs` until job `name` leaves InProgress and returns its
 * description. Throws with its status and FailureReason unless it Completed.
 */
export async function completedJob(env: TrainingEnv, name: string, pollMs: number): Promise<DescribeTrainingJobCommandOutput> {
  for (;;) {
    const job = await env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    if (job.TrainingJobStatus === 'Completed') return job;
    if (job.TrainingJobStatus !== 'InProgress') throw new Error(`${name}: ${job.TrainingJobStatus} ${job.FailureReason ?? ''}`);
    await delay(pollMs);
  }
}

/** The median of `values` (the upper one of an even count; 0 for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
