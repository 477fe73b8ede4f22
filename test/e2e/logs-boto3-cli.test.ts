import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { awsEnv, startServer, type ServerProcess } from '../helpers/server-process.js';

const run = promisify(execFile);

// The SageMaker Python SDK's log tailing (sagemaker/logs.py `log_stream` and the
// `logs_for_job` restart with start_time/skip), verbatim in its paging logic, via boto3.
const sdkLoop = String.raw`
import boto3, json, sys, time
client = boto3.client("logs")
group, job = sys.argv[1], sys.argv[2]

def log_stream(client, log_group, stream_name, start_time=0, skip=0):
    next_token = None
    event_count = 1
    while event_count > 0:
        if next_token is not None:
            token_arg = {"nextToken": next_token}
        else:
            token_arg = {}
        response = client.get_log_events(
            logGroupName=log_group,
            logStreamName=stream_name,
            startTime=start_time,
            startFromHead=True,
            **token_arg
        )
        next_token = response["nextForwardToken"]
        events = response["events"]
        event_count = len(events)
        if event_count > skip:
            events = events[skip:]
            skip = 0
        else:
            skip = skip - event_count
            events = []
        for ev in events:
            yield ev

now = int(time.time() * 1000)
streams = client.describe_log_streams(logGroupName=group, logStreamNamePrefix=job + "/", orderBy="LogStreamName", limit=1)
assert "nextToken" not in streams, streams
stream = streams["logStreams"][0]["logStreamName"]

# The job writes 2500 lines, several per millisecond.
events = [{"timestamp": now + i // 3, "message": "line %d" % i} for i in range(2500)]
client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)

first = [e["message"] for e in log_stream(client, group, stream)]
last_ts = max(e["timestamp"] for e in events)
skip = sum(1 for e in events if e["timestamp"] == last_ts)

# More output arrives; the SDK restarts from the last timestamp, skipping what it has seen.
client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": last_ts, "message": "same ms"}, {"timestamp": last_ts + 5, "message": "later"}])
second = [e["message"] for e in log_stream(client, group, stream, start_time=last_ts, skip=skip)]

try:
    client.get_log_events(logGroupName=group, logStreamName="missing/stream", startFromHead=True)
    missing = None
except client.exceptions.ResourceNotFoundException as e:
    missing = e.response["Error"]["Message"]
print(json.dumps({"stream": stream, "first": len(first), "firstHead": first[:2], "firstTail": first[-1], "second": second, "missing": missing}))
`;

let server: ServerProcess;
let home: string;

before(async () => {
  server = await startServer();
  home = mkdtempSync(path.join(tmpdir(), 'salvia-aws-home-'));
  const env = awsEnv(server, home);
  await run('aws', ['logs', 'create-log-group', '--log-group-name', '/aws/sagemaker/TrainingJobs'], { env });
  await run('aws', ['logs', 'create-log-stream', '--log-group-name', '/aws/sagemaker/TrainingJobs', '--log-stream-name', 'py-job/algo-1-1700000000'], { env });
});

after(async () => {
  await server?.dispose();
  if (home) rmSync(home, { recursive: true, force: true });
});

test("boto3: the SageMaker SDK's get_log_events loop reads every line once and stops on the empty page", async () => {
  const { stdout } = await run('python3', ['-c', sdkLoop, '/aws/sagemaker/TrainingJobs', 'py-job'], { env: awsEnv(server, home) });
  const result = JSON.parse(stdout) as { stream: string; first: number; firstHead: string[]; firstTail: string; second: string[]; missing: string | null };
  assert.equal(result.stream, 'py-job/algo-1-1700000000');
  assert.equal(result.first, 2500);
  assert.deepEqual(result.firstHead, ['line 0', 'line 1']);
  assert.equal(result.firstTail, 'line 2499');
  assert.deepEqual(result.second, ['same ms', 'later']);
  assert.equal(result.missing, 'The specified log stream does not exist.');
});

test('AWS CLI filter-log-events (what `aws logs tail` calls; CLI v1 has no `tail`) finds the lines, paginating', async () => {
  const env = awsEnv(server, home);
  const start = Date.now();
  const events = JSON.stringify(Array.from({ length: 7 }, (_, i) => ({ timestamp: start + i, message: i % 2 === 0 ? `tail me: epoch ${i}` : `other ${i}` })));
  await run('aws', ['logs', 'create-log-stream', '--log-group-name', '/aws/sagemaker/TrainingJobs', '--log-stream-name', 'tail-job/algo-1-1'], { env });
  await run(
    'aws',
    ['logs', 'put-log-events', '--log-group-name', '/aws/sagemaker/TrainingJobs', '--log-stream-name', 'tail-job/algo-1-1', '--log-events', events],
    { env },
  );
  const { stdout } = await run(
    'aws',
    [
      'logs',
      'filter-log-events',
      '--log-group-name',
      '/aws/sagemaker/TrainingJobs',
      '--start-time',
      String(start),
      '--filter-pattern',
      '"tail me"',
      '--page-size',
      '2',
      '--output',
      'json',
    ],
    { env },
  );
  const result = JSON.parse(stdout) as { events: { logStreamName: string; message: string }[] };
  assert.deepEqual(
    result.events.map((e) => `${e.logStreamName} ${e.message}`),
    [0, 2, 4, 6].map((i) => `tail-job/algo-1-1 tail me: epoch ${i}`),
  );
});
