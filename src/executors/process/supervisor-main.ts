// Entry point of the detached supervisor: `node supervisor-main.js <jobDir>`. The same as
// `salvia supervise <jobDir>`, without loading the whole CLI (≈0.6 s of imports) on every job start.
import { runSupervisor } from './supervisor.js';

const jobDir = process.argv[2];
if (jobDir === undefined) {
  process.stderr.write('usage: supervisor-main.js <jobDir>\n');
  process.exitCode = 1;
} else {
  runSupervisor(jobDir).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`salvia supervise: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
