import path from 'node:path';
import type { ObjectStore } from '../objectstore/index.js';
import { stageSubmitDirectory } from './submit-directory.js';

/** Where the inference toolkit finds code staged by {@link stageServingCode}, as the model server sees it. */
export const STAGED_SERVING_CODE = '/opt/ml/model/code';

/**
 * Stages a framework model container's code when its Environment names it in S3: the SageMaker
 * Python SDK sets `SAGEMAKER_SUBMIT_DIRECTORY=s3://…/sourcedir.tar.gz` for framework models it does
 * not repack (scikit-learn, XGBoost without network isolation), and the container downloads it at
 * start. Here the platform does it: the archive is extracted into `<modelDir>/code` and the returned
 * environment points SAGEMAKER_SUBMIT_DIRECTORY at `/opt/ml/model/code` (the toolkit rebases
 * `/opt/ml` under SAGEMAKER_BASE_DIR). Any other environment is returned unchanged. Call it after
 * unpacking model.tar.gz into `modelDir`, before launching. Throws SubmitDirectoryError (message fit
 * for a FailureReason) when the object is missing or not a tar.gz.
 */
export async function stageServingCode(store: ObjectStore, environment: Readonly<Record<string, string>>, modelDir: string): Promise<Record<string, string>> {
  const source = environment['SAGEMAKER_SUBMIT_DIRECTORY'];
  if (source === undefined || !source.startsWith('s3://')) return { ...environment };
  await stageSubmitDirectory(store, { sagemaker_submit_directory: JSON.stringify(source) }, path.join(modelDir, 'code'));
  return { ...environment, SAGEMAKER_SUBMIT_DIRECTORY: STAGED_SERVING_CODE };
}
