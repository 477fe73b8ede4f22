import { LogStreamWriter, type LogAppender } from '../../logs/index.js';

/** CloudWatch Logs group of every transform job. */
export const transformLogGroup = '/aws/sagemaker/TransformJobs';

/**
 * An instance's `<job>/<instance-id>/data-log` stream: the platform's lines about the job's data, each
 * written as SageMaker writes them, `<ISO time>:[sagemaker logs]: <message>` (`<bucket>/<key>: <message>`
 * for a file's lines).
 */
export class DataLog {
  private readonly writer: LogStreamWriter;

  private constructor(writer: LogStreamWriter) {
    this.writer = writer;
  }

  /** Creates the stream (so it is listed even while empty). Throws the log service's error. */
  static async open(logs: LogAppender, jobName: string, instanceId: string): Promise<DataLog> {
    const stream = `${jobName}/${instanceId}/data-log`;
    await logs.append(transformLogGroup, stream, []);
    return new DataLog(new LogStreamWriter(logs, transformLogGroup, stream));
  }

  /** One line. */
  line(message: string, now: Date = new Date()): void {
    try {
      this.writer.write(`${now.toISOString().replace(/Z$/, '')}:[sagemaker logs]: ${message}`, now.getTime());
    } catch {
      // closed (the job has ended): the line is dropped
    }
  }

  /** Lines about one input file, each prefixed `<bucket>/<key>: `. */
  fileLines(file: string, lines: readonly string[]): void {
    const now = new Date();
    for (const text of lines) this.line(`${file}: ${text}`, now);
  }

  /** Stores every line written; later lines are dropped. */
  async close(): Promise<void> {
    await this.writer.close().catch(() => undefined);
  }
}
