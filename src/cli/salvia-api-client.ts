import { loadConfig } from '../config/index.js';
import { canonicalRequest, canonicalUris, deriveSigningKey, sha256Hex, sign, stringToSign, SIGV4_ALGORITHM } from '../api/protocol/sigv4-canonical.js';

/** Where and as whom the CLI calls the server's `/_salvia/` API. */
export interface ApiTarget {
  readonly url: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Signs a request with SigV4 (signing name `salvia`) so it passes a server started with --auth. */
function signedHeaders(target: ApiTarget, method: string, url: URL, body: string): Record<string, string> {
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(body);
  const headers: Record<string, string> = { host: url.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
  if (body !== '') headers['content-type'] = 'application/json';
  const names = Object.keys(headers).sort();
  const canonical = canonicalRequest({
    method,
    canonicalUri: canonicalUris(url.pathname, 'salvia')[0] ?? '/',
    canonicalQuery: '',
    canonicalHeaders: names.map((name) => `${name}:${headers[name] ?? ''}\n`).join(''),
    signedHeaders: names,
    payloadHash,
  });
  const scope = `${date}/${target.region}/salvia/aws4_request`;
  const signature = sign(deriveSigningKey(target.secretAccessKey, date, target.region, 'salvia'), stringToSign(amzDate, scope, canonical));
  const { host: _host, ...rest } = headers;
  return { ...rest, authorization: `${SIGV4_ALGORITHM} Credential=${target.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

/**
 * Calls `/_salvia/<route>` with a signed JSON request and returns the parsed answer. Throws an
 * Error `<code>: <message>` for an error answer, or one that says the server cannot be reached.
 */
export async function callSalviaApi(target: ApiTarget, method: string, route: string, input?: object): Promise<Record<string, unknown>> {
  const url = new URL(`/_salvia/${route}`, target.url);
  const body = input === undefined ? '' : JSON.stringify(input);
  let response: Response;
  try {
    response = await fetch(url, { method, headers: signedHeaders(target, method, url, body), ...(body !== '' ? { body } : {}) });
  } catch (error) {
    throw new Error(`cannot reach the Salvia server at ${target.url} (${(error as Error).message}); start it with "salvia server" or pass --endpoint-url`, {
      cause: error,
    });
  }
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    throw new Error(`unexpected answer from ${target.url} (HTTP ${response.status}): ${text.slice(0, 200)}`);
  }
  if (!response.ok) throw new Error(`${String(parsed['__type'] ?? response.status)}: ${String(parsed['message'] ?? text)}`);
  return parsed;
}

/**
 * Splits a subcommand's arguments: positionals, the values of its own `valueOptions` (`--name v`
 * or `--name=v`), and the rest (server settings loadConfig understands, e.g. `--port 7071`).
 * Throws when one of `valueOptions` has no value.
 */
export function parseCliArgs(
  argv: readonly string[],
  valueOptions: readonly string[],
): { positional: string[]; options: Record<string, string>; rest: string[] } {
  const positional: string[] = [];
  const rest: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (valueOptions.includes(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`option ${flag} needs a value`);
      options[flag] = value;
    } else if (arg.startsWith('--')) {
      rest.push(arg);
      if (inline === undefined && argv[i + 1] !== undefined && !argv[i + 1]?.startsWith('--')) rest.push(argv[++i] ?? '');
    } else positional.push(arg);
  }
  return { positional, options, rest };
}

/** The server to call: `endpointUrl`, else $AWS_ENDPOINT_URL, else the configured --host/--port; keys from AWS_* or the server's first key. */
export function apiTarget(rest: string[], endpointUrl: string | undefined, env: NodeJS.ProcessEnv): ApiTarget {
  const config = loadConfig(rest, env);
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = endpointUrl ?? env['AWS_ENDPOINT_URL'] ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port === 0 ? 7070 : config.port}`;
  const key = config.accessKeys[0];
  return {
    url,
    region: config.region,
    accessKeyId: env['AWS_ACCESS_KEY_ID'] ?? key?.accessKeyId ?? 'salvia',
    secretAccessKey: env['AWS_SECRET_ACCESS_KEY'] ?? key?.secretAccessKey ?? 'salvia-secret-key',
  };
}

/** Rows as left-aligned columns separated by two spaces (the last column unpadded). */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ') + '\n').join('');
}
