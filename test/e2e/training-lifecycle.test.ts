import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeTrainingJobCommand, StopTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  addImage,
  createJob,
  getBytes,
  jobRequest,
  logLines,
  put,
  trainingEnv,
  untarGz,
  waitForEnd,
  waitForLog,
  type TrainingEnv,
  sandboxSkipReason,
} from './training-harness.js';

// Stop, timeout, network isolation, checkpoints and queueing, on a server whose capacity is
// 2 CPUs (one ml.m5.large) so that a second job waits in Starting while the first runs.
describe('training job lifecycle', () => {
  let env: TrainingEnv;
  const serverPort = (): string => new URL(env.server.url).port;

  before(async () => {
    env = await trainingEnv('lifecycle-training', { args: ['--training-cpus', '2'] });
    await addImage(env.server, 'lc-until-stopped', 'until-stopped');
    await addImage(env.server, 'lc-ignores-sigterm', 'ignores-sigterm');
    await addImage(env.server, 'lc-network', 'network-probe');
    await addImage(env.server, 'lc-checkpoint', 'checkpoint');
    await addImage(env.server, 'lc-trivial', 'trivial');
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
  });

  it('queues a job while capacity is used, and StopTrainingJob ends both: the running one after SIGTERM with its grace-period model', async () => {
    await createJob(env, jobRequest(env, 'lc-running', 'lc-until-stopped'));
    await waitForLog(env, 'lc-running', /^ready$/);
    await createJob(env, jobRequest(env, 'lc-queued', 'lc-trivial'));
    const queued = await env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'lc-queued' }));
    assert.deepEqual([queued.TrainingJobStatus, queued.SecondaryStatus], ['InProgress', 'Starting']);
    await env.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'lc-running' }));
    const stopping = await env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'lc-running' }));
    assert.ok(['Stopping', 'Stopped'].includes(stopping.TrainingJobStatus ?? ''), stopping.TrainingJobStatus);
    const stopped = await waitForEnd(env, 'lc-running');
    assert.deepEqual([stopped.TrainingJobStatus, stopped.SecondaryStatus], ['Stopped', 'Stopped']);
    assert.ok(stopped.SecondaryStatusTransitions?.some((t) => t.Status === 'Stopping'));
    assert.equal(untarGz(await getBytes(env, 'output/lc-running/output/model.tar.gz')).get('partial.txt'), 'saved in grace period\n');
    assert.ok((await logLines(env, 'lc-running')).includes('got SIGTERM, saved'));
    const next = await waitForEnd(env, 'lc-queued');
    assert.equal(next.TrainingJobStatus, 'Completed', next.FailureReason);
  });

  it('stops a queued job at once', async () => {
    await createJob(env, jobRequest(env, 'lc-blocker', 'lc-until-stopped'));
    await waitForLog(env, 'lc-blocker', /^ready$/);
    await createJob(env, jobRequest(env, 'lc-never', 'lc-trivial'));
    await env.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'lc-never' }));
    const never = await waitForEnd(env, 'lc-never');
    assert.deepEqual([never.TrainingJobStatus, never.SecondaryStatus, never.TrainingStartTime], ['Stopped', 'Stopped', undefined]);
    await env.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'lc-blocker' }));
    assert.equal((await waitForEnd(env, 'lc-blocker')).TrainingJobStatus, 'Stopped');
  });

  it('ends a job that exceeds MaxRuntimeInSeconds and ignores SIGTERM: SIGKILL after the grace period, Stopped / MaxRuntimeExceeded', async () => {
    await createJob(env, jobRequest(env, 'lc-timeout', 'lc-ignores-sigterm', { StoppingCondition: { MaxRuntimeInSeconds: 1 } }));
    const job = await waitForEnd(env, 'lc-timeout');
    assert.deepEqual([job.TrainingJobStatus, job.SecondaryStatus], ['Stopped', 'MaxRuntimeExceeded']);
    const lines = await logLines(env, 'lc-timeout');
    assert.ok(lines.includes('ready') && lines.includes('ignoring SIGTERM'), lines.join('\n'));
  });

  it('EnableNetworkIsolation removes network access; without it the server is reachable', { skip: sandboxSkipReason() }, async () => {
    const probe = (name: string, isolated: boolean) =>
      createJob(
        env,
        jobRequest(env, name, 'lc-network', { EnableNetworkIsolation: isolated, Environment: { PROBE_HOST: '127.0.0.1', PROBE_PORT: serverPort() } }),
      );
    await probe('lc-open', false);
    await probe('lc-isolated', true);
    assert.equal((await waitForEnd(env, 'lc-open')).TrainingJobStatus, 'Completed');
    assert.equal((await waitForEnd(env, 'lc-isolated')).TrainingJobStatus, 'Completed');
    assert.ok((await logLines(env, 'lc-open')).includes('probe: connected'));
    const isolated = await logLines(env, 'lc-isolated');
    assert.ok(
      isolated.some((l) => l.startsWith('probe: failed')),
      isolated.join('\n'),
    );
    const described = await env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'lc-isolated' }));
    assert.equal(described.EnableNetworkIsolation, true);
  });

  it('restores checkpoints at start and uploads new ones at the end', { skip: sandboxSkipReason() }, async () => {
    await put(env, 'checkpoints/run/step-0.ckpt', 'step 0\n');
    const checkpoint = { CheckpointConfig: { S3Uri: `s3://${env.bucket}/checkpoints/run` } };
    await createJob(env, jobRequest(env, 'lc-ckpt-1', 'lc-checkpoint', checkpoint));
    assert.equal((await waitForEnd(env, 'lc-ckpt-1')).TrainingJobStatus, 'Completed');
    assert.ok((await logLines(env, 'lc-ckpt-1')).includes('restored step-0.ckpt'));
    await createJob(env, jobRequest(env, 'lc-ckpt-2', 'lc-checkpoint', checkpoint));
    const second = await waitForEnd(env, 'lc-ckpt-2');
    assert.equal(second.TrainingJobStatus, 'Completed');
    assert.deepEqual(second.CheckpointConfig, { S3Uri: `s3://${env.bucket}/checkpoints/run` });
    const lines = await logLines(env, 'lc-ckpt-2');
    assert.ok(lines.includes('restored step-0.ckpt') && lines.includes('restored step-1.ckpt'), lines.join('\n'));
    const listed = await env.s3.send(new ListObjectsV2Command({ Bucket: env.bucket, Prefix: 'checkpoints/run/' }));
    assert.deepEqual(
      listed.Contents?.map((o) => o.Key),
      ['checkpoints/run/step-0.ckpt', 'checkpoints/run/step-1.ckpt', 'checkpoints/run/step-2.ckpt'],
    );
  });
});
