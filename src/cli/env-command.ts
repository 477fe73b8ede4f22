import { loadConfig } from '../config/index.js';

/**
 * `salvia env`: the exports that make unmodified AWS clients (boto3, the AWS CLI, the JS SDK)
 * talk to this platform. Reads the same settings as `salvia server`.
 */
export async function runEnv(argv: string[]): Promise<number> {
  const config = loadConfig(argv, process.env);
  const key = config.accessKeys[0];
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.port === 0 ? 7070 : config.port}`;
  const exports: Record<string, string> = {
    AWS_ENDPOINT_URL: url,
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    AWS_ACCESS_KEY_ID: key?.accessKeyId ?? 'salvia',
    AWS_SECRET_ACCESS_KEY: key?.secretAccessKey ?? 'salvia-secret-key',
  };
  for (const [name, value] of Object.entries(exports)) process.stdout.write(`export ${name}='${value.replace(/'/g, `'\\''`)}'\n`);
  process.stdout.write('unset AWS_SESSION_TOKEN AWS_PROFILE\n');
  return 0;
}
