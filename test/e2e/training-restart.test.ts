import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import {
  addImage,
  connect,
  createJob,
  getBytes,
  jobRequest,
  logLines,
  trainingEnv,
  untarGz,
  waitForEnd,
  waitForLog,
  type TrainingEnv,
} from './training-harness.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is still alive`);
    await delay(50);
  }
}

// Jobs run under a detached supervisor: a server restart does not stop them, and a job whose
// supervisor died while the server was down ends Failed with a reason that says so.
describe('training jobs across server restarts', () => {
  let env: TrainingEnv;
  let scratch: string;

  before(async () => {
    env = await trainingEnv('restart-training');
    scratch = mkdtempSync(path.join(tmpdir(), 'salvia-training-restart-'));
    await addImage(env.server, 'rs-until-stopped', 'until-stopped');
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('keeps a job running through a restart; it completes afterwards with every log line', async () => {
    const release = path.join(scratch, 'release');
    await createJob(env, jobRequest(env, 'rs-survivor', 'rs-until-stopped', { Environment: { RELEASE_FILE: release } }));
    await waitForLog(env, 'rs-survivor', /^ready$/);
    const restarted = await env.server.restart();
    await env.close();
    env = await connect(restarted, env.bucket);
    const during = await env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'rs-survivor' }));
    assert.deepEqual([during.TrainingJobStatus, during.SecondaryStatus], ['InProgress', 'Training']);
    writeFileSync(release, '');
    const job = await waitForEnd(env, 'rs-survivor');
    assert.equal(job.TrainingJobStatus, 'Completed', job.FailureReason);
    const lines = await logLines(env, 'rs-survivor');
    assert.deepEqual(
      lines.filter((l) => l === 'ready' || l === 'released'),
      ['ready', 'released'],
    );
    assert.equal(untarGz(await getBytes(env, 'output/rs-survivor/output/model.tar.gz')).get('done.txt'), 'done\n');
  });

  it('fails a job whose supervisor died while the server was down, leaving no process behind', async () => {
    await createJob(env, jobRequest(env, 'rs-orphan', 'rs-until-stopped'));
    await waitForLog(env, 'rs-orphan', /^ready$/);
    await env.server.stop();
    const jobDir = path.join(env.server.dataDir, 'jobs/training/rs-orphan/supervisor');
    const supervisor = Number(readFileSync(path.join(jobDir, 'pid'), 'utf8'));
    const instances = JSON.parse(readFileSync(path.join(jobDir, 'instances.json'), 'utf8')) as number[];
    process.kill(supervisor, 'SIGKILL');
    await waitGone(supervisor);
    const restarted = await env.server.restart();
    await env.close();
    env = await connect(restarted, env.bucket);
    const job = await waitForEnd(env, 'rs-orphan');
    assert.equal(job.TrainingJobStatus, 'Failed');
    assert.match(job.FailureReason ?? '', /^InternalServerError: the training processes died while the Salvia server was down/);
    for (const pid of instances) await waitGone(pid);
  });
});
