import http from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Sends one request exactly as given (no SDK normalisation), for malformed-input tests.
 * A body of `undefined` sends none; `headers` are sent verbatim.
 */
export function rawRequest(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const sent = body === undefined || 'content-length' in headers ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const request = http.request({ host: url.hostname, port: url.port, method, path, headers: sent, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}
