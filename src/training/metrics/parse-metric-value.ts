const DIGITS = String.raw`\d(?:_?\d)*`;
const DECIMAL = new RegExp(String.raw`^[+-]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);
const SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;

/**
 * Parses a captured metric value as Python's `float()` does (surrounding whitespace, a sign,
 * `1_000.5`, `.5`, `5.`, `1e-3`, `inf`, `nan`), returning undefined for anything else.
 * Non-finite values (`nan`, `±inf`) are parsed but reported as undefined too: they cannot be
 * carried in a JSON number (FinalMetricDataList) nor ranked by tuning, so such samples are dropped.
 */
export function parseMetricValue(text: string): number | undefined {
  const trimmed = text.trim();
  if (SPECIAL.test(trimmed)) return undefined;
  if (!DECIMAL.test(trimmed)) return undefined;
  const value = Number(trimmed.replace(/_/g, ''));
  return Number.isFinite(value) ? value : undefined;
}
