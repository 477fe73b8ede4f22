import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addImage, createJob, getBytes, jobRequest, put, trainingEnv, untarGz, waitForEnd, type TrainingEnv } from './training-harness.js';

// Where bubblewrap is not available (or --training-sandbox false), instances run as plain processes:
// the server warns once, and the paths reach the program through the SM_* variables.
describe('training without a sandbox', () => {
  let env: TrainingEnv;

  before(async () => {
    env = await trainingEnv('no-sandbox-training', { args: ['--training-sandbox', 'false'] });
    await addImage(env.server, 'ns-model-metrics', 'model-and-metrics');
    await put(env, 'in/x.txt', 'x\n');
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
  });

  it('runs the job with rebased SM_* paths and says what is missing', async () => {
    assert.match(env.server.output(), /bubblewrap \(bwrap\) is not available: .*paths are rebased through SM_\* variables/);
    await createJob(
      env,
      jobRequest(env, 'ns-job', 'ns-model-metrics', {
        InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${env.bucket}/in/` } } }],
      }),
    );
    const job = await waitForEnd(env, 'ns-job');
    assert.equal(job.TrainingJobStatus, 'Completed', job.FailureReason);
    const model = JSON.parse(untarGz(await getBytes(env, 'output/ns-job/output/model.tar.gz')).get('model.json') ?? '{}') as { seen: unknown; host: string };
    assert.deepEqual(model, { ...model, seen: { 'train/x.txt': 'x\n' }, host: 'algo-1' });
  });
});
