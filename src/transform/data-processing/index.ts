export { validateDataProcessing } from './validate-data-processing.js';
export { recordProcessor } from './record-processor.js';
export type { RecordProcessor, RecordTypes } from './record-processor.js';
export { DataProcessingError } from './data-processing-error.js';
export type { DataProcessingSpec } from './data-processing-spec.js';
