import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';

/** Everything a node needs to start, validated once so a bad value fails at start, not mid-request. */
export interface NodeConfig {
  host: string;
  port: number;
  dataDir: string;
  /** 'sqlite' (a file in dataDir) or a postgres:// URL. */
  db: string;
  /** A directory for blobs, or an s3:// URL. */
  storage: string;
  /** The origin clients use; Sign-In with Ethereum messages must name its host. */
  publicUrl: string;
  chainId: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  sessionTtlSeconds: number;
  /** Media jobs processed at once; transcoding uses all cores, so 1 by default. */
  mediaConcurrency: number;
  /** HTTP processes; more than one adds a background process that owns the media pipeline. */
  workers: number;
  /** A public chain's RPC URL; without it the node runs the embedded dev chain. */
  chain: string | undefined;
  /** The public chain's deployment file (contract addresses), required with `chain`. */
  deployment: string | undefined;
  /** File holding the settlement operator's key (else FAIRSTREAM_OPERATOR_KEY). Never logged. */
  operatorKeyFile: string | undefined;
  /** Port of the embedded chain's JSON-RPC server (127.0.0.1), for wallets and tools. */
  rpcPort: number;
  /** Length of a settlement epoch in chain seconds: 60 on the embedded chain, 3600 on a public one. */
  epochSeconds: number;
  /**
   * Lower-case wallet addresses that moderate this node (list reports, delist tracks, remove
   * comments). On the embedded chain the node's operator wallet is one too.
   */
  operators: string[];
  /** Folder of the built web app served at /; 'none' serves the API only. */
  webRoot: string | undefined;
}

/** The built web app (`npm run build -w @fairstream/web`), beside the node in the repository. */
export const DEFAULT_WEB_ROOT = new URL('../../../web/dist/', import.meta.url).pathname;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ConfigSource {
  port?: string | undefined;
  host?: string | undefined;
  data?: string | undefined;
  db?: string | undefined;
  storage?: string | undefined;
  publicUrl?: string | undefined;
  chainId?: string | undefined;
  logLevel?: string | undefined;
  sessionTtl?: string | undefined;
  mediaConcurrency?: string | undefined;
  workers?: string | undefined;
  chain?: string | undefined;
  deployment?: string | undefined;
  operatorKeyFile?: string | undefined;
  rpcPort?: string | undefined;
  epochSeconds?: string | undefined;
  operators?: string | undefined;
  web?: string | undefined;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Flags win over environment variables (FAIRSTREAM_*), which win over defaults. */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigSource {
  return {
    port: env.FAIRSTREAM_PORT,
    host: env.FAIRSTREAM_HOST,
    data: env.FAIRSTREAM_DATA,
    db: env.FAIRSTREAM_DB,
    storage: env.FAIRSTREAM_STORAGE,
    publicUrl: env.FAIRSTREAM_PUBLIC_URL,
    chainId: env.FAIRSTREAM_CHAIN_ID,
    logLevel: env.FAIRSTREAM_LOG_LEVEL,
    sessionTtl: env.FAIRSTREAM_SESSION_TTL,
    mediaConcurrency: env.FAIRSTREAM_MEDIA_CONCURRENCY,
    workers: env.FAIRSTREAM_WORKERS,
    chain: env.FAIRSTREAM_CHAIN,
    deployment: env.FAIRSTREAM_DEPLOYMENT,
    operatorKeyFile: env.FAIRSTREAM_OPERATOR_KEY_FILE,
    rpcPort: env.FAIRSTREAM_RPC_PORT,
    epochSeconds: env.FAIRSTREAM_EPOCH_SECONDS,
    operators: env.FAIRSTREAM_OPERATORS,
    web: env.FAIRSTREAM_WEB,
  };
}

export function resolveConfig(flags: ConfigSource, env: ConfigSource = {}, cwd = process.cwd()): NodeConfig {
  const pick = (key: keyof ConfigSource) => flags[key] ?? env[key];
  const port = parseInteger('port', pick('port') ?? '4000', 0, 65_535);
  const host = pick('host') ?? '127.0.0.1';
  const dataDir = resolvePath(pick('data') ?? '.fairstream', cwd);
  const db = pick('db') ?? 'sqlite';
  if (db !== 'sqlite' && !/^postgres(ql)?:\/\/.+/.test(db)) {
    throw new ConfigError(`--db must be "sqlite" or a postgres://user:pass@host:5432/name URL, not "${db}"`);
  }
  const storageSetting = pick('storage');
  const storage = storageSetting?.startsWith('s3://')
    ? storageSetting
    : resolvePath(storageSetting ?? `${dataDir}/blobs`, cwd);
  const publicUrl = pick('publicUrl') ?? `http://${host}:${port}`;
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(
      `--public-url must be an absolute URL such as https://music.example.org, not "${publicUrl}"`,
    );
  }
  const logLevel = pick('logLevel') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`);
  }
  const chain = pick('chain');
  if (chain !== undefined && !/^https?:\/\/.+/.test(chain)) {
    throw new ConfigError(`--chain must be an http(s):// JSON-RPC URL, not "${chain}"`);
  }
  const deployment = pick('deployment');
  if (chain && !deployment) {
    throw new ConfigError(
      '--chain needs --deployment FILE naming the contract addresses (contracts/deployments/<chainId>.json)',
    );
  }
  if (!chain && deployment) throw new ConfigError('--deployment only applies with --chain URL');
  const operatorKeyFile = pick('operatorKeyFile');
  return {
    host,
    port,
    dataDir,
    db,
    storage,
    publicUrl: publicUrl.replace(/\/$/, ''),
    chainId: parseInteger('chain-id', pick('chainId') ?? '31337', 1, 2 ** 31),
    logLevel: logLevel as NodeConfig['logLevel'],
    sessionTtlSeconds: parseInteger(
      'session-ttl',
      pick('sessionTtl') ?? String(7 * 24 * 3600),
      60,
      365 * 24 * 3600,
    ),
    mediaConcurrency: parseInteger('media-concurrency', pick('mediaConcurrency') ?? '1', 1, 16),
    workers: parseInteger('workers', pick('workers') ?? String(Math.min(availableParallelism(), 4)), 1, 64),
    chain,
    deployment: deployment && resolvePath(deployment, cwd),
    operatorKeyFile: operatorKeyFile && resolvePath(operatorKeyFile, cwd),
    rpcPort: parseInteger('rpc-port', pick('rpcPort') ?? '8545', 0, 65_535),
    // Below 10 s the epoch's own transactions (release, publish, claims) would outlast it.
    epochSeconds: parseInteger(
      'epoch-seconds',
      pick('epochSeconds') ?? (chain ? '3600' : '60'),
      10,
      7 * 24 * 3600,
    ),
    operators: parseOperators(pick('operators')),
    webRoot: pick('web') === 'none' ? undefined : resolvePath(pick('web') ?? DEFAULT_WEB_ROOT, cwd),
  };
}

/** Comma-separated wallet addresses; any that is not one stops the node at start. */
function parseOperators(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [];
  const addresses = text.split(',').map((part) => part.trim());
  for (const address of addresses) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
      throw new ConfigError(
        `--operators must be comma-separated wallet addresses (0x followed by 40 hex digits), and "${address}" is not one`,
      );
    }
  }
  return [...new Set(addresses.map((address) => address.toLowerCase()))];
}

function parseInteger(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ConfigError(`--${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return Number(text);
}

function resolvePath(path: string, cwd: string): string {
  if (path.trim() === '') throw new ConfigError('A folder path must not be empty');
  return isAbsolute(path) ? path : resolve(cwd, path);
}
