import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationException } from '../errors/index.js';
import { validateTransformJobSpec, type CreateTransformJobInput } from './create-validation.js';

const valid: CreateTransformJobInput = {
  ModelName: 'm',
  TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://in-bucket/data/' } }, SplitType: 'Line', ContentType: 'text/csv' },
  TransformOutput: { S3OutputPath: 's3://out-bucket/out', AssembleWith: 'Line' },
  TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 2 },
};

/** Asserts that validation of `change` applied to a valid request throws a ValidationException whose message matches `message`. */
function rejects(change: (spec: CreateTransformJobInput) => unknown, message: RegExp): void {
  const spec = structuredClone(valid);
  change(spec);
  assert.throws(
    () => validateTransformJobSpec(spec),
    (error: unknown) => error instanceof ValidationException && message.test(error.message),
  );
}

describe('validateTransformJobSpec', () => {
  it('returns a valid request unchanged (stored verbatim)', () => {
    assert.deepEqual(validateTransformJobSpec(structuredClone(valid)), valid);
    const full = { ...structuredClone(valid), MaxPayloadInMB: 10, MaxConcurrentTransforms: 10, BatchStrategy: 'SingleRecord' as const };
    assert.deepEqual(validateTransformJobSpec(full), full);
    assert.doesNotThrow(() => validateTransformJobSpec({ ...structuredClone(valid), MaxPayloadInMB: 0, MaxConcurrentTransforms: 64 }));
    assert.doesNotThrow(() => validateTransformJobSpec({ ...structuredClone(valid), MaxPayloadInMB: 100 }));
  });

  it('rejects missing members with AWS wording', () => {
    rejects(
      (s) => delete (s as { ModelName?: string }).ModelName,
      /^1 validation error detected: Value null at 'modelName' failed to satisfy constraint: Member must not be null$/,
    );
    rejects((s) => delete (s as { TransformOutput?: unknown }).TransformOutput, /'transformOutput'.*must not be null/);
    rejects((s) => delete (s.TransformResources as { InstanceCount?: number }).InstanceCount, /'transformResources.instanceCount'/);
  });

  it('rejects AugmentedManifestFile and bad S3 URIs', () => {
    rejects(
      (s) => (s.TransformInput!.DataSource!.S3DataSource!.S3DataType = 'AugmentedManifestFile'),
      /AugmentedManifestFile is not supported for transform jobs/,
    );
    rejects((s) => (s.TransformInput!.DataSource!.S3DataSource!.S3Uri = 'https://example.com/x'), /Invalid S3 URI "https:\/\/example.com\/x"/);
    rejects((s) => (s.TransformOutput!.S3OutputPath = 's3://'), /Invalid S3 URI "s3:\/\/": the bucket name is missing/);
    rejects((s) => (s.DataCaptureConfig = { DestinationS3Uri: 'file:///tmp' }), /Invalid S3 URI "file:\/\/\/tmp"/);
  });

  it('rejects payload sizes SageMaker rejects', () => {
    rejects((s) => (s.MaxPayloadInMB = 101), /Value '101' at 'maxPayloadInMB' failed to satisfy constraint: Member must have value less than or equal to 100/);
    rejects(
      (s) => ((s.MaxPayloadInMB = 20), (s.MaxConcurrentTransforms = 6)),
      /\(MaxConcurrentTransforms \* MaxPayloadInMB\) cannot exceed 100 MB: 6 \* 20 = 120 MB/,
    );
    rejects((s) => (s.MaxConcurrentTransforms = -1), /'maxConcurrentTransforms'/);
  });

  it('rejects unknown enum values, instance types and client config out of range', () => {
    rejects(
      (s) => (s.TransformInput!.SplitType = 'Paragraph' as never),
      /Value 'Paragraph' at 'transformInput.splitType' failed to satisfy constraint: Member must satisfy enum value set: \[None, Line, RecordIO, TFRecord\]/,
    );
    rejects((s) => (s.BatchStrategy = 'Batch' as never), /at 'batchStrategy'.*\[MultiRecord, SingleRecord\]/);
    rejects((s) => (s.TransformOutput!.AssembleWith = 'Comma' as never), /'transformOutput.assembleWith'/);
    rejects((s) => (s.TransformInput!.CompressionType = 'Zip' as never), /'transformInput.compressionType'/);
    rejects((s) => (s.TransformResources!.InstanceType = 'x1.huge' as never), /The instance type x1.huge is not supported for transform jobs/);
    rejects((s) => (s.TransformResources!.InstanceCount = 0), /Member must have value greater than or equal to 1/);
    rejects(
      (s) => (s.ModelClientConfig = { InvocationsTimeoutInSeconds: 3601 }),
      /'modelClientConfig.invocationsTimeoutInSeconds'.*less than or equal to 3600/,
    );
    rejects((s) => (s.ModelClientConfig = { InvocationsMaxRetries: 4 }), /'modelClientConfig.invocationsMaxRetries'/);
    rejects((s) => (s.DataProcessing = { JoinSource: 'Output' as never }), /'dataProcessing.joinSource'/);
    rejects((s) => (s.DataProcessing = { InputFilter: '$..features' }), /^InputFilter '\$\.\.features' is not a valid JSONPath expression for DataProcessing/);
  });
});
