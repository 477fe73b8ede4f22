import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/core/protocols';
import { AuthFailure, type AuthResult } from './authenticator.js';
import { chunkSignature, createAuthenticator, deriveSigningKey } from './sigv4.js';
import { canonicalQuery, canonicalUris, sha256Hex } from './sigv4-canonical.js';
import { NodeSha256 } from '../../../test/helpers/node-sha256.js';

// AWS's published SigV4 test suite (aws-sig-v4-test-suite): key, secret, time and scope of every case.
const suiteKey = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const suiteNow = Date.UTC(2015, 7, 30, 12, 36, 0);
const suiteCredential = 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

/** An incoming request as Node's HTTP parser would present it (a plain input value, not a stand-in for our code). */
function incoming(method: string, url: string, headers: [string, string][]): IncomingMessage {
  const lower: Record<string, string> = {};
  for (const [name, value] of headers) lower[name.toLowerCase()] = value;
  return { method, url, headers: lower, rawHeaders: headers.flat() } as unknown as IncomingMessage;
}

function suiteRequest(method: string, url: string, extra: [string, string][], signedHeaders: string, signature: string): IncomingMessage {
  return incoming(method, url, [
    ['Host', 'example.amazonaws.com'],
    ...extra,
    ['X-Amz-Date', '20150830T123600Z'],
    ['Authorization', `AWS4-HMAC-SHA256 Credential=${suiteCredential}, SignedHeaders=${signedHeaders}, Signature=${signature}`],
  ]);
}

const strict = createAuthenticator({ auth: true, accessKeys: [suiteKey] }, { now: () => suiteNow });

function failureKind(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuthFailure) return error.kind;
    throw error;
  }
  return 'passed';
}

describe('SigV4 against AWS test-suite vectors', () => {
  const cases: [string, string, string, [string, string][], string, string][] = [
    ['get-vanilla', 'GET', '/', [], 'host;x-amz-date', '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
    [
      'get-vanilla-query-order-key-case',
      'GET',
      '/?Param2=value2&Param1=value1',
      [],
      'host;x-amz-date',
      'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    ],
    [
      'get-vanilla-query-unreserved',
      'GET',
      '/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
      [],
      'host;x-amz-date',
      '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197',
    ],
    ['get-utf8', 'GET', '/ሴ', [], 'host;x-amz-date', '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85'],
    ['get-space-normalized', 'GET', '/example space/', [], 'host;x-amz-date', '652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741'],
    ['post-vanilla', 'POST', '/', [], 'host;x-amz-date', '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'],
    ['post-vanilla-query', 'POST', '/?Param1=value1', [], 'host;x-amz-date', '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11'],
    [
      'get-header-value-trim',
      'GET',
      '/',
      [
        ['My-Header1', ' value1'],
        ['My-Header2', ' "a   b   c"'],
      ],
      'host;my-header1;my-header2;x-amz-date',
      'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
    ],
  ];
  for (const [name, method, url, extra, signedHeaders, signature] of cases) {
    test(name, () => {
      const result = strict.authenticateWithBody(suiteRequest(method, url, extra, signedHeaders, signature), new Uint8Array());
      assert.equal(result.accessKeyId, 'AKIDEXAMPLE');
      assert.equal(result.scope, '20150830/us-east-1/service/aws4_request');
      assert.ok(result.signingKey);
      const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
      assert.equal(
        failureKind(() => strict.authenticateWithBody(suiteRequest(method, url, extra, signedHeaders, flipped), new Uint8Array())),
        'bad-signature',
      );
    });
  }

  test('get-header-value-trim, presigned form', () => {
    const url =
      '/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z' +
      '&X-Amz-SignedHeaders=host%3Bmy-header1%3Bmy-header2&X-Amz-Expires=3600&X-Amz-Signature=e7bb0fd515e125e1aec2ecc4c0c17484fb06f6846b927c35e46005dd3df3acd4';
    const request = incoming('GET', url, [
      ['Host', 'example.amazonaws.com'],
      ['My-Header1', 'value1'],
      ['My-Header2', '"a   b   c"'],
    ]);
    assert.equal(strict.authenticateWithBody(request, new Uint8Array()).accessKeyId, 'AKIDEXAMPLE');
    const later = createAuthenticator({ auth: true, accessKeys: [suiteKey] }, { now: () => suiteNow + 3601_000 });
    assert.equal(
      failureKind(() => later.authenticateWithBody(request, new Uint8Array())),
      'expired',
    );
  });

  test('derived signing key matches the documented example', () => {
    // "Examples of how to derive a signing key for Signature Version 4" (secret above, 20150830/us-east-1/iam).
    assert.equal(
      deriveSigningKey(suiteKey.secretAccessKey, '20150830', 'us-east-1', 'iam').toString('hex'),
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    );
  });
});

describe('SigV4 failure kinds and modes', () => {
  const vanilla = (signature = '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'): IncomingMessage =>
    suiteRequest('GET', '/', [], 'host;x-amz-date', signature);

  test('strict mode: missing, unknown key, skew, malformed', () => {
    assert.equal(
      failureKind(() => strict.authenticate(incoming('GET', '/', [['Host', 'x']]))),
      'missing',
    );
    const other = createAuthenticator({ auth: true, accessKeys: [{ accessKeyId: 'someone', secretAccessKey: 's' }] }, { now: () => suiteNow });
    assert.equal(
      failureKind(() => other.authenticate(vanilla())),
      'unknown-key',
    );
    const late = createAuthenticator({ auth: true, accessKeys: [suiteKey] }, { now: () => suiteNow + 6 * 60_000 });
    assert.equal(
      failureKind(() => late.authenticate(vanilla())),
      'expired',
    );
    const early = createAuthenticator({ auth: true, accessKeys: [suiteKey] }, { now: () => suiteNow - 6 * 60_000 });
    assert.equal(
      failureKind(() => early.authenticate(vanilla())),
      'expired',
    );
    const withinFive = createAuthenticator({ auth: true, accessKeys: [suiteKey] }, { now: () => suiteNow + 4 * 60_000 });
    assert.equal(withinFive.authenticate(vanilla()).accessKeyId, 'AKIDEXAMPLE');
    assert.equal(
      failureKind(() => strict.authenticate(incoming('GET', '/', [['Authorization', 'AWS4-HMAC-SHA256 Credential=a/b']]))),
      'malformed',
    );
    assert.equal(
      failureKind(() => strict.authenticate(incoming('GET', '/', [['Authorization', 'AWS AKID:abc']]))),
      'malformed',
    );
    assert.equal(
      failureKind(() => strict.authenticate(incoming('GET', '/', [['Authorization', 'Bearer token']]))),
      'malformed',
    );
    assert.equal(
      failureKind(() => strict.authenticate(incoming('GET', '/?X-Amz-Credential=abc', []))),
      'malformed',
    );
  });

  test('accept-any mode: anonymous and any key pass; signingKey only when the signature verifies', () => {
    const open = createAuthenticator({ auth: false, accessKeys: [suiteKey] }, { now: () => suiteNow + 86_400_000 });
    assert.deepEqual(open.authenticate(incoming('GET', '/', [['Host', 'x']])), {});
    assert.ok(open.authenticate(vanilla()).signingKey);
    const wrong = open.authenticate(vanilla('0'.repeat(64)));
    assert.equal(wrong.accessKeyId, 'AKIDEXAMPLE');
    assert.equal(wrong.signingKey, undefined);
    assert.deepEqual(open.authenticate(incoming('GET', '/', [['Authorization', 'AWS AKIDV2:c2lnbmF0dXJl']])), { accessKeyId: 'AKIDV2' });
    assert.equal(
      failureKind(() => open.authenticate(incoming('GET', '/', [['Authorization', 'AWS4-HMAC-SHA256 Credential=x']]))),
      'malformed',
    );
    const unknown = createAuthenticator({ auth: false, accessKeys: [] }).authenticate(vanilla());
    assert.equal(unknown.accessKeyId, 'AKIDEXAMPLE');
    assert.equal(unknown.signingKey, undefined);
  });

  test('canonical URI: S3 keeps the path, other services encode it again', () => {
    assert.deepEqual(canonicalUris('/bucket/a%20b', 's3'), ['/bucket/a%20b']);
    assert.deepEqual(canonicalUris('/endpoints/a%3Ab/invocations', 'sagemaker'), ['/endpoints/a%253Ab/invocations', '/endpoints/a%3Ab/invocations']);
    assert.deepEqual(canonicalUris('/endpoints/ab/invocations', 'sagemaker'), ['/endpoints/ab/invocations']);
    assert.deepEqual(canonicalUris('/a/./b/../c', 'logs'), ['/a/c']);
    assert.equal(canonicalQuery('b=2&a=1&a=0&X-Amz-Signature=x&c'), 'a=0&a=1&b=2&c=');
  });

  test('chunk signature matches the S3 documentation example', () => {
    // "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks".
    const signingKey = deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3');
    const context = { signingKey, amzDate: '20130524T000000Z', scope: '20130524/us-east-1/s3/aws4_request' };
    const seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
    const first = chunkSignature(context, seed, new Uint8Array(65536).fill(97));
    assert.equal(first, 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648');
    const second = chunkSignature(context, first, new Uint8Array(1024).fill(97));
    assert.equal(second, '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497');
    assert.equal(chunkSignature(context, second, { hash: sha256Hex('') }), 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9');
  });
});

describe('SigV4 against requests signed by @smithy/signature-v4 over real HTTP', () => {
  const key = { accessKeyId: 'AKIASMITHY', secretAccessKey: 'smithy/secret+key' };
  const authenticator = createAuthenticator({ auth: true, accessKeys: [key] });
  let server: Server;
  let port = 0;
  const results: (AuthResult | string)[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const body = Buffer.concat(chunks);
          const streaming = req.headers['x-amz-content-sha256'] !== undefined || /X-Amz-Signature/.test(req.url ?? '');
          results.push(streaming ? authenticator.authenticate(req) : authenticator.authenticateWithBody(req, body));
        } catch (error) {
          results.push(error instanceof AuthFailure ? error.kind : String(error));
        }
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function send(
    method: string,
    path: string,
    query: Record<string, string>,
    headers: Record<string, string>,
    body: string,
  ): Promise<AuthResult | string> {
    const search = new URLSearchParams(query).toString().replace(/\+/g, '%20');
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method, path: path + (search ? `?${search}` : ''), headers }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
    return results.at(-1) ?? 'none';
  }

  function signer(service: string, secret = key.secretAccessKey): SignatureV4 {
    return new SignatureV4({
      credentials: { accessKeyId: key.accessKeyId, secretAccessKey: secret },
      region: 'eu-west-1',
      service,
      sha256: NodeSha256,
      uriEscapePath: service !== 's3',
      applyChecksum: service === 's3',
    });
  }

  function baseRequest(method: string, path: string, body: string, headers: Record<string, string>, query: Record<string, string> = {}): HttpRequest {
    return new HttpRequest({ method, protocol: 'http:', hostname: '127.0.0.1', port, path, query, headers: { host: `127.0.0.1:${port}`, ...headers }, body });
  }

  async function sendSigned(request: HttpRequest): Promise<AuthResult | string> {
    return send(request.method, request.path, request.query as Record<string, string>, request.headers, (request.body as string | undefined) ?? '');
  }

  test('sagemaker JSON request with a body', async () => {
    const body = JSON.stringify({ TrainingJobName: 'a job ünïcode' });
    const request = baseRequest('POST', '/', body, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'SageMaker.DescribeTrainingJob',
      'content-length': String(Buffer.byteLength(body)),
    });
    const signed = await signer('sagemaker').sign(request);
    const result = await sendSigned(signed as HttpRequest);
    assert.equal(typeof result === 'object' && result.accessKeyId, key.accessKeyId);
    const wrong = await signer('sagemaker', 'other').sign(request);
    assert.equal(await sendSigned(wrong as HttpRequest), 'bad-signature');
  });

  test('runtime path with characters that are encoded twice', async () => {
    const body = '1,2,3';
    const request = baseRequest(
      'POST',
      `/endpoints/${encodeURIComponent('my-endpoint')}/invocations`,
      body,
      { 'content-type': 'text/csv', 'x-amzn-sagemaker-custom-attributes': 'a=b  c' },
      { q: 'a b:c' },
    );
    const signed = await signer('sagemaker').sign(request);
    const result = await sendSigned(signed as HttpRequest);
    assert.equal(typeof result === 'object' && result.scope?.endsWith('/sagemaker/aws4_request'), true);
  });

  test('s3 request with x-amz-content-sha256 and an encoded key', async () => {
    const request = baseRequest('PUT', '/bucket/dir/a%20key%21%28x%29.txt', 'hello', { 'x-amz-content-sha256': sha256Hex('hello'), 'content-length': '5' });
    const signed = await signer('s3').sign(request);
    const result = await sendSigned(signed as HttpRequest);
    assert.equal(typeof result === 'object' && result.seedSignature !== undefined && result.signingKey !== undefined, true);
  });

  test('presigned s3 and sagemaker URLs; expired ones fail', async () => {
    // As @aws-sdk/s3-request-presigner prepares a request: the payload is UNSIGNED-PAYLOAD.
    const unsigned = { 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' };
    const s3 = await signer('s3').presign(baseRequest('GET', '/bucket/key%20x', '', unsigned, { 'response-content-type': 'text/plain' }), { expiresIn: 60 });
    assert.equal(typeof (await sendSigned(s3 as HttpRequest)), 'object');
    const old = await signer('s3').presign(baseRequest('GET', '/bucket/key', '', unsigned), { expiresIn: 1, signingDate: new Date(Date.now() - 10_000) });
    assert.equal(await sendSigned(old as HttpRequest), 'expired');
    const sm = await signer('sagemaker').presign(baseRequest('GET', '/', '', {}, { Action: 'X' }), { expiresIn: 60 });
    assert.equal(typeof (await sendSigned(sm as HttpRequest)), 'object');
  });
});
