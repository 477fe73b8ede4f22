import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** ExitMessage's limit: the first 1 KB of the concatenated messages. */
const MAX_EXIT_MESSAGE_BYTES = 1024;

/** A container wrote an /opt/ml/output/message that is not UTF-8 (SageMaker fails such a job with ClientError). */
export class ExitMessageNotUtf8 extends Error {
  override readonly name = 'ExitMessageNotUtf8';
}

/** What the containers left in /opt/ml/output/message. */
export interface ExitMessages {
  /** DescribeProcessingJob.ExitMessage: every host's message concatenated (algo-1 first), cut to 1 KB; undefined when none wrote one. */
  readonly exitMessage?: string;
  /** Each host's whole message, by 1-based instance (undefined where none was written). */
  readonly byInstance: ReadonlyArray<string | undefined>;
}

/**
 * Reads `/opt/ml/output/message` of every instance directory (`instanceDirs[i]` is algo-(i+1)).
 * Throws ExitMessageNotUtf8 naming the host whose message is not valid UTF-8.
 */
export async function readExitMessages(instanceDirs: readonly string[]): Promise<ExitMessages> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const byInstance: Array<string | undefined> = [];
  for (const [i, dir] of instanceDirs.entries()) {
    const bytes = await readFile(path.join(dir, 'output', 'message')).catch(() => undefined);
    if (bytes === undefined) {
      byInstance.push(undefined);
      continue;
    }
    try {
      byInstance.push(decoder.decode(bytes));
    } catch (error) {
      throw new ExitMessageNotUtf8(`The exit message /opt/ml/output/message of algo-${i + 1} is not UTF-8 encoded.`, { cause: error });
    }
  }
  const written = byInstance.filter((m): m is string => m !== undefined);
  if (written.length === 0) return { byInstance };
  // Cut at 1 KB of bytes without splitting a character.
  const all = Buffer.from(written.join(''), 'utf8');
  const exitMessage =
    all.length <= MAX_EXIT_MESSAGE_BYTES
      ? all.toString('utf8')
      : new TextDecoder('utf-8').decode(all.subarray(0, MAX_EXIT_MESSAGE_BYTES)).replace(/\uFFFD+$/, '');
  return { exitMessage, byInstance };
}
