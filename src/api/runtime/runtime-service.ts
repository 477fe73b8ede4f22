import { validationMessage } from '../protocol/validate.js';
import { compileJavaPattern } from '../protocol/validate-pattern.js';
import type {
  AsyncInvocationRequest,
  AsyncInvocationResponse,
  EndpointRouter,
  InvocationRequest,
  InvocationResponse,
  StreamingInvocationResponse,
} from './endpoint-router.js';
import { RuntimeValidationError } from '../../errors/index.js';

/** Largest InvokeEndpoint payload: 6 MiB. */
export const MAX_INVOCATION_BYTES = 6_291_456;

interface Constraint {
  readonly min?: number;
  readonly max: number;
  readonly pattern: string;
}

const NAME = '^[a-zA-Z0-9](-*[a-zA-Z0-9])*';
const ASCII = '\\p{ASCII}*';
const PRINTABLE = '\\A\\S[\\p{Print}]*\\z';

// From botocore's sagemaker-runtime model: member → constraint (member names as AWS prints them).
const constraints: Readonly<Record<string, Constraint>> = {
  endpointName: { max: 63, pattern: NAME },
  contentType: { max: 1024, pattern: ASCII },
  accept: { max: 1024, pattern: ASCII },
  customAttributes: { max: 1024, pattern: ASCII },
  targetModel: { min: 1, max: 1024, pattern: PRINTABLE },
  targetVariant: { max: 63, pattern: NAME },
  targetContainerHostname: { max: 63, pattern: NAME },
  inferenceId: { min: 1, max: 64, pattern: PRINTABLE },
  enableExplanations: { min: 1, max: 64, pattern: '.*' },
  inferenceComponentName: { max: 63, pattern: '^[a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?$' },
  sessionId: { max: 256, pattern: '^(NEW_SESSION)$|^[a-zA-Z0-9](-*[a-zA-Z0-9])*$' },
  inputLocation: { min: 1, max: 1024, pattern: '^(https|s3)://([^/]+)/?(.*)$' },
  s3OutputPathExtension: { min: 1, max: 512, pattern: "^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$" },
  filename: { min: 1, max: 32, pattern: '^(?!.*\\..*\\.)[a-zA-Z0-9][a-zA-Z0-9-_\\.]*$' },
};

const numberRanges: Readonly<Record<string, readonly [number, number]>> = {
  requestTtlSeconds: [60, 21600],
  invocationTimeoutSeconds: [1, 3600],
};

/** AWS's name for a member in messages (`requestTtlSeconds` → `requestTTLSeconds`). */
const wireNames: Readonly<Record<string, string>> = { requestTtlSeconds: 'requestTTLSeconds' };

function check(values: Readonly<Record<string, unknown>>): void {
  const errors: string[] = [];
  for (const [member, value] of Object.entries(values)) {
    const name = wireNames[member] ?? member;
    if (typeof value === 'number') {
      const range = numberRanges[member];
      if (range && value < range[0])
        errors.push(`Value '${value}' at '${name}' failed to satisfy constraint: Member must have value greater than or equal to ${range[0]}`);
      if (range && value > range[1])
        errors.push(`Value '${value}' at '${name}' failed to satisfy constraint: Member must have value less than or equal to ${range[1]}`);
      continue;
    }
    const rule = constraints[member];
    if (typeof value !== 'string' || !rule) continue;
    const regex = compileJavaPattern(rule.pattern);
    if (regex && !regex.test(value))
      errors.push(`Value '${value}' at '${name}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rule.pattern}`);
    if (rule.min !== undefined && value.length < rule.min)
      errors.push(`Value '${value}' at '${name}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`);
    if (value.length > rule.max)
      errors.push(`Value '${value}' at '${name}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`);
  }
  if (errors.length > 0) throw new RuntimeValidationError(validationMessage(errors));
}

/** The body-size error, clear about the limit. */
export function payloadTooLarge(size: number | undefined): RuntimeValidationError {
  const received = size === undefined ? 'more than 6291456 bytes' : `${size} bytes`;
  return new RuntimeValidationError(
    `Request payload is too large: received ${received}; the maximum payload size for InvokeEndpoint is ${MAX_INVOCATION_BYTES} bytes (6 MB).`,
  );
}

/**
 * SageMaker Runtime's logic independent of HTTP: validates an invocation against the runtime
 * model's constraints (ValidationError with AWS's `N validation errors detected: …`) and hands it
 * to the EndpointRouter.
 */
export class RuntimeService {
  constructor(private readonly router: EndpointRouter) {}

  async invoke(request: InvocationRequest): Promise<InvocationResponse> {
    this.validate(request);
    return this.router.invoke(request);
  }

  async invokeWithResponseStream(request: InvocationRequest): Promise<StreamingInvocationResponse> {
    this.validate(request);
    return this.router.invokeWithResponseStream(request);
  }

  async invokeAsync(request: AsyncInvocationRequest): Promise<AsyncInvocationResponse> {
    check({ ...request });
    return this.router.invokeAsync(request);
  }

  private validate(request: InvocationRequest): void {
    if (request.body.length > MAX_INVOCATION_BYTES) throw payloadTooLarge(request.body.length);
    const { body: _body, ...members } = request;
    check(members);
  }
}
