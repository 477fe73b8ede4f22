/** The account and region every SageMaker ARN names (a slice of the configuration). */
export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

/** The resource types Salvia names in ARNs (`arn:aws:sagemaker:…:<type>/<name>`). */
export type SageMakerResourceType =
  'model' | 'endpoint-config' | 'endpoint' | 'training-job' | 'processing-job' | 'transform-job' | 'hyper-parameter-tuning-job' | (string & {});

/** A parsed SageMaker ARN; `name` is as written in the ARN (SageMaker lower-cases it). */
export interface ParsedArn {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly type: string;
  readonly name: string;
}

/**
 * `arn:aws:sagemaker:<region>:<account>:<type>/<name lower-cased>`, as SageMaker builds ARNs
 * (the name is echoed as created elsewhere, but lower-cased in the ARN).
 */
export function resourceArn(scope: ArnScope, type: SageMakerResourceType, name: string): string {
  return `arn:aws:sagemaker:${scope.region}:${scope.accountId}:${type}/${name.toLowerCase()}`;
}

/** Parses a SageMaker resource ARN; undefined if `arn` is not one. */
export function parseResourceArn(arn: string): ParsedArn | undefined {
  const match = /^arn:(aws[a-z-]*):sagemaker:([a-z0-9-]*):(\d{12}):([a-z0-9-]+)\/(.+)$/i.exec(arn);
  if (!match) return undefined;
  const [, partition, region, accountId, type, name] = match as unknown as [string, string, string, string, string, string];
  return { partition, region, accountId, type: type.toLowerCase(), name };
}
