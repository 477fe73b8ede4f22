/** Java's POSIX classes (`\p{Alnum}` …), ASCII-only as in java.util.regex without UNICODE_CHARACTER_CLASS. */
const posixClasses: Readonly<Record<string, string>> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\u{0}-\\u{7f}',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\u{2f}:-@\\u{5b}-`\\u{7b}-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\u{0}-\\u{1f}\\u{7f}',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\u{b}\\f\\r',
};

/**
 * Translates a Java regular expression (as the AWS service models write them) to the source of a
 * JavaScript `u`-flag RegExp with the same meaning, or throws if it uses Java-only syntax.
 *
 * Handled: escaped punctuation that `u` mode rejects (`\_`, `\ `, `\-` outside a class) becomes a
 * literal code point; POSIX classes `\p{Alnum}` …; `\A`, `\z`, `\Z`; a quantifier on an anchor
 * (`(…)${1,128}` in the tag patterns, which Java accepts and means `$`) is dropped. Unicode
 * categories `\p{L}` … are native with the `u` flag. Not handled (throws): `\Q…\E`, nested classes
 * and `&&` intersections, possessive quantifiers — none occur in the SageMaker model today.
 */
export function javaPatternToJs(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new SyntaxError('trailing backslash');
      if (next === 'p' || next === 'P') {
        const match = /^\{(\w+)\}/.exec(pattern.slice(i + 2));
        const posix = match?.[1] === undefined ? undefined : posixClasses[match[1].replace(/^Is/, '')];
        if (match && posix !== undefined) {
          const negated = next === 'P';
          if (inClass && negated) throw new SyntaxError(`negated POSIX class inside a class: ${match[0]}`);
          out += inClass ? posix : `[${negated ? '^' : ''}${posix}]`;
          i += 1 + match[0].length;
          continue;
        }
        out += c + next;
        i++;
        continue;
      }
      if (next === 'Q' || next === 'E') throw new SyntaxError('\\Q…\\E quoting is not supported');
      if (!inClass && next === 'A') {
        out += '^';
        i++;
        continue;
      }
      if (!inClass && (next === 'z' || next === 'Z')) {
        out += '$';
        i++;
        continue;
      }
      if (/[0-9A-Za-z]/.test(next)) {
        out += c + next;
      } else {
        // Java lets any punctuation be escaped; JavaScript's `u` mode only syntax characters.
        out += `\\u{${next.codePointAt(0)!.toString(16)}}`;
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[') throw new SyntaxError('nested character classes are not supported');
      if (c === '&' && pattern[i + 1] === '&') throw new SyntaxError('class intersections are not supported');
      if (c === ']' && !/\[\^?$/.test(out)) inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      continue;
    }
    if ((c === '$' || c === '^') && /^(\{\d+(,\d*)?\}|[*+?])/.test(pattern.slice(i + 1))) {
      out += c;
      i += /^(\{\d+(,\d*)?\}|[*+?])/.exec(pattern.slice(i + 1))![0].length;
      continue;
    }
    if ((c === '+' || c === '*' || c === '?' || c === '}') && pattern[i + 1] === '+') throw new SyntaxError('possessive quantifiers are not supported');
    out += c;
  }
  return out;
}

const cache = new Map<string, RegExp | null>();

/**
 * The JavaScript RegExp that matches a whole string exactly when the Java `pattern` does, or
 * null if the pattern cannot be translated (such a constraint is then not checked; see
 * javaPatternToJs). Compiled once per pattern.
 */
export function compileJavaPattern(pattern: string): RegExp | null {
  let regex = cache.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(`^(?:${javaPatternToJs(pattern)})$`, 'u');
    } catch {
      regex = null;
    }
    cache.set(pattern, regex);
  }
  return regex;
}
