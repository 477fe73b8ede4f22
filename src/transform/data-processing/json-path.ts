/**
 * The JSONPath subset SageMaker's DataProcessing filters support: `$`, `.name`, `['name']` /
 * `["name"]`, `['a','b']` (several names, also after a dot: `.['a','b']`), `*` / `.*` / `[*]`,
 * `[n]` (negative counts from the end), `[n,m]`, slices `[s:e]` (either bound optional, negative
 * allowed), and unions of indexes and slices (`[0,5:]`).
 *
 * Results: a path of only names and single indexes selects one value; `['a','b']` on one object
 * selects an object with those members (those present); a wildcard, a union or a slice selects an
 * array of the matches (later segments apply to each match).
 */
export type JsonPathSegment =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'names'; readonly names: readonly string[] }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'union'; readonly items: readonly IndexItem[] };

/** One item of a bracket union: an index or a slice (`end` undefined: to the end). */
export type IndexItem = { readonly kind: 'index'; readonly index: number } | { readonly kind: 'slice'; readonly start?: number; readonly end?: number };

/** A parsed expression; `identity` when it is `$` (or empty). */
export interface JsonPath {
  readonly source: string;
  readonly segments: readonly JsonPathSegment[];
  readonly identity: boolean;
}

/** An expression outside the supported subset; the message says what is wrong and where. */
export class JsonPathSyntaxError extends Error {
  override readonly name = 'JsonPathSyntaxError';
}

/** Selecting from a record failed (missing member, index out of range, not an array …). */
export class JsonPathSelectError extends Error {
  override readonly name = 'JsonPathSelectError';
}

const NAME = /^[A-Za-z_$][\w$-]*/;
const INTEGER = /^-?\d+$/;

/** Parses `expression`; throws JsonPathSyntaxError for anything outside the subset. */
export function parseJsonPath(expression: string): JsonPath {
  const source = expression.trim();
  if (source === '' || source === '$') return { source: source || '$', segments: [], identity: true };
  if (!source.startsWith('$')) throw new JsonPathSyntaxError(`it must start with "$"`);
  const segments: JsonPathSegment[] = [];
  let at = 1;
  while (at < source.length) {
    const rest = source.slice(at);
    if (rest.startsWith('..')) throw new JsonPathSyntaxError(`recursive descent ("..") at position ${at} is not supported`);
    if (rest.startsWith('.[')) {
      at += 1;
      continue;
    }
    if (rest.startsWith('.*')) {
      segments.push({ kind: 'wildcard' });
      at += 2;
      continue;
    }
    if (rest.startsWith('.')) {
      const name = NAME.exec(rest.slice(1))?.[0];
      if (!name) throw new JsonPathSyntaxError(`expected a member name after "." at position ${at}`);
      segments.push({ kind: 'name', name });
      at += 1 + name.length;
      continue;
    }
    if (rest.startsWith('[')) {
      const close = bracketEnd(source, at);
      segments.push(parseBracket(source.slice(at + 1, close).trim(), at));
      at = close + 1;
      continue;
    }
    throw new JsonPathSyntaxError(`unexpected "${rest[0]}" at position ${at}`);
  }
  return { source, segments, identity: false };
}

/** The position of the `]` closing the bracket at `open` (quotes respected). */
function bracketEnd(source: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return i;
    else if (c === '[') break;
  }
  throw new JsonPathSyntaxError(`unclosed "[" at position ${open}`);
}

function parseBracket(inner: string, at: number): JsonPathSegment {
  if (inner === '*') return { kind: 'wildcard' };
  if (inner.startsWith('?') || inner.startsWith('(')) throw new JsonPathSyntaxError(`filter and script expressions ("[${inner}]") are not supported`);
  if (inner.startsWith("'") || inner.startsWith('"')) {
    const names = splitTopLevel(inner).map((item) => quotedName(item, at));
    return names.length === 1 ? { kind: 'name', name: names[0] as string } : { kind: 'names', names };
  }
  const parts = splitTopLevel(inner);
  const items = parts.map((part): IndexItem => {
    if (INTEGER.test(part)) return { kind: 'index', index: Number(part) };
    const slice = /^(-?\d+)?\s*:\s*(-?\d+)?$/.exec(part);
    if (!slice) throw new JsonPathSyntaxError(`"[${inner}]" at position ${at} is not an index, a slice or a quoted name`);
    return { kind: 'slice', ...(slice[1] !== undefined ? { start: Number(slice[1]) } : {}), ...(slice[2] !== undefined ? { end: Number(slice[2]) } : {}) };
  });
  const [only] = items;
  if (items.length === 1 && only?.kind === 'index') return { kind: 'index', index: only.index };
  return { kind: 'union', items };
}

function splitTopLevel(inner: string): string[] {
  const out: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ',') {
      out.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(inner.slice(start).trim());
  if (out.some((part) => part === '')) throw new JsonPathSyntaxError(`empty item in "[${inner}]"`);
  return out;
}

function quotedName(item: string, at: number): string {
  const quote = item[0];
  if (item.length < 2 || item[item.length - 1] !== quote) throw new JsonPathSyntaxError(`"${item}" at position ${at} is not a quoted name`);
  return item.slice(1, -1).replace(/\\(.)/g, '$1');
}

/**
 * Applies a parsed path to a JSON value (see the module docs for the result's shape). Throws
 * JsonPathSelectError for a missing member or an index outside the array on a single-value path.
 */
export function selectJsonPath(path: JsonPath, value: unknown): unknown {
  let nodes: unknown[] = [value];
  let single = true;
  for (const segment of path.segments) {
    const next: unknown[] = [];
    for (const node of nodes) {
      switch (segment.kind) {
        case 'name':
          if (isObject(node) && Object.hasOwn(node, segment.name)) next.push(node[segment.name]);
          else if (single) throw new JsonPathSelectError(`no member "${segment.name}" in ${describe(node)}`);
          break;
        case 'names': {
          if (!isObject(node)) {
            if (single) throw new JsonPathSelectError(`cannot select members ${segment.names.map((n) => `"${n}"`).join(', ')} from ${describe(node)}`);
            break;
          }
          const picked: Record<string, unknown> = {};
          for (const name of segment.names) if (Object.hasOwn(node, name)) picked[name] = node[name];
          next.push(picked);
          break;
        }
        case 'wildcard':
          if (Array.isArray(node)) next.push(...(node as unknown[]));
          else if (isObject(node)) next.push(...Object.values(node));
          else if (single) throw new JsonPathSelectError(`"*" needs an array or an object, not ${describe(node)}`);
          break;
        case 'index': {
          const element = Array.isArray(node) ? elementAt(node, segment.index) : undefined;
          if (element !== undefined) next.push(element.value);
          else if (single) throw new JsonPathSelectError(outOfRange(node, segment.index));
          break;
        }
        case 'union':
          if (!Array.isArray(node)) {
            if (single) throw new JsonPathSelectError(`an index or slice needs an array, not ${describe(node)}`);
            break;
          }
          for (const item of segment.items) {
            if (item.kind === 'index') {
              const element = elementAt(node, item.index);
              if (!element) throw new JsonPathSelectError(outOfRange(node, item.index));
              next.push(element.value);
            } else next.push(...node.slice(item.start ?? 0, item.end ?? node.length));
          }
          break;
      }
    }
    if (segment.kind === 'wildcard' || segment.kind === 'union') single = false;
    nodes = next;
  }
  return single ? nodes[0] : nodes;
}

function elementAt(array: readonly unknown[], index: number): { value: unknown } | undefined {
  const at = index < 0 ? array.length + index : index;
  return at >= 0 && at < array.length ? { value: array[at] } : undefined;
}

function outOfRange(node: unknown, index: number): string {
  return Array.isArray(node) ? `index ${index} is outside the record's ${node.length} elements` : `index ${index} needs an array, not ${describe(node)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
