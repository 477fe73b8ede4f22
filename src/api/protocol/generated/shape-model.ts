// Hand-written: the format of the `<service>-shapes.json` files that scripts/generate-shapes.mjs
// writes next to this file from botocore's service models.

/** Bounds and patterns a shape may carry (from the service model, unchanged). */
export interface ShapeConstraints {
  /** Length (strings, blobs, lists, maps) or value (numbers) lower bound. */
  readonly min?: number;
  /** Length (strings, blobs, lists, maps) or value (numbers) upper bound. */
  readonly max?: number;
  /** A Java regular expression the whole string must match (the model leaves it unanchored). */
  readonly pattern?: string;
  /** The values a string may take. */
  readonly enum?: readonly string[];
}

/** A structure: members by wire name, each naming its shape. */
export interface StructureShape extends ShapeConstraints {
  readonly type: 'structure';
  readonly members: Readonly<Record<string, string>>;
  readonly required?: readonly string[];
  /** Exactly one member may be set (not enforced: AWS's own checks differ per operation). */
  readonly union?: boolean;
}

export interface ListShape extends ShapeConstraints {
  readonly type: 'list';
  readonly member: string;
}

export interface MapShape extends ShapeConstraints {
  readonly type: 'map';
  readonly key: string;
  readonly value: string;
}

export type ScalarType = 'string' | 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'timestamp' | 'blob';

export interface ScalarShape extends ShapeConstraints {
  readonly type: ScalarType;
}

/** One shape of a service model, reduced to what request validation needs. */
export type Shape = StructureShape | ListShape | MapShape | ScalarShape;

/** A generated shapes file: every operation's input shape name (null: no input) and the shapes. */
export interface ServiceShapes {
  readonly service: string;
  readonly apiVersion: string;
  readonly targetPrefix: string;
  readonly source: string;
  readonly operations: Readonly<Record<string, string | null>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}
