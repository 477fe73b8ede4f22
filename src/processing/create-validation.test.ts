import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateProcessingJobSpec } from './create-validation.js';
import type { ProcessingJobSpec } from './processing-job-record.js';

const base: ProcessingJobSpec = {
  AppSpecification: { ImageUri: 'sagemaker-scikit-learn', ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/split.py'] },
  RoleArn: 'arn:aws:iam::000000000000:role/R',
  ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 1 } },
  ProcessingInputs: [
    {
      InputName: 'code',
      S3Input: { S3Uri: 's3://bkt/job/input/code/split.py', LocalPath: '/opt/ml/processing/input/code', S3DataType: 'S3Prefix', S3InputMode: 'File' },
    },
    { InputName: 'input-1', S3Input: { S3Uri: 's3://bkt/raw/', LocalPath: '/opt/ml/processing/input/data', S3DataType: 'S3Prefix', S3InputMode: 'File' } },
  ],
  ProcessingOutputConfig: {
    Outputs: [{ OutputName: 'output-1', S3Output: { S3Uri: 's3://bkt/out', LocalPath: '/opt/ml/processing/output', S3UploadMode: 'EndOfJob' } }],
  },
};

const rejects = (spec: ProcessingJobSpec, pattern: RegExp): void =>
  assert.throws(
    () => validateProcessingJobSpec(spec),
    (e: Error) => e.name === 'ValidationException' && pattern.test(e.message),
  );

describe('validateProcessingJobSpec', () => {
  it('accepts the SageMaker Python SDK shape', () => {
    validateProcessingJobSpec(base);
  });

  it('refuses LocalPaths outside /opt/ml/processing/, escaping it, or missing', () => {
    const input = (localPath: string | undefined): ProcessingJobSpec => ({
      ...base,
      ProcessingInputs: [
        { InputName: 'x', S3Input: { S3Uri: 's3://bkt/x', S3DataType: 'S3Prefix', ...(localPath !== undefined ? { LocalPath: localPath } : {}) } },
      ],
    });
    rejects(input('/opt/ml/input/data'), /LocalPath \/opt\/ml\/input\/data is not valid; it must be an absolute path that begins with \/opt\/ml\/processing\//);
    rejects(input('/opt/ml/processing/../model'), /must be an absolute path that begins with/);
    rejects(input('/opt/ml/processing'), /must be an absolute path that begins with/);
    rejects(input(undefined), /ProcessingInput x: LocalPath is required/);
  });

  it('refuses overlapping LocalPaths across inputs and outputs', () => {
    rejects(
      {
        ...base,
        ProcessingOutputConfig: {
          Outputs: [{ OutputName: 'o', S3Output: { S3Uri: 's3://bkt/o', LocalPath: '/opt/ml/processing/input/data/sub', S3UploadMode: 'EndOfJob' } }],
        },
      },
      /ProcessingInput input-1 and ProcessingOutput o have overlapping LocalPaths/,
    );
    rejects(
      {
        ...base,
        ProcessingOutputConfig: {
          Outputs: [{ OutputName: 'o', S3Output: { S3Uri: 's3://bkt/o', LocalPath: '/opt/ml/processing/input/code/', S3UploadMode: 'EndOfJob' } }],
        },
      },
      /overlapping LocalPaths/,
    );
    rejects(
      {
        ...base,
        ProcessingInputs: [
          ...(base.ProcessingInputs ?? []),
          { InputName: 'again', S3Input: { S3Uri: 's3://bkt/a', LocalPath: '/opt/ml/processing/input/data/', S3DataType: 'S3Prefix' } },
        ],
      },
      /ProcessingInput input-1 and ProcessingInput again have overlapping LocalPaths \(\/opt\/ml\/processing\/input\/data and/,
    );
    // An input inside another input is how the SDK stages code next to data.
    validateProcessingJobSpec({
      ...base,
      ProcessingInputs: [
        ...(base.ProcessingInputs ?? []),
        { InputName: 'all', S3Input: { S3Uri: 's3://bkt/a', LocalPath: '/opt/ml/processing/input', S3DataType: 'S3Prefix' } },
      ],
    });
    // A shared name prefix that is not a parent directory is fine.
    validateProcessingJobSpec({
      ...base,
      ProcessingOutputConfig: {
        Outputs: [{ OutputName: 'o', S3Output: { S3Uri: 's3://bkt/o', LocalPath: '/opt/ml/processing/input/data-out', S3UploadMode: 'EndOfJob' } }],
      },
    });
  });

  it('refuses duplicate names, DatasetDefinition, Gzip in File mode, bad S3 URIs and unknown instance types', () => {
    rejects(
      { ...base, ProcessingInputs: [...(base.ProcessingInputs ?? []), { ...(base.ProcessingInputs?.[0] ?? {}), InputName: 'code' }] },
      /InputName code appears more than once/,
    );
    rejects(
      { ...base, ProcessingInputs: [{ InputName: 'q', DatasetDefinition: { AthenaDatasetDefinition: undefined, LocalPath: '/opt/ml/processing/q' } }] },
      /DatasetDefinition inputs .* are not supported/,
    );
    rejects(
      {
        ...base,
        ProcessingInputs: [
          {
            InputName: 'g',
            S3Input: { S3Uri: 's3://bkt/g', LocalPath: '/opt/ml/processing/g', S3DataType: 'S3Prefix', S3InputMode: 'File', S3CompressionType: 'Gzip' },
          },
        ],
      },
      /Gzip can only be used when Pipe mode is specified as the S3InputMode/,
    );
    rejects(
      { ...base, ProcessingInputs: [{ InputName: 'u', S3Input: { S3Uri: 'https://b/u', LocalPath: '/opt/ml/processing/u', S3DataType: 'S3Prefix' } }] },
      /Invalid S3 URI "https:\/\/b\/u"/,
    );
    rejects(
      { ...base, ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml-nope' as 'ml.m5.large', VolumeSizeInGB: 1 } } },
      /instance type ml-nope is not supported/,
    );
    rejects(
      {
        ...base,
        ProcessingOutputConfig: {
          Outputs: [
            { OutputName: 'o', S3Output: { S3Uri: 's3://bkt/o', LocalPath: '/opt/ml/processing/a', S3UploadMode: 'EndOfJob' } },
            { OutputName: 'o', S3Output: { S3Uri: 's3://bkt/p', LocalPath: '/opt/ml/processing/b', S3UploadMode: 'EndOfJob' } },
          ],
        },
      },
      /OutputName o appears more than once/,
    );
  });
});
