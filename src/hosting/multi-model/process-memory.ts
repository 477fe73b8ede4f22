import { readFile } from 'node:fs/promises';

/**
 * Resident memory (VmRSS of /proc/<pid>/status) summed over `pids`, in bytes. Processes that are
 * gone, or have no VmRSS line (zombies, kernel threads), count 0.
 */
export async function residentBytes(pids: readonly number[]): Promise<number> {
  const sizes = await Promise.all(
    pids.map(async (pid) => {
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      return match ? Number(match[1]) * 1024 : 0;
    }),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}
