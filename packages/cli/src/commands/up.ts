import cluster, { type Worker } from 'node:cluster';
import { parseArgs } from 'node:util';
import {
  ConfigError,
  configFromEnv,
  createNode,
  type NodeConfig,
  resolveConfig,
  startBackgroundNode,
} from '@fairstream/node';
import pino, { type Logger } from 'pino';
import { CliError } from '../errors.ts';

export const upHelp = `Usage: fairstream up [options]

Runs a Fairstream node: the HTTP API, the media pipeline and (soon) the ledger, on embedded
defaults unless told otherwise. Every flag can also be set as an environment variable
(FAIRSTREAM_PORT, FAIRSTREAM_DATA, FAIRSTREAM_DB, FAIRSTREAM_STORAGE, FAIRSTREAM_WORKERS, …).

Options:
  --port N           Port to listen on (default 4000)
  --host HOST        Address to listen on (default 127.0.0.1)
  --data DIR         Data folder (default ./.fairstream)
  --db DB            sqlite (default, a file in the data folder) or postgres://user:pass@host/db
  --storage WHERE    Blob folder (default <data>/blobs) or s3://bucket/prefix?endpoint=…
  --public-url URL   Origin clients use, when behind a proxy (default http://HOST:PORT)
  --workers N        HTTP processes (default: the number of cores, at most 4)
  --rpc-port N       The embedded chain's JSON-RPC port on 127.0.0.1, for wallets (default 8545)
  --chain URL        Settle on a public chain at this JSON-RPC URL instead of the embedded one
  --deployment FILE  With --chain: the contract addresses (contracts/deployments/<chainId>.json)
  --operator-key-file FILE
                     With --chain: the settlement operator's key (else env FAIRSTREAM_OPERATOR_KEY)
  --epoch-seconds N  Settlement epoch length in chain seconds (default 60 embedded, 3600 with --chain; min 10)
  --operators 0x…,0x…
                     Wallet addresses that moderate this node: list reports, delist tracks, remove
                     comments (the embedded chain's operator wallet always can)
  --web DIR          The built web app served at / (default web/dist of this checkout; none: API only)
  --log-level LEVEL  fatal, error, warn, info (default), debug, trace or silent
`;

/** How the primary tells HTTP processes where its embedded chain's RPC server is. */
const EMBEDDED_RPC_ENV = 'FAIRSTREAM_EMBEDDED_RPC';

/** Messages between the HTTP processes and the background process. */
type WorkerMessage = { type: 'job-queued' } | { type: 'fatal'; message: string };

export async function up(args: string[]): Promise<number> {
  const config = parseConfig(args);
  const logger = pino(
    { level: config.logLevel },
    process.stdout.isTTY
      ? pino.transport({ target: 'pino-pretty', options: { translateTime: 'HH:MM:ss' } })
      : undefined,
  );
  if (cluster.isWorker) return runHttpWorker(config, logger);
  if (config.workers === 1) return runSingleProcess(config, logger);
  return runPrimary(config, logger);
}

function parseConfig(args: string[]): NodeConfig {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      db: { type: 'string' },
      storage: { type: 'string' },
      'public-url': { type: 'string' },
      workers: { type: 'string' },
      'rpc-port': { type: 'string' },
      chain: { type: 'string' },
      deployment: { type: 'string' },
      'operator-key-file': { type: 'string' },
      'log-level': { type: 'string' },
      'epoch-seconds': { type: 'string' },
      operators: { type: 'string' },
      web: { type: 'string' },
    },
  });
  try {
    return resolveConfig(
      {
        port: values.port,
        host: values.host,
        data: values.data,
        db: values.db,
        storage: values.storage,
        publicUrl: values['public-url'],
        workers: values.workers,
        rpcPort: values['rpc-port'],
        chain: values.chain,
        deployment: values.deployment,
        operatorKeyFile: values['operator-key-file'],
        logLevel: values['log-level'],
        epochSeconds: values['epoch-seconds'],
        operators: values.operators,
        web: values.web,
      },
      configFromEnv(process.env),
    );
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

async function runSingleProcess(config: NodeConfig, logger: Logger): Promise<number> {
  const node = await createNode(config, { logger });
  const url = await listenOrExplain(
    () => node.listen(),
    config,
    () => node.close(),
  );
  announce(logger, config, url, node.ledger.rpcUrl);
  await untilSignal(logger);
  await node.close();
  return 0;
}

/**
 * One HTTP process can't keep up with many listeners on several cores, so the primary runs the
 * background work (migrations, crash clean-up, media pipeline) and forks HTTP processes that
 * share the port, the database and the blob store.
 */
async function runPrimary(config: NodeConfig, logger: Logger): Promise<number> {
  const background = await startBackgroundNode(config, { logger });
  let stopping = false;
  let fatal: string | undefined;
  const fork = (): Worker => {
    const worker = cluster.fork({ [EMBEDDED_RPC_ENV]: config.chain ? '' : background.ledger.rpcUrl });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'job-queued') background.worker.wake();
      if (message.type === 'fatal') fatal = message.message;
    });
    return worker;
  };
  for (let i = 0; i < config.workers; i++) fork();

  let listening = 0;
  const ready = new Promise<void>((resolve, reject) => {
    cluster.on('listening', () => {
      listening += 1;
      if (listening === config.workers) resolve();
    });
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      if (fatal || listening < config.workers) {
        reject(new CliError(fatal ?? `An HTTP process exited during start (code ${code ?? signal})`));
        return;
      }
      logger.error({ pid: worker.process.pid, code, signal }, 'an HTTP process died; starting another');
      fork();
    });
  });
  try {
    await ready;
  } catch (error) {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    await background.close();
    throw error;
  }
  announce(logger, config, `http://${config.host}:${config.port}`, background.ledger.rpcUrl);
  await untilSignal(logger);
  stopping = true;
  await Promise.all(
    Object.values(cluster.workers ?? {}).map(
      (worker) => new Promise((resolve) => worker?.once('exit', resolve).disconnect()),
    ),
  );
  await background.close();
  return 0;
}

async function runHttpWorker(config: NodeConfig, logger: Logger): Promise<number> {
  const send = (message: WorkerMessage) => process.send?.(message);
  // Ctrl-C reaches every process of the group; the primary decides when HTTP processes stop.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
  const node = await createNode(config, {
    logger,
    role: 'http',
    onJobQueued: () => send({ type: 'job-queued' }),
    embeddedRpcUrl: process.env[EMBEDDED_RPC_ENV] || undefined,
  });
  try {
    await listenOrExplain(
      () => node.listen(),
      config,
      () => node.close(),
    );
  } catch (error) {
    send({ type: 'fatal', message: (error as Error).message });
    process.exitCode = 1;
    return 1;
  }
  // The primary disconnects us to stop; finish the requests in flight, then leave.
  await new Promise<void>((resolve) => process.once('disconnect', resolve));
  await node.close();
  return 0;
}

async function listenOrExplain(
  listen: () => Promise<string>,
  config: NodeConfig,
  close: () => Promise<void>,
) {
  try {
    return await listen();
  } catch (error) {
    await close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(`Port ${config.port} is in use; stop what runs there or pass --port`);
    }
    throw error;
  }
}

function announce(logger: Logger, config: NodeConfig, url: string, rpcUrl: string) {
  logger.info(
    {
      url,
      chain: config.chain ? 'public' : 'embedded',
      rpc: rpcUrl,
      data: config.dataDir,
      db: config.db === 'sqlite' ? 'sqlite' : 'postgres',
      storage: config.storage.startsWith('s3://') ? 's3' : 'fs',
      workers: config.workers,
    },
    `Fairstream node ready at ${url} (API docs at ${url}/api/docs)`,
  );
}

function untilSignal(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down; unfinished media jobs resume on the next start');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
