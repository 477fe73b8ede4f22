import type { HttpService } from './http-service.js';

/** Stands in for a service a test does not wire: answers 501 in a neutral JSON form. */
export function placeholderService(name: string): HttpService {
  return {
    name,
    async handle(request, reply) {
      request.raw.resume();
      void reply.code(501).send({ __type: 'NotImplemented', message: `${name} is not available yet` });
    },
  };
}
