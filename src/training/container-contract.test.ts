import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configFiles, contractEnvironment, inputDataConfig, resourceConfig, userArgs, type InstanceContext } from './container-contract.js';

const context: InstanceContext = {
  jobName: 'my-job',
  jobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/my-job',
  region: 'us-east-1',
  instance: 2,
  base: '/opt/ml',
  numCpus: 2,
  numGpus: 0,
  spec: {
    RoleArn: 'arn:aws:iam::000000000000:role/r',
    OutputDataConfig: { S3OutputPath: 's3://b/o' },
    AlgorithmSpecification: { TrainingImage: 'x', TrainingInputMode: 'File' },
    HyperParameters: {
      'batch-size': '32',
      epochs: '2',
      sagemaker_program: '"train-cnn.py"',
      sagemaker_submit_directory: '"s3://b/src/sourcedir.tar.gz"',
      sagemaker_container_log_level: '20',
      sagemaker_extra: '"x"',
      lr: '"0.001"',
    },
    InputDataConfig: [
      { ChannelName: 'validation', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/v' } } },
      {
        ChannelName: 'training',
        ContentType: 'text/csv',
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/t', S3DataDistributionType: 'ShardedByS3Key' } },
      },
    ],
    ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 2, VolumeSizeInGB: 1 },
    Environment: { SM_NUM_CPUS: '1', EXTRA: 'yes' },
    CheckpointConfig: { S3Uri: 's3://b/ckpt' },
  },
};

describe('container contract', () => {
  it('writes resourceconfig.json for the current host of a homogeneous cluster', () => {
    assert.deepEqual(resourceConfig(context.spec, 2), {
      current_host: 'algo-2',
      current_instance_type: 'ml.m5.xlarge',
      current_group_name: 'homogeneousCluster',
      hosts: ['algo-1', 'algo-2'],
      instance_groups: [{ instance_group_name: 'homogeneousCluster', instance_type: 'ml.m5.xlarge', hosts: ['algo-1', 'algo-2'] }],
      network_interface_name: 'eth0',
    });
  });

  it('writes inputdataconfig.json with ContentType only when given', () => {
    assert.deepEqual(inputDataConfig(context.spec), {
      validation: { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
      training: { ContentType: 'text/csv', TrainingInputMode: 'File', S3DistributionType: 'ShardedByS3Key', RecordWrapperType: 'None' },
    });
  });

  it('writes hyperparameters.json verbatim (string values) and checkpointconfig.json when configured', () => {
    const files = configFiles(context);
    assert.deepEqual(JSON.parse(files['hyperparameters.json'] as string), context.spec.HyperParameters);
    assert.deepEqual(JSON.parse(files['checkpointconfig.json'] as string), { LocalPath: '/opt/ml/checkpoints', S3Uri: 's3://b/ckpt' });
    assert.equal(configFiles({ ...context, spec: { ...context.spec, CheckpointConfig: undefined } })['checkpointconfig.json'], undefined);
  });

  it('builds user arguments as the toolkit does', () => {
    assert.deepEqual(userArgs({ 'batch-size': 32, a: 'x', d: { k: 1, j: 'v' } }), ['-a', 'x', '--batch-size', '32', '-d', 'k=1,j=v']);
  });

  it('sets every SM_* variable of the contract, with the job Environment winning', () => {
    const env = contractEnvironment(context);
    const expected: Record<string, string> = {
      SM_MODEL_DIR: '/opt/ml/model',
      SM_CHANNELS: '["training","validation"]',
      SM_CHANNEL_TRAINING: '/opt/ml/input/data/training',
      SM_CHANNEL_VALIDATION: '/opt/ml/input/data/validation',
      SM_HPS: '{"batch-size":32,"epochs":2,"lr":"0.001"}',
      'SM_HP_BATCH-SIZE': '32',
      SM_HP_LR: '0.001',
      SM_USER_ARGS: '["--batch-size","32","--epochs","2","--lr","0.001"]',
      SM_CURRENT_HOST: 'algo-2',
      SM_HOSTS: '["algo-1","algo-2"]',
      SM_CURRENT_INSTANCE_TYPE: 'ml.m5.xlarge',
      SM_CURRENT_INSTANCE_GROUP: 'homogeneousCluster',
      SM_NETWORK_INTERFACE_NAME: 'eth0',
      SM_NUM_CPUS: '1',
      SM_NUM_GPUS: '0',
      SM_LOG_LEVEL: '20',
      SM_INPUT_DIR: '/opt/ml/input',
      SM_INPUT_CONFIG_DIR: '/opt/ml/input/config',
      SM_OUTPUT_DIR: '/opt/ml/output',
      SM_OUTPUT_DATA_DIR: '/opt/ml/output/data',
      SM_OUTPUT_INTERMEDIATE_DIR: '/opt/ml/output/intermediate',
      SM_MODULE_NAME: 'train-cnn',
      SM_USER_ENTRY_POINT: 'train-cnn.py',
      SM_MODULE_DIR: 's3://b/src/sourcedir.tar.gz',
      SM_FRAMEWORK_PARAMS: '{"sagemaker_extra":"x"}',
      TRAINING_JOB_NAME: 'my-job',
      TRAINING_JOB_ARN: context.jobArn,
      SAGEMAKER_JOB_NAME: 'my-job',
      SAGEMAKER_REGION: 'us-east-1',
      CURRENT_HOST: 'algo-2',
      EXTRA: 'yes',
    };
    for (const [key, value] of Object.entries(expected)) assert.equal(env[key], value, key);
    assert.deepEqual(JSON.parse(env['SM_RESOURCE_CONFIG'] as string), resourceConfig(context.spec, 2));
    assert.deepEqual(JSON.parse(env['SM_INPUT_DATA_CONFIG'] as string), inputDataConfig(context.spec));
    const training = JSON.parse(env['SM_TRAINING_ENV'] as string) as Record<string, unknown>;
    assert.deepEqual(training['channel_input_dirs'], { training: '/opt/ml/input/data/training', validation: '/opt/ml/input/data/validation' });
    assert.equal(training['is_master'], false);
    assert.equal(training['master_hostname'], 'algo-1');
    assert.equal(training['job_name'], 'my-job');
  });

  it('rebases every path when /opt/ml is not mounted', () => {
    const env = contractEnvironment({ ...context, base: '/data/jobs/my-job/instances/algo-2' });
    assert.equal(env['SM_MODEL_DIR'], '/data/jobs/my-job/instances/algo-2/model');
    assert.equal(env['SM_CHANNEL_TRAINING'], '/data/jobs/my-job/instances/algo-2/input/data/training');
    assert.equal(env['SAGEMAKER_BASE_DIR'], '/data/jobs/my-job/instances/algo-2');
  });
});
