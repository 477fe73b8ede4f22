import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

/** How instances are isolated: bubblewrap (real /opt/ml, hostnames, network isolation) or plain processes. */
export interface SandboxOptions {
  readonly host: string;
  readonly optMlDir: string;
  /** A generated hosts file mapping every algo-N to its own loopback address. */
  readonly hostsFile: string;
  readonly networkIsolation: boolean;
  readonly cwd?: string;
  /** Host directories mounted below /opt/ml (`--ro-bind` when read-only, else `--bind`), after /opt/ml itself. */
  readonly binds?: readonly { readonly hostPath: string; readonly containerPath: string; readonly readOnly: boolean }[];
}

let probed: boolean | undefined;

/** Whether `bwrap` exists and can create the namespaces we use; probed once per process. */
export function bubblewrapWorks(): boolean {
  probed ??=
    spawnSync('bwrap', ['--die-with-parent', '--bind', '/', '/', '--tmpfs', '/opt', '--unshare-uts', '--hostname', 'algo-1', '--unshare-net', 'true'], {
      stdio: 'ignore',
      timeout: 10_000,
    }).status === 0;
  return probed;
}

/** `/etc/hosts` text for `count` hosts: `algo-N` → `127.0.0.<N+1>` (distinct loopback addresses), plus localhost. */
export function hostsFileText(count: number): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  for (let n = 1; n <= count; n++) lines.push(`127.0.0.${n + 1}\talgo-${n}`);
  return lines.join('\n') + '\n';
}

/**
 * The bubblewrap argv that runs `command` for one instance: the host's file system as is, `/opt`
 * replaced by a tmpfs holding the host's own /opt entries plus the instance directory at `/opt/ml`,
 * its own UTS namespace with hostname algo-N, the generated /etc/hosts, no network with
 * isolation, file-system channels bound below /opt/ml (read-only or not), and killed with its
 * supervisor (`--die-with-parent`).
 */
export function bubblewrapArgv(command: readonly string[], options: SandboxOptions, hostOpt: readonly string[] = listOpt()): string[] {
  const argv = ['bwrap', '--die-with-parent', '--bind', '/', '/', '--tmpfs', '/opt'];
  for (const entry of hostOpt) if (entry !== 'ml') argv.push('--bind', `/opt/${entry}`, `/opt/${entry}`);
  argv.push('--bind', options.optMlDir, '/opt/ml');
  for (const bind of options.binds ?? []) argv.push(bind.readOnly ? '--ro-bind' : '--bind', bind.hostPath, bind.containerPath);
  argv.push('--ro-bind', options.hostsFile, '/etc/hosts', '--unshare-uts', '--hostname', options.host);
  if (options.networkIsolation) argv.push('--unshare-net');
  if (options.cwd !== undefined) argv.push('--chdir', options.cwd);
  argv.push('--', ...command);
  return argv;
}

function listOpt(): string[] {
  try {
    return readdirSync('/opt');
  } catch {
    return [];
  }
}
