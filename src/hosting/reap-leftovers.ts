import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { killGroup } from '../executors/process/supervisor.js';
import { processStartTime } from './model-server.js';

/** Files named `*.pid` anywhere below `dir`. */
function pidFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...pidFiles(full));
    else if (entry.name.endsWith('.pid')) found.push(full);
  }
  return found;
}

/**
 * At server start, before anything is deployed: kills the process groups of model servers a
 * previous server left running (it was killed without stopping them — without bubblewrap nothing
 * else ends them), each recognised by the pid and start time its pid file recorded, then removes the
 * old deployments' files under `endpointsDir`. Returns how many groups were killed.
 */
export function reapLeftovers(endpointsDir: string): number {
  if (!existsSync(endpointsDir)) return 0;
  let killed = 0;
  for (const file of pidFiles(endpointsDir)) {
    const [pid, started] = readFileSync(file, 'utf8').trim().split(' ');
    const id = Number(pid);
    if (!Number.isInteger(id) || id <= 1 || started === undefined || started === '') continue;
    if (processStartTime(id) !== started) continue;
    killGroup(id, 'SIGKILL');
    killed++;
  }
  rmSync(endpointsDir, { recursive: true, force: true });
  return killed;
}
