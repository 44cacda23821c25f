import {
  ChainError,
  type GetSubscriptionTermsReturnType,
  getPermitNonce,
  getSubscription,
  getSubscriptionTerms,
  getTokenBalance,
  PERMIT_TYPES,
  permitTypedData,
  subscribeForWithPermit,
} from '@fairstream/chain';
import { type Address, formatUnits, getAddress, type Hex, recoverTypedDataAddress } from 'viem';
import type { Ledger } from '../chain/ledger.ts';
import { AppError, badRequest, conflict, unprocessable } from '../errors.ts';
import { withChain } from './chain-unavailable.ts';

/** The most periods one subscription may pay for (the CLI's limit too). */
export const MAX_PERIODS = 999;

/**
 * A permit must stay valid this long after the node checks it, so the relayed transaction is mined
 * before its deadline passes.
 */
export const DEADLINE_MARGIN_SECONDS = 60n;

export interface SubscribeRequest {
  periods: number;
  /** Unix seconds, as signed in the permit. */
  deadline: number;
  /** The wallet's 65-byte EIP-712 signature of the permit, 0x-prefixed hex. */
  signature: string;
}

/**
 * Subscriptions paid in the stablecoin, gasless for the fan: the fan's wallet signs an EIP-2612
 * permit for exactly the price, and the node's operator wallet sends it to
 * `SubscriptionVault.subscribeForWithPermit`, paying the gas. Everything the node could refuse is
 * checked first (deadline, signer, balance), so the operator never pays for a transaction that
 * was going to revert, and the fan hears what to fix.
 */
export class SubscriptionsService {
  readonly #ledger: Ledger;
  /** The vault's terms and the token's permit domain are fixed at deployment: read them once. */
  #terms: Promise<GetSubscriptionTermsReturnType> | undefined;

  constructor(ledger: Ledger) {
    this.#ledger = ledger;
  }

  terms() {
    return withChain(() => this.#termsAnswer());
  }

  /** An account's subscription as the vault holds it, with what cancelling now would refund. */
  account(address: string) {
    return withChain(() => this.#account(getAddress(address)));
  }

  /** Relays the signed-in wallet's permit: it pays for `periods`, the operator pays the gas. */
  subscribe(address: string, request: SubscribeRequest) {
    return withChain(() => this.#subscribe(getAddress(address), request));
  }

  async #termsAnswer() {
    const terms = await this.#chainTerms();
    return {
      chainId: this.#ledger.chainId,
      vault: terms.vault.toLowerCase(),
      token: { address: terms.token.toLowerCase(), symbol: terms.symbol, decimals: terms.decimals },
      pricePerPeriod: terms.pricePerPeriod.toString(),
      periodSeconds: Number(terms.periodSeconds),
      maxPeriods: MAX_PERIODS,
      chainTime: Number(await this.#chainNow()) * 1000,
      relayer: this.#ledger.operatorWallet.account.address.toLowerCase(),
      permit: {
        domain: jsonDomain(terms.permitDomain),
        types: PERMIT_TYPES,
        primaryType: 'Permit' as const,
        spender: terms.vault.toLowerCase(),
      },
    };
  }

  async #account(subscriber: Address) {
    const terms = await this.#chainTerms();
    const { deployment, publicClient } = this.#ledger;
    const now = await this.#chainNow();
    const [state, balance, nonce] = await Promise.all([
      getSubscription(publicClient, { deployment, subscriber, at: now }),
      getTokenBalance(publicClient, { token: terms.token, address: subscriber }),
      getPermitNonce(publicClient, { token: terms.token, owner: subscriber }),
    ]);
    const period = terms.periodSeconds;
    const subscribed = state.end > 0n;
    // As SubscriptionVault.cancel (EarningsLib.cancelledEnd): the period in progress runs to its end,
    // the periods after it are refunded.
    const refundablePeriods = state.active
      ? (state.end - state.start) / period - ((now - state.start) / period + 1n)
      : 0n;
    return {
      address: subscriber.toLowerCase(),
      active: state.active,
      startsAt: subscribed ? Number(state.start) * 1000 : null,
      paidUntil: subscribed ? Number(state.end) * 1000 : null,
      periods: Number((state.end - state.start) / period),
      refundablePeriods: Number(refundablePeriods),
      refundable: (refundablePeriods * terms.pricePerPeriod).toString(),
      paid: state.paid.toString(),
      released: state.released.toString(),
      earned: state.earned.toString(),
      balance: balance.toString(),
      permitNonce: nonce.toString(),
    };
  }

  async #subscribe(subscriber: Address, request: SubscribeRequest) {
    const { periods } = request;
    const terms = await this.#chainTerms();
    const { deployment, publicClient, operatorWallet, devChain } = this.#ledger;
    const deadline = BigInt(request.deadline);
    const now = await this.#chainNow();
    if (deadline < now + DEADLINE_MARGIN_SECONDS) {
      throw badRequest(
        'permit_expired',
        `The permit's deadline ${iso(deadline)} has passed or is less than ${DEADLINE_MARGIN_SECONDS} s away (chain time ${iso(now)}); sign a new permit with a later deadline, e.g. an hour after the chainTime of GET /api/v1/subscriptions/terms`,
      );
    }
    const amount = terms.pricePerPeriod * BigInt(periods);
    const nonce = await getPermitNonce(publicClient, { token: terms.token, owner: subscriber });
    const signer = (at: bigint) =>
      recoverTypedDataAddress({
        ...permitTypedData(terms.permitDomain, {
          owner: subscriber,
          spender: terms.vault,
          value: amount,
          nonce: at,
          deadline,
        }),
        signature: request.signature as Hex,
      });
    let recovered: Address;
    try {
      recovered = await signer(nonce);
    } catch (error) {
      throw badRequest(
        'invalid_signature',
        'The signature is not a valid secp256k1 signature (65 bytes: r, s, v); sign the permit with the wallet (eth_signTypedData_v4)',
        error,
      );
    }
    if (recovered !== subscriber) {
      if (nonce > 0n && (await signer(nonce - 1n).catch(() => undefined)) === subscriber) {
        throw conflict(
          'permit_used',
          `This permit was already used (the wallet's permit nonce is now ${nonce}); GET /api/v1/accounts/${subscriber.toLowerCase()}/subscription shows the subscription. Sign a new permit to pay for more periods`,
        );
      }
      throw new AppError(
        401,
        'invalid_signature',
        `The signature is not ${subscriber.toLowerCase()}'s permit for ${periods} period(s): sign EIP-2612 Permit(owner ${subscriber.toLowerCase()}, spender ${terms.vault.toLowerCase()}, value ${amount}, nonce ${nonce}, deadline ${deadline}) in the permit domain of GET /api/v1/subscriptions/terms`,
      );
    }
    const balance = await getTokenBalance(publicClient, { token: terms.token, address: subscriber });
    if (balance < amount) {
      const money = (value: bigint) => `${formatUnits(value, terms.decimals)} ${terms.symbol}`;
      throw unprocessable(
        'insufficient_balance',
        `Your wallet holds ${money(balance)}; ${periods} period(s) cost ${money(amount)}. ${
          devChain
            ? 'On a dev chain, run `fairstream faucet` (or POST /api/v1/faucet) for test money.'
            : `Add ${terms.symbol} to ${subscriber.toLowerCase()} first.`
        }`,
      );
    }
    let result: Awaited<ReturnType<typeof subscribeForWithPermit>>;
    try {
      result = await subscribeForWithPermit(operatorWallet, {
        deployment,
        subscriber,
        periods,
        deadline,
        signature: request.signature as Hex,
      });
    } catch (error) {
      if (error instanceof ChainError && error.code === 'transaction_reverted') {
        throw unprocessable(
          'subscription_refused',
          `The vault refused the subscription: ${error.shortMessage}`,
          error,
        );
      }
      throw error;
    }
    return {
      subscriber: subscriber.toLowerCase(),
      periods,
      amount: result.amount.toString(),
      startsAt: Number(result.start) * 1000,
      paidUntil: Number(result.end) * 1000,
      transaction: result.hash,
      blockNumber: Number(result.blockNumber),
    };
  }

  #chainTerms(): Promise<GetSubscriptionTermsReturnType> {
    if (!this.#terms) {
      this.#terms = getSubscriptionTerms(this.#ledger.publicClient, { deployment: this.#ledger.deployment });
      // A failed read (the RPC was down) is not kept: the next request tries again.
      this.#terms.catch(() => {
        this.#terms = undefined;
      });
    }
    return this.#terms;
  }

  /**
   * The earliest time the next block can have: a dev chain's latest block may be old (blocks are
   * mined only on transactions) or ahead of the wall clock (time moved forward), so take the later.
   */
  async #chainNow(): Promise<bigint> {
    const block = await this.#ledger.publicClient.getBlock({ blockTag: 'latest' });
    const wall = BigInt(Math.floor(Date.now() / 1000));
    return block.timestamp > wall ? block.timestamp : wall;
  }
}

/** The domain as JSON: chain id as a number, only the fields the token uses. */
function jsonDomain(domain: GetSubscriptionTermsReturnType['permitDomain']) {
  return {
    ...(domain.name === undefined ? {} : { name: domain.name }),
    ...(domain.version === undefined ? {} : { version: domain.version }),
    ...(domain.chainId === undefined ? {} : { chainId: Number(domain.chainId) }),
    ...(domain.verifyingContract === undefined
      ? {}
      : { verifyingContract: domain.verifyingContract.toLowerCase() }),
    ...(domain.salt === undefined ? {} : { salt: domain.salt }),
  };
}

function iso(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString();
}
