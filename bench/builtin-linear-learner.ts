// Linear Learner throughput through a real training job (npm run build && node dist/bench/builtin-linear-learner.js).
//
// A generated CSV (SALVIA_BENCH_ROWS rows, default 1,000,000; 10 features, label first; from
// test/fixtures/algorithms/linear_learner_datasets.py) is uploaded to a real `salvia server`'s S3 and
// trained on with the linear-learner image (binary_classifier, defaults: 32 models, mini_batch_size
// 1000, up to 15 epochs with early stopping). Reported next to each other, same machine, same run:
//   - the direct numpy read limit: numpy.loadtxt of the same file, records/s (no training at all);
//   - the algorithm's own training throughput (its #throughput_metric lines: records/s per epoch, all
//     32 models updated per record);
//   - end to end: rows / (CreateTrainingJob → Completed), and rows × epochs / that time.
// Prints a Markdown table for docs/benchmarks.md. Not part of the test suite.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../test/helpers/server-process.js';
import { algorithmPython, createBuiltinJob, images, logLines, uploadDataset } from '../test/e2e/builtin-harness.js';
import { benchEnv, completedJob, median } from './bench-env.js';

const execFileAsync = promisify(execFile);
const rows = Number(process.env['SALVIA_BENCH_ROWS'] ?? 1_000_000);
const rate = (records: number, seconds: number): string => `${Math.round(records / seconds).toLocaleString('en-US')} records/s`;

async function numpyReadSeconds(file: string): Promise<number> {
  const script = [
    'import sys, time, numpy as np',
    't = time.perf_counter()',
    "a = np.loadtxt(sys.argv[1], delimiter=',', dtype=np.float32)",
    'print(time.perf_counter() - t, a.shape[0])',
  ].join('\n');
  const { stdout } = await execFileAsync(algorithmPython, ['-c', script, file], { maxBuffer: 1 << 20 });
  const [seconds, count] = stdout.trim().split(' ').map(Number);
  if (count !== rows) throw new Error(`numpy read ${count} rows, expected ${rows}`);
  return seconds as number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'salvia-bench-ll-'));
  const env = await benchEnv('bench-linear-learner');
  try {
    await execFileAsync(algorithmPython, [path.join(repoRoot, 'test/fixtures/algorithms/linear_learner_datasets.py'), dir, String(rows)], {
      maxBuffer: 1 << 20,
    });
    const file = path.join(dir, 'big.csv');
    const data = readFileSync(file);
    const readSeconds = await numpyReadSeconds(file);
    const train = await uploadDataset(env, 'bench/train', { 'big.csv': data });

    const name = 'bench-linear-learner';
    const started = performance.now();
    await createBuiltinJob(env, {
      name,
      image: images.linearLearner,
      hyperparameters: { predictor_type: 'binary_classifier', feature_dim: '10' },
      channels: { train: { s3Uri: train, contentType: 'text/csv' } },
      maxRuntimeSeconds: 1800,
    });
    await completedJob(env, name, 100);
    const jobSeconds = (performance.now() - started) / 1000;
    const logs = await logLines(env, name);
    const throughput = logs.flatMap((l) => [...l.matchAll(/#throughput_metric: host=\S+, train throughput=(\S+) records\/second/g)].map((m) => Number(m[1])));
    const epochs = throughput.length;
    const readLine = logs.map((l) => /Read (\d+) training records.* in (\S+) s/.exec(l)).find(Boolean);
    const algorithmRead = Number(readLine?.[2] ?? NaN);
    const accuracy = logs.map((l) => /train binary_classification_accuracy <score>=(\S+)/.exec(l)?.[1]).find(Boolean);

    console.log(
      `Linear Learner, ${rows.toLocaleString('en-US')} rows × 10 features (CSV, ${(data.length / 1e6).toFixed(0)} MB), ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`,
    );
    console.log('');
    console.log('| measure | time | throughput |');
    console.log('|---|---|---|');
    console.log(`| numpy.loadtxt of the CSV (read limit, no training) | ${readSeconds.toFixed(2)} s | ${rate(rows, readSeconds)} |`);
    console.log(
      `| the algorithm reading the channel (salvia_algorithms.formats CSV reader + checks) | ${algorithmRead.toFixed(2)} s | ${rate(rows, algorithmRead)} |`,
    );
    console.log(`| algorithm's training throughput (median of ${epochs} epochs, 32 models per record) | — | ${rate(median(throughput), 1)} |`);
    console.log(
      `| training job, CreateTrainingJob → Completed (download, read, ${epochs} epochs, upload) | ${jobSeconds.toFixed(2)} s | ${rate(rows, jobSeconds)} (${rate(rows * epochs, jobSeconds)} counting epochs) |`,
    );
    console.log('');
    console.log(`epochs run: ${epochs} (early stopping), train accuracy ${accuracy ?? '?'}`);
  } finally {
    await env.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
