import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { repoRoot } from '../helpers/server-process.js';
import {
  createJob,
  fixtures,
  getBytes,
  logLines,
  put,
  role,
  trainingEnv,
  untarGz,
  waitForEnd,
  type TrainingEnv,
  sandboxSkipReason,
} from './training-harness.js';

/**
 * The scikit-learn runtime as if already pulled: its virtual environment (keyed as
 * RuntimeEnvironments keys it: requirements text + interpreter) is the test's python3, marked
 * ready. Building the real one needs scikit-learn from a package index, which a test cannot rely on.
 */
function prePullSklearnRuntime(dataDir: string): void {
  const requirements = readFileSync(path.join(repoRoot, 'runtime/requirements/sklearn.txt'), 'utf8');
  const key = createHash('sha256').update(requirements).update('\0').update('python3').digest('hex');
  const dir = path.join(dataDir, 'runtimes', key);
  mkdirSync(path.join(dir, 'bin'), { recursive: true });
  const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  symlinkSync(python, path.join(dir, 'bin', 'python'));
  writeFileSync(path.join(dir, '.salvia-ready'), '');
}

// A job submitted the way the SageMaker Python SDK submits an SKLearn estimator's fit(): the code
// as s3://…/source/sourcedir.tar.gz, sagemaker_program and every hyperparameter JSON-encoded.
describe('script-mode training job (SageMaker Python SDK style)', () => {
  let env: TrainingEnv;
  let dataDir: string;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'salvia-script-mode-'));
    prePullSklearnRuntime(dataDir);
    env = await trainingEnv('script-mode-training', { dataDir });
    const sourcedir = execFileSync('tar', ['-czf', '-', '-C', path.join(fixtures, 'script-mode'), 'train.py', 'helper.py']);
    await env.s3.send(new PutObjectCommand({ Bucket: env.bucket, Key: 'sk-job/source/sourcedir.tar.gz', Body: sourcedir }));
    await put(env, 'data/train/a.csv', '1\n');
    await put(env, 'data/train/b.csv', '2\n');
  });
  after(async () => {
    await env?.close();
    await env?.server.dispose();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stages sourcedir.tar.gz, runs sagemaker_program with the hyperparameters as arguments, and packs the model', { skip: sandboxSkipReason() }, async () => {
    await createJob(env, {
      TrainingJobName: 'sk-job',
      AlgorithmSpecification: { TrainingImage: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3', TrainingInputMode: 'File' },
      HyperParameters: {
        epochs: '3',
        'learning-rate': '0.05',
        sagemaker_program: '"train.py"',
        sagemaker_submit_directory: `"s3://${env.bucket}/sk-job/source/sourcedir.tar.gz"`,
        sagemaker_container_log_level: '20',
        sagemaker_region: '"us-east-1"',
      },
      InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${env.bucket}/data/train/` } } }],
      RoleArn: role,
      OutputDataConfig: { S3OutputPath: `s3://${env.bucket}` },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 300 },
    });
    const job = await waitForEnd(env, 'sk-job', 120_000);
    assert.equal(job.TrainingJobStatus, 'Completed', `${job.FailureReason}\n${(await logLines(env, 'sk-job')).join('\n')}`);
    const model = JSON.parse(untarGz(await getBytes(env, 'sk-job/output/model.tar.gz')).get('model.json') ?? '{}') as Record<string, unknown>;
    assert.deepEqual(model, { epochs: 3, learning_rate: 0.05, rows: ['a.csv', 'b.csv'], helper: 'helper module', cwd: '/opt/ml/code' });
    assert.ok((await logLines(env, 'sk-job')).includes("script-mode epochs=3 lr=0.05 rows=['a.csv', 'b.csv']"));
  });
});
