import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointLogGroupArn, modelErrorFromResponse, modelTimeoutError } from './model-errors.js';

const scope = { region: 'eu-west-1', accountId: '123456789012' };

describe('runtime ModelError shapes', () => {
  it('a 4xx answer is a client error from the container, with its status, body and the log group', () => {
    const error = modelErrorFromResponse(scope, 'ep', 'primary', 400, Buffer.from('bad row 3'));
    assert.equal(error.code, 'ModelError');
    assert.equal(error.status, 424);
    assert.equal(
      error.message,
      'Received client error (400) from primary with message "bad row 3". See https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logEventViewer:group=/aws/sagemaker/Endpoints/ep in account 123456789012 for more information.',
    );
    assert.deepEqual(error.details, {
      ErrorCode: 'CLIENT_ERROR_FROM_MODEL',
      OriginalStatusCode: 400,
      OriginalMessage: 'bad row 3',
      LogStreamArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/ep',
    });
  });

  it('a 5xx answer is a server error', () => {
    const error = modelErrorFromResponse(scope, 'ep', 'container-2', 503, Buffer.from('busy'));
    assert.match(error.message, /^Received server error \(503\) from container-2 with message "busy"\./);
    assert.equal(error.details['ErrorCode'], 'SERVER_ERROR_FROM_MODEL');
  });

  it('a timeout is status 0 with the timed-out message', () => {
    const error = modelTimeoutError(scope, 'ep', 'primary');
    assert.equal(error.details['OriginalStatusCode'], 0);
    assert.match(
      error.message,
      /^Received server error \(0\) from primary with message "Your invocation timed out while waiting for a response from container primary\./,
    );
    assert.equal(error.details['LogStreamArn'], endpointLogGroupArn(scope, 'ep'));
  });
});
