import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Client,
  type ContractConstructorArgs,
  getAddress,
  getContractAddress,
  type Hex,
  parseEther,
  type Transport,
  zeroAddress,
} from 'viem';
import {
  deployContract,
  getBlock,
  getChainId,
  getTransactionCount,
  readContract,
  waitForTransactionReceipt,
  writeContract,
} from 'viem/actions';
import {
  fairTokenAbi,
  fanDropsAbi,
  payoutDistributorAbi,
  promotionsAbi,
  rewardsEmitterAbi,
  stakingAbi,
  subscriptionVaultAbi,
  testStablecoinAbi,
  tipsAbi,
  trackRegistryAbi,
} from './abis/index.ts';
import {
  fairTokenBytecode,
  fanDropsBytecode,
  payoutDistributorBytecode,
  promotionsBytecode,
  rewardsEmitterBytecode,
  stakingBytecode,
  subscriptionVaultBytecode,
  testStablecoinBytecode,
  tipsBytecode,
  trackRegistryBytecode,
} from './bytecode/index.ts';
import type { ContractName, Deployment } from './deployment.ts';
import { ChainError } from './errors.ts';

/** FAIR's fixed supply, 1 billion, split at construction. */
export const DEFAULT_FAIR_ALLOCATIONS = {
  rewardsReserve: parseEther('600000000'),
  treasury: parseEther('300000000'),
  devFaucet: parseEther('100000000'),
} as const;

export type DeployFairstreamParameters = {
  /** Deploy for a dev chain: FAIR gets a dev faucet allocation and TestStablecoin is deployed. */
  devChain: boolean;
  /** Receives the treasury allocation and every admin role. Default: the deploying account. */
  treasury?: Address;
  /** Receives FAIR's rewards reserve. Default: the RewardsEmitter deployed right after FairToken. */
  rewardsReserve?: Address;
  /** The settlement operator (the node's key): posts epochs, releases subscriptions, registers tracks. Default: the treasury. */
  operator?: Address;
  /** May void a pending epoch root. Default: the treasury. */
  guardian?: Address;
  /** Seconds a published epoch root can be voided before claims open. Default: 0 on dev chains, 1 hour otherwise. */
  challengeWindowSeconds?: bigint;
  /** FAIR emission schedule. Default: epochs of 60 s (dev) or 1 h, halving yearly (dev) or every 4 years, the reserve emitted over the halvings. */
  rewards?: { initialPerEpoch: bigint; halvingEpochs: bigint; epochSeconds: bigint; startTime?: bigint };
  /** Subscription terms, in the stablecoin's base units. Default: 5 units of a 6-decimals coin per 30 days. */
  subscription?: { pricePerPeriod: bigint; periodSeconds: bigint };
  /** Holds FAIR's dev faucet allocation; required when `devChain`. */
  devFaucet?: Address;
  allocations?: { rewardsReserve: bigint; treasury: bigint; devFaucet: bigint };
  /** The stablecoin subscriptions and staking fees are paid in; on a dev chain, TestStablecoin. */
  stablecoin?: Address;
  staking?: { cooldownSeconds: bigint; minOperatorStake: bigint };
  /** The price of a day of track promotion, in FAIR base units. Default: 10 FAIR. */
  promotion?: { pricePerDay: bigint };
  onContractDeployed?: (name: ContractName, address: Address) => void;
};

export type DeployFairstreamReturnType = Deployment;

type DeployClient = Client<Transport, Chain | undefined, Account>;

type DeployContext = {
  client: DeployClient;
  deployer: Address;
  treasury: Address;
  operator: Address;
  guardian: Address;
  /** Set by the FairToken step: who received the rewards reserve. */
  rewardsReserve?: Address;
  parameters: DeployFairstreamParameters;
  contracts: Partial<Record<ContractName, Address>>;
};

type DeployStep = {
  name: ContractName;
  when?: (context: DeployContext) => boolean;
  /**
   * The contract can be added to an existing deployment that lacks it (`completeDeployment`): it
   * needs only contracts deployed before it, and nothing deployed before it needs to know about it.
   */
  addLater?: boolean;
  deploy: (context: DeployContext) => Promise<DeployedContract>;
};

type DeployedContract = { address: Address; blockNumber: bigint; blockHash: Hex };

function required(context: DeployContext, name: ContractName): Address {
  const address = context.contracts[name];
  if (!address) throw new Error(`deploy step order: ${name} must be deployed before it is used`);
  return address;
}

/** The default price of a day of track promotion. */
export const DEFAULT_PROMOTION_PRICE_PER_DAY = parseEther('10');

/**
 * The deployment, in order. A new contract is one more step here (after the ones it needs), plus its
 * name in `ContractName`. New steps go at the end, marked `addLater` when they can be, so that every
 * contract before them keeps its address and existing deployments can be completed.
 */
const STEPS: readonly DeployStep[] = [
  {
    name: 'TestStablecoin',
    when: (context) => context.parameters.devChain && !context.parameters.stablecoin,
    deploy: (context) => deploy(context, testStablecoinAbi, testStablecoinBytecode, [context.treasury]),
  },
  {
    name: 'PayoutDistributor',
    deploy: (context) =>
      deploy(context, payoutDistributorAbi, payoutDistributorBytecode, [
        context.treasury,
        context.operator,
        context.guardian,
        context.parameters.challengeWindowSeconds ?? (context.parameters.devChain ? 0n : 3600n),
      ]),
  },
  {
    name: 'FairToken',
    deploy: async (context) => {
      const { devChain, devFaucet } = context.parameters;
      const amounts = context.parameters.allocations ?? DEFAULT_FAIR_ALLOCATIONS;
      if (devChain && !devFaucet) {
        throw new ChainError('deployment_invalid', 'A dev chain deployment needs a devFaucet account');
      }
      // FAIR mints the reserve to the RewardsEmitter, which needs FAIR's address: break the cycle by
      // predicting the emitter's address (the deployer's next contract after this one).
      const nonce = await getTransactionCount(context.client, {
        address: context.deployer,
        blockTag: 'pending',
      });
      context.rewardsReserve =
        context.parameters.rewardsReserve ??
        getContractAddress({ from: context.deployer, nonce: BigInt(nonce) + 1n });
      return deploy(context, fairTokenAbi, fairTokenBytecode, [
        { recipient: context.rewardsReserve, amount: amounts.rewardsReserve },
        { recipient: context.treasury, amount: amounts.treasury },
        devChain,
        devChain && devFaucet
          ? { recipient: devFaucet, amount: amounts.devFaucet }
          : { recipient: zeroAddress, amount: 0n },
      ]);
    },
  },
  {
    name: 'RewardsEmitter',
    deploy: async (context) => {
      const { devChain } = context.parameters;
      const amounts = context.parameters.allocations ?? DEFAULT_FAIR_ALLOCATIONS;
      const epochSeconds = devChain ? 60n : 3600n;
      const halvingEpochs = ((devChain ? 365n : 4n * 365n) * 24n * 3600n) / epochSeconds;
      const schedule = context.parameters.rewards ?? {
        epochSeconds,
        halvingEpochs,
        // Halving series: the whole reserve is emitted as the halvings go to zero.
        initialPerEpoch: amounts.rewardsReserve / (2n * halvingEpochs),
      };
      const startTime = schedule.startTime ?? (await getBlock(context.client)).timestamp;
      const deployed = await deploy(context, rewardsEmitterAbi, rewardsEmitterBytecode, [
        required(context, 'FairToken'),
        required(context, 'PayoutDistributor'),
        schedule.initialPerEpoch,
        schedule.halvingEpochs,
        startTime,
        schedule.epochSeconds,
      ]);
      if (!context.parameters.rewardsReserve && deployed.address !== context.rewardsReserve) {
        throw new ChainError(
          'deployment_invalid',
          `RewardsEmitter landed at ${deployed.address}, not at ${context.rewardsReserve} where FAIR minted the reserve`,
          {
            details:
              'Another transaction from the deployer interleaved with the deployment; deploy again from an idle account.',
          },
        );
      }
      return deployed;
    },
  },
  {
    name: 'TrackRegistry',
    deploy: async (context) => {
      const deployed = await deploy(context, trackRegistryAbi, trackRegistryBytecode, [context.treasury]);
      // The node registers tracks on behalf of artists (and pays their gas on dev chains). Only the
      // admin may grant that; when the admin is a separate treasury, it grants it itself.
      if (context.treasury === context.deployer) {
        const role = await readContract(context.client, {
          address: deployed.address,
          abi: trackRegistryAbi,
          functionName: 'REGISTRAR_ROLE',
        });
        await confirm(
          context,
          await writeContract(context.client, {
            address: deployed.address,
            abi: trackRegistryAbi,
            functionName: 'grantRole',
            args: [role, context.operator],
            account: context.client.account,
            chain: context.client.chain,
          }),
        );
      }
      return deployed;
    },
  },
  {
    name: 'Tips',
    deploy: (context) => deploy(context, tipsAbi, tipsBytecode, [required(context, 'TrackRegistry')]),
  },
  {
    name: 'Staking',
    deploy: (context) => {
      const { devChain } = context.parameters;
      const stablecoin = context.parameters.stablecoin ?? context.contracts.TestStablecoin;
      const staking = context.parameters.staking ?? {
        // A minute on a dev chain so unstaking can be tried by hand; a week on public chains.
        cooldownSeconds: devChain ? 60n : 7n * 24n * 3600n,
        minOperatorStake: parseEther('10000'),
      };
      // Stakers earn the platform fee, which is paid in the stablecoin (FAIR cannot be a reward token).
      return deploy(context, stakingAbi, stakingBytecode, [
        required(context, 'FairToken'),
        staking.cooldownSeconds,
        staking.minOperatorStake,
        context.treasury,
        stablecoin ? [stablecoin] : [],
      ]);
    },
  },
  {
    name: 'SubscriptionVault',
    when: (context) => Boolean(context.parameters.stablecoin ?? context.contracts.TestStablecoin),
    deploy: (context) => {
      const stablecoin = context.parameters.stablecoin ?? required(context, 'TestStablecoin');
      const terms = context.parameters.subscription ?? {
        pricePerPeriod: 5_000_000n,
        periodSeconds: 30n * 24n * 3600n,
      };
      return deploy(context, subscriptionVaultAbi, subscriptionVaultBytecode, [
        context.treasury,
        context.operator,
        stablecoin,
        terms.pricePerPeriod,
        terms.periodSeconds,
        required(context, 'PayoutDistributor'),
      ]);
    },
  },
  {
    name: 'Promotions',
    addLater: true,
    deploy: (context) =>
      deploy(context, promotionsAbi, promotionsBytecode, [
        required(context, 'FairToken'),
        required(context, 'TrackRegistry'),
        context.treasury,
        context.parameters.promotion?.pricePerDay ?? DEFAULT_PROMOTION_PRICE_PER_DAY,
      ]),
  },
  {
    name: 'FanDrops',
    addLater: true,
    deploy: (context) => deploy(context, fanDropsAbi, fanDropsBytecode, [required(context, 'FairToken')]),
  },
];

async function confirm(context: DeployContext, hash: Hex): Promise<void> {
  const receipt = await waitForTransactionReceipt(context.client, { hash });
  if (receipt.status !== 'success') {
    throw new ChainError('transaction_reverted', `A deployment transaction reverted (transaction ${hash})`);
  }
}

async function deploy<const abi extends Abi>(
  context: DeployContext,
  abi: abi,
  bytecode: Hex,
  args: ContractConstructorArgs<abi>,
): Promise<DeployedContract> {
  const { client } = context;
  // The generic constructor-args type cannot be narrowed through viem's overloads here; each call
  // site above is checked against its own ABI by `ContractConstructorArgs<abi>`.
  const hash = await deployContract(client, {
    abi: abi as Abi,
    bytecode,
    args: args as readonly unknown[],
    account: client.account,
    chain: client.chain,
  });
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new ChainError('transaction_reverted', `Deploying a contract reverted (transaction ${hash})`);
  }
  return {
    address: getAddress(receipt.contractAddress),
    blockNumber: receipt.blockNumber,
    blockHash: receipt.blockHash,
  };
}

/**
 * Deploys Fairstream's contracts in order with the client's account and returns where they are.
 * Writing the result (`writeDeployment`) is the caller's: the embedded chain keeps it in its data
 * folder, a public deployment commits it under contracts/deployments.
 */
export async function deployFairstream(
  client: DeployClient,
  parameters: DeployFairstreamParameters,
): Promise<DeployFairstreamReturnType> {
  const deployer = client.account.address;
  const treasury = parameters.treasury ?? deployer;
  const context: DeployContext = {
    client,
    deployer,
    treasury,
    operator: parameters.operator ?? treasury,
    guardian: parameters.guardian ?? treasury,
    parameters,
    contracts: {},
  };
  const chainId = await getChainId(client);
  let last: DeployedContract | undefined;
  for (const step of STEPS) {
    if (step.when && !step.when(context)) continue;
    last = await step.deploy(context);
    context.contracts[step.name] = last.address;
    parameters.onContractDeployed?.(step.name, last.address);
  }
  const { FairToken } = context.contracts;
  if (!FairToken || !last || !context.rewardsReserve)
    throw new Error('the deployment steps did not deploy FairToken');
  const block = await getBlock(client, { blockHash: last.blockHash });
  return {
    chainId,
    devChain: parameters.devChain,
    contracts: { ...context.contracts, FairToken },
    roles: {
      deployer,
      treasury,
      rewardsReserve: context.rewardsReserve,
      operator: context.operator,
      guardian: context.guardian,
      ...(parameters.devChain && parameters.devFaucet ? { devFaucet: parameters.devFaucet } : {}),
    },
    deployedAt: {
      blockNumber: Number(last.blockNumber),
      blockHash: last.blockHash,
      timestamp: Number(block.timestamp),
    },
  };
}

/** The contracts `completeDeployment` would add to this deployment (none for a current one). */
export function missingContracts(deployment: Pick<Deployment, 'contracts'>): ContractName[] {
  return STEPS.filter((step) => step.addLater && !deployment.contracts[step.name]).map((step) => step.name);
}

export type CompleteDeploymentParameters = Pick<
  DeployFairstreamParameters,
  'promotion' | 'onContractDeployed'
>;

export type CompleteDeploymentReturnType = {
  deployment: Deployment;
  /** The contracts deployed now, in order (empty when nothing was missing). */
  added: ContractName[];
};

/**
 * Deploys the contracts a deployment made by an older version lacks (those marked `addLater`, e.g.
 * Promotions and FanDrops), wired to the contracts it has, and returns the deployment with them.
 * Roles stay as they were: the deployment's treasury administers the new contracts too. Writing
 * the result is the caller's (the embedded chain does it at start).
 */
export async function completeDeployment(
  client: DeployClient,
  deployment: Deployment,
  parameters: CompleteDeploymentParameters = {},
): Promise<CompleteDeploymentReturnType> {
  const missing = STEPS.filter((step) => step.addLater && !deployment.contracts[step.name]);
  if (missing.length === 0) return { deployment, added: [] };
  const chainId = await getChainId(client);
  if (chainId !== deployment.chainId) {
    throw new ChainError(
      'wrong_chain',
      `The deployment is for chain ${deployment.chainId}, but the client is on chain ${chainId}`,
    );
  }
  const context: DeployContext = {
    client,
    deployer: client.account.address,
    treasury: deployment.roles.treasury,
    operator: deployment.roles.operator,
    guardian: deployment.roles.guardian,
    rewardsReserve: deployment.roles.rewardsReserve,
    parameters: { devChain: deployment.devChain, ...parameters },
    contracts: { ...deployment.contracts },
  };
  const added: ContractName[] = [];
  for (const step of missing) {
    const deployed = await step.deploy(context);
    context.contracts[step.name] = deployed.address;
    added.push(step.name);
    parameters.onContractDeployed?.(step.name, deployed.address);
  }
  return {
    deployment: { ...deployment, contracts: { ...deployment.contracts, ...context.contracts } },
    added,
  };
}
