import type { RecordBatch } from '../records/index.js';
import { csvFields, csvRow } from './csv-row.js';
import { DataProcessingError } from './data-processing-error.js';
import type { DataProcessingSpec } from './data-processing-spec.js';
import { parseJsonPath, selectJsonPath, type JsonPath } from './json-path.js';

/** Per-job record processing for DataProcessing (InputFilter, JoinSource, OutputFilter). */
export interface RecordProcessor {
  /** The request body for a batch: each record passed through InputFilter, re-joined with `\n`. */
  request(batch: RecordBatch): Buffer;
  /**
   * The outputs for a batch's response: one output per record (no line ends), each joined with its
   * original input record when JoinSource=Input, then OutputFilter applied. When neither JoinSource
   * nor OutputFilter is set the response is returned whole (`[body]`). Throws DataProcessingError
   * naming the cause (record count mismatch, unparsable JSON, a filter that does not apply …).
   */
  response(batch: RecordBatch, body: Buffer): Buffer[];
}

/** Content types of the job, used to decide between CSV and JSON handling. */
export interface RecordTypes {
  readonly contentType?: string;
  readonly accept?: string;
}

type Format = 'csv' | 'json' | 'sniff';

/**
 * The job's record processor; `undefined` when DataProcessing is absent or all defaults (the runner
 * then posts batch.body and writes responses as they are). CSV or JSON handling follows the
 * content type (`…csv…` / `…json…`; TransformInput.ContentType for input records, the Accept for
 * outputs) and is sniffed per record otherwise (`{` or `[` first: JSON). Throws DataProcessingError
 * for a filter outside the supported JSONPath subset (validateDataProcessing refuses those first).
 */
export function recordProcessor(dp: DataProcessingSpec | undefined, types: RecordTypes): RecordProcessor | undefined {
  const input = filter(dp?.InputFilter, 'InputFilter');
  const output = filter(dp?.OutputFilter, 'OutputFilter');
  const join = dp?.JoinSource === 'Input';
  if (!input && !output && !join) return undefined;
  return new FilteringProcessor(input, output, join, format(types.contentType), format(types.accept));
}

function filter(expression: string | undefined, member: string): JsonPath | undefined {
  if (expression === undefined) return undefined;
  try {
    const path = parseJsonPath(expression);
    return path.identity ? undefined : path;
  } catch (error) {
    throw new DataProcessingError(`${member} ${JSON.stringify(expression)} is not a supported JSONPath expression: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function format(contentType: string | undefined): Format {
  const type = contentType?.toLowerCase() ?? '';
  if (type.includes('csv')) return 'csv';
  if (type.includes('json')) return 'json';
  return 'sniff';
}

function resolve(declared: Format, text: string): 'csv' | 'json' {
  if (declared !== 'sniff') return declared;
  const first = text.trimStart()[0];
  return first === '{' || first === '[' ? 'json' : 'csv';
}

class FilteringProcessor implements RecordProcessor {
  constructor(
    private readonly input: JsonPath | undefined,
    private readonly output: JsonPath | undefined,
    private readonly join: boolean,
    private readonly inputFormat: Format,
    private readonly outputFormat: Format,
  ) {}

  request(batch: RecordBatch): Buffer {
    const input = this.input;
    if (!input) return batch.body;
    const rows = batch.records.map((record, i) => {
      const text = record.toString('utf8');
      const kind = resolve(this.inputFormat, text);
      const value = selectOrFail(input, parse(kind, text, `input record ${i + 1} of the batch`), 'InputFilter', i);
      return kind === 'csv' ? csvRow(value) : JSON.stringify(value);
    });
    return Buffer.from(rows.join('\n'));
  }

  response(batch: RecordBatch, body: Buffer): Buffer[] {
    if (!this.join && !this.output) return [body];
    const outputs = splitOutputs(body.toString('utf8'), batch.records.length);
    return outputs.map((text, i) => {
      let kind: 'csv' | 'json';
      let value: unknown;
      if (this.join) {
        const original = (batch.records[i] as Buffer).toString('utf8');
        kind = resolve(this.inputFormat, original);
        value = joined(kind, original, text, i);
      } else {
        kind = resolve(this.outputFormat, text);
        value = parse(kind, text, `output record ${i + 1} of the batch`);
      }
      if (this.output) value = selectOrFail(this.output, value, 'OutputFilter', i);
      return Buffer.from(kind === 'csv' ? csvRow(value) : JSON.stringify(value));
    });
  }
}

/** One input record joined with its output: CSV columns appended; JSON under SageMakerOutput. */
function joined(kind: 'csv' | 'json', input: string, output: string, index: number): unknown {
  if (kind === 'csv') return [...csvFields(input), ...csvFields(output)];
  const source = parse('json', input, `input record ${index + 1} of the batch`);
  const result = parseLenient(output);
  if (typeof source === 'object' && source !== null && !Array.isArray(source)) return { ...(source as Record<string, unknown>), SageMakerOutput: result };
  return { SageMakerInput: source, SageMakerOutput: result };
}

function parse(kind: 'csv' | 'json', text: string, what: string): unknown {
  if (kind === 'csv') return csvFields(text);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DataProcessingError(`${what} is not valid JSON (${(error as Error).message}): ${excerpt(text)}`, { cause: error });
  }
}

/** An output joined into JSON: its JSON value, or the text itself when it is not JSON (e.g. `0.1,0.9`). */
function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function selectOrFail(path: JsonPath, value: unknown, member: string, index: number): unknown {
  try {
    return selectJsonPath(path, value);
  } catch (error) {
    throw new DataProcessingError(
      `${member} ${JSON.stringify(path.source)} cannot be applied to record ${index + 1} of the batch: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * A response split into one output per record: its lines (a final newline and CRs dropped); when
 * the line count differs, a single JSON document holding an array of `count` items (a top-level
 * array or `{"predictions": [...]}`) gives one output per item.
 */
export function splitOutputs(text: string, count: number): string[] {
  const trimmed = text.endsWith('\n') ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
  const lines = trimmed === '' ? [] : trimmed.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines.length === count) return lines;
  const items = jsonItems(text);
  if (items && items.length === count) return items.map((item) => JSON.stringify(item));
  throw new DataProcessingError(
    `the model returned ${lines.length} output record${lines.length === 1 ? '' : 's'} for ${count} input record${count === 1 ? '' : 's'}, so outputs cannot be matched to inputs (response: ${excerpt(text)})`,
  );
}

function jsonItems(text: string): unknown[] | undefined {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    const document = JSON.parse(text) as unknown;
    if (Array.isArray(document)) return document;
    const predictions = (document as { predictions?: unknown }).predictions;
    return Array.isArray(predictions) ? predictions : undefined;
  } catch {
    return undefined;
  }
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 120 ? `${flat.slice(0, 120)}…` : flat);
}
