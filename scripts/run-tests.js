#!/usr/bin/env node
// Runs the compiled tests (dist/**/*.test.js) with node's test runner and ends with one clear line:
//   tests: N passed, N failed, N skipped
// Exits non-zero when any test fails, no test file matches, or the whole run exceeds its time limit.
//
//   node scripts/run-tests.js [substring…]   only test files whose path contains one of the substrings
//
// Settings (environment): SALVIA_TEST_CONCURRENCY (test files at once, default 2 — the machine has 2 cores),
// SALVIA_TEST_TIMEOUT_MS (per test, default 600000: a hung test fails instead of hanging CI; node 20
// applies it to each test file as a whole too),
// SALVIA_TEST_RUN_TIMEOUT_MS (the whole run, default 2400000: 40 minutes, under CI's limit).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

function collect(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : collect(full);
    return entry.name.endsWith('.test.js') ? [full] : [];
  });
}

/** A compiled test whose TypeScript source is gone (renamed or deleted) must not run from a stale dist/. */
function hasSource(file) {
  const relative = path.relative(dist, file).replace(/\.js$/, '');
  return ['.ts', '.tsx', '.mts'].some((ext) => existsSync(path.join(root, relative + ext)));
}

function positiveInt(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`run-tests: ${name} must be a positive integer`);
    process.exit(2);
  }
  return value;
}

const filters = process.argv.slice(2);
const all = collect(dist);
const stale = all.filter((f) => !hasSource(f));
const files = all
  .filter((f) => hasSource(f))
  .filter((f) => filters.length === 0 || filters.some((word) => path.relative(root, f).includes(word) || f.includes(word)))
  .sort();
if (stale.length > 0)
  console.log(`run-tests: ignoring ${stale.length} compiled test(s) without a source file: ${stale.map((f) => path.relative(root, f)).join(', ')}`);
if (files.length === 0) {
  console.error(`run-tests: no test files found under dist/${filters.length ? ` matching ${filters.join(', ')}` : ''} (did the build run?)`);
  process.exit(1);
}

const concurrency = positiveInt('SALVIA_TEST_CONCURRENCY', 2);
const testTimeout = positiveInt('SALVIA_TEST_TIMEOUT_MS', 600_000);
const runTimeout = positiveInt('SALVIA_TEST_RUN_TIMEOUT_MS', 2_400_000);
const reportDir = mkdtempSync(path.join(tmpdir(), 'salvia-run-tests-'));
const tapFile = path.join(reportDir, 'report.tap');
console.log(`run-tests: ${files.length} test file(s), ${concurrency} at a time, ${testTimeout / 1000}s per test`);

const args = [
  '--test',
  `--test-concurrency=${concurrency}`,
  `--test-timeout=${testTimeout}`,
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tapFile}`,
  ...files,
];
const started = Date.now();
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
let timedOut = false;
const timer = setTimeout(() => {
  timedOut = true;
  console.error(`run-tests: the whole run exceeded ${runTimeout / 1000}s; stopping it`);
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
}, runTimeout);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));

child.on('exit', (code, signal) => {
  clearTimeout(timer);
  const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
  rmSync(reportDir, { recursive: true, force: true });
  // The runner's own totals are the last "# pass N" … lines of its TAP report.
  const total = (name) => {
    const matches = [...tap.matchAll(new RegExp(`^# ${name} (\\d+)$`, 'gm'))];
    return Number(matches.at(-1)?.[1] ?? 0);
  };
  const passed = total('pass');
  const failed = total('fail') + total('cancelled');
  const skipped = total('skipped');
  const failedNames = [...tap.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1]).filter((name) => !/ # (TODO|SKIP)\b/.test(name));
  const todos = total('todo');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log('');
  if (failedNames.length > 0) console.log(`run-tests: failed: ${[...new Set(failedNames)].slice(0, 40).join(' | ')}`);
  const ok = code === 0 && !timedOut && failed === 0 && passed > 0;
  console.log(`run-tests: ${ok ? 'OK' : 'FAILED'} in ${seconds}s${code !== 0 ? ` (runner exit ${code ?? signal})` : ''}`);
  if (todos > 0) console.log(`run-tests: ${todos} known defect(s) marked todo (see "# TODO" above); they do not fail the run`);
  if (!/^# pass \d+$/m.test(tap)) console.log(`tests: run incomplete — stopped before the runner's totals (${failedNames.length} failed so far)`);
  else console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(ok ? 0 : code && code !== 0 ? code : 1);
});
