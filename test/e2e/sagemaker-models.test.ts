import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddTagsCommand,
  CreateModelCommand,
  DeleteModelCommand,
  DeleteTagsCommand,
  DescribeDomainCommand,
  DescribeModelCommand,
  ListModelsCommand,
  ListTagsCommand,
  SageMakerClient,
  SageMakerServiceException,
  paginateListModels,
} from '@aws-sdk/client-sagemaker';
import { rawRequest } from '../helpers/raw-http.js';
import { clientConfig, startServer, type ServerProcess } from '../helpers/server-process.js';

const role = 'arn:aws:iam::000000000000:role/SageMakerRole';
const arnOf = (name: string): string => `arn:aws:sagemaker:us-east-1:000000000000:model/${name.toLowerCase()}`;

/** Runs `action` and returns the SDK error's name and message (fails if it succeeds). */
async function sdkError(action: () => Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await action();
  } catch (error) {
    assert.ok(error instanceof SageMakerServiceException, String(error));
    return { name: error.name, message: error.message, status: error.$metadata.httpStatusCode };
  }
  assert.fail('the call succeeded');
}

describe('SageMaker models and tags through @aws-sdk/client-sagemaker', () => {
  let server: ServerProcess;
  let sagemaker: SageMakerClient;
  const raw = (target: string, body: string) =>
    rawRequest(server.url, 'POST', '/', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body);

  before(async () => {
    server = await startServer();
    sagemaker = new SageMakerClient(clientConfig(server));
  });
  after(async () => {
    sagemaker?.destroy();
    await server?.dispose();
  });

  it('creates a model and describes it with everything echoed', async () => {
    const created = await sagemaker.send(
      new CreateModelCommand({
        ModelName: 'Echo-Model',
        PrimaryContainer: {
          Image: '123.dkr.ecr.us-east-1.amazonaws.com/xgb:1',
          Environment: { SAGEMAKER_PROGRAM: 'serve.py' },
          Mode: 'SingleModel',
          ContainerHostname: 'primary',
        },
        ExecutionRoleArn: role,
        EnableNetworkIsolation: true,
        VpcConfig: { SecurityGroupIds: ['sg-12345678'], Subnets: ['subnet-12345678'] },
        Tags: [{ Key: 'team', Value: 'ml' }],
      }),
    );
    assert.equal(created.ModelArn, arnOf('Echo-Model'));
    const before = Date.now();
    const described = await sagemaker.send(new DescribeModelCommand({ ModelName: 'echo-model' }));
    assert.equal(described.ModelName, 'Echo-Model');
    assert.equal(described.ModelArn, created.ModelArn);
    assert.deepEqual(described.PrimaryContainer, {
      Image: '123.dkr.ecr.us-east-1.amazonaws.com/xgb:1',
      Environment: { SAGEMAKER_PROGRAM: 'serve.py' },
      Mode: 'SingleModel',
      ContainerHostname: 'primary',
    });
    assert.equal(described.ExecutionRoleArn, role);
    assert.equal(described.EnableNetworkIsolation, true);
    assert.deepEqual(described.VpcConfig, { SecurityGroupIds: ['sg-12345678'], Subnets: ['subnet-12345678'] });
    assert.ok(described.CreationTime instanceof Date && Math.abs(described.CreationTime.getTime() - before) < 60_000);
    const tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: created.ModelArn }));
    assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'ml' }]);
  });

  it('refuses a duplicate (any case) and a missing model with AWS wording', async () => {
    assert.deepEqual(await sdkError(() => sagemaker.send(new CreateModelCommand({ ModelName: 'ECHO-model', PrimaryContainer: { Image: 'i' } }))), {
      name: 'ValidationException',
      message: `Cannot create already existing model "${arnOf('echo-model')}".`,
      status: 400,
    });
    assert.deepEqual(await sdkError(() => sagemaker.send(new DescribeModelCommand({ ModelName: 'Missing-1' }))), {
      name: 'ValidationException',
      message: `Could not find model "${arnOf('missing-1')}".`,
      status: 400,
    });
  });

  it('lists with paginateListModels, sorting and filters', async () => {
    const names = ['list-c', 'list-a', 'List-B', 'other-1', 'list-d'];
    const createdAt: Record<string, Date> = {};
    for (const name of names) {
      await sagemaker.send(new CreateModelCommand({ ModelName: name, PrimaryContainer: { Image: 'i' } }));
      createdAt[name] = (await sagemaker.send(new DescribeModelCommand({ ModelName: name }))).CreationTime as Date;
    }
    const pages: string[][] = [];
    for await (const page of paginateListModels({ client: sagemaker, pageSize: 2 }, { NameContains: 'LIST' }))
      pages.push((page.Models ?? []).map((m) => m.ModelName as string));
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 2],
    );
    // Default: CreationTime, Descending.
    assert.deepEqual(pages.flat(), ['list-d', 'List-B', 'list-a', 'list-c']);

    const byName = await sagemaker.send(new ListModelsCommand({ SortBy: 'Name', SortOrder: 'Ascending', NameContains: 'list', MaxResults: 3 }));
    assert.deepEqual(
      byName.Models?.map((m) => m.ModelName),
      ['list-a', 'List-B', 'list-c'],
    );
    assert.ok(byName.NextToken);
    const rest = await sagemaker.send(
      new ListModelsCommand({ SortBy: 'Name', SortOrder: 'Ascending', NameContains: 'list', MaxResults: 3, NextToken: byName.NextToken }),
    );
    assert.deepEqual(
      rest.Models?.map((m) => m.ModelName),
      ['list-d'],
    );
    assert.equal(rest.NextToken, undefined);
    assert.deepEqual(Object.keys(rest.Models?.[0] ?? {}).sort(), ['CreationTime', 'ModelArn', 'ModelName']);

    const after = await sagemaker.send(new ListModelsCommand({ CreationTimeAfter: createdAt['List-B'], SortOrder: 'Ascending' }));
    assert.deepEqual(
      after.Models?.map((m) => m.ModelName),
      ['other-1', 'list-d'],
    );

    const defaults = await sagemaker.send(new ListModelsCommand({}));
    assert.equal(defaults.Models?.length, 6);
  });

  it('rejects a bad NextToken and out-of-range MaxResults', async () => {
    const bad = await sdkError(() => sagemaker.send(new ListModelsCommand({ NextToken: 'not-a-token' })));
    assert.equal(bad.name, 'ValidationException');
    assert.match(bad.message, /^Invalid pagination token/);
    assert.deepEqual(await sdkError(() => sagemaker.send(new ListModelsCommand({ MaxResults: 101 }))), {
      name: 'ValidationException',
      message: "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
      status: 400,
    });
  });

  it('adds, overwrites, lists and deletes tags; unknown ARNs are ValidationException', async () => {
    const arn = arnOf('list-a');
    const added = await sagemaker.send(
      new AddTagsCommand({
        ResourceArn: arn,
        Tags: [
          { Key: 'b', Value: '1' },
          { Key: 'a', Value: '' },
        ],
      }),
    );
    assert.deepEqual(added.Tags, [
      { Key: 'b', Value: '1' },
      { Key: 'a', Value: '' },
    ]);
    await sagemaker.send(new AddTagsCommand({ ResourceArn: arn.replace('model/list-a', 'model/LIST-A'), Tags: [{ Key: 'b', Value: '2' }] }));
    assert.deepEqual((await sagemaker.send(new ListTagsCommand({ ResourceArn: arn }))).Tags, [
      { Key: 'a', Value: '' },
      { Key: 'b', Value: '2' },
    ]);
    await sagemaker.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: ['a'] }));
    assert.deepEqual((await sagemaker.send(new ListTagsCommand({ ResourceArn: arn }))).Tags, [{ Key: 'b', Value: '2' }]);
    const ghost = arnOf('ghost');
    assert.deepEqual(await sdkError(() => sagemaker.send(new AddTagsCommand({ ResourceArn: ghost, Tags: [{ Key: 'a', Value: 'b' }] }))), {
      name: 'ValidationException',
      message: `Could not find model "${ghost}".`,
      status: 400,
    });
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const limit = await sdkError(() => sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: tooMany })));
    assert.equal(
      limit.message,
      "1 validation error detected: Value '" +
        `[${tooMany.map((t) => `{Key=${t.Key}, Value=v}`).join(', ')}]` +
        "' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
    const cumulative = await sdkError(() => sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: tooMany.slice(0, 50) })));
    assert.equal(cumulative.name, 'ResourceLimitExceeded');
    assert.equal((await sagemaker.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 50 }))).Tags?.length, 1);
  });

  it('answers constraint violations with AWS exact messages', async () => {
    assert.deepEqual(
      await sdkError(() => sagemaker.send(new CreateModelCommand({ ModelName: 'bad_name', PrimaryContainer: { Image: 'i', Environment: { '9x': 'v' } } }))),
      {
        name: 'ValidationException',
        message:
          "2 validation errors detected: Value 'bad_name' at 'modelName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?; " +
          "Value '{9x=v}' at 'primaryContainer.environment' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: [a-zA-Z_][a-zA-Z0-9_]*]",
        status: 400,
      },
    );
    const response = await raw('SageMaker.CreateModel', JSON.stringify({ Containers: [{ Image: 'i' }, { Mode: 'Sideways' }] }));
    assert.equal(response.status, 400);
    assert.deepEqual(JSON.parse(response.body.toString()), {
      __type: 'ValidationException',
      message:
        "2 validation errors detected: Value null at 'modelName' failed to satisfy constraint: Member must not be null; " +
        "Value 'Sideways' at 'containers.2.member.mode' failed to satisfy constraint: Member must satisfy enum value set: [SingleModel, MultiModel]",
    });
  });

  it('answers wrong JSON types and malformed JSON with SerializationException', async () => {
    const cases: Array<[string, string]> = [
      ['{"ModelName": 5}', 'NUMBER_VALUE can not be converted to a String'],
      ['{"ModelName": "m", "Containers": {"a": 1}}', 'Start of structure or map found where not expected.'],
      ['{"MaxResults": "ten"}', 'STRING_VALUE can not be converted to an Integer'],
      ['[]', 'Start of list found where not expected'],
    ];
    for (const [body, message] of cases) {
      const response = await raw(body.includes('MaxResults') ? 'SageMaker.ListModels' : 'SageMaker.CreateModel', body);
      assert.equal(response.status, 400, body);
      assert.equal(response.headers['x-amzn-errortype'], 'SerializationException');
      assert.deepEqual(JSON.parse(response.body.toString()), { __type: 'SerializationException', message }, body);
    }
    const malformed = await raw('SageMaker.ListModels', '{"MaxResults": ');
    assert.equal(malformed.status, 400);
    assert.equal((JSON.parse(malformed.body.toString()) as { __type: string }).__type, 'SerializationException');
  });

  it('names unimplemented model operations and rejects unknown ones', async () => {
    const notYet = await sdkError(() => sagemaker.send(new DescribeDomainCommand({ DomainId: 'd-123456789012' })));
    assert.deepEqual(notYet, {
      name: 'UnknownOperationException',
      message: 'SageMaker operation DescribeDomain is not implemented by Salvia yet',
      status: 400,
    });
    const unknown = await raw('SageMaker.NoSuchOperation', '{}');
    assert.equal(unknown.status, 400);
    assert.equal((JSON.parse(unknown.body.toString()) as { __type: string }).__type, 'UnknownOperationException');
  });

  it('deletes a model, its tags and its name', async () => {
    await sagemaker.send(new DeleteModelCommand({ ModelName: 'LIST-A' }));
    assert.equal((await sdkError(() => sagemaker.send(new DescribeModelCommand({ ModelName: 'list-a' })))).name, 'ValidationException');
    assert.deepEqual(await sdkError(() => sagemaker.send(new DeleteModelCommand({ ModelName: 'list-a' }))), {
      name: 'ValidationException',
      message: `Could not find model "${arnOf('list-a')}".`,
      status: 400,
    });
    // The name is free again, and the new model starts without the old tags.
    await sagemaker.send(new CreateModelCommand({ ModelName: 'list-a', PrimaryContainer: { Image: 'i' } }));
    assert.deepEqual((await sagemaker.send(new ListTagsCommand({ ResourceArn: arnOf('list-a') }))).Tags, []);
  });
});
