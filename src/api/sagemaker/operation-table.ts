import type { JsonRequestContext } from '../protocol/aws-json.js';

/**
 * One SageMaker operation: its input already validated against the service model and normalised
 * (PascalCase members as on the wire, timestamps as Dates, unknown members dropped), so it may be
 * read as the `@aws-sdk/client-sagemaker` input type. Returns the output members (Dates are sent
 * as epoch seconds; undefined members are omitted).
 */
export type SageMakerHandler = (input: Record<string, unknown>, context: JsonRequestContext) => Promise<object | undefined>;

/** Operations by name (`CreateModel` …); a service is built from several such tables. */
export type OperationTable = Readonly<Record<string, SageMakerHandler>>;
