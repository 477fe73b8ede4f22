import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { HttpService } from './http-service.js';
import { routeRequest, type ServiceName } from './route-request.js';

const originalContentType = new WeakMap<object, string>();

/** What the HTTP layer serves: one handler per service on the shared port. */
export type Services = Readonly<Record<ServiceName, HttpService>>;

export interface ServerOptions {
  readonly logger: Logger | FastifyBaseLogger;
}

/**
 * Builds the one Fastify server that answers every API. Bodies are left unread on `request.raw`
 * so that S3 can stream them; each service reads (and limits) its own.
 */
export function buildServer(services: Services, options: ServerOptions): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    // S3 object keys may hold anything; the services parse `request.raw.url` themselves.
    routerOptions: { maxParamLength: 1 << 20, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false },
    requestTimeout: 0,
    bodyLimit: Number.MAX_SAFE_INTEGER,
    return503OnClosing: true,
    // A URL find-my-way cannot decode (`/bucket/%zz`) still goes to its service, which answers in
    // its own error form (S3: InvalidURI) instead of Fastify's JSON.
    frameworkErrors: (_error, request, reply) => {
      const name = routeRequest(request.method, request.raw.url ?? '/', request.headers);
      services[name].handle(request as FastifyRequest, reply as FastifyReply).catch((error: unknown) => {
        request.log.error({ err: error }, 'unhandled error');
        reply.raw.destroy();
      });
    },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  // S3 stores any Content-Type verbatim (`garbage`, empty …) but Fastify answers 415 to media types
  // it cannot parse before any handler runs: hide the header from the parser stage, then put it back.
  app.addHook('onRequest', async (request) => {
    const contentType = request.raw.headers['content-type'];
    if (contentType === undefined) return;
    originalContentType.set(request.raw, contentType);
    request.raw.headers['content-type'] = 'application/octet-stream';
  });
  app.addHook('preValidation', async (request) => {
    const contentType = originalContentType.get(request.raw);
    if (contentType !== undefined) request.raw.headers['content-type'] = contentType;
  });

  app.route({
    method: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'PATCH'],
    url: '*',
    handler: async (request, reply) => {
      const name = routeRequest(request.method, request.raw.url ?? '/', request.headers);
      await services[name].handle(request, reply);
      // Returning the reply tells Fastify a streamed body (S3 GetObject) is still being sent.
      return reply;
    },
  });
  return app;
}
