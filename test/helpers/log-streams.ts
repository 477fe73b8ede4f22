import { DescribeLogStreamsCommand, GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

/**
 * Every message of a log group's streams (those named `prefix…` when given), read through the
 * CloudWatch Logs API page by page as the SDKs do: stream name → messages in order. Empty while the
 * group does not exist.
 */
export async function logStreams(logs: CloudWatchLogsClient, group: string, prefix?: string): Promise<Map<string, string[]>> {
  const streams = await logs
    .send(new DescribeLogStreamsCommand({ logGroupName: group, ...(prefix !== undefined ? { logStreamNamePrefix: prefix } : {}) }))
    .catch(() => ({ logStreams: [] }));
  const result = new Map<string, string[]>();
  for (const stream of streams.logStreams ?? []) {
    const name = stream.logStreamName ?? '';
    const lines: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(
        new GetLogEventsCommand({ logGroupName: group, logStreamName: name, startFromHead: true, ...(token ? { nextToken: token } : {}) }),
      );
      lines.push(...(page.events ?? []).map((event) => event.message ?? ''));
      if (!page.nextForwardToken || page.nextForwardToken === token || (page.events ?? []).length === 0) break;
      token = page.nextForwardToken;
    }
    result.set(name, lines);
  }
  return result;
}
