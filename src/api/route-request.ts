import type { IncomingHttpHeaders } from 'node:http';

/** The services that share the one port. */
export type ServiceName = 'sagemaker' | 'logs' | 'runtime' | 'sts' | 's3' | 'salvia';

const runtimePath = /^\/endpoints\/[^/?]+\/(invocations|async-invocations|invocations-response-stream)(\?|$)/;

/** The credential scope's service (`…/us-east-1/sts/aws4_request`) from a header or presigned query. */
function signedService(headers: IncomingHttpHeaders, url: string): string | undefined {
  const auth = headers.authorization;
  const credential = typeof auth === 'string' ? /Credential=[^/]*\/\d{8}\/[^/]*\/([^/]+)\//.exec(auth)?.[1] : undefined;
  if (credential) return credential;
  return /[?&]X-Amz-Credential=[^&]*?(?:%2F|\/)\d{8}(?:%2F|\/)[^&%/]*(?:%2F|\/)([^&%/]+)(?:%2F|\/)/i.exec(url)?.[1];
}

/**
 * Decides which service a request is for, as an AWS edge endpoint would by host name:
 * `X-Amz-Target` for the JSON services, the runtime's `/endpoints/<name>/invocations` paths,
 * STS by its form-encoded `Action` (signed for `sts`), Salvia's own `/_salvia/…` API, and S3 for everything else.
 */
export function routeRequest(method: string, url: string, headers: IncomingHttpHeaders): ServiceName {
  // Salvia's own API (`salvia images …`): `_salvia` is never a valid bucket name.
  if (url.startsWith('/_salvia/')) return 'salvia';
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    if (target.startsWith('SageMaker.')) return 'sagemaker';
    if (target.startsWith('Logs_20140328.')) return 'logs';
  }
  const service = signedService(headers, url);
  if (method === 'POST' && runtimePath.test(url) && service !== 's3') return 'runtime';
  const contentType = headers['content-type'] ?? '';
  if (
    service === 'sts' ||
    (method === 'POST' && url.split('?')[0] === '/' && contentType.startsWith('application/x-www-form-urlencoded') && service !== 's3')
  ) {
    return 'sts';
  }
  if (typeof target === 'string' && service !== 's3') return 'sagemaker';
  return 's3';
}
