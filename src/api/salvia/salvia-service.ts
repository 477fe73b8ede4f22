import type { FastifyReply } from 'fastify';
import { AwsError, ValidationException } from '../../errors/index.js';
import type { FileSystemRegistry } from '../../filesystems/index.js';
import type { ImageCatalog, UserImageRecord } from '../../images/index.js';
import { handleFileSystems } from './filesystems-routes.js';
import type { HttpService } from '../http-service.js';
import { asAwsError, parseJsonObject, sendJsonError, toWireJson } from '../protocol/aws-json.js';
import type { Authenticator } from '../protocol/authenticator.js';
import { readRawBody } from '../protocol/raw-body.js';
import { authenticateRequest } from '../protocol/sigv4-errors.js';

/** Path prefix of Salvia's own API; `_salvia` can never be an S3 bucket name. */
export const SALVIA_API_PREFIX = '/_salvia/';

export interface SalviaServiceOptions {
  readonly images: ImageCatalog;
  /** File systems for training channels (`/_salvia/filesystems`); without it those routes answer 404. */
  readonly fileSystems?: FileSystemRegistry;
  /** Checks SigV4 (any signing name; the CLI signs as `salvia`). Without one every request is accepted. */
  readonly authenticator?: Authenticator;
}

const MAX_BODY_BYTES = 64 * 1024;

function wireImage(record: UserImageRecord): object {
  return {
    Repository: record.repository,
    Directory: record.directory,
    ...(record.entrypoint ? { Entrypoint: record.entrypoint } : {}),
    CreationTime: new Date(record.creationTime),
  };
}

function send(reply: FastifyReply, requestId: string, body: object): void {
  void reply.code(200).headers({ 'content-type': 'application/json', 'x-amzn-requestid': requestId }).send(toWireJson(body));
}

/**
 * Salvia's extension API (JSON, errors in the AWS JSON form), used by the `salvia` CLI:
 * `GET /_salvia/images` lists user images; `GET|PUT|DELETE /_salvia/images/<repository>` reads,
 * registers (`{"Directory": "/abs/dir", "Entrypoint"?: "path"}`) or removes one. The repository may
 * hold `/` (sent raw or as `%2F`). `/_salvia/filesystems[/<fs-id>]` does the same for file systems
 * (see handleFileSystems).
 */
export function createSalviaService(options: SalviaServiceOptions): HttpService {
  return {
    name: 'salvia',
    async handle(request, reply) {
      const requestId = String(request.id);
      try {
        const body = await readRawBody(request.raw, MAX_BODY_BYTES);
        if (options.authenticator) authenticateRequest(options.authenticator, request.raw, body);
        const url = request.raw.url ?? '/';
        const pathname = url.split('?')[0] ?? '/';
        const route = pathname.slice(SALVIA_API_PREFIX.length);
        if (route === 'images' || route === 'images/') {
          if (request.method !== 'GET') throw new AwsError('MethodNotAllowed', 405, `${request.method} is not allowed on /_salvia/images.`);
          send(reply, requestId, { Images: (await options.images.list()).map(wireImage) });
          return;
        }
        if (options.fileSystems && (route === 'filesystems' || route.startsWith('filesystems/'))) {
          send(reply, requestId, await handleFileSystems(options.fileSystems, request.method, route, body));
          return;
        }
        if (!route.startsWith('images/')) throw new AwsError('UnknownOperationException', 404, `No Salvia API at ${pathname}.`);
        let repository: string;
        try {
          repository = decodeURIComponent(route.slice('images/'.length));
        } catch (error) {
          throw new ValidationException('The repository in the path is not valid percent-encoding.', { cause: error });
        }
        switch (request.method) {
          case 'GET': {
            const record = await options.images.get(repository);
            if (!record) throw new AwsError('ResourceNotFound', 404, `Image ${repository} is not registered.`);
            send(reply, requestId, wireImage(record));
            return;
          }
          case 'PUT': {
            const input = parseJsonObject(body);
            const directory = input['Directory'];
            const entrypoint = input['Entrypoint'];
            if (typeof directory !== 'string' || directory === '') throw new ValidationException('Directory (an absolute path) is required.');
            if (entrypoint !== undefined && (typeof entrypoint !== 'string' || entrypoint === ''))
              throw new ValidationException('Entrypoint must be a non-empty string.');
            send(reply, requestId, wireImage(await options.images.add(repository, directory, entrypoint)));
            return;
          }
          case 'DELETE': {
            if (!(await options.images.get(repository))) throw new AwsError('ResourceNotFound', 404, `Image ${repository} is not registered.`);
            await options.images.remove(repository);
            send(reply, requestId, {});
            return;
          }
          default:
            throw new AwsError('MethodNotAllowed', 405, `${request.method} is not allowed on /_salvia/images/<repository>.`);
        }
      } catch (error) {
        sendJsonError(reply, asAwsError(error, request), requestId);
      }
    },
  };
}
