// Built-in XGBoost: training time through the platform vs xgboost called directly, same data, same
// params, same run (node dist/bench/builtin-xgboost.js). Not part of the test suite.
//
// Data: sklearn's digits, training rows stacked SALVIA_BENCH_REPEAT times (default 20 → 28,740 rows
// × 64 features, CSV), the 360 validation rows as the eval set; multi:softmax, num_class 10,
// SALVIA_BENCH_ROUNDS rounds (default 50), tree_method hist, max_depth 6.
// Direct: test/fixtures/algorithms/xgboost_digits.py `direct` (numpy.loadtxt + xgboost.train) — wall
// time of the process (interpreter start, imports, reading, training), its read time and its
// xgboost.train time.
// Platform: CreateTrainingJob → Completed wall time (DescribeTrainingJob polled every 50 ms), and the
// algorithm's own "Read … in Xs" and "Trained N rounds in Xs" (xgboost.train inside the job). Runs alternate
// (SALVIA_BENCH_RUNS, default 3); medians are printed as a Markdown table for docs/benchmarks.md.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../test/helpers/server-process.js';
import { algorithmPython, createBuiltinJob, images, logLines, uploadDataset } from '../test/e2e/builtin-harness.js';
import { benchEnv, completedJob, median } from './bench-env.js';

const execFileAsync = promisify(execFile);
const runs = Number(process.env['SALVIA_BENCH_RUNS'] ?? 3);
const repeat = Number(process.env['SALVIA_BENCH_REPEAT'] ?? 20);
const rounds = Number(process.env['SALVIA_BENCH_ROUNDS'] ?? 50);
const script = path.join(repoRoot, 'test/fixtures/algorithms/xgboost_digits.py');
const params = { num_round: String(rounds), objective: 'multi:softmax', num_class: '10', max_depth: '6', tree_method: 'hist', eval_metric: 'merror' };

const s = (value: number): string => `${value.toFixed(2)} s`;

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'salvia-bench-xgb-'));
  const { stdout } = await execFileAsync(algorithmPython, [script, 'data', dir, String(repeat)]);
  const manifest = JSON.parse(stdout) as { trainRows: number; features: number };
  const env = await benchEnv('bench-xgboost');
  try {
    const train = await uploadDataset(env, 'train', { 'train.csv': readFileSync(path.join(dir, 'train.csv')) });
    const validation = await uploadDataset(env, 'validation', { 'validation.csv': readFileSync(path.join(dir, 'validation.csv')) });
    const direct = { wall: [] as number[], read: [] as number[], train: [] as number[], accuracy: 0 };
    const platform = { wall: [] as number[], read: [] as number[], train: [] as number[], accuracy: 0 };
    for (let i = 0; i < runs; i++) {
      let start = performance.now();
      const result = JSON.parse((await execFileAsync(algorithmPython, [script, 'direct', dir, JSON.stringify(params)], { maxBuffer: 1 << 26 })).stdout) as {
        readSeconds: number;
        trainSeconds: number;
        accuracy: number;
      };
      direct.wall.push((performance.now() - start) / 1000);
      direct.read.push(result.readSeconds);
      direct.train.push(result.trainSeconds);
      direct.accuracy = result.accuracy;

      const name = `bench-xgb-${i}`;
      start = performance.now();
      await createBuiltinJob(env, {
        name,
        image: images.xgboost,
        hyperparameters: params,
        channels: { train: { s3Uri: train, contentType: 'text/csv' }, validation: { s3Uri: validation, contentType: 'text/csv' } },
        maxRuntimeSeconds: 3600,
      });
      const job = await completedJob(env, name, 50);
      platform.wall.push((performance.now() - start) / 1000);
      const log = await logLines(env, name);
      const seconds = (pattern: RegExp): number => Number(log.map((l) => pattern.exec(l)).find((m) => m)?.[1] ?? NaN);
      platform.read.push(seconds(/Read \d+ training rows.* in ([0-9.]+)s/));
      platform.train.push(seconds(/Trained \d+ rounds in ([0-9.]+)s/));
      platform.accuracy = 1 - (job.FinalMetricDataList?.find((m) => m.MetricName === 'validation:merror')?.Value ?? NaN);
    }
    const load = loadavg()[0]?.toFixed(1) ?? '?';
    console.log(
      `| ${new Date().toISOString().slice(0, 10)}, ${cpus().length} CPUs, load ${load}, ${manifest.trainRows} × ${manifest.features} CSV, ${rounds} rounds | direct | platform | platform − direct |`,
    );
    console.log('| --- | --- | --- | --- |');
    console.log(
      `| wall time (median of ${runs}) | ${s(median(direct.wall))} | ${s(median(platform.wall))} | ${s(median(platform.wall) - median(direct.wall))} |`,
    );
    const row = (label: string, a: number[], b: number[]): void =>
      console.log(`| ${label} | ${s(median(a))} | ${s(median(b))} | ${s(median(b) - median(a))} |`);
    row('reading the CSV (direct: numpy.loadtxt)', direct.read, platform.read);
    row('xgboost.train', direct.train, platform.train);
    console.log(`| validation accuracy | ${direct.accuracy.toFixed(4)} | ${platform.accuracy.toFixed(4)} | |`);
    console.log(`runs: direct wall ${direct.wall.map(s).join(', ')}; platform wall ${platform.wall.map(s).join(', ')}`);
    console.log(`runs: direct train ${direct.train.map(s).join(', ')}; platform train ${platform.train.map(s).join(', ')}`);
  } finally {
    await env.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
