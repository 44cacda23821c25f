/**
 * How long a read head number is used before the chain is asked again. The embedded chain mines a
 * block per transaction and answers in process (or over loopback), so it is asked often; a public
 * chain makes a block every few seconds and its RPC quota is worth saving.
 */
export const HEAD_MAX_AGE_MS = { embedded: 200, public: 1000 } as const;

export interface ChainHeadOptions {
  maxAgeMs: number;
  now?: () => number;
}

/**
 * The chain's head block number, shared by every request of this process: it is read (one
 * eth_blockNumber) at most once per `maxAgeMs` however many requests ask, and requests that arrive
 * while a read runs wait for that read. Answers cached per block (token-gate balances) use it to
 * learn whether the chain moved without a round trip of their own.
 *
 * The node's ledger indexer follows the chain too, but not in HTTP-only processes, on public chains
 * only a dozen blocks behind the head, and at its own pace; hence a reader of its own.
 */
export class ChainHead {
  readonly #read: () => Promise<bigint>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #block: bigint | undefined;
  #readAt = Number.NEGATIVE_INFINITY;
  #reading: Promise<bigint> | undefined;

  constructor(read: () => Promise<bigint>, options: ChainHeadOptions) {
    this.#read = read;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
  }

  /** The head block number, read at most `maxAgeMs` ago. A failed read rejects, and is not remembered. */
  current(): Promise<bigint> {
    if (this.#block !== undefined && this.#now() - this.#readAt < this.#maxAgeMs) {
      return Promise.resolve(this.#block);
    }
    this.#reading ??= this.#refresh();
    return this.#reading;
  }

  /**
   * This process just changed the chain (the dev faucet): the next request reads the head afresh,
   * so the change shows at once here, as the process's own database writes do.
   */
  invalidate(): void {
    this.#readAt = Number.NEGATIVE_INFINITY;
  }

  async #refresh(): Promise<bigint> {
    // Aged from when the read was sent: the answer is at least that fresh.
    const sentAt = this.#now();
    try {
      const block = await this.#read();
      this.#block = block;
      this.#readAt = sentAt;
      return block;
    } finally {
      this.#reading = undefined;
    }
  }
}
