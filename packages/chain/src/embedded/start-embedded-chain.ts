import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHardhatRuntimeEnvironment } from 'hardhat/hre';
import { EMBEDDED_CHAIN_ID } from '../chains.ts';
import { completeDeployment, deployFairstream } from '../deploy.ts';
import { type Deployment, embeddedDeploymentPath, readDeployment, writeDeployment } from '../deployment.ts';
import { ChainError } from '../errors.ts';
import { type ChainLogger, silentLogger } from '../logger.ts';
import { embeddedWalletClient } from './clients.ts';
import {
  DEV_ACCOUNT_BALANCE,
  DEV_ACCOUNT_COUNT,
  DEV_MNEMONIC,
  type DevAccount,
  deriveDevAccounts,
} from './dev-accounts.ts';
import { JOURNAL_VERSION, type JournalHeader, openJournalWriter, readJournal } from './journal.ts';
import {
  createJournaledProvider,
  type Eip1193Provider,
  getHead,
  replayJournal,
} from './journaled-provider.ts';
import { startRpcServer } from './rpc-server.ts';

export const EMBEDDED_HARDFORK = 'prague';

/**
 * Dev account roles on the embedded chain; fixed, so every dev's chain has the same cast. Account 0
 * deploys and is the treasury, admin, operator and guardian; account 2 holds FAIR's dev faucet
 * allocation. The rest are free for people and tests.
 */
export const DEV_ROLES = { treasury: 0, operator: 0, devFaucet: 2 } as const;

export type StartEmbeddedChainParameters = {
  /** The chain's own folder (the node passes `<data>/chain`): journal, deployment, lock. */
  dataDir: string;
  chainId?: number;
  /** Default 8545; 0 picks a free port. */
  rpcPort?: number;
  rpcHost?: string;
  /** Deploy Fairstream's contracts when the chain has no deployment yet (its first start). Default true. */
  deploy?: boolean;
  logger?: ChainLogger;
  /** Called after each replayed journal entry at start; keep it cheap (10,000 entries are normal). */
  onReplayProgress?: (done: number, total: number) => void;
};

export type EmbeddedChain = {
  /** EIP-1193; state changes through it are journaled before they are answered. */
  provider: Eip1193Provider;
  rpcUrl: string;
  chainId: number;
  /** The funded dev accounts (public, well-known keys: dev chains only). */
  accounts: readonly DevAccount[];
  /** Where Fairstream's contracts are; undefined only when started with `deploy: false` on a new chain. */
  deployment: Deployment | undefined;
  dataDir: string;
  /** Entries replayed at start, and how long it took. */
  replayed: { entries: number; ms: number };
  stop(): Promise<void>;
};

// Hardhat resolves its project root from a folder holding a package.json; ours has no Hardhat config
// or sources (the network config is given below), so nothing is compiled or read from it.
const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Starts the embedded EVM (Hardhat 3's EDR, in process), rebuilding its state from the journal in
 * `dataDir`, and serves it over JSON-RPC. On the first start it creates the journal and deploys the
 * contracts; on later starts the journal replays them.
 */
export async function startEmbeddedChain(parameters: StartEmbeddedChainParameters): Promise<EmbeddedChain> {
  const { dataDir, chainId = EMBEDDED_CHAIN_ID, rpcPort = 8545, rpcHost = '127.0.0.1' } = parameters;
  const logger = parameters.logger ?? silentLogger;
  await mkdir(dataDir, { recursive: true });
  const releaseLock = await lockDataDir(dataDir);
  const cleanups: (() => Promise<void>)[] = [releaseLock];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
  };

  try {
    const journalFile = join(dataDir, 'journal.jsonl');
    const journal = await readJournal(journalFile);
    if (journal && journal.droppedBytes > 0) {
      logger.warn(
        { journal: journalFile, droppedBytes: journal.droppedBytes },
        'dropped a torn last line from the chain journal (a write cut short by a crash; it was never acknowledged)',
      );
    }
    if (journal && journal.header.chainId !== chainId) {
      throw new ChainError(
        'wrong_chain',
        `The chain in ${dataDir} has chain id ${journal.header.chainId}, not ${chainId}`,
        { details: 'Start it with its own chain id, or use another data folder for a new chain.' },
      );
    }
    const header: JournalHeader = journal?.header ?? {
      kind: 'genesis',
      v: JOURNAL_VERSION,
      chainId,
      hardfork: EMBEDDED_HARDFORK,
      genesisTimestamp: Math.floor(Date.now() / 1000),
      createdAt: new Date().toISOString(),
    };

    const hre = await createHardhatRuntimeEnvironment(
      {
        networks: {
          embedded: {
            type: 'edr-simulated',
            chainId: header.chainId,
            hardfork: header.hardfork,
            // The genesis block's timestamp is part of its hash: the same on every start.
            initialDate: new Date(header.genesisTimestamp * 1000),
            accounts: {
              mnemonic: DEV_MNEMONIC,
              count: DEV_ACCOUNT_COUNT,
              accountsBalance: DEV_ACCOUNT_BALANCE,
            },
            mining: { auto: true, interval: 0 },
            allowUnlimitedContractSize: false,
            // Like a real node: a reverted transaction is mined and answered with its hash (its
            // receipt says status 0); calls and estimates that revert still fail with the revert data.
            throwOnTransactionFailures: false,
            throwOnCallFailures: true,
            loggingEnabled: false,
          },
        },
      },
      {},
      packageRoot,
    );
    const connection = await hre.network.connect({ network: 'embedded' });
    cleanups.push(() => connection.close());
    const inner = connection.provider as Eip1193Provider;

    const started = performance.now();
    const entries = journal?.entries ?? [];
    let lastLog = started;
    const head =
      entries.length > 0
        ? await replayJournal({
            inner,
            entries,
            journalFile,
            onProgress: (done, total) => {
              parameters.onReplayProgress?.(done, total);
              const now = performance.now();
              if (now - lastLog >= 1000) {
                lastLog = now;
                logger.info({ done, total }, 'replaying the chain journal');
              }
            },
          })
        : await getHead(inner);
    const replayMs = performance.now() - started;
    if (entries.length > 0) {
      logger.info(
        { entries: entries.length, blocks: head.number, ms: Math.round(replayMs) },
        'chain restored from its journal',
      );
    }

    const writer = await openJournalWriter(journalFile, journal ? undefined : header);
    cleanups.push(() => writer.close());
    const provider = createJournaledProvider({
      inner,
      writer,
      head,
      nextSeq: (entries.at(-1)?.seq ?? 0) + 1,
      onJournalFailure: (error) =>
        logger.warn({ err: error }, 'the chain journal could not be written; the chain refuses changes'),
    });
    cleanups.push(() => provider.drain());

    const server = await startRpcServer({ provider, host: rpcHost, port: rpcPort, logger });
    cleanups.push(() => server.close());

    const accounts = deriveDevAccounts();
    const deploymentFile = embeddedDeploymentPath(dataDir);
    let deployment = await readDeployment(deploymentFile).catch((error: unknown) => {
      if (error instanceof ChainError && error.code === 'deployment_missing') return undefined;
      throw error;
    });
    if (!deployment && parameters.deploy !== false) {
      if (entries.length > 0) {
        logger.warn(
          { dataDir },
          'the chain has history but no deployment file (a crash mid-deploy?): deploying again',
        );
      }
      deployment = await deployDev(provider, server.url, header.chainId, accounts);
      await writeDeployment(deploymentFile, deployment);
      logger.info(
        { contracts: deployment.contracts },
        'deployed the Fairstream contracts to the embedded chain',
      );
    } else if (deployment && parameters.deploy !== false) {
      // A data folder made by an older version lacks the contracts added since: deploy them now, so
      // every feature works on an existing chain without starting over.
      const completed = await completeDev(provider, server.url, header.chainId, accounts, deployment);
      if (completed.added.length > 0) {
        deployment = completed.deployment;
        await writeDeployment(deploymentFile, deployment);
        logger.info(
          { added: Object.fromEntries(completed.added.map((name) => [name, deployment?.contracts[name]])) },
          `deployed the contracts this chain's deployment lacked: ${completed.added.join(', ')}`,
        );
      }
    }

    logger.info(
      { rpcUrl: server.url, chainId: header.chainId, block: (await getHead(provider)).number },
      'embedded chain ready',
    );
    let stopped = false;
    return {
      provider,
      rpcUrl: server.url,
      chainId: header.chainId,
      accounts,
      deployment,
      dataDir,
      replayed: { entries: entries.length, ms: replayMs },
      async stop() {
        if (stopped) return;
        stopped = true;
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function devAccount(accounts: readonly DevAccount[], index: number): DevAccount {
  const account = accounts[index];
  if (!account) throw new Error(`no dev account #${index}`);
  return account;
}

async function deployDev(
  provider: Eip1193Provider,
  rpcUrl: string,
  chainId: number,
  accounts: readonly DevAccount[],
): Promise<Deployment> {
  const deployer = devAccount(accounts, DEV_ROLES.treasury);
  const client = embeddedWalletClient({ provider, rpcUrl, chainId }, deployer);
  return deployFairstream(client, {
    devChain: true,
    treasury: deployer.address,
    operator: devAccount(accounts, DEV_ROLES.operator).address,
    devFaucet: devAccount(accounts, DEV_ROLES.devFaucet).address,
  });
}

async function completeDev(
  provider: Eip1193Provider,
  rpcUrl: string,
  chainId: number,
  accounts: readonly DevAccount[],
  deployment: Deployment,
) {
  const deployer = devAccount(accounts, DEV_ROLES.treasury);
  return completeDeployment(embeddedWalletClient({ provider, rpcUrl, chainId }, deployer), deployment);
}

/**
 * One process per chain folder: two would both append to the journal and fork the chain. The lock
 * file names the holder's pid; a lock whose process is gone (a crash) is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = join(dataDir, 'chain.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
        throw new ChainError(
          'data_dir_locked',
          `The chain in ${dataDir} is already running (process ${pid})`,
          {
            details: 'Stop that node first, or use another data folder.',
          },
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new ChainError('data_dir_locked', `Could not lock the chain folder ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
