import { ChainError, faucet, getChainInfo } from '@fairstream/chain';
import type { Address } from 'viem';
import type { Ledger } from '../chain/ledger.ts';
import { AppError, conflict } from '../errors.ts';
import type { FaucetRepository } from '../repositories/faucet.repository.ts';

export const FAUCET_INTERVAL_MS = 60 * 60 * 1000;

/** The ledger as the API shows it: where the contracts are, and (dev chains) the faucet. */
export class ChainService {
  readonly #ledger: Ledger;
  readonly #drips: FaucetRepository;
  readonly #now: () => number;
  readonly #afterWrite: () => void;

  constructor(
    ledger: Ledger,
    drips: FaucetRepository,
    options: {
      now?: () => number;
      /** Called once the faucet's transactions are mined (the node's chain head looks again). */
      afterWrite?: () => void;
    } = {},
  ) {
    this.#ledger = ledger;
    this.#drips = drips;
    this.#now = options.now ?? Date.now;
    this.#afterWrite = options.afterWrite ?? (() => {});
  }

  async info() {
    const info = await getChainInfo(this.#ledger.publicClient, {
      deployment: this.#ledger.deployment,
      rpcUrl: this.#ledger.rpcUrl,
    });
    return {
      chainId: info.chainId,
      rpcUrl: this.#ledger.rpcUrl,
      devChain: info.devChain,
      blockNumber: info.blockNumber.toString(),
      contracts: info.contracts as Record<string, string>,
      deployedAt: { ...info.deployedAt },
    };
  }

  /** Dev chains: gas, FAIR and test stablecoin for a wallet, once an hour. */
  async fundFromFaucet(address: string) {
    const wallet = this.#ledger.faucetWallet;
    if (!wallet)
      throw conflict(
        'not_dev_chain',
        'The faucet exists on dev chains only; this node runs on a public chain',
      );
    const now = this.#now();
    if (!(await this.#drips.claimDrip(address, now, now - FAUCET_INTERVAL_MS))) {
      const last = (await this.#drips.lastDrip(address)) ?? now;
      throw new AppError(
        429,
        'faucet_rate_limited',
        `This wallet was funded less than an hour ago; try again after ${new Date(last + FAUCET_INTERVAL_MS).toISOString()}`,
      );
    }
    try {
      const drip = await faucet(wallet, { deployment: this.#ledger.deployment, to: address as Address });
      // A wallet funded to pass a token gate streams the gated track at once.
      this.#afterWrite();
      return {
        address,
        eth: drip.eth.amount.toString(),
        fair: drip.fair.amount.toString(),
        stablecoin: (drip.stablecoin?.amount ?? 0n).toString(),
        transactions: [drip.eth.hash, drip.fair.hash, ...(drip.stablecoin ? [drip.stablecoin.hash] : [])],
      };
    } catch (error) {
      await this.#drips.releaseDrip(address, now);
      if (error instanceof ChainError) {
        throw new AppError(503, 'faucet_failed', `The faucet could not send: ${error.message}; try again`, {
          cause: error,
        });
      }
      throw error;
    }
  }
}
