// Batch transform end to end with the platform's model kinds, driven by boto3: CSV scored by a built-in
// XGBoost model trained by a real training job (Line split, MultiRecord, AssembleWith Line, InputFilter
// dropping an id column, JoinSource Input and an OutputFilter keeping id and score), and JSON Lines
// through a scikit-learn model with a custom inference.py (InputFilter on a member, JoinSource Input).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { algorithmPython } from '../helpers/algorithm-server.js';
import { repoRoot } from '../helpers/server-process.js';
import { images, runBuiltinJob, uploadDataset } from './builtin-harness.js';
import { sandboxSkipReason } from './training-harness.js';
import { createModel, endpointsEnv, getObject, put, runTransform, transformLog, transformRequest, type EndpointsEnv } from './transform-harness.js';

const sklearnImage = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';

/** A seeded generator of numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed;
  return () => ((state = (state * 16807) % 2147483647) - 1) / 2147483646;
}

/** `rows` of three features; label 1 exactly when x0 + x1 > 1. */
function points(rows: number, seed: number): number[][] {
  const next = random(seed);
  return Array.from({ length: rows }, () => [next(), next(), next()].map((v) => Number(v.toFixed(4))));
}

describe('batch transform with built-in and framework models (boto3)', { skip: sandboxSkipReason() }, () => {
  let env: EndpointsEnv;

  before(async () => {
    // The framework venv is built over this interpreter (its scikit-learn satisfies the requirements without downloads).
    env = await endpointsEnv('transform-models', { env: { SALVIA_PYTHON: algorithmPython } });
  });
  after(async () => {
    await env?.dispose();
  });

  const s3 = (key: string): string => `s3://${env.bucket}/${key}`;

  it(
    'scores CSV with a trained XGBoost model: MultiRecord, InputFilter, JoinSource Input and OutputFilter, output in input order',
    { timeout: 240_000 },
    async () => {
      const training = points(400, 11).map((x) => [(x[0] as number) + (x[1] as number) > 1 ? 1 : 0, ...x].join(','));
      const train = await uploadDataset(env, 'xgb/train', { 'train.csv': training.join('\n') + '\n' });
      const trained = await runBuiltinJob(env, {
        name: 'transform-xgb',
        image: images.xgboost,
        hyperparameters: { num_round: '20', objective: 'binary:logistic', max_depth: '3', eta: '0.5' },
        channels: { train: { s3Uri: train, contentType: 'text/csv' } },
      });
      await createModel(env, 'xgb-batch', [{ Image: images.xgboost, ModelDataUrl: trained.description.ModelArtifacts?.S3ModelArtifacts }]);

      // id,x0,x1,x2 rows in two files (one in a sub-folder); 20,000 rows make several 1 MB mini-batches.
      const files = { 'part-1.csv': points(20_000, 5), 'nested/part-2.csv': points(300, 7) };
      for (const [name, rows] of Object.entries(files))
        await put(env, `xgb/in/${name}`, rows.map((x, i) => [`${name}#${i}`, ...x].join(',')).join('\n') + '\n');
      const job = await runTransform(
        env,
        transformRequest(
          'xgb-csv',
          'xgb-batch',
          { s3Uri: s3('xgb/in/'), contentType: 'text/csv', splitType: 'Line' },
          { s3OutputPath: s3('xgb/out'), accept: 'text/csv', assembleWith: 'Line' },
          {
            BatchStrategy: 'MultiRecord',
            MaxPayloadInMB: 1,
            MaxConcurrentTransforms: 2,
            DataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' },
          },
        ),
        240,
      );
      assert.equal(job.TransformJobStatus, 'Completed', job.FailureReason);
      for (const [name, rows] of Object.entries(files)) {
        const lines = ((await getObject(env, `xgb/out/${name}.out`))?.toString('utf8') ?? '').split('\n');
        assert.equal(lines.pop(), '', 'each record ends with a newline');
        assert.equal(lines.length, rows.length, name);
        let wrong = 0;
        lines.forEach((line, i) => {
          const [id, score, ...rest] = line.split(',');
          assert.equal(id, `${name}#${i}`, 'joined with its own input record, in input order');
          assert.deepEqual(rest, [], line);
          const x = rows[i] as number[];
          if (Math.abs((x[0] as number) + (x[1] as number) - 1) > 0.1 && Number(score) > 0.5 !== (x[0] as number) + (x[1] as number) > 1) wrong++;
        });
        assert.ok(wrong <= rows.length / 50, `${wrong} of ${rows.length} rows away from the boundary scored wrong`);
      }
      const log = await transformLog(env, 'xgb-csv');
      const dataLog = [...log.entries()].find(([stream]) => stream.endsWith('/data-log'))?.[1] ?? [];
      assert.ok(
        dataLog.some((line) => line.endsWith('[sagemaker logs]: MaxConcurrentTransforms=2, MaxPayloadInMB=1, BatchStrategy=MULTI_RECORD')),
        dataLog.join('\n'),
      );
    },
  );

  it('runs JSON Lines through a scikit-learn model with inference.py, joining each prediction to its input object', { timeout: 240_000 }, async () => {
    const archive = path.join(env.work, 'sk-model.tar.gz');
    execFileSync(algorithmPython, [path.join(repoRoot, 'test/fixtures/transform/sklearn/make_model.py'), archive]);
    await put(env, 'sk/model.tar.gz', readFileSync(archive));
    await createModel(env, 'sk-batch', [
      {
        Image: sklearnImage,
        ModelDataUrl: s3('sk/model.tar.gz'),
        Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' },
      },
    ]);
    const records = [
      { id: 'a', features: [3, 3] },
      { id: 'b', features: [-3, -2] },
      { id: 'c', features: [2, 0.5] },
      { id: 'd', features: [-1, -2] },
    ];
    await put(env, 'sk/in/records.jsonl', records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const job = await runTransform(
      env,
      transformRequest(
        'sk-jsonl',
        'sk-batch',
        { s3Uri: s3('sk/in/'), contentType: 'application/jsonlines', splitType: 'Line' },
        { s3OutputPath: s3('sk/out'), accept: 'application/jsonlines', assembleWith: 'Line' },
        { DataProcessing: { InputFilter: '$.features', JoinSource: 'Input' } },
      ),
      240,
    );
    assert.equal(job.TransformJobStatus, 'Completed', job.FailureReason);
    const lines = ((await getObject(env, 'sk/out/records.jsonl.out'))?.toString('utf8') ?? '').trim().split('\n');
    const joined = lines.map((line) => JSON.parse(line) as { id: string; features: number[]; SageMakerOutput: { label: number; probability: number } });
    assert.deepEqual(
      joined.map((r) => [r.id, r.features, r.SageMakerOutput.label]),
      [
        ['a', [3, 3], 1],
        ['b', [-3, -2], 0],
        ['c', [2, 0.5], 1],
        ['d', [-1, -2], 0],
      ],
    );
    for (const r of joined) assert.equal(r.SageMakerOutput.probability > 0.5, r.SageMakerOutput.label === 1);
  });
});
