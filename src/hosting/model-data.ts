import { ChannelError, extractTarGz, parseS3Uri } from '../training/data/index.js';
import type { ObjectStore } from '../objectstore/index.js';
import { HostingError } from './endpoint-hosting.js';

/**
 * Downloads a SingleModel container's `modelDataUrl` (a model.tar.gz) and unpacks it into
 * `modelDir` (the instance's /opt/ml/model), safely (no links, nothing outside the directory).
 * `container` names the container in messages (`container_1` …). Throws HostingError with
 * SageMaker's wording: a missing object → `Failed to download model data(bucket: …, key: …) …`, an
 * archive that is not a valid tar.gz → `Failed to extract model data archive for container "…" from
 * URL "…". Please ensure that the object located at the URL is a valid tar.gz archive.` plus the
 * reason.
 */
export async function unpackModelData(store: ObjectStore, modelDataUrl: string, modelDir: string, container: string): Promise<void> {
  let location: { bucket: string; key: string };
  try {
    location = parseS3Uri(modelDataUrl);
  } catch (error) {
    throw new HostingError(`Invalid ModelDataUrl "${modelDataUrl}" for container "${container}": ${(error as Error).message}`, { cause: error });
  }
  try {
    await extractTarGz(store, location, modelDir);
  } catch (error) {
    if (error instanceof ChannelError && error.kind === 'ObjectUnavailable') {
      throw new HostingError(
        `Failed to download model data(bucket: ${location.bucket}, key: ${location.key}). ` +
          'Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the model.',
        { cause: error },
      );
    }
    if (error instanceof ChannelError && (error.kind === 'DecompressionFailed' || error.kind === 'UnsafeKey')) {
      throw new HostingError(
        `Failed to extract model data archive for container "${container}" from URL "${modelDataUrl}". ` +
          `Please ensure that the object located at the URL is a valid tar.gz archive. (${error.message})`,
        { cause: error },
      );
    }
    throw new HostingError(`Failed to prepare model data for container "${container}" from URL "${modelDataUrl}": ${(error as Error).message}`, {
      cause: error,
    });
  }
}
