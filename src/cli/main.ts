import { runEnv } from './env-command.js';
import { runServer } from './server-command.js';
import { runImages } from './images-command.js';
import { runFileSystems } from './filesystems-command.js';
import { runLogs } from './logs-command.js';
import { runSupervise } from './supervise-command.js';

const usage = `usage: salvia <command> [options]

commands:
  server   run the platform (options: --host, --port, --data-dir, --database, --s3-endpoint, --auth …)
  env      print shell exports that point AWS clients at the platform: eval "$(salvia env)"
  logs     print a training job's log, merged across instances: salvia logs <job> [--follow] [--endpoint-url URL]
  images   register directories as images: salvia images add <repository> <dir> [--entrypoint <path>] | list | remove <repository>
  filesystems  register directories as file systems for training channels: salvia filesystems add <fs-id> <dir> | list | remove <fs-id>
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      return runServer(rest);
    case 'env':
      return runEnv(rest);
    case 'images':
      return runImages(rest);
    case 'filesystems':
      return runFileSystems(rest);
    case 'logs':
      return runLogs(rest);
    case 'supervise':
      return runSupervise(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`salvia: unknown command "${command}"\n\n${usage}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`salvia: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
