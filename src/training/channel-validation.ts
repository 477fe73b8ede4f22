import { ValidationException } from '../errors/index.js';
import { isFileSystemId } from '../filesystems/index.js';
import { parseS3Uri } from './data/s3-uri.js';
import type { TrainingJobSpec } from './training-job-record.js';

/** One InputDataConfig entry, in wire form. */
export type ChannelSpec = NonNullable<TrainingJobSpec['InputDataConfig']>[number];

/**
 * Checks one channel's data source against its input mode, as far as the request alone tells:
 * exactly one of S3DataSource and FileSystemDataSource; a file system only in File mode, with a
 * well-formed id, type, access mode and a full DirectoryPath (whether it is registered and stays
 * inside its directory is checked by FileSystemRegistry.resolveChannel); AugmentedManifestFile
 * only in Pipe mode (as SageMaker allows); FastFile only for an S3Prefix without compression (no
 * manifests: FastFile presents the prefix as a directory). Pipe channels are left to the Pipe-mode
 * rules. Throws ValidationException naming the channel.
 */
export function validateChannelSource(name: string, mode: string, channel: ChannelSpec): void {
  const s3 = channel.DataSource?.S3DataSource;
  const fs = channel.DataSource?.FileSystemDataSource;
  if (s3 && fs) throw new ValidationException(`Channel ${name}: give either S3DataSource or FileSystemDataSource, not both.`);
  if (fs) {
    if (mode !== 'File') throw new ValidationException(`Channel ${name}: a FileSystemDataSource channel must use File input mode, not ${mode}.`);
    if (!isFileSystemId(fs.FileSystemId ?? ''))
      throw new ValidationException(`Channel ${name}: FileSystemId ${String(fs.FileSystemId)} is not valid (fs-0123abcd).`);
    if (fs.FileSystemType !== 'EFS' && fs.FileSystemType !== 'FSxLustre')
      throw new ValidationException(`Channel ${name}: FileSystemType must be EFS or FSxLustre.`);
    if (fs.FileSystemAccessMode !== 'ro' && fs.FileSystemAccessMode !== 'rw')
      throw new ValidationException(`Channel ${name}: FileSystemAccessMode must be ro or rw.`);
    if (!(fs.DirectoryPath ?? '').startsWith('/'))
      throw new ValidationException(`Channel ${name}: DirectoryPath ${String(fs.DirectoryPath)} must be a full path starting with /.`);
    if (channel.CompressionType !== undefined && channel.CompressionType !== 'None')
      throw new ValidationException(`Channel ${name}: CompressionType ${channel.CompressionType} does not apply to a file system channel.`);
    return;
  }
  if (!s3) throw new ValidationException(`Channel ${name}: a DataSource with S3DataSource or FileSystemDataSource is required.`);
  parseS3Uri(s3.S3Uri as string);
  if (s3.S3DataType === 'AugmentedManifestFile' && mode !== 'Pipe')
    throw new ValidationException(`Channel ${name}: S3DataType AugmentedManifestFile can only be used in Pipe input mode, not ${mode}.`);
  if (mode === 'FastFile') {
    if (s3.S3DataType !== 'S3Prefix')
      throw new ValidationException(
        `Channel ${name}: FastFile input mode supports S3DataType S3Prefix only, not ${String(s3.S3DataType)}; use File or Pipe mode for manifests.`,
      );
    if (channel.CompressionType !== undefined && channel.CompressionType !== 'None')
      throw new ValidationException(`Channel ${name}: CompressionType ${channel.CompressionType} is supported in Pipe input mode only, not FastFile.`);
  }
}
