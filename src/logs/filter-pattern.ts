import { InvalidParameter } from '../errors/index.js';

/** A compiled filter pattern: true if a message matches. */
export type MessageMatcher = (message: string) => boolean;

/**
 * Compiles a CloudWatch Logs filter pattern for unstructured messages. Supported: an empty pattern
 * (everything), terms (all must occur; case-sensitive), `"quoted phrases"`, `?term` (at least one
 * of the `?` terms must occur), `-term` (must not occur), and `%regex%`. JSON (`{ $.x = … }`) and
 * space-delimited (`[a, b]`) patterns throw InvalidParameter.
 */
export function compileFilterPattern(pattern: string | undefined): MessageMatcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{') || text.startsWith('[')) {
    throw new InvalidParameter(
      'Invalid filter pattern: Salvia supports term, "quoted phrase", ?optional, -excluded and %regex% patterns, not JSON or space-delimited ones.',
    );
  }
  if (text.length > 2 && text.startsWith('%') && text.endsWith('%')) {
    let regex: RegExp;
    try {
      regex = new RegExp(text.slice(1, -1));
    } catch (error) {
      throw new InvalidParameter(`Invalid filter pattern: ${(error as Error).message}`, { cause: error });
    }
    return (message) => regex.test(message);
  }
  const required: string[] = [];
  const optional: string[] = [];
  const excluded: string[] = [];
  const tokens = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  for (const match of text.matchAll(tokens)) {
    const sign = match[1] ?? '';
    const term = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
    if (term === '') continue;
    (sign === '?' ? optional : sign === '-' ? excluded : required).push(term);
  }
  return (message) =>
    required.every((t) => message.includes(t)) &&
    (optional.length === 0 || optional.some((t) => message.includes(t))) &&
    !excluded.some((t) => message.includes(t));
}
