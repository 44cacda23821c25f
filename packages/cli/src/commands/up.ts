import { parseArgs } from 'node:util';
import { ConfigError, configFromEnv, createNode, resolveConfig } from '@fairstream/node';
import pino from 'pino';
import { CliError } from '../errors.ts';

export const upHelp = `Usage: fairstream up [options]

Runs a Fairstream node: the HTTP API, the media pipeline and (soon) the ledger, on embedded
defaults unless told otherwise. Every flag can also be set as an environment variable
(FAIRSTREAM_PORT, FAIRSTREAM_DATA, FAIRSTREAM_DB, FAIRSTREAM_STORAGE, …).

Options:
  --port N           Port to listen on (default 4000)
  --host HOST        Address to listen on (default 127.0.0.1)
  --data DIR         Data folder (default ./.fairstream)
  --db DB            sqlite (default, a file in the data folder) or postgres://user:pass@host/db
  --storage WHERE    Blob folder (default <data>/blobs) or s3://bucket/prefix?endpoint=…
  --public-url URL   Origin clients use, when behind a proxy (default http://HOST:PORT)
  --log-level LEVEL  fatal, error, warn, info (default), debug, trace or silent
`;

export async function up(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      db: { type: 'string' },
      storage: { type: 'string' },
      'public-url': { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  let config: ReturnType<typeof resolveConfig>;
  try {
    config = resolveConfig(
      {
        port: values.port,
        host: values.host,
        data: values.data,
        db: values.db,
        storage: values.storage,
        publicUrl: values['public-url'],
        logLevel: values['log-level'],
      },
      configFromEnv(process.env),
    );
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  const logger = pino(
    { level: config.logLevel },
    process.stdout.isTTY
      ? pino.transport({ target: 'pino-pretty', options: { translateTime: 'HH:MM:ss' } })
      : undefined,
  );
  const node = await createNode(config, { logger });
  let url: string;
  try {
    url = await node.listen();
  } catch (error) {
    await node.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(`Port ${config.port} is in use; stop what runs there or pass --port`);
    }
    throw error;
  }
  logger.info(
    {
      url,
      data: config.dataDir,
      db: config.db === 'sqlite' ? 'sqlite' : 'postgres',
      storage: node.blobs.kind,
    },
    `Fairstream node ready at ${url} (API docs at ${url}/api/docs)`,
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down; unfinished media jobs resume on the next start');
      node.close().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
