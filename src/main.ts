import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { placeholderService } from './api/placeholder-service.js';
import { buildServer } from './api/server.js';
import type { Config } from './config/index.js';
import { openDatabase, type Database } from './store/index.js';

/** A running platform: its address and how to stop it. */
export interface Platform {
  readonly url: string;
  readonly config: Config;
  readonly server: FastifyInstance;
  readonly database: Database;
  close(): Promise<void>;
}

/**
 * The composition root: builds every adapter from the configuration, wires the services and
 * starts listening. Throws if the data directory, database or port cannot be used.
 */
export async function startPlatform(config: Config, logger: Logger = pino({ level: config.logLevel })): Promise<Platform> {
  mkdirSync(config.dataDir, { recursive: true });
  const database = await openDatabase(config);
  const server = buildServer(
    {
      sagemaker: placeholderService('sagemaker'),
      logs: placeholderService('logs'),
      runtime: placeholderService('runtime'),
      sts: placeholderService('sts'),
      s3: placeholderService('s3'),
    },
    { logger },
  );
  try {
    await server.listen({ host: config.host, port: config.port });
  } catch (error) {
    await database.close();
    throw error;
  }
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('server is not listening on a TCP port');
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return {
    url,
    config,
    server,
    database,
    async close() {
      await server.close();
      await database.close();
    },
  };
}
