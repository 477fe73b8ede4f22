import type { FastifyReply } from 'fastify';
import type { AwsError } from '../../errors/index.js';
import type { HttpService } from '../http-service.js';
import { asAwsError } from '../protocol/aws-json.js';
import type { Authenticator } from '../protocol/authenticator.js';
import { readRawBody } from '../protocol/raw-body.js';
import { authenticateRequest } from '../protocol/sigv4-errors.js';
import { InvalidAction, MissingAction } from '../../errors/index.js';

export interface StsOptions {
  /** The account every caller belongs to (config.accountId). */
  readonly accountId: string;
  /** Checks SigV4 (signing name `sts`); failures answer in STS's XML. Without one every request is accepted. */
  readonly authenticator?: Authenticator;
}

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const VERSION = '2011-06-15';
const MAX_BODY_BYTES = 64 * 1024;

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

function sendXml(reply: FastifyReply, status: number, requestId: string, xml: string): void {
  void reply.code(status).headers({ 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).send(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
}

/** An AwsError as STS writes it: `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code>…`. */
export function sendStsError(reply: FastifyReply, error: AwsError, requestId: string): void {
  sendXml(
    reply,
    error.status,
    requestId,
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${error.senderFault ? 'Sender' : 'Receiver'}</Type><Code>${xmlEscape(error.code)}</Code>` +
      `<Message>${xmlEscape(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  );
}

/** Query parameters and form-encoded body parameters together (the body wins). */
function parameters(url: string, body: Buffer): URLSearchParams {
  const params = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params.set(name, value);
  return params;
}

/**
 * STS (Query protocol, form body or GET query): GetCallerIdentity answers the configured account
 * with its root identity; any other Action is InvalidAction, in STS's XML error form.
 */
export function createStsService(options: StsOptions): HttpService {
  return {
    name: 'sts',
    async handle(request, reply) {
      const requestId = String(request.id);
      try {
        const body = await readRawBody(request.raw, MAX_BODY_BYTES);
        if (options.authenticator) authenticateRequest(options.authenticator, request.raw, body, 'query');
        const params = parameters(request.raw.url ?? '/', body);
        const action = params.get('Action');
        if (!action) throw new MissingAction();
        if (action !== 'GetCallerIdentity') throw new InvalidAction(action, params.get('Version') ?? VERSION);
        const account = options.accountId;
        sendXml(
          reply,
          200,
          requestId,
          `<GetCallerIdentityResponse xmlns="${NAMESPACE}"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:root</Arn>` +
            `<UserId>${account}</UserId><Account>${account}</Account></GetCallerIdentityResult>` +
            `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        );
      } catch (error) {
        sendStsError(reply, asAwsError(error, request), requestId);
      }
    },
  };
}
