import { ModelError } from '../errors/index.js';

/** Where an endpoint's model servers log and how its errors point there. */
export interface EndpointScope {
  readonly region: string;
  readonly accountId: string;
}

/** CloudWatch Logs group of an endpoint: `/aws/sagemaker/Endpoints/<endpoint>`. */
export function endpointLogGroup(endpointName: string): string {
  return `/aws/sagemaker/Endpoints/${endpointName}`;
}

/** The ARN ModelError's LogStreamArn carries: the endpoint's log group (as SageMaker sends it). */
export function endpointLogGroupArn(scope: EndpointScope, endpointName: string): string {
  return `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${endpointLogGroup(endpointName)}`;
}

/** Where a ModelError sends the reader, in SageMaker's words. */
function seeLogs(scope: EndpointScope, endpointName: string): string {
  return (
    `See https://${scope.region}.console.aws.amazon.com/cloudwatch/home?region=${scope.region}#logEventViewer:group=${endpointLogGroup(endpointName)} ` +
    `in account ${scope.accountId} for more information.`
  );
}

/**
 * The container `container` answered `status` (non-2xx) with `body`: ModelError 424 as SageMaker
 * Runtime returns it — `Received client error (400) from primary with message "<body>". See … `
 * with ErrorCode CLIENT_ERROR_FROM_MODEL (4xx) or SERVER_ERROR_FROM_MODEL (others),
 * OriginalStatusCode, OriginalMessage (the body as text) and LogStreamArn.
 */
export function modelErrorFromResponse(scope: EndpointScope, endpointName: string, container: string, status: number, body: Buffer): ModelError {
  const text = body.toString('utf8');
  const client = status >= 400 && status < 500;
  return new ModelError(
    `Received ${client ? 'client' : 'server'} error (${status}) from ${container} with message "${text}". ${seeLogs(scope, endpointName)}`,
    {
      ErrorCode: client ? 'CLIENT_ERROR_FROM_MODEL' : 'SERVER_ERROR_FROM_MODEL',
      OriginalStatusCode: status,
      OriginalMessage: text,
      LogStreamArn: endpointLogGroupArn(scope, endpointName),
    },
  );
}

/** The container did not answer within the invocation timeout (60 s): ModelError with status 0, as SageMaker. */
export function modelTimeoutError(scope: EndpointScope, endpointName: string, container: string): ModelError {
  const text =
    `Your invocation timed out while waiting for a response from container ${container}. ` +
    'Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again.';
  return new ModelError(`Received server error (0) from ${container} with message "${text}". ${seeLogs(scope, endpointName)}`, {
    ErrorCode: 'SERVER_ERROR_FROM_MODEL',
    OriginalStatusCode: 0,
    OriginalMessage: text,
    LogStreamArn: endpointLogGroupArn(scope, endpointName),
  });
}

/** The container dropped the connection before answering (it crashed mid-request): ModelError with status 0. */
export function modelConnectionError(scope: EndpointScope, endpointName: string, container: string, cause: string): ModelError {
  const text = `The connection to container ${container} was closed before it answered (${cause}).`;
  return new ModelError(`Received server error (0) from ${container} with message "${text}". ${seeLogs(scope, endpointName)}`, {
    ErrorCode: 'SERVER_ERROR_FROM_MODEL',
    OriginalStatusCode: 0,
    OriginalMessage: text,
    LogStreamArn: endpointLogGroupArn(scope, endpointName),
  });
}
