// Training-job overhead against a real `salvia server` (node dist/bench/training-overhead.js).
//
// 1. Median wall time from CreateTrainingJob to Completed (DescribeTrainingJob polled every 20 ms)
//    for a trivial training program (test/fixtures/training/trivial: writes one model file), minus
//    the median time of running that same program directly — the platform's overhead.
// 2. How long 100 trivial jobs submitted at once take to drain through the capacity queue (the
//    machine's CPUs; ml.m5.large = 2 vCPUs each, so on 2 cores they run one at a time).
// Prints a Markdown table for docs/benchmarks.md. Not part of the test suite.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTrainingJobCommand, DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { clientConfig, repoRoot, startServer, testCredentials } from '../test/helpers/server-process.js';

const runs = Number(process.env.SALVIA_BENCH_RUNS ?? 15);
const queued = Number(process.env.SALVIA_BENCH_QUEUED ?? 100);
const trivial = path.join(repoRoot, 'test/fixtures/training/trivial');

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const ms = (value: number): string => `${Math.round(value)} ms`;

async function main(): Promise<void> {
  const server = await startServer({ args: ['--log-level', 'warn'] });
  const sagemaker = new SageMakerClient(clientConfig(server));
  const s3 = new S3Client(clientConfig(server));
  const bucket = 'bench-training';
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await promisify(execFile)(
      process.execPath,
      [path.join(repoRoot, 'bin/salvia.js'), 'images', 'add', 'bench-trivial', trivial, '--endpoint-url', server.url],
      {
        env: { ...process.env, AWS_ACCESS_KEY_ID: testCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey },
      },
    );
    const create = (name: string) =>
      sagemaker.send(
        new CreateTrainingJobCommand({
          TrainingJobName: name,
          AlgorithmSpecification: { TrainingImage: 'bench-trivial', TrainingInputMode: 'File' },
          RoleArn: 'arn:aws:iam::000000000000:role/Bench',
          OutputDataConfig: { S3OutputPath: `s3://${bucket}/output` },
          ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
          StoppingCondition: { MaxRuntimeInSeconds: 600 },
        }),
      );
    const until = async (name: string): Promise<void> => {
      for (;;) {
        const job = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
        if (job.TrainingJobStatus === 'Completed') return;
        if (job.TrainingJobStatus !== 'InProgress') throw new Error(`${name}: ${job.TrainingJobStatus} ${job.FailureReason ?? ''}`);
        await delay(20);
      }
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
    sagemaker.destroy();
    s3.destroy();
    await server.dispose();
  }
}

await main();
