import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { ExecutionResult, LaunchSpec, SidecarLaunch } from '../executor.js';
import { jobFiles } from './job-files.js';
import { ProcessExecutor } from './process-executor.js';

const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
const executor = new ProcessExecutor({ sandbox: false });
const root = mkdtempSync(path.join(tmpdir(), 'salvia-sidecars-'));

function spec(name: string, script: string, sidecars: SidecarLaunch[]): LaunchSpec {
  const jobDir = path.join(root, name);
  return {
    jobDir,
    instances: [{ host: 'algo-1', command: ['sh', '-c', script], env, optMlDir: jobDir }],
    maxRuntimeSeconds: 60,
    stopGraceSeconds: 1,
    networkIsolation: false,
    sidecars,
  };
}

async function finished(jobDir: string): Promise<ExecutionResult> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await executor.poll(jobDir);
    if (state.state === 'finished') return state.result;
    if (state.state === 'lost') throw new Error('supervisor lost');
    if (Date.now() > deadline) throw new Error('job did not finish');
    await delay(20);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('process executor: channel sidecars', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  it('starts the instances only once the sidecar is ready, stops it afterwards and runs its cleanup', async () => {
    const s = spec('ready', 'test -e "$0" && echo saw-ready', []);
    const ready = path.join(s.jobDir, 'ready');
    const cleaned = path.join(s.jobDir, 'cleaned');
    await executor.launch({
      ...s,
      instances: [{ ...(s.instances[0] as LaunchSpec['instances'][number]), command: ['sh', '-c', 'test -e "$1" && echo saw-ready', 'sh', ready] }],
      sidecars: [
        {
          name: 'feed',
          command: ['sh', '-c', `sleep 0.2; touch ${ready}; exec sleep 60`],
          env,
          ready: { kind: 'file', path: ready },
          cleanup: ['touch', cleaned],
        },
      ],
    });
    const result = await finished(s.jobDir);
    assert.deepEqual(
      result.instances.map((i) => i.exitCode),
      [0],
    );
    assert.equal(result.sidecarFailure, undefined);
    assert.match(readFileSync(executor.logPath(s.jobDir, 'algo-1'), 'utf8'), /saw-ready/);
    assert.ok(existsSync(cleaned), 'cleanup ran');
    const [record] = JSON.parse(readFileSync(jobFiles(s.jobDir).sidecars, 'utf8')) as Array<{ pid: number }>;
    assert.equal(alive(record?.pid as number), false, 'the sidecar was stopped');
  });

  it('fails the job with the reason the sidecar wrote when it exits while the instances run, and stops them', async () => {
    const s = spec('fails', 'exec sleep 60', []);
    const failure = path.join(s.jobDir, 'why');
    await executor.launch({
      ...s,
      sidecars: [{ name: 'feed', command: ['sh', '-c', `sleep 0.3; echo 'Channel x: gone' > ${failure}; exit 1`], env, failureFile: failure }],
    });
    const result = await finished(s.jobDir);
    assert.equal(result.sidecarFailure, 'Channel x: gone');
    assert.equal(result.instances[0]?.signal, 'SIGTERM');
  });

  it('does not start the instances when a sidecar is never ready, and says so', async () => {
    const s = spec('never', 'echo started', []);
    await executor.launch({
      ...s,
      sidecars: [{ name: 'slow', command: ['sleep', '60'], env, ready: { kind: 'mount', path: s.jobDir }, readyTimeoutSeconds: 1 }],
    });
    const result = await finished(s.jobDir);
    assert.match(result.sidecarFailure ?? '', /^The input sidecar slow was not ready within 1 s \(mount /);
    assert.equal(result.instances[0]?.error, 'not started');
  });

  it('reap kills the sidecars of a supervisor that died (kill -9) and runs their cleanup', async () => {
    const s = spec('reap', 'exec sleep 60', []);
    const cleaned = path.join(s.jobDir, 'cleaned');
    await executor.launch({ ...s, sidecars: [{ name: 'feed', command: ['sleep', '60'], env, cleanup: ['touch', cleaned] }] });
    const files = jobFiles(s.jobDir);
    const deadline = Date.now() + 10_000;
    while (!existsSync(files.instancePids) && Date.now() < deadline) await delay(20);
    const supervisor = Number(readFileSync(files.pid, 'utf8'));
    const [sidecar] = JSON.parse(readFileSync(files.sidecars, 'utf8')) as Array<{ pid: number }>;
    const [instance] = JSON.parse(readFileSync(files.instancePids, 'utf8')) as number[];
    process.kill(supervisor, 'SIGKILL');
    while (alive(supervisor) && Date.now() < deadline) await delay(20);
    assert.equal((await executor.poll(s.jobDir)).state, 'lost');
    await executor.reap(s.jobDir);
    while ((alive(sidecar?.pid as number) || alive(instance as number)) && Date.now() < deadline) await delay(20);
    assert.equal(alive(sidecar?.pid as number), false, 'sidecar killed');
    assert.equal(alive(instance as number), false, 'instance killed');
    assert.ok(existsSync(cleaned), 'cleanup ran');
  });
});
