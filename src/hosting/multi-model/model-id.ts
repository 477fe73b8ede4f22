import { createHash } from 'node:crypto';

/**
 * The opaque name a TargetModel is loaded under in the container (`POST /models {"model_name"}`) and
 * the directory it is unpacked into (`/opt/ml/models/<id>/model`): 32 hex digits of the SHA-256 of
 * the object's URI (`ModelDataUrl + TargetModel`), so any TargetModel (slashes, dots, 1,024
 * characters) gives a short, path- and URL-safe name, distinct per model prefix.
 */
export function modelId(modelDataUrl: string, targetModel: string): string {
  return createHash('sha256')
    .update(modelDataUrl + targetModel, 'utf8')
    .digest('hex')
    .slice(0, 32);
}
