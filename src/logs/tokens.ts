import type { EventPosition } from './log-repository.js';
import { InvalidParameter } from '../errors/index.js';

// Paging tokens. GetLogEvents uses `f/<timestamp>/<seq>` (events after) and `b/<timestamp>/<seq>`
// (events before) like CloudWatch's `f/…`/`b/…` tokens; the others are base64url JSON.

const invalid = (): InvalidParameter => new InvalidParameter('The specified nextToken is invalid.');

export function forwardToken(position: EventPosition): string {
  return `f/${position.timestamp}/${position.seq}`;
}

export function backwardToken(position: EventPosition): string {
  return `b/${position.timestamp}/${position.seq}`;
}

/** Parses a GetLogEvents token; throws InvalidParameter if it is not one of ours. */
export function parseEventToken(token: string): { direction: 'forward' | 'backward'; position: EventPosition } {
  const match = /^([fb])\/(-?\d{1,16})\/(-?\d{1,16})$/.exec(token);
  if (!match) throw invalid();
  return { direction: match[1] === 'f' ? 'forward' : 'backward', position: { timestamp: Number(match[2]), seq: Number(match[3]) } };
}

/** An opaque token for a JSON-able cursor, tagged with its kind. */
export function encodeToken(kind: string, cursor: object): string {
  return Buffer.from(JSON.stringify({ k: kind, ...cursor }), 'utf8').toString('base64url');
}

/** Decodes a token from encodeToken; throws InvalidParameter if it is malformed or of another kind. */
export function decodeToken(kind: string, token: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof value !== 'object' || value === null || (value as { k?: unknown }).k !== kind) throw invalid();
  return value as Record<string, unknown>;
}

export function tokenString(cursor: Record<string, unknown>, key: string): string {
  const value = cursor[key];
  if (typeof value !== 'string') throw invalid();
  return value;
}

export function tokenNumber(cursor: Record<string, unknown>, key: string): number {
  const value = cursor[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid();
  return value;
}
