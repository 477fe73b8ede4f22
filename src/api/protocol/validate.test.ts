import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../errors/index.js';
import { sagemakerShapes, type ServiceShapes } from './generated/index.js';
import { javaText, validateInput, validationMessage } from './validate.js';

/** The error validateInput throws for `input`, as code and message. */
function failure(operation: string, input: Record<string, unknown>, model: ServiceShapes = sagemakerShapes): { code: string; message: string } {
  try {
    validateInput(model, operation, input);
  } catch (error) {
    assert.ok(error instanceof AwsError, `expected an AwsError, got ${String(error)}`);
    return { code: error.code, message: error.message };
  }
  assert.fail(`${operation} ${JSON.stringify(input)} was accepted`);
}

const role = 'arn:aws:iam::123456789012:role/SageMakerRole';
const trainingJob = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  TrainingJobName: 'job-1',
  RoleArn: role,
  OutputDataConfig: { S3OutputPath: 's3://bucket/out' },
  AlgorithmSpecification: { TrainingImage: 'image', TrainingInputMode: 'File' },
  ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
  StoppingCondition: { MaxRuntimeInSeconds: 3600 },
  ...overrides,
});

/** A tiny model for cases the SageMaker model does not have. */
const tiny: ServiceShapes = {
  service: 'tiny',
  apiVersion: '1',
  targetPrefix: 'Tiny',
  source: 'test',
  operations: { Op: 'OpInput', NoInput: null },
  shapes: {
    OpInput: { type: 'structure', members: { Nested: 'NestedMap', Ratio: 'Ratio', Count: 'Count', When: 'When', Flag: 'Flag', Items: 'Items' } },
    NestedMap: { type: 'map', key: 'Key', value: 'Items', max: 2 },
    Key: { type: 'string', min: 1, max: 3 },
    Items: { type: 'list', member: 'Item', min: 1 },
    Item: { type: 'structure', members: { Name: 'Name' }, required: ['Name'] },
    Name: { type: 'string', pattern: '[a-z]+' },
    Ratio: { type: 'double', min: 0, max: 1 },
    Count: { type: 'long', min: 1 },
    When: { type: 'timestamp' },
    Flag: { type: 'boolean' },
  },
};

describe('validateInput', () => {
  it('accepts a valid request and returns only modelled members', () => {
    const out = validateInput(sagemakerShapes, 'CreateModel', { ModelName: 'm-1', Unknown: 5, PrimaryContainer: { Image: 'i', Extra: true } });
    assert.deepEqual(out, { ModelName: 'm-1', PrimaryContainer: { Image: 'i' } });
  });

  it('reports a missing required member as `Value null … must not be null`', () => {
    assert.deepEqual(failure('DescribeModel', {}), {
      code: 'ValidationException',
      message: "1 validation error detected: Value null at 'modelName' failed to satisfy constraint: Member must not be null",
    });
    // An explicit null counts as absent.
    assert.match(failure('DescribeModel', { ModelName: null }).message, /Value null at 'modelName'/);
  });

  it('applies patterns as full matches and quotes the model pattern verbatim', () => {
    assert.equal(
      failure('CreateModel', { ModelName: 'bad_name!' }).message,
      "1 validation error detected: Value 'bad_name!' at 'modelName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9]([\\-a-zA-Z0-9]*[a-zA-Z0-9])?",
    );
    // The pattern would match a prefix: only a full match passes.
    assert.match(failure('CreateModel', { ModelName: 'ok-' }).message, /regular expression pattern/);
  });

  it('lists several violations with 1-based list paths, lowerCamelCase names and `; `', () => {
    const { message } = failure(
      'CreateTrainingJob',
      trainingJob({
        TrainingJobName: 'x'.repeat(64),
        InputDataConfig: [
          { ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/k' } }, InputMode: 'File' },
          { ChannelName: 'bad name', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://b/k' } }, InputMode: 'fastfile' },
        ],
        ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: -1, VolumeSizeInGB: 10 },
      }),
    );
    assert.equal(
      message,
      '5 validation errors detected: ' +
        // The name pattern also caps the length ({0,62}): AWS reports the pattern first, then the length.
        "Value 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}; " +
        "Value 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' at 'trainingJobName' failed to satisfy constraint: Member must have length less than or equal to 63; " +
        "Value 'bad name' at 'inputDataConfig.2.member.channelName' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9\\.\\-_]+; " +
        "Value 'fastfile' at 'inputDataConfig.2.member.inputMode' failed to satisfy constraint: Member must satisfy enum value set: [Pipe, File, FastFile]; " +
        "Value '-1' at 'resourceConfig.instanceCount' failed to satisfy constraint: Member must have value greater than or equal to 0",
    );
  });

  it('reports min length and min value', () => {
    assert.equal(
      failure('ListTags', { ResourceArn: 'arn:aws:sagemaker:us-east-1:123456789012:model/m', MaxResults: 10 }).message,
      "1 validation error detected: Value '10' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 50",
    );
    assert.equal(
      failure('DeleteTags', { ResourceArn: 'arn:aws:sagemaker:us-east-1:123456789012:model/m', TagKeys: [] }).message,
      "1 validation error detected: Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it('checks Unicode property patterns (\\p{L}) with the u flag', () => {
    const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model/m';
    assert.doesNotThrow(() => validateInput(sagemakerShapes, 'AddTags', { ResourceArn: arn, Tags: [{ Key: 'Größe café 数据', Value: 'ümlaut = 1' }] }));
    assert.equal(
      failure('AddTags', {
        ResourceArn: arn,
        Tags: [
          { Key: 'ok', Value: 'v' },
          { Key: 'bad#key', Value: 'v' },
        ],
      }).message,
      "1 validation error detected: Value 'bad#key' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)",
    );
    assert.equal(
      failure('AddTags', { ResourceArn: arn, Tags: [{ Key: 'k' }] }).message,
      "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null",
    );
  });

  it('reports map keys and values as AWS does, with every constraint of the key or value shape', () => {
    const { message } = failure('CreateModel', { ModelName: 'm', PrimaryContainer: { Environment: { '1BAD': 'x' } } });
    assert.equal(
      message,
      "1 validation error detected: Value '{1BAD=x}' at 'primaryContainer.environment' failed to satisfy constraint: " +
        'Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: [a-zA-Z_][a-zA-Z0-9_]*]',
    );
    const values = failure('CreateModel', { ModelName: 'm', PrimaryContainer: { Environment: { A: 'x'.repeat(1025) } } }).message;
    assert.match(
      values,
      /at 'primaryContainer.environment' failed to satisfy constraint: Map value must satisfy constraint: \[Member must have length less than or equal to 1024/,
    );
  });

  it('walks lists inside maps, map size limits and nested required members', () => {
    const { message } = failure('Op', { Nested: { a: [{ Name: 'ok' }, {}], b: [], abcd: [{ Name: 'x' }] } }, tiny);
    assert.equal(
      message,
      '4 validation errors detected: ' +
        "Value null at 'nested.a.member.2.member.name' failed to satisfy constraint: Member must not be null; " +
        "Value '[]' at 'nested.b.member' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '{a=[{Name=ok}, {}], b=[], abcd=[{Name=x}]}' at 'nested' failed to satisfy constraint: Member must have length less than or equal to 2; " +
        "Value '{a=[{Name=ok}, {}], b=[], abcd=[{Name=x}]}' at 'nested' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 3, Member must have length greater than or equal to 1]",
    );
  });

  it('prints float bounds and values as Java does', () => {
    assert.equal(
      failure('Op', { Ratio: 2 }, tiny).message,
      "1 validation error detected: Value '2.0' at 'ratio' failed to satisfy constraint: Member must have value less than or equal to 1.0",
    );
  });

  it('normalises timestamps (epoch seconds or ISO), truncates integers and drops null list items', () => {
    const out = validateInput(tiny, 'Op', { When: 1732262400.5, Count: 3.9, Items: [null, { Name: 'a' }], Flag: false });
    assert.deepEqual(out, { When: new Date(1732262400500), Count: 3, Items: [{ Name: 'a' }], Flag: false });
    assert.deepEqual(validateInput(tiny, 'Op', { When: '2024-11-22T08:00:00Z' }), { When: new Date('2024-11-22T08:00:00Z') });
    assert.deepEqual(validateInput(sagemakerShapes, 'ListModels', { CreationTimeAfter: 0 }), { CreationTimeAfter: new Date(0) });
  });

  it('answers wrong JSON types with SerializationException in AWS wording', () => {
    const cases: Array<[string, Record<string, unknown>, string, ServiceShapes?]> = [
      ['DescribeModel', { ModelName: 5 }, 'NUMBER_VALUE can not be converted to a String'],
      ['DescribeModel', { ModelName: true }, 'TRUE_VALUE can not be converted to a String'],
      ['DescribeModel', { ModelName: ['a'] }, 'Start of list found where not expected'],
      ['DescribeModel', { ModelName: { a: 1 } }, 'Start of structure or map found where not expected.'],
      ['ListModels', { MaxResults: 'ten' }, 'STRING_VALUE can not be converted to an Integer'],
      ['ListModels', { CreationTimeAfter: 'yesterday' }, 'STRING_VALUE can not be converted to a Date'],
      ['CreateModel', { ModelName: 'm', PrimaryContainer: [] }, 'Start of list found where not expected'],
      ['CreateModel', { ModelName: 'm', PrimaryContainer: 'x' }, 'Expected null'],
      ['CreateModel', { ModelName: 'm', Containers: {} }, 'Start of structure or map found where not expected.'],
      ['CreateModel', { ModelName: 'm', Containers: 'x' }, 'Expected list or null'],
      ['CreateModel', { ModelName: 'm', EnableNetworkIsolation: 'true' }, 'STRING_VALUE can not be converted to a Boolean'],
      ['Op', { Count: false }, 'FALSE_VALUE can not be converted to a Long', tiny],
    ];
    for (const [operation, input, message, model] of cases) {
      assert.deepEqual(failure(operation, input, model), { code: 'SerializationException', message }, JSON.stringify(input));
    }
  });

  it('a type error wins over constraint violations found earlier', () => {
    assert.equal(failure('CreateModel', { ModelName: 'bad_name', Containers: 'x' }).code, 'SerializationException');
  });

  it('keeps a __proto__ map key an ordinary key', () => {
    const input = JSON.parse('{"ModelName":"m","PrimaryContainer":{"Environment":{"__proto__":"x","A":"b"}}}') as Record<string, unknown>;
    const out = validateInput(sagemakerShapes, 'CreateModel', input) as { PrimaryContainer: { Environment: Record<string, string> } };
    assert.deepEqual(Object.keys(out.PrimaryContainer.Environment), ['__proto__', 'A']);
    assert.equal(Object.getPrototypeOf(out.PrimaryContainer.Environment), Object.prototype);
  });

  it('knows operations without input and rejects unknown ones', () => {
    assert.deepEqual(validateInput(tiny, 'NoInput', { Anything: 1 }), {});
    assert.equal(failure('NoSuchOperation', {}).code, 'UnknownOperationException');
  });
});

describe('validation message helpers', () => {
  it('counts errors in the singular and plural', () => {
    assert.equal(validationMessage(['a']), '1 validation error detected: a');
    assert.equal(validationMessage(['a', 'b']), '2 validation errors detected: a; b');
  });

  it('prints values as Java toString does', () => {
    assert.equal(javaText(['a', 'b']), '[a, b]');
    assert.equal(javaText({ K: 'v', N: [1] }), '{K=v, N=[1]}');
    assert.equal(javaText(3, 'double'), '3.0');
    assert.equal(javaText(null), 'null');
  });
});
