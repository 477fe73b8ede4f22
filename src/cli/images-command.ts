import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/index.js';
import { canonicalRequest, canonicalUris, deriveSigningKey, sha256Hex, sign, stringToSign, SIGV4_ALGORITHM } from '../api/protocol/sigv4-canonical.js';

const usage = `usage:
  salvia images add <repository> <directory> [--entrypoint <path>]   register a directory as an image
  salvia images list                                                  list registered images
  salvia images remove <repository>                                   unregister an image
options: --endpoint-url <url> (default: $AWS_ENDPOINT_URL, else the server's --host/--port), and the server's settings (--port …)
A directory is laid out like a bring-your-own container: executables "train" and "serve" at its top,
run with no arguments; or give --entrypoint, run as "<entrypoint> train" / "<entrypoint> serve".
`;

/** Where and as whom the CLI calls the server. */
interface Target {
  readonly url: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Signs a request with SigV4 (signing name `salvia`) so it passes a server started with --auth. */
function signedHeaders(target: Target, method: string, url: URL, body: string): Record<string, string> {
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

async function call(target: Target, method: string, route: string, input?: object): Promise<Record<string, unknown>> {
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

/** Splits the CLI's own options from the server settings loadConfig understands. */
function parseArgs(argv: readonly string[]): { positional: string[]; entrypoint?: string; endpointUrl?: string; rest: string[] } {
  const positional: string[] = [];
  const rest: string[] = [];
  let entrypoint: string | undefined;
  let endpointUrl: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--entrypoint' || flag === '--endpoint-url') {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`option ${flag} needs a value`);
      if (flag === '--entrypoint') entrypoint = value;
      else endpointUrl = value;
    } else if (arg.startsWith('--')) {
      rest.push(arg);
      if (inline === undefined && argv[i + 1] !== undefined && !argv[i + 1]?.startsWith('--')) rest.push(argv[++i] ?? '');
    } else positional.push(arg);
  }
  return { positional, rest, ...(entrypoint !== undefined ? { entrypoint } : {}), ...(endpointUrl !== undefined ? { endpointUrl } : {}) };
}

function target(rest: string[], endpointUrl: string | undefined, env: NodeJS.ProcessEnv): Target {
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

/**
 * `salvia images add|list|remove`: manages the user images of a running server through its
 * `/_salvia/images` API. Returns the exit code; prints usage on bad arguments.
 */
export async function runImages(argv: string[]): Promise<number> {
  const [sub, ...args] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(usage);
    return sub === undefined ? 1 : 0;
  }
  const { positional, entrypoint, endpointUrl, rest } = parseArgs(args);
  const server = target(rest, endpointUrl, process.env);
  switch (sub) {
    case 'add': {
      const [repository, directory] = positional;
      if (repository === undefined || directory === undefined || positional.length > 2) break;
      const resolvedEntrypoint = entrypoint === undefined || path.isAbsolute(entrypoint) || !existsSync(entrypoint) ? entrypoint : path.resolve(entrypoint);
      const image = await call(server, 'PUT', `images/${encodeURIComponent(repository)}`, {
        Directory: path.resolve(directory),
        ...(resolvedEntrypoint !== undefined ? { Entrypoint: resolvedEntrypoint } : {}),
      });
      process.stdout.write(
        `registered ${String(image['Repository'])} -> ${String(image['Directory'])}${image['Entrypoint'] ? ` (entrypoint ${String(image['Entrypoint'])})` : ''}\n`,
      );
      return 0;
    }
    case 'list': {
      if (positional.length > 0) break;
      const { Images: images = [] } = (await call(server, 'GET', 'images')) as { Images?: Record<string, unknown>[] };
      const rows = [
        ['REPOSITORY', 'DIRECTORY', 'ENTRYPOINT'],
        ...images.map((i) => [String(i['Repository']), String(i['Directory']), i['Entrypoint'] ? String(i['Entrypoint']) : '-']),
      ];
      const widths = [0, 1].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
      for (const row of rows) process.stdout.write(`${(row[0] ?? '').padEnd(widths[0] ?? 0)}  ${(row[1] ?? '').padEnd(widths[1] ?? 0)}  ${row[2] ?? ''}\n`);
      return 0;
    }
    case 'remove': {
      const [repository] = positional;
      if (repository === undefined || positional.length > 1) break;
      await call(server, 'DELETE', `images/${encodeURIComponent(repository)}`);
      process.stdout.write(`removed ${repository}\n`);
      return 0;
    }
    default:
      process.stderr.write(`salvia images: unknown subcommand "${sub}"\n\n`);
  }
  process.stderr.write(usage);
  return 1;
}
