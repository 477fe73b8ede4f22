import { configUsage, loadConfig } from '../config/index.js';
import { startPlatform } from '../main.js';

/** `salvia server`: runs until SIGINT or SIGTERM, then closes connections and the database; `--help` lists the settings. */
export async function runServer(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(configUsage());
    return 0;
  }
  const config = loadConfig(argv, process.env);
  const platform = await startPlatform(config);
  process.stdout.write(`Salvia listening on ${platform.url}\nData directory: ${config.dataDir}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await platform.close();
  process.stdout.write('Salvia stopped\n');
  return 0;
}
