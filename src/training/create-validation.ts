import { ValidationException } from '../errors/index.js';
import { validateChannelSource } from './channel-validation.js';
import { parseS3Uri } from './data/s3-uri.js';
import { instanceResources } from './instance-types.js';
import { validatePipeChannel } from './pipe/index.js';
import { validateMetricDefinitions } from './metrics/index.js';
import type { TrainingJobSpec } from './training-job-record.js';

/**
 * Checks what the service model's shapes cannot: an image is given, instance type known, S3 URIs
 * well formed, File, Pipe and FastFile input modes, each channel's source fits its mode
 * (validateChannelSource), MetricDefinitions compile. Throws ValidationException.
 */
export function validateTrainingJobSpec(spec: TrainingJobSpec): void {
  const algorithm = spec.AlgorithmSpecification;
  if (!algorithm?.TrainingImage) {
    throw new ValidationException(
      algorithm?.AlgorithmName !== undefined
        ? `AlgorithmName ${algorithm.AlgorithmName}: algorithm resources from AWS Marketplace are not available in Salvia; give AlgorithmSpecification.TrainingImage.`
        : 'AlgorithmSpecification.TrainingImage is required.',
    );
  }
  const type = spec.ResourceConfig?.InstanceType;
  if (type === undefined) throw new ValidationException('ResourceConfig.InstanceType is required.');
  if (!instanceResources(type)) throw new ValidationException(`The instance type ${type} is not supported for training jobs.`);
  if ((spec.ResourceConfig?.InstanceCount ?? 1) < 1) throw new ValidationException('ResourceConfig.InstanceCount must be at least 1.');
  const output = spec.OutputDataConfig?.S3OutputPath;
  if (output === undefined) throw new ValidationException('OutputDataConfig.S3OutputPath is required.');
  parseS3Uri(output);
  if (spec.CheckpointConfig?.S3Uri !== undefined) parseS3Uri(spec.CheckpointConfig.S3Uri);
  const names = new Set<string>();
  for (const channel of spec.InputDataConfig ?? []) {
    const name = channel.ChannelName as string;
    if (names.has(name)) throw new ValidationException(`Channel names must be unique; ${name} appears more than once.`);
    names.add(name);
    const mode = channel.InputMode ?? algorithm.TrainingInputMode ?? 'File';
    if (mode !== 'File' && mode !== 'Pipe' && mode !== 'FastFile')
      throw new ValidationException(`Channel ${name}: input mode ${mode} is not known; use File, Pipe or FastFile.`);
    validateChannelSource(name, mode, channel);
    if (mode === 'Pipe') validatePipeChannel(name, channel);
  }
  if (algorithm.MetricDefinitions) validateMetricDefinitions(algorithm.MetricDefinitions as { Name: string; Regex: string }[]);
}
