import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { processingConfigFiles } from './container-contract.js';

describe('processing container contract', () => {
  it('echoes the request in processingjobconfig.json and describes the cluster in resourceconfig.json', () => {
    const files = processingConfigFiles(
      {
        name: 'split',
        arn: 'arn:aws:sagemaker:us-east-1:000000000000:processing-job/split',
        spec: {
          AppSpecification: { ImageUri: 'img', ContainerEntrypoint: ['python3', 'x.py'] },
          RoleArn: 'arn:aws:iam::000000000000:role/R',
          ProcessingResources: { ClusterConfig: { InstanceCount: 2, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 5 } },
          ProcessingInputs: [{ InputName: 'input-1', S3Input: { S3Uri: 's3://b/in', LocalPath: '/opt/ml/processing/input', S3DataType: 'S3Prefix' } }],
          ProcessingOutputConfig: {
            Outputs: [{ OutputName: 'output-1', S3Output: { S3Uri: 's3://b/out', LocalPath: '/opt/ml/processing/output', S3UploadMode: 'Continuous' } }],
          },
        },
      },
      2,
    );
    const config = JSON.parse(files['processingjobconfig.json'] as string) as Record<string, unknown>;
    assert.deepEqual(config['AppSpecification'], { ImageUri: 'img', ContainerEntrypoint: ['python3', 'x.py'], ContainerArguments: null });
    assert.deepEqual(config['ProcessingInputs'], [
      {
        InputName: 'input-1',
        AppManaged: false,
        S3Input: {
          S3Uri: 's3://b/in',
          LocalPath: '/opt/ml/processing/input',
          S3DataType: 'S3Prefix',
          S3InputMode: 'File',
          S3DataDistributionType: 'FullyReplicated',
          S3CompressionType: 'None',
          S3DownloadMode: 'StartOfJob',
        },
      },
    ]);
    assert.deepEqual(config['ProcessingOutputConfig'], {
      Outputs: [
        { OutputName: 'output-1', AppManaged: false, S3Output: { S3Uri: 's3://b/out', LocalPath: '/opt/ml/processing/output', S3UploadMode: 'Continuous' } },
      ],
      KmsKeyId: null,
    });
    assert.deepEqual(config['Environment'], {});
    assert.deepEqual(config['StoppingCondition'], { MaxRuntimeInSeconds: 86400 });
    const resource = JSON.parse(files['resourceconfig.json'] as string) as Record<string, unknown>;
    assert.equal(resource['current_host'], 'algo-2');
    assert.deepEqual(resource['hosts'], ['algo-1', 'algo-2']);
    assert.equal(resource['current_instance_type'], 'ml.m5.xlarge');
  });
});
