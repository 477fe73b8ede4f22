import { existsSync } from 'node:fs';
import path from 'node:path';
import { apiTarget, callSalviaApi as call, formatTable, parseCliArgs } from './salvia-api-client.js';

const usage = `usage:
  salvia images add <repository> <directory> [--entrypoint <path>]   register a directory as an image
  salvia images list                                                  list registered images
  salvia images remove <repository>                                   unregister an image
options: --endpoint-url <url> (default: $AWS_ENDPOINT_URL, else the server's --host/--port), and the server's settings (--port …)
A directory is laid out like a bring-your-own container: executables "train" and "serve" at its top,
run with no arguments; or give --entrypoint, run as "<entrypoint> train" / "<entrypoint> serve".
`;

/**
 * `salvia images add|list|remove`: manages the user images of a running server through its
 * `/_salvia/images` API. Returns the exit code; prints usage on bad arguments.
 */
export async function runImages(argv: string[]): Promise<number> {
  const [sub, ...args] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(usage);
    return sub === undefined ? 1 : 0;
  }
  const { positional, options, rest } = parseCliArgs(args, ['--entrypoint', '--endpoint-url']);
  const entrypoint = options['--entrypoint'];
  const server = apiTarget(rest, options['--endpoint-url'], process.env);
  switch (sub) {
    case 'add': {
      const [repository, directory] = positional;
      if (repository === undefined || directory === undefined || positional.length > 2) break;
      const resolvedEntrypoint = entrypoint === undefined || path.isAbsolute(entrypoint) || !existsSync(entrypoint) ? entrypoint : path.resolve(entrypoint);
      const image = await call(server, 'PUT', `images/${encodeURIComponent(repository)}`, {
        Directory: path.resolve(directory),
        ...(resolvedEntrypoint !== undefined ? { Entrypoint: resolvedEntrypoint } : {}),
      });
      process.stdout.write(
        `registered ${String(image['Repository'])} -> ${String(image['Directory'])}${image['Entrypoint'] ? ` (entrypoint ${String(image['Entrypoint'])})` : ''}\n`,
      );
      return 0;
    }
    case 'list': {
      if (positional.length > 0) break;
      const { Images: images = [] } = (await call(server, 'GET', 'images')) as { Images?: Record<string, unknown>[] };
      const rows = [
        ['REPOSITORY', 'DIRECTORY', 'ENTRYPOINT'],
        ...images.map((i) => [String(i['Repository']), String(i['Directory']), i['Entrypoint'] ? String(i['Entrypoint']) : '-']),
      ];
      process.stdout.write(formatTable(rows));
      return 0;
    }
    case 'remove': {
      const [repository] = positional;
      if (repository === undefined || positional.length > 1) break;
      await call(server, 'DELETE', `images/${encodeURIComponent(repository)}`);
      process.stdout.write(`removed ${repository}\n`);
      return 0;
    }
    default:
      process.stderr.write(`salvia images: unknown subcommand "${sub}"\n\n`);
  }
  process.stderr.write(usage);
  return 1;
}
