import {
  type Account,
  type Address,
  type Chain,
  type Client,
  type Hash,
  parseEther,
  type Transport,
} from 'viem';
import {
  getBlock,
  readContract,
  sendTransaction,
  waitForTransactionReceipt,
  writeContract,
} from 'viem/actions';
import { fairTokenAbi, testStablecoinAbi } from '../abis/index.ts';
import type { Deployment } from '../deployment.ts';
import { ChainError } from '../errors.ts';

export const FAUCET_DEFAULTS = {
  /** Enough gas for thousands of transactions on a dev chain. */
  eth: parseEther('10'),
  fair: parseEther('1000'),
  /** 1,000 tUSD (6 decimals); TestStablecoin allows up to 10,000 per drip, one drip per hour. */
  stablecoin: 1_000_000_000n,
} as const;

export type FaucetParameters = {
  deployment: Pick<Deployment, 'contracts' | 'devChain'>;
  /** The wallet to fund. */
  to: Address;
  eth?: bigint;
  fair?: bigint;
  stablecoin?: bigint;
};

type Drip = { amount: bigint; hash: Hash };

export type FaucetReturnType = {
  eth: Drip;
  fair: Drip;
  /** Absent when the chain has no TestStablecoin or `to` had a drip within the hour. */
  stablecoin?: Drip;
  /** When `to` may next receive tUSD (unix seconds), set when this call could not send any. */
  stablecoinAvailableAt?: bigint;
};

export type FaucetErrorType = ChainError;

/**
 * Dev chains only: funds a wallet so it can use Fairstream at once: ETH for gas and FAIR from the
 * client's account (the dev faucet account, which holds FAIR's dev allocation), and tUSD from
 * TestStablecoin's own rate-limited faucet when the chain has it.
 */
export async function faucet(
  client: Client<Transport, Chain | undefined, Account>,
  parameters: FaucetParameters,
): Promise<FaucetReturnType> {
  const { deployment, to } = parameters;
  if (!deployment.devChain) {
    throw new ChainError('not_dev_chain', 'The faucet exists on dev chains only', {
      details: 'On a public chain, get ETH and tokens from an exchange or a testnet faucet.',
    });
  }
  const eth = parameters.eth ?? FAUCET_DEFAULTS.eth;
  const fair = parameters.fair ?? FAUCET_DEFAULTS.fair;

  const ethHash = await sendTransaction(client, {
    account: client.account,
    chain: client.chain,
    to,
    value: eth,
  });
  await confirmed(client, ethHash, 'ETH');
  const fairHash = await writeContract(client, {
    address: deployment.contracts.FairToken,
    abi: fairTokenAbi,
    functionName: 'transfer',
    args: [to, fair],
    account: client.account,
    chain: client.chain,
  });
  await confirmed(client, fairHash, 'FAIR');
  const result: FaucetReturnType = {
    eth: { amount: eth, hash: ethHash },
    fair: { amount: fair, hash: fairHash },
  };

  const stablecoin = deployment.contracts.TestStablecoin;
  if (stablecoin) {
    const amount = parameters.stablecoin ?? FAUCET_DEFAULTS.stablecoin;
    const [availableAt, latest] = await Promise.all([
      readContract(client, {
        address: stablecoin,
        abi: testStablecoinAbi,
        functionName: 'nextFaucetAt',
        args: [to],
      }),
      getBlock(client),
    ]);
    // The next block is at least one second later than the latest; a drip then must be allowed.
    if (availableAt > latest.timestamp + 1n) {
      result.stablecoinAvailableAt = availableAt;
    } else {
      const hash = await writeContract(client, {
        address: stablecoin,
        abi: testStablecoinAbi,
        functionName: 'faucet',
        args: [to, amount],
        account: client.account,
        chain: client.chain,
      });
      await confirmed(client, hash, 'tUSD');
      result.stablecoin = { amount, hash };
    }
  }
  return result;
}

async function confirmed(
  client: Client<Transport, Chain | undefined>,
  hash: Hash,
  what: string,
): Promise<void> {
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== 'success') {
    throw new ChainError(
      'transaction_reverted',
      `The faucet's ${what} transfer reverted (transaction ${hash})`,
    );
  }
}
