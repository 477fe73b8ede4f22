import type {
  CreateEndpointConfigInput,
  CreateEndpointConfigOutput,
  DeleteEndpointConfigInput,
  DescribeEndpointConfigInput,
  DescribeEndpointConfigOutput,
  ListEndpointConfigsInput,
  ListEndpointConfigsOutput,
} from '@aws-sdk/client-sagemaker';
import type { EndpointConfigRecord, EndpointConfigService, NewEndpointConfig } from '../../endpoints/index.js';
import { byNameOrCreationTime, listSummaries } from './list-input.js';
import type { OperationTable } from './operation-table.js';
import { tagsFromWire } from './tag-operations.js';
import { toRecord, toWire } from './wire-records.js';

/** DescribeEndpointConfig's output: every stored member back in wire form (the request's shape, which holds them all). */
function describeEndpointConfigOutput(config: EndpointConfigRecord): DescribeEndpointConfigOutput {
  const { name, arn, creationTime, ...rest } = config;
  const members = toWire<CreateEndpointConfigInput>('CreateEndpointConfigInput', rest) as CreateEndpointConfigInput;
  return {
    ...members,
    EndpointConfigName: name,
    EndpointConfigArn: arn,
    CreationTime: new Date(creationTime),
  } as DescribeEndpointConfigOutput;
}

/** CreateEndpointConfig, DescribeEndpointConfig, ListEndpointConfigs and DeleteEndpointConfig over an EndpointConfigService. */
export function endpointConfigOperations(configs: EndpointConfigService): OperationTable {
  return {
    async CreateEndpointConfig(input) {
      const request = input as unknown as CreateEndpointConfigInput;
      const { endpointConfigName, tags: _tags, ...rest } = toRecord<Record<string, unknown>>('CreateEndpointConfigInput', input) ?? {};
      const created = await configs.create({ ...rest, name: endpointConfigName as string } as NewEndpointConfig, tagsFromWire(request.Tags));
      const output: CreateEndpointConfigOutput = { EndpointConfigArn: created.arn };
      return output;
    },

    async DescribeEndpointConfig(input) {
      const request = input as unknown as DescribeEndpointConfigInput;
      return describeEndpointConfigOutput(await configs.describe(request.EndpointConfigName as string));
    },

    async ListEndpointConfigs(input) {
      const { summaries, nextToken } = await listSummaries(
        input as ListEndpointConfigsInput,
        byNameOrCreationTime,
        (request) => configs.list(request),
        (c) => ({ EndpointConfigName: c.name, EndpointConfigArn: c.arn, CreationTime: new Date(c.creationTime) }),
      );
      const output: ListEndpointConfigsOutput = { EndpointConfigs: summaries, NextToken: nextToken };
      return output;
    },

    async DeleteEndpointConfig(input) {
      const request = input as unknown as DeleteEndpointConfigInput;
      await configs.delete(request.EndpointConfigName as string);
      return {};
    },
  };
}
