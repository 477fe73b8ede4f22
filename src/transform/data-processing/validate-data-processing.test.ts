import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationException } from '../../errors/index.js';
import { validateDataProcessing } from './index.js';

describe('validateDataProcessing', () => {
  it('accepts absent, default and supported filters', () => {
    validateDataProcessing(undefined);
    validateDataProcessing({});
    validateDataProcessing({ InputFilter: '$[1:]', OutputFilter: "$['id','SageMakerOutput']", JoinSource: 'Input' });
    validateDataProcessing({ InputFilter: '$.features', OutputFilter: '$[0,5:]', JoinSource: 'None' });
  });

  it('refuses unsupported JSONPath with a ValidationException naming the filter', () => {
    assert.throws(
      () => validateDataProcessing({ InputFilter: '$..features' }),
      (e: unknown) =>
        e instanceof ValidationException &&
        e.code === 'ValidationException' &&
        /InputFilter '\$\.\.features' is not a valid JSONPath expression/.test(e.message),
    );
    assert.throws(
      () => validateDataProcessing({ OutputFilter: 'id' }),
      /OutputFilter 'id' is not a valid JSONPath expression for DataProcessing: it must start with "\$"/,
    );
  });

  it('refuses filters over 63 characters and an unknown JoinSource with AWS constraint wording', () => {
    const long = `$.${'a'.repeat(62)}`;
    assert.throws(
      () => validateDataProcessing({ InputFilter: long }),
      /at 'dataProcessing.inputFilter' failed to satisfy constraint: Member must have length less than or equal to 63/,
    );
    assert.throws(
      () => validateDataProcessing({ JoinSource: 'Output' as 'Input' }),
      /Value 'Output' at 'dataProcessing.joinSource' failed to satisfy constraint: Member must satisfy enum value set: \[Input, None\]/,
    );
  });
});
