import { ValidationException } from '../../errors/index.js';
import type { TrainingJobSpec } from '../training-job-record.js';

type ChannelSpec = NonNullable<TrainingJobSpec['InputDataConfig']>[number];

/**
 * Pipe-mode rules beyond validateChannelSource: an S3 source (Pipe streams objects) and a known
 * RecordWrapperType. Throws ValidationException naming the channel.
 */
export function validatePipeChannel(name: string, channel: ChannelSpec): void {
  if (!channel.DataSource?.S3DataSource) throw new ValidationException(`Channel ${name}: Pipe input mode needs an S3DataSource.`);
  const wrapper = channel.RecordWrapperType;
  if (wrapper !== undefined && wrapper !== 'None' && wrapper !== 'RecordIO')
    throw new ValidationException(`Channel ${name}: RecordWrapperType must be None or RecordIO, not ${String(wrapper)}.`);
}
