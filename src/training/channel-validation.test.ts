import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationException } from '../errors/index.js';
import { validateTrainingJobSpec } from './create-validation.js';
import type { TrainingJobSpec } from './training-job-record.js';

type Mode = 'File' | 'Pipe' | 'FastFile';

/** A valid CreateTrainingJob spec with one channel `train` of `dataType` in `mode`. */
function spec(mode: Mode, dataType: string, channelMode?: Mode): TrainingJobSpec {
  return {
    AlgorithmSpecification: { TrainingImage: 'trainer', TrainingInputMode: mode },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
    OutputDataConfig: { S3OutputPath: 's3://bucket/output' },
    InputDataConfig: [
      {
        ChannelName: 'train',
        ...(channelMode !== undefined ? { InputMode: channelMode } : {}),
        DataSource: { S3DataSource: { S3DataType: dataType, S3Uri: 's3://bucket/data/aug.manifest', AttributeNames: ['source-ref', 'label'] } },
      },
    ],
  } as TrainingJobSpec;
}

function rejection(request: TrainingJobSpec): ValidationException {
  try {
    validateTrainingJobSpec(request);
  } catch (error) {
    assert.ok(error instanceof ValidationException, String(error));
    return error;
  }
  assert.fail('the spec was accepted');
}

describe('CreateTrainingJob channel validation: AugmentedManifestFile', () => {
  it('is accepted in Pipe mode, from the algorithm or the channel', () => {
    validateTrainingJobSpec(spec('Pipe', 'AugmentedManifestFile'));
    validateTrainingJobSpec(spec('File', 'AugmentedManifestFile', 'Pipe'));
  });

  it("is a ValidationException naming the channel in File and FastFile mode (the algorithm's or the channel's)", () => {
    for (const [request, mode] of [
      [spec('File', 'AugmentedManifestFile'), 'File'],
      [spec('Pipe', 'AugmentedManifestFile', 'File'), 'File'],
      [spec('FastFile', 'AugmentedManifestFile'), 'FastFile'],
    ] as const) {
      const error = rejection(request);
      assert.equal(error.code, 'ValidationException');
      assert.equal(error.message, `Channel train: S3DataType AugmentedManifestFile can only be used in Pipe input mode, not ${mode}.`);
    }
  });

  it('leaves ManifestFile and S3Prefix channels in File mode alone', () => {
    validateTrainingJobSpec(spec('File', 'ManifestFile'));
    validateTrainingJobSpec(spec('File', 'S3Prefix'));
  });
});
