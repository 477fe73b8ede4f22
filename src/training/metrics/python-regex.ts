/** A Python `re` pattern rewritten for JavaScript's RegExp. */
export interface TranslatedRegex {
  readonly source: string;
  /** RegExp flags from Python's leading inline flags (`(?i)` → `i`, `(?s)` → `s`, `(?m)` → `m`). */
  readonly flags: string;
}

const START_OF_INPUT = '(?<![\\s\\S])';
const END_OF_INPUT = '(?![\\s\\S])';

/**
 * Rewrites the parts of Python's regex syntax that JavaScript spells differently, so that
 * SageMaker MetricDefinitions (matched with Python's `re.search`) behave the same here:
 * `(?P<name>…)` → `(?<name>…)`, `(?P=name)` → `\k<name>`, `\A` / `\Z` → start/end of input,
 * `(?#comment)` removed, `{,n}` → `{0,n}`, a `]` first in a character class taken literally,
 * leading global flags `(?aiLmsux)` → RegExp flags (`x` strips whitespace and `#` comments).
 * Everything else is passed through; the caller compiles the result (which is where a pattern
 * that is invalid in both dialects fails). Never throws.
 */
export function translatePythonRegex(pattern: string): TranslatedRegex {
  let rest = pattern;
  const flagSet = new Set<string>();
  for (let m = /^\(\?([aiLmsux]+)\)/.exec(rest); m; m = /^\(\?([aiLmsux]+)\)/.exec(rest)) {
    for (const f of m[1] ?? '') flagSet.add(f);
    rest = rest.slice(m[0].length);
  }
  const verbose = flagSet.has('x');
  let out = '';
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i] ?? '';
    if (c === '\\') {
      const next = rest[i + 1];
      if (next === undefined) {
        out += c;
        continue;
      }
      i++;
      if (!inClass && next === 'A') out += START_OF_INPUT;
      else if (!inClass && (next === 'Z' || next === 'z')) out += END_OF_INPUT;
      else out += c + next;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (rest[i + 1] === '^') out += rest[++i];
      if (rest[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (verbose && /\s/.test(c)) continue;
    if (verbose && c === '#') {
      while (i + 1 < rest.length && rest[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '(' && rest.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    if (c === '(' && rest.startsWith('(?P=', i)) {
      const close = rest.indexOf(')', i);
      if (close > 0) {
        out += `\\k<${rest.slice(i + 4, close)}>`;
        i = close;
        continue;
      }
    }
    if (c === '(' && rest.startsWith('(?#', i)) {
      const close = rest.indexOf(')', i);
      if (close > 0) {
        i = close;
        continue;
      }
    }
    if (c === '{') {
      const m = /^\{,(\d+)\}/.exec(rest.slice(i));
      if (m) {
        out += `{0,${m[1]}}`;
        i += m[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  const flags = ['i', 'm', 's'].filter((f) => flagSet.has(f)).join('');
  return { source: out, flags };
}
