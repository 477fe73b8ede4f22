/**
 * One CSV row as SageMaker's DataProcessing sees it: a JSON array of its fields. Fields keep their
 * text exactly (a quoted field keeps its quotes), so selecting and re-joining never changes a value.
 */
export function csvFields(row: string): string[] {
  const fields: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < row.length; i++) {
    const c = row.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x2c && !quoted) {
      fields.push(row.slice(start, i));
      start = i + 1;
    }
  }
  fields.push(row.slice(start));
  return fields;
}

/**
 * A selected value back as a CSV row: an array's elements joined by commas (strings as they are,
 * other values as JSON), a single value as one field.
 */
export function csvRow(value: unknown): string {
  return Array.isArray(value) ? value.map(csvField).join(',') : csvField(value);
}

function csvField(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}
