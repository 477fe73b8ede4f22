import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * One AWS service on the shared port. `handle` owns the request from here: it reads the body
 * from `request.raw` itself (the server installs no body parser) and sends the reply, turning
 * every AwsError into its protocol's wire form.
 */
export interface HttpService {
  readonly name: string;
  handle(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}
