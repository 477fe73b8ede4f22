// Entry point of a Pipe-mode feeder sidecar: `node pipe-feeder-main.js <plan.json>`. Light on
// purpose (no server, database or CLI imports): it starts with every Pipe job.
import { readFileSync, writeFileSync } from 'node:fs';
import type { FeederPlan } from './feeder-plan.js';
import { FeederFailure, runFeeder } from './pipe-feeder.js';

const planFile = process.argv[2];
if (planFile === undefined) {
  process.stderr.write('usage: pipe-feeder-main.js <plan.json>\n');
  process.exit(2);
}
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as FeederPlan;
runFeeder(plan).catch((error: unknown) => {
  const reason = error instanceof FeederFailure ? error.message : `Pipe input could not be fed: ${error instanceof Error ? error.message : String(error)}`;
  try {
    writeFileSync(plan.failureFile, reason);
  } catch {
    // the reason still goes to the log
  }
  process.stderr.write(`salvia pipe: ${reason}\n`);
  process.exit(1);
});
