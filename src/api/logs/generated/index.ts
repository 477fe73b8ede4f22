// Loader for the generated CloudWatch Logs shapes (scripts/generate-shapes.mjs, service `logs`).
import logsJson from './logs-shapes.json' with { type: 'json' };
import type { ServiceShapes } from '../../protocol/generated/index.js';

/** CloudWatch Logs' operations and input shapes, from botocore's `logs/2014-03-28` model. */
export const logsShapes: ServiceShapes = logsJson as unknown as ServiceShapes;
