import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** How a logged process ended, with its last output lines (for error messages). */
export interface LoggedRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Spawn failure (interpreter not found …). */
  readonly error?: Error;
  readonly tail: string[];
}

/**
 * Runs `command` and hands each stdout/stderr line to `onLog` as it comes. Never throws: the
 * outcome (exit code, signal or spawn error) and the last 20 lines are returned.
 */
export async function runLogged(
  command: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; onLog: (line: string) => void },
): Promise<LoggedRun> {
  const [file, ...args] = command;
  const tail: string[] = [];
  const push = (line: string): void => {
    options.onLog(line);
    tail.push(line);
    if (tail.length > 20) tail.shift();
  };
  return new Promise<LoggedRun>((resolve) => {
    const child = spawn(file ?? '', args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let error: Error | undefined;
    let open = 2;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const finish = (): void => {
      if (exit && open === 0) resolve({ ...exit, tail, ...(error ? { error } : {}) });
    };
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', push);
      stream.on('close', () => {
        open--;
        finish();
      });
    }
    child.on('error', (e) => {
      error = e;
      exit = { code: null, signal: null };
      finish();
    });
    child.on('close', (code, signal) => {
      exit ??= { code, signal };
      finish();
    });
  });
}
