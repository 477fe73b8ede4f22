// Hand-written loader for the generated shapes files (regenerate them with `npm run generate`).
import sagemakerJson from './sagemaker-shapes.json' with { type: 'json' };
import logsJson from './logs-shapes.json' with { type: 'json' };
import type { ServiceShapes } from './shape-model.js';

/** SageMaker's operations and input shapes, from botocore's `sagemaker/2017-07-24` model. */
export const sagemakerShapes: ServiceShapes = sagemakerJson as unknown as ServiceShapes;

/** CloudWatch Logs' operations and input shapes, from botocore's `logs/2014-03-28` model. */
export const logsShapes: ServiceShapes = logsJson as unknown as ServiceShapes;

export type { ServiceShapes, Shape, StructureShape, ListShape, MapShape, ScalarShape, ScalarType, ShapeConstraints } from './shape-model.js';
