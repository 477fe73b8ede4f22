// SageMaker's image URIs for the built-in algorithms (XGBoost, Linear Learner, K-Means) in every
// form users write them — every region's registry account (sagemaker-python-sdk's image_uri_config),
// legacy repositories and tags, digests, short names — reach the algorithm on this platform; the
// job carries the algorithm's predefined metric definitions; an interpreter without the algorithm's
// library fails the job with a clear AlgorithmError; and boto3 runs one built-in job end to end.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateTrainingJobCommand, DescribeTrainingJobCommand, type MetricDefinition } from '@aws-sdk/client-sagemaker';
import { awsEnv, repoRoot } from '../helpers/server-process.js';
import { algorithmPython, builtinEnv, runFailingJob, serveModel, uploadDataset, waitForJob, type BuiltinEnv } from './builtin-harness.js';
import { getBytes, role } from './training-harness.js';

const execFileAsync = promisify(execFile);

type Algorithm = 'xgboost' | 'linear_learner' | 'kmeans';

/** The platform's predefined metric definitions of an algorithm (what DescribeTrainingJob must echo). */
function predefined(algorithm: Algorithm): MetricDefinition[] {
  return JSON.parse(readFileSync(path.join(repoRoot, 'runtime/algorithms/salvia_algorithms', algorithm, 'metrics.json'), 'utf8')) as MetricDefinition[];
}

/** The ECR host of a region's registry account, as SageMaker's image URIs spell it. */
function host(account: string, region: string): string {
  const domain = region.startsWith('cn-')
    ? 'amazonaws.com.cn'
    : region.startsWith('us-isob-')
      ? 'sc2s.sgov.gov'
      : region.startsWith('us-isof-')
        ? 'csp.hci.ic.gov'
        : region.startsWith('us-iso-')
          ? 'c2s.ic.gov'
          : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${domain}`;
}

// Registry accounts per region, from the SageMaker Python SDK's image_uri_config (linear-learner.json
// and kmeans.json share one table; xgboost.json "1" is the legacy repository, "1.x-y" sagemaker-xgboost).
const firstPartyAlgorithms: Record<string, string> = {
  'af-south-1': '455444449433',
  'ap-east-1': '286214385809',
  'ap-northeast-1': '351501993468',
  'ap-northeast-2': '835164637446',
  'ap-northeast-3': '364406365360',
  'ap-south-1': '991648021394',
  'ap-southeast-1': '475088953585',
  'ap-southeast-2': '712309505854',
  'ca-central-1': '469771592824',
  'cn-north-1': '390948362332',
  'cn-northwest-1': '387376663083',
  'eu-central-1': '664544806723',
  'eu-north-1': '669576153137',
  'eu-west-1': '438346466558',
  'eu-west-2': '644912444149',
  'eu-west-3': '749696950732',
  'eu-south-1': '257386234256',
  'me-south-1': '249704162688',
  'sa-east-1': '855470959533',
  'us-east-1': '382416733822',
  'us-east-2': '404615174143',
  'us-gov-west-1': '226302683700',
  'us-iso-east-1': '490574956308',
  'us-west-1': '632365934929',
  'us-west-2': '174872318107',
};
const legacyXgboost: Record<string, string> = {
  ...firstPartyAlgorithms,
  'ap-northeast-1': '501404015308',
  'ap-northeast-2': '306986355934',
  'ap-northeast-3': '867004704886',
  'ap-southeast-2': '544295431143',
  'eu-central-1': '813361260812',
  'eu-west-1': '685385470294',
  'us-east-1': '811284229777',
  'us-east-2': '825641698319',
  'us-west-2': '433757028032',
  'us-isob-east-1': '765400339828',
};
const sagemakerXgboost: Record<string, string> = {
  'af-south-1': '510948584623',
  'ap-east-1': '651117190479',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-northeast-3': '867004704886',
  'ap-south-1': '720646828776',
  'ap-south-2': '628508329040',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-southeast-3': '951798379941',
  'ap-southeast-4': '106583098589',
  'ca-central-1': '341280168497',
  'ca-west-1': '190319476487',
  'cn-north-1': '450853457545',
  'cn-northwest-1': '451049120500',
  'eu-central-1': '492215442770',
  'eu-central-2': '680994064768',
  'eu-north-1': '662702820516',
  'eu-south-1': '978288397137',
  'eu-south-2': '104374241257',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'il-central-1': '898809789911',
  'me-central-1': '272398656194',
  'me-south-1': '801668240914',
  'sa-east-1': '737474898029',
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-gov-east-1': '237065988967',
  'us-gov-west-1': '414596584902',
  'us-iso-east-1': '833128469047',
  'us-isob-east-1': '281123927165',
  'us-isof-east-1': '108575199400',
  'us-isof-south-1': '124985052026',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
};

/** Every registry account's URI of the three algorithms, with the algorithm it must resolve to. */
function everyRegistry(): [string, Algorithm][] {
  const uris: [string, Algorithm][] = [];
  for (const [region, account] of Object.entries(firstPartyAlgorithms)) {
    uris.push([`${host(account, region)}/linear-learner:1`, 'linear_learner'], [`${host(account, region)}/kmeans:1`, 'kmeans']);
  }
  for (const [region, account] of Object.entries(legacyXgboost)) uris.push([`${host(account, region)}/xgboost:1`, 'xgboost']);
  const tags = ['0.90-1', '0.90-2', '1.0-1', '1.2-1', '1.2-2', '1.3-1', '1.5-1', '1.7-1'];
  Object.entries(sagemakerXgboost).forEach(([region, account], i) =>
    uris.push([`${host(account, region)}/sagemaker-xgboost:${tags[i % tags.length] ?? '1.7-1'}`, 'xgboost']),
  );
  return uris;
}

/** One URI of each form users write, with the hyperparameter whose absence the algorithm reports. */
const forms: [string, Algorithm, RegExp][] = [
  ['683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1', 'xgboost', /'num_round'/],
  ['246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.5-1', 'xgboost', /'num_round'/],
  ['141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3', 'xgboost', /'num_round'/],
  ['811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1', 'xgboost', /'num_round'/],
  ['811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:latest', 'xgboost', /'num_round'/],
  ['xgboost', 'xgboost', /'num_round'/],
  ['382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1', 'linear_learner', /'predictor_type'/],
  ['390948362332.dkr.ecr.cn-north-1.amazonaws.com.cn/linear-learner:latest', 'linear_learner', /'predictor_type'/],
  ['linear-learner:1', 'linear_learner', /'predictor_type'/],
  ['382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1', 'kmeans', /'(k|feature_dim)'/],
  [`490574956308.dkr.ecr.us-iso-east-1.c2s.ic.gov/kmeans@sha256:${'0'.repeat(64)}`, 'kmeans', /'(k|feature_dim)'/],
  ['kmeans:latest', 'kmeans', /'(k|feature_dim)'/],
];

/** y = 3·x0 − 2·x1 + small noise, label first, no header (the built-ins' CSV layout). */
function regressionCsv(rows: number, seed: number): string {
  let state = seed;
  const random = (): number => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const x0 = random();
    const x1 = random();
    lines.push(`${(3 * x0 - 2 * x1 + 0.01 * random()).toFixed(5)},${x0.toFixed(5)},${x1.toFixed(5)}`);
  }
  return lines.join('\n') + '\n';
}

describe('built-in algorithm images', () => {
  let env: BuiltinEnv;
  let train: string;
  let home: string;

  before(async () => {
    // Room for every job at once: each one is a short Python process.
    env = await builtinEnv('builtin-images', { args: ['--training-cpus', '64', '--training-memory-mib', String(1024 * 1024)] });
    train = await uploadDataset(env, 'data/train', { 'part-1.csv': regressionCsv(200, 1) });
    await uploadDataset(env, 'data/validation', { 'part-1.csv': regressionCsv(50, 2) });
    home = mkdtempSync(path.join(tmpdir(), 'salvia-builtin-images-'));
  });
  after(async () => {
    await env?.dispose();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("accepts every region's registry account and gives the job that algorithm's predefined metric definitions", async () => {
    const uris = everyRegistry();
    // The channel prefix is empty: the job is accepted and then fails in Downloading before any process starts.
    const empty = `s3://${env.bucket}/nothing-here/`;
    await Promise.all(
      uris.map(([uri], i) =>
        env.sagemaker.send(
          new CreateTrainingJobCommand({
            TrainingJobName: `registry-${i}`,
            AlgorithmSpecification: { TrainingImage: uri, TrainingInputMode: 'File' },
            RoleArn: role,
            InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: empty } } }],
            OutputDataConfig: { S3OutputPath: `s3://${env.bucket}/output` },
            ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
            StoppingCondition: { MaxRuntimeInSeconds: 60 },
          }),
        ),
      ),
    );
    for (const [i, [uri, algorithm]] of uris.entries()) {
      const job = await env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: `registry-${i}` }));
      assert.equal(job.AlgorithmSpecification?.TrainingImage, uri);
      assert.deepEqual(job.AlgorithmSpecification?.MetricDefinitions, predefined(algorithm), uri);
    }
  });

  it('runs the algorithm for every form of image URI: a missing required hyperparameter fails the job with its ClientError', async () => {
    await Promise.all(
      forms.map(([uri], i) =>
        env.sagemaker.send(
          new CreateTrainingJobCommand({
            TrainingJobName: `form-${i}`,
            AlgorithmSpecification: { TrainingImage: uri, TrainingInputMode: 'File' },
            RoleArn: role,
            InputDataConfig: [{ ChannelName: 'train', ContentType: 'text/csv', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: train } } }],
            OutputDataConfig: { S3OutputPath: `s3://${env.bucket}/output` },
            ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
            StoppingCondition: { MaxRuntimeInSeconds: 120 },
          }),
        ),
      ),
    );
    for (const [i, [uri, , missing]] of forms.entries()) {
      const job = await waitForJob(env, `form-${i}`, 120);
      assert.equal(job.TrainingJobStatus, 'Failed', uri);
      assert.match(job.FailureReason ?? '', /^ClientError: /, `${uri}: ${job.FailureReason ?? ''}`);
      assert.match(job.FailureReason ?? '', missing, uri);
      assert.doesNotMatch(job.FailureReason ?? '', /exit code|Traceback/, uri);
    }
  });

  it("merges the user's MetricDefinitions with the predefined ones (the user's win on a name) and echoes them", async () => {
    const mine = [
      { Name: 'validation:rmse', Regex: 'my-rmse=(\\S+)' },
      { Name: 'custom:thing', Regex: 'thing=(\\S+)' },
    ];
    await env.sagemaker.send(
      new CreateTrainingJobCommand({
        TrainingJobName: 'merged-metrics',
        AlgorithmSpecification: { TrainingImage: 'xgboost', TrainingInputMode: 'File', MetricDefinitions: mine },
        RoleArn: role,
        OutputDataConfig: { S3OutputPath: `s3://${env.bucket}/output` },
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
        StoppingCondition: { MaxRuntimeInSeconds: 60 },
      }),
    );
    const job = await env.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'merged-metrics' }));
    const expected = predefined('xgboost').map((d) => (d.Name === 'validation:rmse' ? mine[0] : d));
    assert.ok(
      expected.some((d) => d === mine[0]),
      'xgboost predefines validation:rmse',
    );
    assert.deepEqual(job.AlgorithmSpecification?.MetricDefinitions, [...expected, mine[1]]);
    await waitForJob(env, 'merged-metrics', 60);
  });

  it('fails with an AlgorithmError naming the package when the algorithm interpreter lacks the library', async () => {
    // An interpreter that cannot import xgboost: /usr/bin/python3 with a shadowing module first on its path.
    const blocked = path.join(home, 'no-xgboost');
    writeFileSync(path.join(home, 'xgboost.py'), 'raise ImportError("No module named \'xgboost\'")\n');
    writeFileSync(blocked, `#!/bin/sh\nPYTHONPATH=${home}\${PYTHONPATH:+:$PYTHONPATH} exec ${algorithmPython} "$@"\n`);
    chmodSync(blocked, 0o755);
    const other = await builtinEnv('builtin-no-xgboost', { args: ['--algorithm-python', blocked] });
    try {
      const trainUri = await uploadDataset(other, 'data/train', { 'part-1.csv': regressionCsv(20, 3) });
      const { description } = await runFailingJob(other, {
        name: 'no-xgboost',
        image: 'xgboost',
        hyperparameters: { num_round: '2', objective: 'reg:squarederror' },
        channels: { train: { s3Uri: trainUri, contentType: 'text/csv' } },
        maxWaitSeconds: 60,
      });
      assert.match(
        description.FailureReason ?? '',
        /^AlgorithmError: xgboost is not importable by \S+ \(No module named 'xgboost'\); install it, e\.g\. apt-get install python3-xgboost, or point SALVIA_ALGORITHM_PYTHON at an interpreter that has it, exit code: 1$/,
      );
    } finally {
      await other.dispose();
    }
  });

  it('runs a built-in XGBoost job from boto3 with the waiter: Completed, predefined metrics in FinalMetricDataList, a model that serves', async () => {
    const script = `
import boto3, json, sys
bucket, role = sys.argv[1:3]
sm = boto3.client('sagemaker')
sm.create_training_job(
    TrainingJobName='boto3-xgboost',
    AlgorithmSpecification={'TrainingImage': '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1', 'TrainingInputMode': 'File'},
    HyperParameters={'num_round': '5', 'objective': 'reg:squarederror', 'max_depth': '3'},
    InputDataConfig=[
        {'ChannelName': 'train', 'ContentType': 'text/csv', 'DataSource': {'S3DataSource': {'S3DataType': 'S3Prefix', 'S3Uri': 's3://%s/data/train' % bucket}}},
        {'ChannelName': 'validation', 'ContentType': 'text/csv', 'DataSource': {'S3DataSource': {'S3DataType': 'S3Prefix', 'S3Uri': 's3://%s/data/validation' % bucket}}},
    ],
    OutputDataConfig={'S3OutputPath': 's3://%s/output/' % bucket},
    ResourceConfig={'InstanceType': 'ml.m5.large', 'InstanceCount': 1, 'VolumeSizeInGB': 5},
    StoppingCondition={'MaxRuntimeInSeconds': 300},
    RoleArn=role)
try:
    sm.get_waiter('training_job_completed_or_stopped').wait(TrainingJobName='boto3-xgboost', WaiterConfig={'Delay': 1, 'MaxAttempts': 240})
except Exception as error:
    print('waiter:', error, file=sys.stderr)
print(json.dumps(sm.describe_training_job(TrainingJobName='boto3-xgboost'), default=str))
`;
    const { stdout } = await execFileAsync('python3', ['-c', script, env.bucket, role], { env: awsEnv(env.server, home), maxBuffer: 16 * 1024 * 1024 });
    const job = JSON.parse(stdout) as {
      TrainingJobStatus: string;
      FailureReason?: string;
      FinalMetricDataList?: { MetricName: string; Value: number }[];
      ModelArtifacts: { S3ModelArtifacts: string };
      AlgorithmSpecification: { MetricDefinitions: MetricDefinition[] };
    };
    assert.equal(job.TrainingJobStatus, 'Completed', job.FailureReason);
    assert.deepEqual(job.AlgorithmSpecification.MetricDefinitions, predefined('xgboost'));
    const names = (job.FinalMetricDataList ?? []).map((m) => m.MetricName).sort();
    assert.deepEqual(names, ['train:rmse', 'validation:rmse']);
    for (const metric of job.FinalMetricDataList ?? [])
      assert.ok(Number.isFinite(metric.Value) && metric.Value >= 0 && metric.Value < 3, JSON.stringify(metric));

    const model = await getBytes(env, job.ModelArtifacts.S3ModelArtifacts.replace(`s3://${env.bucket}/`, ''));
    const server = await serveModel({ algorithm: 'xgboost', modelTarGz: model });
    try {
      const answer = await server.invoke('0.5,-0.5\n', 'text/csv');
      assert.equal(answer.status, 200, answer.body);
      const prediction = Number(answer.body.trim().split(/[,\n]/)[0]);
      assert.ok(Math.abs(prediction - 2.5) < 1.5, `prediction ${answer.body} for y = 3·0.5 − 2·(−0.5) = 2.5`);
    } finally {
      await server.close();
    }
  });
});
