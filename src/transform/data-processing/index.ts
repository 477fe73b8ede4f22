export { validateDataProcessing } from './validate-data-processing.js';
export { recordProcessor, splitOutputs } from './record-processor.js';
export type { RecordProcessor, RecordTypes } from './record-processor.js';
export { DataProcessingError } from './data-processing-error.js';
export type { DataProcessingSpec } from './data-processing-spec.js';
export { parseJsonPath, selectJsonPath, JsonPathSyntaxError, JsonPathSelectError } from './json-path.js';
export type { JsonPath, JsonPathSegment, IndexItem } from './json-path.js';
