// Training-job overhead against a real `salvia server` (node dist/bench/training-overhead.js).
//
// 1. Median wall time from CreateTrainingJob to Completed (DescribeTrainingJob polled every 20 ms)
//    for a trivial training program (test/fixtures/training/trivial: writes one model file), minus
//    the median time of running that same program directly — the platform's overhead.
// 2. How long 100 trivial jobs submitted at once take to drain through the capacity queue (the
//    machine's CPUs; ml.m5.large = 2 vCPUs each, so on 2 cores they run one at a time).
// Prints a Markdown table for docs/benchmarks.md. Not part of the test suite.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { repoRoot } from '../test/helpers/server-process.js';
import { addImage, benchEnv, completedJob, median } from './bench-env.js';

const runs = Number(process.env.SALVIA_BENCH_RUNS ?? 15);
const queued = Number(process.env.SALVIA_BENCH_QUEUED ?? 100);
const trivial = path.join(repoRoot, 'test/fixtures/training/trivial');

const ms = (value: number): string => `${Math.round(value)} ms`;

async function main(): Promise<void> {
  const env = await benchEnv('bench-training');
  try {
    await addImage(env.server, 'bench-trivial', trivial);
    const create = (name: string) =>
      env.sagemaker.send(
        new CreateTrainingJobCommand({
          TrainingJobName: name,
          AlgorithmSpecification: { TrainingImage: 'bench-trivial', TrainingInputMode: 'File' },
          RoleArn: 'arn:aws:iam::000000000000:role/Bench',
          OutputDataConfig: { S3OutputPath: `s3://${env.bucket}/output` },
          ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
          StoppingCondition: { MaxRuntimeInSeconds: 600 },
        }),
      );
    const until = async (name: string): Promise<void> => {
      await completedJob(env, name, 20);
    };

    const direct: number[] = [];
    const scratch = mkdtempSync(path.join(tmpdir(), 'salvia-bench-direct-'));
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      spawnSync(path.join(trivial, 'train'), { env: { ...process.env, SM_MODEL_DIR: scratch }, stdio: 'ignore' });
      direct.push(performance.now() - start);
    }
    rmSync(scratch, { recursive: true, force: true });

    await create('warm-up');
    await until('warm-up');
    const platform: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      await create(`overhead-${i}`);
      await until(`overhead-${i}`);
      platform.push(performance.now() - start);
    }

    const drainStart = performance.now();
    for (let i = 0; i < queued; i++) await create(`queued-${i}`);
    const submitted = performance.now() - drainStart;
    for (let i = 0; i < queued; i++) await until(`queued-${i}`);
    const drained = performance.now() - drainStart;

    const overhead = median(platform) - median(direct);
    process.stdout.write(
      [
        `Training overhead (${runs} runs, ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}):`,
        '',
        '| Measure | Result |',
        '|---|---|',
        `| Trivial program run directly (median) | ${ms(median(direct))} |`,
        `| CreateTrainingJob → Completed (median; min ${ms(Math.min(...platform))}, max ${ms(Math.max(...platform))}) | ${ms(median(platform))} |`,
        `| Platform overhead (difference of medians; aim < 500 ms) | ${ms(overhead)} |`,
        `| ${queued} queued trivial jobs: all submitted | ${ms(submitted)} |`,
        `| ${queued} queued trivial jobs: drained (one at a time on this machine) | ${ms(drained)} (${ms(drained / queued)} per job) |`,
        '',
      ].join('\n'),
    );
  } finally {
    await env.dispose();
  }
}

await main();
