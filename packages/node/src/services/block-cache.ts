/**
 * Answers read from the chain, each valid for the block it was read at: an entry is used only while
 * the chain's head is still that block, so a change on the chain (a wallet selling the tokens a gate
 * asks for) shows from the next block on, and until then no request reads the chain again.
 * Requests that miss the same key at the same block share one read; a failed read is forgotten.
 * Bounded: when full, the entry written longest ago goes.
 */
export class BlockCache<K, V> {
  readonly #maxEntries: number;
  readonly #entries = new Map<K, { block: bigint; value: Promise<V> }>();

  constructor(options: { maxEntries: number }) {
    this.#maxEntries = options.maxEntries;
  }

  /** The answer for `key` at `block`: the cached one if it was read at that block, else `load()`'s. */
  get(key: K, block: bigint, load: () => Promise<V>): Promise<V> {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (entry.block === block) return entry.value;
      // A request that read the head just before it moved: answer it, keep the newer entry.
      if (entry.block > block) return load();
      this.#entries.delete(key);
    } else if (this.#entries.size >= this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as K);
    }
    const fresh = { block, value: load() };
    this.#entries.set(key, fresh);
    fresh.value.catch(() => {
      if (this.#entries.get(key) === fresh) this.#entries.delete(key);
    });
    return fresh.value;
  }

  get size(): number {
    return this.#entries.size;
  }
}
