import path from 'node:path';
import { ValidationException } from '../errors/index.js';
import { parseS3Uri } from '../training/data/index.js';
import { instanceResources } from '../training/index.js';
import type { ProcessingInputSpec, ProcessingJobSpec, ProcessingOutputSpec } from './processing-job-record.js';

/** Where every input and output LocalPath must be (SageMaker: "must begin with /opt/ml/processing/"). */
const PROCESSING_ROOT = '/opt/ml/processing/';

/** One LocalPath in normal form; throws ValidationException unless it is a path below /opt/ml/processing/. */
function checkLocalPath(what: string, localPath: string | undefined): string {
  if (localPath === undefined || localPath === '') throw new ValidationException(`${what}: LocalPath is required.`);
  const normal = path.posix.normalize(localPath).replace(/\/+$/, '');
  if (!localPath.startsWith(PROCESSING_ROOT) || !normal.startsWith(PROCESSING_ROOT) || localPath.split('/').includes('..'))
    throw new ValidationException(`${what}: LocalPath ${localPath} is not valid; it must be an absolute path that begins with ${PROCESSING_ROOT}.`);
  return normal;
}

/** Whether two normalised paths are the same or one contains the other. */
function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

function checkInput(input: ProcessingInputSpec): string {
  const name = input.InputName as string;
  const what = `ProcessingInput ${name}`;
  if (input.DatasetDefinition)
    throw new ValidationException(
      `${what}: DatasetDefinition inputs (Athena and Redshift queries) are not supported by Salvia; stage the data in S3 and give an S3Input.`,
    );
  const s3 = input.S3Input;
  if (!s3) throw new ValidationException(`${what}: S3Input is required.`);
  if (input.AppManaged) throw new ValidationException(`${what}: AppManaged inputs are not supported by Salvia; let the platform download the data.`);
  parseS3Uri(s3.S3Uri as string);
  const mode = s3.S3InputMode ?? 'File';
  if (s3.S3CompressionType === 'Gzip' && mode !== 'Pipe')
    throw new ValidationException(`${what}: Gzip can only be used when Pipe mode is specified as the S3InputMode.`);
  return checkLocalPath(what, s3.LocalPath);
}

function checkOutput(output: ProcessingOutputSpec): string {
  const name = output.OutputName as string;
  const what = `ProcessingOutput ${name}`;
  if (output.FeatureStoreOutput && !output.S3Output) throw new ValidationException(`${what}: FeatureStoreOutput is not supported by Salvia; give an S3Output.`);
  const s3 = output.S3Output;
  if (!s3) throw new ValidationException(`${what}: S3Output is required.`);
  if (output.AppManaged) throw new ValidationException(`${what}: AppManaged outputs are not supported by Salvia; let the platform upload the data.`);
  parseS3Uri(s3.S3Uri as string);
  return checkLocalPath(what, s3.LocalPath);
}

/**
 * Checks what the service model's shapes cannot: a known instance type, unique InputName and
 * OutputName, S3Input/S3Output sources (DatasetDefinition and FeatureStoreOutput are not
 * supported), well-formed S3 URIs, Gzip only with Pipe mode, every LocalPath below
 * /opt/ml/processing/, no two inputs with one LocalPath (SageMaker: "each input should have the
 * destination location unique"), and no output whose LocalPath equals or nests with any other
 * input's or output's (an input below another input is allowed, as the SDK's code input is).
 * Throws ValidationException.
 */
export function validateProcessingJobSpec(spec: ProcessingJobSpec): void {
  const cluster = spec.ProcessingResources?.ClusterConfig;
  const type = cluster?.InstanceType;
  if (type === undefined) throw new ValidationException('ProcessingResources.ClusterConfig.InstanceType is required.');
  if (!instanceResources(type)) throw new ValidationException(`The instance type ${type} is not supported for processing jobs.`);
  if ((cluster?.InstanceCount ?? 1) < 1) throw new ValidationException('ProcessingResources.ClusterConfig.InstanceCount must be at least 1.');
  const paths: Array<{ readonly what: string; readonly path: string; readonly input: boolean }> = [];
  const names = new Set<string>();
  for (const input of spec.ProcessingInputs ?? []) {
    const name = input.InputName as string;
    if (names.has(name)) throw new ValidationException(`ProcessingInputs: InputName ${name} appears more than once; input names must be unique.`);
    names.add(name);
    paths.push({ what: `ProcessingInput ${name}`, path: checkInput(input), input: true });
  }
  const outputs = new Set<string>();
  for (const output of spec.ProcessingOutputConfig?.Outputs ?? []) {
    const name = output.OutputName as string;
    if (outputs.has(name)) throw new ValidationException(`ProcessingOutputConfig: OutputName ${name} appears more than once; output names must be unique.`);
    outputs.add(name);
    paths.push({ what: `ProcessingOutput ${name}`, path: checkOutput(output), input: false });
  }
  paths.forEach((a, i) => {
    for (const b of paths.slice(i + 1)) {
      // Inputs may nest (the SageMaker Python SDK puts its `code` input at /opt/ml/processing/input/code next to data at /opt/ml/processing/input), but not coincide.
      if (a.input && b.input ? a.path === b.path : overlaps(a.path, b.path))
        throw new ValidationException(
          `${a.what} and ${b.what} have overlapping LocalPaths (${a.path} and ${b.path}); each input and output needs a directory of its own.`,
        );
    }
  });
}
