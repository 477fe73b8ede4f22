import path from 'node:path';
import { apiTarget, callSalviaApi as call, formatTable, parseCliArgs } from './salvia-api-client.js';

const usage = `usage:
  salvia filesystems add <fs-id> <directory>   register a directory as the file system <fs-id> (fs-0123abcd)
  salvia filesystems list                      list registered file systems
  salvia filesystems remove <fs-id>            unregister a file system
options: --endpoint-url <url> (default: $AWS_ENDPOINT_URL, else the server's --host/--port), and the server's settings (--port …)
A training channel with a FileSystemDataSource (EFS or FSxLustre) naming <fs-id> gets <directory>/<DirectoryPath>
mounted at /opt/ml/input/data/<channel> (for FSxLustre the first segment of DirectoryPath, the mount name, is dropped).
`;

/**
 * `salvia filesystems add|list|remove`: manages the file systems of a running server (FileSystemIds
 * bound to directories, for FileSystemDataSource channels) through its `/_salvia/filesystems` API.
 * Returns the exit code; prints usage on bad arguments.
 */
export async function runFileSystems(argv: string[]): Promise<number> {
  const [sub, ...args] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(usage);
    return sub === undefined ? 1 : 0;
  }
  const { positional, options, rest } = parseCliArgs(args, ['--endpoint-url']);
  const server = apiTarget(rest, options['--endpoint-url'], process.env);
  switch (sub) {
    case 'add': {
      const [id, directory] = positional;
      if (id === undefined || directory === undefined || positional.length > 2) break;
      const added = await call(server, 'PUT', `filesystems/${encodeURIComponent(id)}`, { Directory: path.resolve(directory) });
      process.stdout.write(`registered ${String(added['FileSystemId'])} -> ${String(added['Directory'])}\n`);
      return 0;
    }
    case 'list': {
      if (positional.length > 0) break;
      const { FileSystems: list = [] } = (await call(server, 'GET', 'filesystems')) as { FileSystems?: Record<string, unknown>[] };
      process.stdout.write(formatTable([['FILE SYSTEM', 'DIRECTORY'], ...list.map((f) => [String(f['FileSystemId']), String(f['Directory'])])]));
      return 0;
    }
    case 'remove': {
      const [id] = positional;
      if (id === undefined || positional.length > 1) break;
      await call(server, 'DELETE', `filesystems/${encodeURIComponent(id)}`);
      process.stdout.write(`removed ${id}\n`);
      return 0;
    }
    default:
      process.stderr.write(`salvia filesystems: unknown subcommand "${sub}"\n\n`);
  }
  process.stderr.write(usage);
  return 1;
}
