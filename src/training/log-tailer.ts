import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { LogStreamWriter, type LogAppender } from '../logs/index.js';
import { escapeControlCharacters, type MetricExtractor, type MetricSample } from './metrics/index.js';

/** The CloudWatch Logs group of training jobs. */
export const TRAINING_LOG_GROUP = '/aws/sagemaker/TrainingJobs';

const MAX_READ = 4 * 1024 * 1024;

/** Where a tailer's lines go besides their streams. */
export interface LogTailerOptions {
  /** The CloudWatch Logs group (TRAINING_LOG_GROUP, /aws/sagemaker/ProcessingJobs …). */
  readonly group: string;
  /** Every line also goes through the extractor; its samples are handed to `onSamples` after each poll. */
  readonly metrics?: { readonly extractor: MetricExtractor; readonly onSamples: (samples: MetricSample[]) => Promise<void> };
}

/** One instance's output file and where its lines go. */
interface Source {
  readonly file: string;
  readonly writer: LogStreamWriter;
  offset: number;
}

/**
 * Follows the instances' output files (`<epoch ms> <line>` per line, written by the supervisor)
 * into one CloudWatch stream per instance (`<job>/algo-<n>-<epoch s>`) of the options' group and,
 * if given, the metric extractor.
 * Offsets are saved next to the files after each flush, so a restarted server resumes where the
 * previous one stopped.
 */
export class LogTailer {
  private readonly sources: Source[];
  /** The offsets as last written to offsetsFile (unchanged offsets are not written again). */
  private savedOffsets: string | undefined;

  constructor(
    appender: LogAppender,
    streams: ReadonlyArray<{ readonly file: string; readonly stream: string }>,
    private readonly offsetsFile: string,
    private readonly options: LogTailerOptions,
  ) {
    this.sources = streams.map(({ file, stream }) => ({ file, writer: new LogStreamWriter(appender, options.group, stream), offset: 0 }));
  }

  /** Loads saved offsets (after a restart). */
  async resume(): Promise<void> {
    const saved = JSON.parse(await readFile(this.offsetsFile, 'utf8').catch(() => '[]')) as number[];
    this.sources.forEach((s, i) => (s.offset = saved[i] ?? 0));
  }

  /** Writes a line that is not program output (runtime set-up progress) to an instance's stream. */
  note(instance: number, line: string): void {
    this.sources[instance]?.writer.write(line);
  }

  /** Reads every complete new line of every file; returns whether anything was read. */
  async poll(): Promise<boolean> {
    let any = false;
    const samples: MetricSample[] = [];
    for (const source of this.sources) {
      // Opened only when it grew: most polls of a quiet job find nothing new.
      const size = (await stat(source.file).catch(() => undefined))?.size;
      if (size === undefined || size <= source.offset) continue;
      const handle = await open(source.file, 'r').catch(() => undefined);
      if (!handle) continue;
      try {
        // At most 4 MiB per file and poll, so a backlog (after a restart) is read in steps.
        const buffer = Buffer.alloc(Math.min(size - source.offset, MAX_READ));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, source.offset);
        let end = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
        if (end < 0 && bytesRead < MAX_READ) continue;
        if (end < 0) end = bytesRead; // one line longer than a read: taken as is (the writer splits it)
        const text = buffer.subarray(0, end).toString('utf8');
        source.offset += end === bytesRead ? bytesRead : end + 1;
        any = true;
        for (const raw of text.split('\n')) {
          const space = raw.indexOf(' ');
          const timestamp = Number(raw.slice(0, space));
          // Stored as SageMaker's log pipeline stores it: TAB as #011 and other control characters escaped.
          const line = escapeControlCharacters(raw.slice(space + 1));
          const at = Number.isFinite(timestamp) && space > 0 ? timestamp : Date.now();
          if (line !== '') source.writer.write(line, at);
          if (this.options.metrics) samples.push(...this.options.metrics.extractor.feed(line, at));
        }
      } finally {
        await handle.close();
      }
    }
    if (samples.length > 0 && this.options.metrics) await this.options.metrics.onSamples(samples);
    return any;
  }

  /** Stores everything buffered and saves the offsets. */
  async flush(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.writer.flush()));
    await this.saveOffsets();
  }

  /** Reads what is left, stores it and closes the streams: call before the job leaves InProgress. */
  async close(): Promise<void> {
    while (await this.poll()) {
      // reads are capped per poll: drain the whole backlog
    }
    await Promise.all(this.sources.map((s) => s.writer.close()));
    await this.saveOffsets();
  }

  private async saveOffsets(): Promise<void> {
    const offsets = JSON.stringify(this.sources.map((s) => s.offset));
    if (offsets === this.savedOffsets) return;
    await writeFile(this.offsetsFile, offsets);
    this.savedOffsets = offsets;
  }
}
