import { SerializationException, UnknownOperationException, ValidationException } from '../../errors/index.js';
import type { ListShape, MapShape, ScalarShape, ServiceShapes, Shape, StructureShape } from './generated/index.js';
import { compileJavaPattern } from './validate-pattern.js';

type Json = Record<string, unknown>;

/** `ModelName` → `modelName`: how AWS names members in validation messages. */
function lowerCamel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** A value as Java's `toString` would print it in AWS's messages (`[a, b]`, `{k=v}`). */
export function javaText(value: unknown, type?: Shape['type']): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' && (type === 'float' || type === 'double') && Number.isInteger(value)) return value.toFixed(1);
  if (Array.isArray(value)) return `[${value.map((v) => javaText(v)).join(', ')}]`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${javaText(v)}`)
      .join(', ')}}`;
  return String(value);
}

function jsonKind(value: unknown): string {
  if (typeof value === 'string') return 'STRING_VALUE';
  if (typeof value === 'number') return 'NUMBER_VALUE';
  return value === true ? 'TRUE_VALUE' : 'FALSE_VALUE';
}

const javaTypeNames: Readonly<Record<string, string>> = {
  string: 'a String',
  integer: 'an Integer',
  long: 'a Long',
  float: 'a Float',
  double: 'a Double',
  boolean: 'a Boolean',
  timestamp: 'a Date',
  blob: 'a ByteBuffer',
};

/** The SerializationException AWS answers when a member has the wrong JSON type for its shape. */
function wrongType(shape: Shape, value: unknown): SerializationException {
  if (Array.isArray(value)) return new SerializationException('Start of list found where not expected');
  if (typeof value === 'object') return new SerializationException('Start of structure or map found where not expected.');
  if (shape.type === 'list') return new SerializationException('Expected list or null');
  if (shape.type === 'structure') return new SerializationException('Expected null');
  if (shape.type === 'map') return new SerializationException('Expected map or null');
  return new SerializationException(`${jsonKind(value)} can not be converted to ${javaTypeNames[shape.type] ?? shape.type}`);
}

const numeric = new Set<Shape['type']>(['integer', 'long', 'float', 'double']);

function bound(shape: Shape, n: number): string {
  return (shape.type === 'float' || shape.type === 'double') && Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/** The constraint phrases `value` violates, in AWS's order (pattern, then length or value, then enum). */
function violations(shape: Shape, value: unknown): string[] {
  const found: string[] = [];
  if (typeof value === 'string' && shape.pattern !== undefined) {
    const regex = compileJavaPattern(shape.pattern);
    if (regex && !regex.test(value)) found.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  }
  if (numeric.has(shape.type)) {
    const n = value as number;
    if (shape.min !== undefined && n < shape.min) found.push(`Member must have value greater than or equal to ${bound(shape, shape.min)}`);
    if (shape.max !== undefined && n > shape.max) found.push(`Member must have value less than or equal to ${bound(shape, shape.max)}`);
  } else if (shape.min !== undefined || shape.max !== undefined) {
    const length = typeof value === 'string' || Array.isArray(value) ? value.length : Object.keys(value as object).length;
    if (shape.max !== undefined && length > shape.max) found.push(`Member must have length less than or equal to ${shape.max}`);
    if (shape.min !== undefined && length < shape.min) found.push(`Member must have length greater than or equal to ${shape.min}`);
  }
  if (shape.enum && !shape.enum.includes(value as string)) found.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  return found;
}

/** Every constraint of a scalar shape, as listed inside `Map keys/value must satisfy constraint: [...]`. */
function allConstraints(shape: Shape): string[] {
  const length = numeric.has(shape.type) ? 'value' : 'length';
  const list: string[] = [];
  if (shape.max !== undefined) list.push(`Member must have ${length} less than or equal to ${bound(shape, shape.max)}`);
  if (shape.min !== undefined) list.push(`Member must have ${length} greater than or equal to ${bound(shape, shape.min)}`);
  if (shape.pattern !== undefined) list.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  if (shape.enum) list.push(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  return list;
}

class Walker {
  readonly errors: string[] = [];
  constructor(private readonly model: ServiceShapes) {}

  shape(name: string): Shape {
    const shape = this.model.shapes[name];
    if (!shape) throw new Error(`shape ${name} is missing from the ${this.model.service} shapes`);
    return shape;
  }

  fail(value: unknown, path: string, constraint: string, type?: Shape['type']): void {
    const text = value === null || value === undefined ? 'null' : `'${javaText(value, type)}'`;
    this.errors.push(`Value ${text} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  /** Checks `value` (not null) against `shape`; returns it with timestamps as Dates and only modelled members. */
  value(shape: Shape, value: unknown, path: string): unknown {
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, value, path);
      case 'list':
        return this.list(shape, value, path);
      case 'map':
        return this.map(shape, value, path);
      default:
        return this.scalar(shape, value, path);
    }
  }

  structure(shape: StructureShape, value: unknown, path: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrongType(shape, value);
    const input = value as Json;
    const out: Json = {};
    const required = new Set(shape.required ?? []);
    for (const [member, shapeName] of Object.entries(shape.members)) {
      const memberPath = path === '' ? lowerCamel(member) : `${path}.${lowerCamel(member)}`;
      const memberValue = Object.prototype.hasOwnProperty.call(input, member) ? input[member] : undefined;
      if (memberValue === undefined || memberValue === null) {
        if (required.has(member)) this.fail(null, memberPath, 'Member must not be null');
        continue;
      }
      out[member] = this.value(this.shape(shapeName), memberValue, memberPath);
    }
    return out;
  }

  list(shape: ListShape, value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) throw wrongType(shape, value);
    const memberShape = this.shape(shape.member);
    const out: unknown[] = [];
    value.forEach((item, index) => {
      if (item !== null && item !== undefined) out.push(this.value(memberShape, item, `${path}.${index + 1}.member`));
    });
    for (const phrase of violations(shape, value)) this.fail(value, path, phrase);
    return out;
  }

  map(shape: MapShape, value: unknown, path: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrongType(shape, value);
    const keyShape = this.shape(shape.key);
    const valueShape = this.shape(shape.value);
    const entries: Array<[string, unknown]> = [];
    let badKey = false;
    let badValue = false;
    for (const [key, item] of Object.entries(value as Json)) {
      if (violations(keyShape, key).length > 0) badKey = true;
      if (item === null || item === undefined) continue;
      if (valueShape.type === 'structure' || valueShape.type === 'list' || valueShape.type === 'map') {
        entries.push([key, this.value(valueShape, item, `${path}.${key}.member`)]);
      } else {
        const converted = this.scalar(valueShape, item, path, false);
        if (violations(valueShape, converted).length > 0) badValue = true;
        entries.push([key, converted]);
      }
    }
    // Built with fromEntries so that a key such as `__proto__` stays an ordinary key.
    const out = Object.fromEntries(entries);
    for (const phrase of violations(shape, out)) this.fail(value, path, phrase);
    if (badKey) this.fail(value, path, `Map keys must satisfy constraint: [${allConstraints(keyShape).join(', ')}]`);
    if (badValue) this.fail(value, path, `Map value must satisfy constraint: [${allConstraints(valueShape).join(', ')}]`);
    return out;
  }

  scalar(shape: Shape, value: unknown, path: string, check = true): unknown {
    let out: unknown;
    switch (shape.type) {
      case 'string':
      case 'blob':
        if (typeof value !== 'string') throw wrongType(shape, value);
        out = value;
        break;
      case 'boolean':
        if (typeof value !== 'boolean') throw wrongType(shape, value);
        out = value;
        break;
      case 'integer':
      case 'long':
        if (typeof value !== 'number') throw wrongType(shape, value);
        out = Math.trunc(value); // AWS truncates a fraction rather than rejecting it
        break;
      case 'float':
      case 'double':
        if (typeof value !== 'number') throw wrongType(shape, value);
        out = value;
        break;
      case 'timestamp':
        out = toDate(value, shape);
        break;
      default:
        throw wrongType(shape, value);
    }
    if (check) for (const phrase of violations(shape, out)) this.fail(value, path, phrase, shape.type);
    return out;
  }
}

/** A timestamp member: epoch seconds (fractions allowed) or an ISO-8601 string. */
function toDate(value: unknown, shape: ScalarShape): Date {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value === 'string') {
    const trimmed = value.trim();
    const date = /^-?\d+(\.\d+)?$/.test(trimmed) ? new Date(Number(trimmed) * 1000) : new Date(trimmed);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw wrongType(shape, value);
}

/** `1 validation error detected: …` / `N validation errors detected: …; …`. */
export function validationMessage(errors: readonly string[]): string {
  return `${errors.length} validation error${errors.length === 1 ? '' : 's'} detected: ${errors.join('; ')}`;
}

/**
 * Checks a parsed JSON request against `operation`'s input shape as AWS's front end does, and
 * returns it normalised for the handler: only modelled members (unknown ones are ignored, as AWS
 * does), timestamps as Dates, integers truncated, null members and list items dropped.
 *
 * Throws SerializationException when a member has the wrong JSON type (AWS's wording), a
 * ValidationException listing every violated constraint (`N validation errors detected: …`),
 * or UnknownOperationException if the model has no such operation.
 */
export function validateInput(model: ServiceShapes, operation: string, input: Json): Json {
  if (!Object.prototype.hasOwnProperty.call(model.operations, operation)) {
    throw new UnknownOperationException(`${model.targetPrefix}.${operation}`);
  }
  const shapeName = model.operations[operation];
  if (!shapeName) return {};
  const walker = new Walker(model);
  const out = walker.structure(walker.shape(shapeName) as StructureShape, input, '');
  if (walker.errors.length > 0) throw new ValidationException(validationMessage(walker.errors));
  return out;
}
