import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster for tests: initdb in a temp directory, `postgres` listening on
 * 127.0.0.1 at a free port with trust authentication. Runs as the `postgres` system user when the
 * tests run as root (PostgreSQL refuses root). If this process dies, the server stops by itself.
 */
export interface PostgresCluster {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The connection string of one database of this cluster. */
  url(database: string): string;
  /** Creates a fresh, empty database with a unique name and returns its connection string. */
  createDatabase(): Promise<string>;
  /** Fast shutdown, then removes the cluster's directory. */
  stop(): Promise<void>;
}

const superuser = 'salvia';

function isBinDir(dir: string): boolean {
  return existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'));
}

function versionOf(dir: string): number {
  return Number.parseFloat(path.basename(path.dirname(dir))) || 0;
}

/**
 * Where `initdb` and `postgres` are: `SALVIA_PG_BINDIR`, the newest /usr/lib/postgresql/<v>/bin,
 * `pg_config --bindir`, or the directory `initdb` on PATH links to. Undefined if none has both.
 */
export function findPostgresBinDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env['SALVIA_PG_BINDIR']) candidates.push(process.env['SALVIA_PG_BINDIR']);
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql').map((v) => path.join('/usr/lib/postgresql', v, 'bin'));
    candidates.push(...versions.sort((a, b) => versionOf(b) - versionOf(a)));
  }
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // no pg_config on PATH
  }
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean)) {
    const initdb = path.join(dir, 'initdb');
    if (existsSync(initdb)) candidates.push(path.dirname(realpathSync(initdb)));
  }
  return candidates.find(isBinDir);
}

/** The uid/gid to run PostgreSQL as: ourselves, or (as root) the `postgres` user, else `nobody`. */
function serverUser(): { uid: number; gid: number; name: string } | undefined {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? uid, name: 'self' };
  for (const name of ['postgres', 'nobody']) {
    try {
      const id = (flag: string): number => Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return { uid: id('-u'), gid: id('-g'), name };
    } catch {
      // no such user
    }
  }
  return undefined;
}

/**
 * Why PostgreSQL tests cannot run here, or undefined if they can. Prints a loud banner when they
 * cannot; with `SALVIA_REQUIRE_POSTGRES=1` it throws instead, so a CI that must test PostgreSQL fails.
 */
export function postgresSkipReason(): string | undefined {
  let reason: string | undefined;
  if (findPostgresBinDir() === undefined) reason = 'PostgreSQL is not installed (no initdb/postgres found; run scripts/setup-test-deps.sh)';
  else if (serverUser() === undefined) reason = 'running as root but there is no "postgres" or "nobody" user to run PostgreSQL as';
  if (reason === undefined) return undefined;
  if (process.env['SALVIA_REQUIRE_POSTGRES'] === '1') throw new Error(`SALVIA_REQUIRE_POSTGRES=1 but ${reason}`);
  const line = '!'.repeat(78);
  process.stderr.write(`\n${line}\n!! SKIPPING POSTGRESQL TESTS: ${reason}\n${line}\n\n`);
  return reason;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

function run(command: string, args: string[], user: { uid: number; gid: number }, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, uid: user.uid, gid: user.gid, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${path.basename(command)} exited ${code}:\n${output}`))));
  });
}

/**
 * Runs postgres under a tiny shell that stops it (fast shutdown) as soon as its stdin closes:
 * when stop() ends it, or when this test process dies, even by SIGKILL.
 */
const watchdog = `exec 3<&0
"$0" "$@" &
pg=$!
( read -r _ <&3; kill -INT "$pg" 2>/dev/null ) &
wait "$pg"`;

async function launch(binDir: string, dataDir: string, socketDir: string, port: number, user: { uid: number; gid: number }): Promise<ChildProcess> {
  const args = ['-D', dataDir, '-k', socketDir, '-h', '127.0.0.1', '-p', String(port)];
  for (const setting of ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=200', 'shared_buffers=32MB']) args.push('-c', setting);
  const child = spawn('sh', ['-c', watchdog, path.join(binDir, 'postgres'), ...args], {
    cwd: socketDir,
    uid: user.uid,
    gid: user.gid,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`postgres exited (${code}) before accepting connections:\n${log}`));
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', reject);
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

/** Starts a new cluster. Throws if PostgreSQL is not installed or does not start. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const binDir = findPostgresBinDir();
  const user = serverUser();
  if (binDir === undefined || user === undefined) throw new Error(postgresSkipReason() ?? 'PostgreSQL unavailable');
  // As root, the server runs as another user, which may not be able to enter a private TMPDIR.
  const base = user.name === 'self' || !existsSync('/tmp') ? tmpdir() : '/tmp';
  const root = mkdtempSync(path.join(base, 'salvia-pg-'));
  chownSync(root, user.uid, user.gid);
  chmodSync(root, 0o700);
  const dataDir = path.join(root, 'data');
  try {
    await run(path.join(binDir, 'initdb'), ['-D', dataDir, '-U', superuser, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], user, root);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; child === undefined; attempt++) {
    port = await freePort();
    try {
      child = await launch(binDir, dataDir, root, port, user);
    } catch (error) {
      // Another process may have taken the port between freePort() and postgres binding it.
      if (attempt >= 3 || !/could not (bind|create listen)/i.test(String(error))) {
        rmSync(root, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const server = child;
  // The server must not keep this test process alive; when the process ends, stdin closes
  // and the watchdog stops postgres.
  server.unref();
  for (const stream of [server.stdin, server.stdout, server.stderr]) (stream as unknown as Socket | null)?.unref();
  const url = (database: string): string => `postgres://${superuser}@127.0.0.1:${port}/${database}`;
  let counter = 0;
  let creating: Promise<unknown> = Promise.resolve();
  return {
    host: '127.0.0.1',
    port,
    user: superuser,
    url,
    createDatabase() {
      const name = `t${process.pid}_${++counter}_${Date.now().toString(36)}`;
      const create = creating.then(async () => {
        const admin = new pg.Client({ connectionString: url('postgres') });
        await admin.connect();
        try {
          await admin.query(`CREATE DATABASE "${name}"`);
        } finally {
          await admin.end();
        }
        return url(name);
      });
      creating = create.catch(() => undefined);
      return create;
    },
    async stop() {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = once(server, 'exit');
        server.ref();
        server.stdin?.end();
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

let shared: Promise<PostgresCluster> | undefined;

/** One cluster per test process, started on first use; stop it with stopSharedPostgres() in `after`. */
export function sharedPostgres(): Promise<PostgresCluster> {
  shared ??= startPostgresCluster();
  return shared;
}

/** Stops the shared cluster if one was started. */
export async function stopSharedPostgres(): Promise<void> {
  const cluster = shared;
  shared = undefined;
  if (cluster) await (await cluster).stop();
}
