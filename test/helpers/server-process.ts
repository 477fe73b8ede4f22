import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The repository root (the compiled helper lives in dist/test/helpers). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Credentials the test server knows (its default key). */
export const testCredentials = { accessKeyId: 'salvia', secretAccessKey: 'salvia-secret-key' } as const;
export const testRegion = 'us-east-1';

/** A real `salvia server` process on a free port with its own data directory. */
export interface ServerProcess {
  readonly url: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (as a crash would) and wait for exit. */
  kill9(): Promise<void>;
  /** Stops (if running), then starts a new server on the same data directory. */
  restart(): Promise<ServerProcess>;
  /** Stops and removes the data directory. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  readonly dataDir?: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Servers this test process started and has not seen exit: killed when the process exits, so a failed or timed-out test leaves no server behind. */
const liveServers = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveServers) child.kill('SIGKILL');
});

/** Starts `salvia server --port 0` and resolves once it prints its address. */
export async function startServer(options: StartOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'salvia-test-'));
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin/salvia.js'), 'server', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])], {
    env: { ...process.env, SALVIA_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveServers.add(child);
  child.once('exit', () => liveServers.delete(child));
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const match = /Salvia listening on (http:\/\/\S+)/.exec(text);
      if (match?.[1]) {
        child.stdout.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${text}`)));
  });
  const exited = (): Promise<void> => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined));
  const server: ServerProcess = {
    url,
    dataDir,
    child,
    output: () => text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited();
      }
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited();
      }
    },
    async restart() {
      await server.stop();
      return startServer({ ...options, dataDir });
    },
    async dispose() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Client settings for the `@aws-sdk/*` clients pointed at a test server. */
export function clientConfig(server: { url: string }) {
  return { endpoint: server.url, region: testRegion, credentials: testCredentials, forcePathStyle: true } as const;
}

/** Environment for boto3 and the AWS CLI pointed at a test server. */
export function awsEnv(server: { url: string }, home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ENDPOINT_URL: server.url,
    AWS_REGION: testRegion,
    AWS_DEFAULT_REGION: testRegion,
    AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
    AWS_CONFIG_FILE: path.join(home, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
}
