import type { WriteStream } from 'node:fs';

/**
 * Turns a byte stream into timestamped lines (`<epoch ms> <line>\n`) appended to `out`; `onLine`
 * sees each line too. Resolves at the stream's end (or error).
 */
export function pipeLines(source: NodeJS.ReadableStream, out: WriteStream, onLine?: (line: string) => void): Promise<void> {
  let partial = '';
  source.setEncoding('utf8');
  source.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    const now = Date.now();
    for (const raw of lines) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      out.write(`${now} ${line}\n`);
      onLine?.(line);
    }
  });
  return new Promise((resolve) => {
    source.once('end', () => {
      if (partial !== '') {
        out.write(`${Date.now()} ${partial}\n`);
        onLine?.(partial);
      }
      resolve();
    });
    source.once('error', () => resolve());
  });
}
