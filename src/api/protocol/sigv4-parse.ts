import type { IncomingMessage } from 'node:http';
import { AuthFailure } from './authenticator.js';
import { SIGV4_ALGORITHM, percentDecode } from './sigv4-canonical.js';

/** The signature a request carries, in either form, before it is checked. */
export interface SignatureClaim {
  readonly form: 'header' | 'query';
  readonly accessKeyId: string;
  /** `yyyymmdd` of the credential scope. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  /** `yyyymmdd/region/service/aws4_request`. */
  readonly scope: string;
  /** Request time as signed, `yyyymmddThhmmssZ`. */
  readonly amzDate: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** Presigned URLs only: `X-Amz-Expires` in seconds. */
  readonly expiresSeconds?: number;
  /** Path and raw query string as received. */
  readonly rawPath: string;
  readonly rawQuery: string;
}

const AMZ_DATE = /^\d{8}T\d{6}Z$/;

/** `Tue, 30 Aug 2015 12:36:00 GMT` (or any date Date.parse reads) → `20150830T123600Z`. */
function toAmzDate(httpDate: string): string | undefined {
  const ms = Date.parse(httpDate);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Epoch milliseconds of a `yyyymmddThhmmssZ` value. */
export function amzDateToMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function parseCredential(credential: string, where: string): Pick<SignatureClaim, 'accessKeyId' | 'date' | 'region' | 'service' | 'scope'> {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '') || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1] ?? '')) {
    throw new AuthFailure(
      'malformed',
      `${where} Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request". Credential=${credential}`,
    );
  }
  const [accessKeyId, date, region, service] = parts as [string, string, string, string, string];
  return { accessKeyId, date, region, service, scope: parts.slice(1).join('/') };
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads the SigV4 signature of a request (Authorization header or presigned query), or returns
 * undefined for an anonymous request. Throws AuthFailure('malformed') when a signature is there but
 * incomplete, names another algorithm, or its credential scope does not match its date.
 */
export function parseSignature(request: IncomingMessage): SignatureClaim | undefined {
  const url = request.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const authorization = headerValue(request, 'authorization');
  if (authorization !== undefined) return parseHeaderForm(request, authorization, rawPath, rawQuery);
  if (/(^|&)X-Amz-(Algorithm|Credential|Signature)=/i.test(rawQuery)) return parseQueryForm(rawPath, rawQuery);
  return undefined;
}

function parseHeaderForm(request: IncomingMessage, authorization: string, rawPath: string, rawQuery: string): SignatureClaim {
  const trimmed = authorization.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new AuthFailure('malformed', `Authorization header requires the ${SIGV4_ALGORITHM} algorithm; found "${algorithm}".`);
  }
  const fields = new Map<string, string>();
  for (const item of trimmed.slice(space + 1).split(',')) {
    const eq = item.indexOf('=');
    if (eq > 0) fields.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const missing: string[] = [];
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!fields.get(name)) missing.push(`Authorization header requires '${name}' parameter.`);
  }
  const amzDate = headerValue(request, 'x-amz-date') ?? toAmzDateOrUndefined(headerValue(request, 'date'));
  if (amzDate === undefined) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (missing.length > 0) throw new AuthFailure('malformed', `${missing.join(' ')} Authorization=${trimmed}`);
  const credential = parseCredential(fields.get('Credential') ?? '', 'Authorization header');
  return finish({
    form: 'header',
    ...credential,
    amzDate: amzDate ?? '',
    signedHeaders: (fields.get('SignedHeaders') ?? '').split(';').map((h) => h.trim().toLowerCase()),
    signature: fields.get('Signature') ?? '',
    rawPath,
    rawQuery,
  });
}

function toAmzDateOrUndefined(value: string | undefined): string | undefined {
  return value === undefined ? undefined : (toAmzDate(value) ?? value);
}

function parseQueryForm(rawPath: string, rawQuery: string): SignatureClaim {
  const params = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(percentDecode(part.slice(0, eq)).toLowerCase(), percentDecode(part.slice(eq + 1)));
  }
  const names = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'];
  const missing = names.filter((name) => !params.get(name.toLowerCase()));
  if (missing.length > 0) {
    throw new AuthFailure('malformed', `Query-string authentication requires the ${missing.join(', ')} parameter${missing.length > 1 ? 's' : ''}.`);
  }
  const algorithm = params.get('x-amz-algorithm');
  if (algorithm !== SIGV4_ALGORITHM) throw new AuthFailure('malformed', `X-Amz-Algorithm only supports "${SIGV4_ALGORITHM}"; found "${algorithm}".`);
  const expires = params.get('x-amz-expires') ?? '';
  if (!/^\d+$/.test(expires) || Number(expires) > 604800) {
    throw new AuthFailure('malformed', 'X-Amz-Expires must be a number of seconds between 0 and 604800 (seven days).');
  }
  const credential = parseCredential(params.get('x-amz-credential') ?? '', 'X-Amz-Credential');
  return finish({
    form: 'query',
    ...credential,
    amzDate: params.get('x-amz-date') ?? '',
    signedHeaders: (params.get('x-amz-signedheaders') ?? '').split(';').map((h) => h.trim().toLowerCase()),
    signature: params.get('x-amz-signature') ?? '',
    expiresSeconds: Number(expires),
    rawPath,
    rawQuery,
  });
}

function finish(claim: SignatureClaim): SignatureClaim {
  if (!AMZ_DATE.test(claim.amzDate)) {
    throw new AuthFailure('malformed', `X-Amz-Date must be in the ISO8601 basic format yyyyMMdd'T'HHmmss'Z'; found "${claim.amzDate}".`);
  }
  if (!claim.amzDate.startsWith(claim.date)) {
    throw new AuthFailure(
      'malformed',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${claim.date}' != '${claim.amzDate.slice(0, 8)}'.`,
    );
  }
  if (!/^[0-9a-f]{64}$/.test(claim.signature)) {
    throw new AuthFailure('malformed', 'The signature must be 64 lower-case hexadecimal characters.');
  }
  if (claim.signedHeaders.some((h) => h === '')) throw new AuthFailure('malformed', 'SignedHeaders must name at least one header.');
  return claim;
}
