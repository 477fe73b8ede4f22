/** A batch's records or response cannot be processed as DataProcessing asks; the message names the cause. */
export class DataProcessingError extends Error {
  override readonly name = 'DataProcessingError';
}
