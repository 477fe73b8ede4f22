import { spawn, spawnSync } from 'node:child_process';
import type { SidecarS3Access } from '../sidecar-s3.js';

let probed: boolean | undefined;

/** Whether a curl with `--aws-sigv4` (7.75+) is on PATH; probed once. */
export function curlAvailable(): boolean {
  if (probed === undefined) {
    const run = spawnSync('curl', ['--version'], { encoding: 'utf8', timeout: 5000 });
    const [major, minor] = (/^curl (\d+)\.(\d+)/.exec(run.stdout ?? '') ?? []).slice(1).map(Number);
    probed = run.status === 0 && major !== undefined && minor !== undefined && (major > 7 || (major === 7 && minor >= 75));
  }
  return probed;
}

/** Keys curl's SigV4 signing handles exactly as S3 canonicalises them (no characters that need percent-encoding). */
export function curlSafeKey(key: string): boolean {
  return /^[A-Za-z0-9._~/-]+$/.test(key) && !key.includes('//');
}

/** The GET URL of an object: path style, or virtual-hosted when the endpoint asks for it. */
export function objectUrl(access: SidecarS3Access, bucket: string, key: string): string {
  const endpoint = new URL(access.endpoint);
  const base = endpoint.pathname.replace(/\/+$/, '');
  if (access.forcePathStyle) return `${endpoint.protocol}//${endpoint.host}${base}/${bucket}/${key}`;
  return `${endpoint.protocol}//${bucket}.${endpoint.host}${base}/${key}`;
}

const quoted = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** How a curl run ended. */
export type PumpResult =
  { readonly kind: 'done' } | { readonly kind: 'reader-closed' } | { readonly kind: 'failed'; readonly url?: string; readonly detail: string };

/**
 * GETs `urls` one after the other on one connection with curl, writing the bodies straight into
 * `fd` (the FIFO): the bytes never pass through this process. The configuration (credentials
 * included) goes in on stdin, never on the command line. Exit 23 (write error: the reader closed
 * the pipe) ends the epoch; an HTTP error or a broken transfer names the URL.
 */
export async function curlPump(access: SidecarS3Access, urls: readonly string[], fd: number): Promise<PumpResult> {
  const config = ['silent', 'show-error', 'fail', 'fail-early', 'globoff', `write-out = ${quoted('%{stderr}salvia-url %{http_code} %{url_effective}\\n')}`];
  if (access.accessKeyId !== undefined && access.secretAccessKey !== undefined) {
    config.push(`aws-sigv4 = ${quoted(`aws:amz:${access.region}:s3`)}`, `user = ${quoted(`${access.accessKeyId}:${access.secretAccessKey}`)}`);
  }
  for (const url of urls) config.push(`url = ${quoted(url)}`);
  const curl = spawn('curl', ['--config', '-'], { stdio: ['pipe', fd, 'pipe'] });
  const { stdin, stderr: errors } = curl;
  if (!stdin || !errors) throw new Error('curl was started without its stdin/stderr pipes');
  let stderr = '';
  errors.setEncoding('utf8');
  errors.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-16384);
  });
  stdin.on('error', () => undefined);
  stdin.end(config.join('\n') + '\n');
  const code = await new Promise<number | null>((resolve, reject) => {
    curl.once('error', reject);
    curl.once('close', (exit) => resolve(exit));
  });
  if (code === 0) return { kind: 'done' };
  if (code === 23) return { kind: 'reader-closed' };
  const lines = stderr.split('\n');
  const reports = lines.filter((l) => l.startsWith('salvia-url '));
  const failing = reports.find((l) => !/^salvia-url 2\d\d /.test(l)) ?? reports[reports.length - 1];
  const url = failing?.split(' ')[2];
  const status = failing?.split(' ')[1];
  const message = lines.find((l) => l.startsWith('curl: ')) ?? `curl exited with code ${String(code)}`;
  return { kind: 'failed', ...(url !== undefined ? { url } : {}), detail: status !== undefined && status !== '000' ? `HTTP ${status} (${message})` : message };
}
