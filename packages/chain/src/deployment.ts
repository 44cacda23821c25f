import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Address, type Hex, isAddress } from 'viem';
import { fsyncDirectory } from './embedded/journal.ts';
import { ChainError } from './errors.ts';

/** The contracts a deployment may hold; the ones not (yet) deployed are absent. */
export type ContractName =
  | 'TestStablecoin'
  | 'PayoutDistributor'
  | 'FairToken'
  | 'RewardsEmitter'
  | 'TrackRegistry'
  | 'Tips'
  | 'Staking'
  | 'SubscriptionVault'
  | 'Promotions'
  | 'FanDrops';

/**
 * Where Fairstream's contracts live on one chain. Written once at deployment (the embedded chain:
 * `<dataDir>/deployment.json`; a public chain: `contracts/deployments/<chainId>.json`) and read by
 * everything that talks to the contracts.
 */
export type Deployment = {
  chainId: number;
  /** A dev chain: faucets exist (FAIR's dev allocation, TestStablecoin). */
  devChain: boolean;
  contracts: { FairToken: Address } & Partial<Record<ContractName, Address>>;
  roles: {
    deployer: Address;
    treasury: Address;
    rewardsReserve: Address;
    operator: Address;
    guardian: Address;
    /** The account holding FAIR's dev faucet allocation; dev chains only. */
    devFaucet?: Address;
  };
  /** The block of the deployment's last transaction: indexers start reading events here. */
  deployedAt: { blockNumber: number; blockHash: Hex; timestamp: number };
};

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** `contracts/deployments/<chainId>.json`: where a public chain's deployment is committed. */
export function publicDeploymentPath(chainId: number): string {
  return join(repoRoot, 'contracts', 'deployments', `${chainId}.json`);
}

/** `<dataDir>/deployment.json`: where the embedded chain keeps its deployment. */
export function embeddedDeploymentPath(dataDir: string): string {
  return join(dataDir, 'deployment.json');
}

/** Reads and validates a deployment file; a missing or malformed file is a `ChainError`. */
export async function readDeployment(file: string): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ChainError('deployment_missing', `No deployment file at ${file}`, {
        details:
          'Deploy the contracts to this chain first (packages/chain/scripts/deploy.ts writes contracts/deployments/<chainId>.json), or pass the path of the deployment file for this chain.',
        cause,
      });
    }
    throw cause;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ChainError('deployment_invalid', `The deployment file ${file} is not valid JSON`, { cause });
  }
  const problem = deploymentProblem(value);
  if (problem) {
    throw new ChainError('deployment_invalid', `The deployment file ${file} is not a Fairstream deployment`, {
      details: problem,
    });
  }
  return value as Deployment;
}

function deploymentProblem(value: unknown): string | undefined {
  const deployment = value as Partial<Deployment> | null;
  if (typeof deployment !== 'object' || deployment === null) return 'expected a JSON object';
  if (!Number.isInteger(deployment.chainId)) return '"chainId" must be an integer';
  if (typeof deployment.devChain !== 'boolean') return '"devChain" must be true or false';
  if (typeof deployment.contracts !== 'object' || deployment.contracts === null)
    return '"contracts" is missing';
  for (const [name, address] of Object.entries(deployment.contracts)) {
    if (typeof address !== 'string' || !isAddress(address)) return `contracts.${name} is not an address`;
  }
  if (!deployment.contracts.FairToken) return 'contracts.FairToken is missing';
  if (!Number.isInteger(deployment.deployedAt?.blockNumber)) return '"deployedAt.blockNumber" is missing';
  return undefined;
}

/** Writes a deployment atomically (temp file, fsync, rename): a crash never leaves half a file. */
export async function writeDeployment(file: string, deployment: Deployment): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(deployment, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
  await fsyncDirectory(dirname(file));
}
