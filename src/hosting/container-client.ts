import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

/** One request to a model container. */
export interface ContainerRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** `/invocations`, `/models/<name>/invoke` … */
  readonly path: string;
  readonly body?: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /** Give up (ContainerRequestError `timeout`) when no complete answer came within this many ms. */
  readonly timeoutMs: number;
}

/** A container's complete answer. */
export interface ContainerResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Why a request got no answer: `refused` — nothing listens (the request was not delivered, safe to
 * send elsewhere); `closed` — the connection broke after the request was sent (the container may
 * have seen it); `timeout` — no answer in time.
 */
export type ContainerFailure = 'refused' | 'closed' | 'timeout';

/** A request to a container that got no HTTP answer. */
export class ContainerRequestError extends Error {
  constructor(
    readonly kind: ContainerFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ContainerRequestError';
  }
}

const refusedCodes = new Set(['ECONNREFUSED', 'EADDRNOTAVAIL', 'ENOTFOUND']);

/**
 * HTTP/1.1 to one model container on 127.0.0.1:<port> over keep-alive connections (a pool per
 * container, unbounded, so concurrency is the caller's). A kept-alive connection the container closed
 * while idle is retried once on a new one, as Node recommends (`reusedSocket`).
 */
export class ContainerClient {
  private readonly agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 256, scheduling: 'lifo' });

  constructor(readonly port: number) {}

  /** Sends `request` and reads the whole answer. Throws ContainerRequestError when none comes. */
  async request(request: ContainerRequest): Promise<ContainerResponse> {
    const deadline = Date.now() + request.timeoutMs;
    try {
      return (await this.send(request, request.timeoutMs, true, true)) as ContainerResponse;
    } catch (error) {
      if (!(error instanceof RetryableReuse)) throw error;
      return (await this.send(request, Math.max(1, deadline - Date.now()), true, false).catch(deliveredMaybe)) as ContainerResponse;
    }
  }

  /**
   * Sends `request` and resolves once the status line and headers arrived, with the body still
   * streaming (the timeout covers only the wait for headers). Throws ContainerRequestError.
   */
  async open(request: ContainerRequest): Promise<{ status: number; headers: IncomingHttpHeaders; body: IncomingMessage }> {
    const response = await this.send(request, request.timeoutMs, false, true).catch(async (error: unknown) => {
      if (!(error instanceof RetryableReuse)) throw error;
      return this.send(request, request.timeoutMs, false, false).catch(deliveredMaybe);
    });
    return response as { status: number; headers: IncomingHttpHeaders; body: IncomingMessage };
  }

  /** Closes the pooled connections (the client stays usable: later requests open new ones). */
  close(): void {
    this.agent.destroy();
  }

  private send(
    request: ContainerRequest,
    timeoutMs: number,
    readBody: boolean,
    retryReused: boolean,
  ): Promise<ContainerResponse | { status: number; headers: IncomingHttpHeaders; body: IncomingMessage }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...request.headers };
      if (request.body !== undefined) headers['content-length'] = request.body.length;
      let settled = false;
      let answered = false;
      const finish = (error: Error | undefined, value?: ContainerResponse | { status: number; headers: IncomingHttpHeaders; body: IncomingMessage }): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(value as ContainerResponse);
      };
      const req = http.request({ host: '127.0.0.1', port: this.port, method: request.method, path: request.path, headers, agent: this.agent });
      const timer = setTimeout(() => {
        finish(new ContainerRequestError('timeout', `no answer from 127.0.0.1:${this.port}${request.path} within ${timeoutMs} ms`));
        req.destroy();
      }, timeoutMs);
      req.once('error', (error: NodeJS.ErrnoException) => {
        if (answered && !readBody) return;
        if (retryReused && req.reusedSocket && !answered && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) return finish(new RetryableReuse());
        const kind: ContainerFailure = refusedCodes.has(error.code ?? '') ? 'refused' : 'closed';
        finish(new ContainerRequestError(kind, `${request.method} 127.0.0.1:${this.port}${request.path}: ${error.message}`, { cause: error }));
      });
      req.once('response', (response) => {
        answered = true;
        const status = response.statusCode ?? 0;
        if (!readBody) {
          clearTimeout(timer);
          return finish(undefined, { status, headers: response.headers, body: response });
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('end', () => finish(undefined, { status, headers: response.headers, body: Buffer.concat(chunks) }));
        response.once('error', (error) =>
          finish(new ContainerRequestError('closed', `${request.method} 127.0.0.1:${this.port}${request.path}: ${error.message}`, { cause: error })),
        );
        response.once('aborted', () =>
          finish(new ContainerRequestError('closed', `${request.method} 127.0.0.1:${this.port}${request.path}: answer cut short`)),
        );
      });
      req.end(request.body);
    });
  }
}

/**
 * The retry after a reset kept-alive connection found nothing listening: the container died, maybe
 * while handling the request, so the request counts as delivered (`closed`), not as `refused`.
 */
function deliveredMaybe(error: unknown): never {
  if (error instanceof ContainerRequestError && error.kind === 'refused') throw new ContainerRequestError('closed', error.message, { cause: error });
  throw error;
}

/** Internal: a reused keep-alive connection was already closed by the container; send again once. */
class RetryableReuse extends Error {}
