/**
 * Escapes control characters the way SageMaker's log pipeline (rsyslog) stores them: each
 * character below 0x20 and DEL becomes `#` followed by its three-digit octal code, so a TAB is
 * `#011`. Training log lines are stored in this form and metric regexes match it (the built-in
 * XGBoost regexes rely on `#011`).
 */
export function escapeControlCharacters(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\x00-\x1f\x7f]/g, (c) => `#${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}
