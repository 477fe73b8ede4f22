import { ValidationException } from '../errors/index.js';

/** An image reference split as Docker reads it: `[registry/]repository[:tag][@digest]`. */
export interface ImageReference {
  /** `123456789012.dkr.ecr.us-east-1.amazonaws.com`, `localhost:5000` …; undefined for a bare name. */
  readonly registry?: string;
  /** The repository path, lower-cased (`sagemaker-xgboost`, `team/my-algo`). */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const repositoryPattern = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** True if `name` is a valid repository path (ECR's and Docker's rule: lower-case segments joined by `/`). */
export function isRepositoryName(name: string): boolean {
  return name.length <= 256 && repositoryPattern.test(name);
}

/**
 * Splits an image URI into registry, repository, tag and digest. The first path segment is a
 * registry host when it contains `.` or `:` or is `localhost` (Docker's rule). The repository is
 * lower-cased (registries are case-insensitive about it). Throws ValidationException when the URI is
 * empty or its repository is not a valid name.
 */
export function parseImageUri(imageUri: string): ImageReference {
  let rest = imageUri.trim();
  if (rest === '') throw new ValidationException('TrainingImage must not be empty.');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let registry: string | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const repository = rest.toLowerCase();
  if (!isRepositoryName(repository)) throw new ValidationException(`Image ${imageUri} is not a valid image URI: expected [registry/]repository[:tag].`);
  return { repository, ...(registry ? { registry } : {}), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}
