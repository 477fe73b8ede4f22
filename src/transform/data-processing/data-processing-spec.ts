/** CreateTransformJob's DataProcessing member as sent. */
export interface DataProcessingSpec {
  readonly InputFilter?: string;
  readonly OutputFilter?: string;
  readonly JoinSource?: 'Input' | 'None';
}
