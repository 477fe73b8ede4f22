import { runSupervisor } from '../executors/index.js';

/** `salvia supervise <jobDir>`: the detached process that runs one job's instances (started by the server's ProcessExecutor). */
export async function runSupervise(argv: string[]): Promise<number> {
  const [jobDir] = argv;
  if (jobDir === undefined) {
    process.stderr.write('usage: salvia supervise <jobDir>\n');
    return 1;
  }
  return runSupervisor(jobDir);
}
