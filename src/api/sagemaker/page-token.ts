import { ValidationException } from '../../errors/index.js';
import type { PageCursor } from '../../resources/index.js';

interface TokenBody {
  /** Sort field and order the token was issued for. */
  readonly s: string;
  readonly o: string;
  readonly v: string | number;
  readonly n: string;
}

/** An opaque NextToken: base64url JSON of the sort field, order and where the page ended. */
export function encodePageToken(sortBy: string, sortOrder: string, cursor: PageCursor): string {
  const body: TokenBody = { s: sortBy, o: sortOrder, v: cursor.value, n: cursor.name };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/**
 * Reads a NextToken issued by encodePageToken for the same sort field and order.
 * Throws ValidationException `Invalid pagination token …` for anything else.
 */
export function decodePageToken(token: string, sortBy: string, sortOrder: string): PageCursor {
  const invalid = (): ValidationException => new ValidationException(`Invalid pagination token "${token}": it was not issued for this request or is corrupt.`);
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    throw new ValidationException(invalid().message, { cause: error });
  }
  if (typeof body !== 'object' || body === null) throw invalid();
  const { s, o, v, n } = body as Partial<TokenBody>;
  if (s !== sortBy || o !== sortOrder || typeof n !== 'string' || (typeof v !== 'string' && typeof v !== 'number')) throw invalid();
  return { value: v, name: n };
}
