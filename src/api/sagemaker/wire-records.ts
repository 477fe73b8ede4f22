import type { ServiceShapes, Shape } from '../protocol/generated/index.js';
import { sagemakerShapes } from '../protocol/generated/index.js';

const lower = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

function convert(model: ServiceShapes, shapeName: string, value: unknown, direction: 'record' | 'wire'): unknown {
  if (value === undefined || value === null) return undefined;
  const shape: Shape | undefined = model.shapes[shapeName];
  if (!shape) return value;
  switch (shape.type) {
    case 'structure': {
      const source = value as Record<string, unknown>;
      const entries: Array<[string, unknown]> = [];
      for (const [member, memberShape] of Object.entries(shape.members)) {
        const [from, to] = direction === 'record' ? [member, lower(member)] : [lower(member), member];
        const converted = convert(model, memberShape, source[from], direction);
        if (converted !== undefined) entries.push([to, converted]);
      }
      return Object.fromEntries(entries);
    }
    case 'list':
      return (value as unknown[]).map((item) => convert(model, shape.member, item, direction));
    case 'map':
      // Keys are data (environment variable names …), never renamed.
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, convert(model, shape.value, v, direction)]));
    default:
      return value;
  }
}

/**
 * A wire structure (PascalCase members of SageMaker shape `shapeName`) as an internal camelCase
 * record: member names lower-camel-cased at every level, map keys untouched, unmodelled members dropped.
 */
export function toRecord<T>(shapeName: string, value: unknown, model: ServiceShapes = sagemakerShapes): T | undefined {
  return convert(model, shapeName, value, 'record') as T | undefined;
}

/** The inverse of toRecord: an internal record back in the wire shape `shapeName`. */
export function toWire<T>(shapeName: string, value: unknown, model: ServiceShapes = sagemakerShapes): T | undefined {
  return convert(model, shapeName, value, 'wire') as T | undefined;
}

/** A stored epoch-milliseconds time as the Date the JSON protocol sends (as epoch seconds); undefined stays absent. */
export const wireDate = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));
