import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AccessKey } from '../../config/index.js';
import { AuthFailure, type AuthResult, type Authenticator } from './authenticator.js';
import {
  EMPTY_SHA256,
  UNSIGNED_PAYLOAD,
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  canonicalUris,
  deriveSigningKey,
  sha256Hex,
  sign,
  stringToSign,
} from './sigv4-canonical.js';
import { amzDateToMs, parseSignature, type SignatureClaim } from './sigv4-parse.js';

export { chunkSignature, trailerSignature, deriveSigningKey, sha256Hex, EMPTY_SHA256, UNSIGNED_PAYLOAD } from './sigv4-canonical.js';
export type { ChunkSigningContext } from './sigv4-canonical.js';

/** The slice of the configuration the authenticator needs. */
export interface AuthConfig {
  /** Verify signatures and reject unsigned requests (`--auth`); otherwise accept any well-formed request. */
  readonly auth: boolean;
  readonly accessKeys: readonly AccessKey[];
}

export interface AuthenticatorOptions {
  /** Clock in epoch milliseconds (tests); defaults to Date.now. */
  readonly now?: () => number;
}

/** How far `X-Amz-Date` may be from the server's clock: S3 allows 15 minutes, the other services 5. */
export function allowedSkewMs(service: string): number {
  return (service === 's3' ? 15 : 5) * 60_000;
}

/**
 * Builds the SigV4 Authenticator for the configuration.
 *
 * With `auth: true` every request must be signed by one of `accessKeys` within the allowed clock
 * skew (presigned URLs: before `X-Amz-Date + X-Amz-Expires`); failures throw AuthFailure with kind
 * `missing`, `malformed`, `unknown-key`, `bad-signature` or `expired`.
 *
 * With `auth: false` (the default) anonymous requests pass, and so does any well-formed signature
 * whatever its key, secret or age (Signature Version 2 headers too, unchecked); only an
 * unparseable signature (`malformed`) fails. When the
 * key is known and the signature does verify, the result still carries the `signingKey`, so S3
 * can check chunk signatures; when it does not verify, `signingKey` is left out and chunk
 * signatures go unchecked.
 */
export function createAuthenticator(config: AuthConfig, options: AuthenticatorOptions = {}): Authenticator {
  return new SigV4Authenticator(config, options.now ?? Date.now);
}

class SigV4Authenticator implements Authenticator {
  private readonly secrets: ReadonlyMap<string, string>;

  constructor(
    private readonly config: AuthConfig,
    private readonly now: () => number,
  ) {
    this.secrets = new Map(config.accessKeys.map((k) => [k.accessKeyId, k.secretAccessKey]));
  }

  authenticate(request: IncomingMessage): AuthResult {
    return this.check(request, undefined);
  }

  authenticateWithBody(request: IncomingMessage, body: Uint8Array): AuthResult {
    return this.check(request, body);
  }

  private check(request: IncomingMessage, body: Uint8Array | undefined): AuthResult {
    const legacy = legacySignatureKey(request);
    if (legacy !== undefined) {
      // Signature Version 2 (`AWS <key>:<signature>`, old S3 tools): passed through unchecked when
      // any key is accepted; `--auth` verifies only SigV4.
      if (this.config.auth) throw new AuthFailure('malformed', 'Salvia only verifies AWS4-HMAC-SHA256 (Signature Version 4) signatures.');
      return { accessKeyId: legacy };
    }
    const claim = parseSignature(request);
    if (claim === undefined) {
      if (this.config.auth) throw new AuthFailure('missing', 'Request is missing Authentication Token');
      return {};
    }
    const base = { accessKeyId: claim.accessKeyId, amzDate: claim.amzDate, scope: claim.scope, seedSignature: claim.signature };
    const secret = this.secrets.get(claim.accessKeyId);
    if (!this.config.auth) {
      if (secret === undefined) return base;
      const verified = verify(request, claim, secret, payloadHash(request, claim, body));
      return verified.ok ? { ...base, signingKey: verified.signingKey } : base;
    }
    if (secret === undefined) {
      throw new AuthFailure('unknown-key', `The access key ID ${claim.accessKeyId} is not known to this server.`);
    }
    if (claim.form === 'header' && !claim.signedHeaders.includes('host')) {
      throw new AuthFailure('malformed', "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    }
    this.checkTime(claim);
    const verified = verify(request, claim, secret, payloadHash(request, claim, body));
    if (!verified.ok) {
      throw new AuthFailure('bad-signature', 'The request signature we calculated does not match the signature you provided.', {
        AWSAccessKeyId: claim.accessKeyId,
        SignatureProvided: claim.signature,
        StringToSign: verified.stringToSign,
        CanonicalRequest: verified.canonicalRequest,
      });
    }
    return { ...base, signingKey: verified.signingKey };
  }

  private checkTime(claim: SignatureClaim): void {
    const signedAt = amzDateToMs(claim.amzDate);
    const now = this.now();
    const skew = allowedSkewMs(claim.service);
    if (claim.form === 'query') {
      if (now > signedAt + (claim.expiresSeconds ?? 0) * 1000) throw new AuthFailure('expired', 'Request has expired');
      if (signedAt - now > skew) throw new AuthFailure('expired', 'Request is not valid yet');
      return;
    }
    const minutes = skew / 60_000;
    if (now - signedAt > skew) {
      throw new AuthFailure(
        'expired',
        `Signature expired: ${claim.amzDate} is now earlier than ${formatAmzDate(now - skew)} (${formatAmzDate(now)} - ${minutes} min.)`,
      );
    }
    if (signedAt - now > skew) {
      throw new AuthFailure(
        'expired',
        `Signature not yet current: ${claim.amzDate} is still later than ${formatAmzDate(now + skew)} (${formatAmzDate(now)} + ${minutes} min.)`,
      );
    }
  }
}

/** The access key of a Signature Version 2 Authorization header, if the request has one. */
function legacySignatureKey(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' ? /^AWS ([^:\s]+):\S+$/.exec(header.trim())?.[1] : undefined;
}

function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * The payload hash the client signed: `x-amz-content-sha256` when sent; for a presigned S3 URL
 * `UNSIGNED-PAYLOAD`; else SHA-256 of the body (of an empty body when the caller streams it).
 */
function payloadHash(request: IncomingMessage, claim: SignatureClaim, body: Uint8Array | undefined): string {
  const header = request.headers['x-amz-content-sha256'];
  if (typeof header === 'string' && header !== '') return header;
  if (claim.form === 'query' && claim.service === 's3') return UNSIGNED_PAYLOAD;
  return body === undefined || body.length === 0 ? EMPTY_SHA256 : sha256Hex(body);
}

type Verification = { ok: true; signingKey: Buffer } | { ok: false; canonicalRequest: string; stringToSign: string };

function verify(request: IncomingMessage, claim: SignatureClaim, secret: string, hash: string): Verification {
  const headers = canonicalHeaders(request.rawHeaders, claim.signedHeaders);
  const signingKey = deriveSigningKey(secret, claim.date, claim.region, claim.service);
  const query = canonicalQuery(claim.rawQuery);
  let first: { canonicalRequest: string; stringToSign: string } | undefined;
  for (const uri of canonicalUris(claim.rawPath, claim.service)) {
    const canonical = canonicalRequest({
      method: request.method ?? 'GET',
      canonicalUri: uri,
      canonicalQuery: query,
      canonicalHeaders: 'block' in headers ? headers.block : '',
      signedHeaders: claim.signedHeaders,
      payloadHash: hash,
    });
    const toSign = stringToSign(claim.amzDate, claim.scope, canonical);
    first ??= { canonicalRequest: canonical, stringToSign: toSign };
    if ('missing' in headers) break;
    if (safeEqualHex(sign(signingKey, toSign), claim.signature)) return { ok: true, signingKey };
  }
  return { ok: false, ...(first ?? { canonicalRequest: '', stringToSign: '' }) };
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
