import type { Db } from '../db/database.ts';
import type { ChainEventTable } from '../db/schema.ts';

/** A block the indexer has seen: where it is and which fork it was on. */
export interface BlockRef {
  blockNumber: number;
  blockHash: string;
}

/** A decoded event ready to store, with the (lower-case) addresses it names. */
export interface NewChainEvent {
  blockNumber: number;
  logIndex: number;
  blockHash: string;
  /** Unix milliseconds. */
  blockTime: number;
  txHash: string;
  txIndex: number;
  contract: string;
  address: string;
  event: string;
  /** JSON, integers as decimal strings. */
  args: string;
  accounts: string[];
}

export interface ChainEvent {
  chainId: number;
  blockNumber: number;
  logIndex: number;
  blockHash: string;
  blockTime: number;
  txHash: string;
  txIndex: number;
  contract: string;
  address: string;
  event: string;
  /** The decoded arguments by name; integers are decimal strings. */
  args: Record<string, unknown>;
}

/** Where a page of events ended: the next page starts strictly below (or above) it. */
export interface EventCursor {
  blockNumber: number;
  logIndex: number;
}

export interface IndexedRange {
  chainId: number;
  /** The checkpoint this range continues from (undefined: the first range); see `insertRange`. */
  expected: BlockRef | undefined;
  /** The last block of the range: the new checkpoint. */
  checkpoint: BlockRef;
  events: NewChainEvent[];
  /** Hashes of the range's blocks to keep for reorg detection (at least the checkpoint's). */
  blocks: BlockRef[];
  /** Block hashes below this number are dropped: a reorg that deep is not followed block by block. */
  keepBlocksFrom: number;
  now: number;
}

/** Rows per INSERT: 11 parameters an event stays far below SQLite's and Postgres's limits. */
const ROWS_PER_STATEMENT = 500;

/**
 * The ledger indexer's store: decoded events, the addresses they involve, the checkpoint and the
 * hashes of recent blocks. Every change moves the checkpoint in the same transaction, and only
 * when the checkpoint is still the one the caller read, so two indexers sharing a database (nodes
 * on one Postgres) never interleave ranges or undo each other's work.
 */
export class ChainEventsRepository {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async checkpoint(chainId: number): Promise<BlockRef | undefined> {
    const row = await this.#db
      .selectFrom('chain_checkpoints')
      .select(['block_number', 'block_hash'])
      .where('chain_id', '=', chainId)
      .executeTakeFirst();
    return row && { blockNumber: Number(row.block_number), blockHash: row.block_hash };
  }

  /** Stored block hashes, newest first, at or below `atOrBelow` when given. */
  async recentBlocks(chainId: number, limit: number, atOrBelow?: number): Promise<BlockRef[]> {
    let query = this.#db
      .selectFrom('chain_blocks')
      .select(['block_number', 'block_hash'])
      .where('chain_id', '=', chainId);
    if (atOrBelow !== undefined) query = query.where('block_number', '<=', atOrBelow);
    const rows = await query.orderBy('block_number', 'desc').limit(limit).execute();
    return rows.map((row) => ({ blockNumber: Number(row.block_number), blockHash: row.block_hash }));
  }

  /**
   * Stores a range's events, their accounts, its block hashes and the new checkpoint in ONE
   * transaction. Answers false (and stores nothing) when the checkpoint is no longer `expected`:
   * another indexer got there first, or a reorg was undone meanwhile. Events already stored are
   * skipped, so a range may be written again safely.
   */
  async insertRange(range: IndexedRange): Promise<boolean> {
    const { chainId } = range;
    return this.#db.transaction().execute(async (trx) => {
      // The compare-and-set comes first: on Postgres it locks the checkpoint row, so a concurrent
      // writer waits and then finds the checkpoint moved.
      if (range.expected) {
        const moved = await trx
          .updateTable('chain_checkpoints')
          .set({
            block_number: range.checkpoint.blockNumber,
            block_hash: range.checkpoint.blockHash,
            updated_at: range.now,
          })
          .where('chain_id', '=', chainId)
          .where('block_number', '=', range.expected.blockNumber)
          .where('block_hash', '=', range.expected.blockHash)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) return false;
      } else {
        const created = await trx
          .insertInto('chain_checkpoints')
          .values({
            chain_id: chainId,
            block_number: range.checkpoint.blockNumber,
            block_hash: range.checkpoint.blockHash,
            updated_at: range.now,
          })
          .onConflict((conflict) => conflict.column('chain_id').doNothing())
          .executeTakeFirst();
        if (Number(created.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
      }
      const events = range.events.map(
        (event): ChainEventTable => ({
          chain_id: chainId,
          block_number: event.blockNumber,
          log_index: event.logIndex,
          block_hash: event.blockHash,
          block_time: event.blockTime,
          tx_hash: event.txHash,
          tx_index: event.txIndex,
          contract: event.contract,
          address: event.address,
          event: event.event,
          args: event.args,
        }),
      );
      for (let start = 0; start < events.length; start += ROWS_PER_STATEMENT) {
        await trx
          .insertInto('chain_events')
          .values(events.slice(start, start + ROWS_PER_STATEMENT))
          .onConflict((conflict) => conflict.columns(['chain_id', 'block_number', 'log_index']).doNothing())
          .execute();
      }
      const accounts = range.events.flatMap((event) =>
        [...new Set(event.accounts)].map((account) => ({
          chain_id: chainId,
          account,
          block_number: event.blockNumber,
          log_index: event.logIndex,
        })),
      );
      for (let start = 0; start < accounts.length; start += ROWS_PER_STATEMENT) {
        await trx
          .insertInto('chain_event_accounts')
          .values(accounts.slice(start, start + ROWS_PER_STATEMENT))
          .onConflict((conflict) =>
            conflict.columns(['chain_id', 'account', 'block_number', 'log_index']).doNothing(),
          )
          .execute();
      }
      const blocks = [...new Map(range.blocks.map((block) => [block.blockNumber, block])).values()]
        .filter((block) => block.blockNumber >= range.keepBlocksFrom)
        .map((block) => ({
          chain_id: chainId,
          block_number: block.blockNumber,
          block_hash: block.blockHash,
        }));
      for (let start = 0; start < blocks.length; start += ROWS_PER_STATEMENT) {
        await trx
          .insertInto('chain_blocks')
          .values(blocks.slice(start, start + ROWS_PER_STATEMENT))
          .onConflict((conflict) =>
            conflict.columns(['chain_id', 'block_number']).doUpdateSet((eb) => ({
              block_hash: eb.ref('excluded.block_hash'),
            })),
          )
          .execute();
      }
      await trx
        .deleteFrom('chain_blocks')
        .where('chain_id', '=', chainId)
        .where('block_number', '<', range.keepBlocksFrom)
        .execute();
      return true;
    });
  }

  /**
   * Undoes everything above `to.blockNumber` (a reorg replaced those blocks) and moves the
   * checkpoint back to `to`; `to` undefined forgets the chain's whole index (a reorg deeper than
   * the stored block hashes). Answers false, changing nothing, when the checkpoint is no longer
   * `expected`.
   */
  async rollback(
    chainId: number,
    expected: BlockRef,
    to: BlockRef | undefined,
    now: number,
  ): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const where = { number: expected.blockNumber, hash: expected.blockHash };
      if (to) {
        const moved = await trx
          .updateTable('chain_checkpoints')
          .set({ block_number: to.blockNumber, block_hash: to.blockHash, updated_at: now })
          .where('chain_id', '=', chainId)
          .where('block_number', '=', where.number)
          .where('block_hash', '=', where.hash)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) return false;
      } else {
        const removed = await trx
          .deleteFrom('chain_checkpoints')
          .where('chain_id', '=', chainId)
          .where('block_number', '=', where.number)
          .where('block_hash', '=', where.hash)
          .executeTakeFirst();
        if (Number(removed.numDeletedRows) !== 1) return false;
      }
      const above = to?.blockNumber ?? -1;
      for (const table of ['chain_event_accounts', 'chain_events', 'chain_blocks'] as const) {
        await trx
          .deleteFrom(table)
          .where('chain_id', '=', chainId)
          .where('block_number', '>', above)
          .execute();
      }
      return true;
    });
  }

  /**
   * Events that name `account` (any address-typed argument), newest first, optionally only these
   * events of these contract addresses. Pass the last event of a page as `before` for the next page.
   */
  async eventsForAccount(
    chainId: number,
    account: string,
    options: { events?: string[]; addresses?: string[]; before?: EventCursor; limit: number },
  ): Promise<ChainEvent[]> {
    if (options.events?.length === 0 || options.addresses?.length === 0) return [];
    // A CROSS JOIN keeps SQLite walking the account's own rows, newest first, and looking each event
    // up by its key: an inner join lets it start from every event of a name (all Transfers of the
    // chain) instead. Postgres plans the two the same.
    let query = this.#db
      .selectFrom('chain_event_accounts as a')
      .crossJoin('chain_events as e')
      .whereRef('e.chain_id', '=', 'a.chain_id')
      .whereRef('e.block_number', '=', 'a.block_number')
      .whereRef('e.log_index', '=', 'a.log_index')
      .selectAll('e')
      .where('a.chain_id', '=', chainId)
      .where('a.account', '=', account.toLowerCase());
    const before = options.before;
    if (before) {
      query = query
        // Redundant, but an index range: without it Postgres reads the account's rows from the
        // newest each time, so paging deep into a long history slows down page by page.
        .where('a.block_number', '<=', before.blockNumber)
        .where((eb) =>
          eb.or([
            eb('a.block_number', '<', before.blockNumber),
            eb.and([eb('a.block_number', '=', before.blockNumber), eb('a.log_index', '<', before.logIndex)]),
          ]),
        );
    }
    if (options.events) query = query.where('e.event', 'in', options.events);
    if (options.addresses) {
      query = query.where(
        'e.address',
        'in',
        options.addresses.map((address) => address.toLowerCase()),
      );
    }
    const rows = await query
      .orderBy('a.block_number', 'desc')
      .orderBy('a.log_index', 'desc')
      .limit(options.limit)
      .execute();
    return rows.map(toEvent);
  }

  /** Events of one name (optionally of one contract), oldest first, from `fromBlock` on. */
  async eventsByName(
    chainId: number,
    event: string,
    options: { contract?: string; fromBlock?: number; after?: EventCursor; limit: number },
  ): Promise<ChainEvent[]> {
    let query = this.#db
      .selectFrom('chain_events')
      .selectAll()
      .where('chain_id', '=', chainId)
      .where('event', '=', event);
    if (options.contract !== undefined) query = query.where('contract', '=', options.contract);
    if (options.fromBlock !== undefined) query = query.where('block_number', '>=', options.fromBlock);
    const after = options.after;
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('block_number', '>', after.blockNumber),
          eb.and([eb('block_number', '=', after.blockNumber), eb('log_index', '>', after.logIndex)]),
        ]),
      );
    }
    const rows = await query.orderBy('block_number').orderBy('log_index').limit(options.limit).execute();
    return rows.map(toEvent);
  }

  /**
   * Stored events of these transactions, in chain order: what else happened in the transaction of a
   * transfer (a claim, a tip, a subscription) says why it moved. With `filter`, only the events that
   * name `filter.naming` or are one of `filter.orEvents`: a batch claim paying thousands of accounts
   * then costs one account's rows, not the whole batch. Found through the block (the primary key's
   * prefix), then the transaction hash.
   */
  async eventsOfTransactions(
    chainId: number,
    transactions: readonly { blockNumber: number; txHash: string }[],
    filter?: { naming: string; orEvents: readonly string[] },
  ): Promise<ChainEvent[]> {
    const events = new Map<string, ChainEvent>();
    for (let start = 0; start < transactions.length; start += ROWS_PER_STATEMENT / 2) {
      const chunk = transactions.slice(start, start + ROWS_PER_STATEMENT / 2);
      let query = this.#db
        .selectFrom('chain_events as e')
        .selectAll('e')
        .where('e.chain_id', '=', chainId)
        .where('e.block_number', 'in', [...new Set(chunk.map((tx) => tx.blockNumber))])
        .where('e.tx_hash', 'in', [...new Set(chunk.map((tx) => tx.txHash))]);
      if (filter) {
        const naming = filter.naming.toLowerCase();
        query = query.where((eb) =>
          eb.or([
            ...(filter.orEvents.length > 0 ? [eb('e.event', 'in', [...filter.orEvents])] : []),
            eb.exists(
              eb
                .selectFrom('chain_event_accounts as a')
                .select('a.log_index')
                .whereRef('a.chain_id', '=', 'e.chain_id')
                .whereRef('a.block_number', '=', 'e.block_number')
                .whereRef('a.log_index', '=', 'e.log_index')
                .where('a.account', '=', naming),
            ),
          ]),
        );
      }
      for (const row of await query.execute()) {
        const event = toEvent(row);
        events.set(`${event.blockNumber}:${event.logIndex}`, event);
      }
    }
    return [...events.values()].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  }

  /** Every stored event of the chain in chain order; for tests and audits of small chains. */
  async allEvents(chainId: number): Promise<ChainEvent[]> {
    const rows = await this.#db
      .selectFrom('chain_events')
      .selectAll()
      .where('chain_id', '=', chainId)
      .orderBy('block_number')
      .orderBy('log_index')
      .execute();
    return rows.map(toEvent);
  }

  /** The accounts stored for one event, sorted. */
  async accountsOf(chainId: number, at: EventCursor): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('chain_event_accounts')
      .select('account')
      .where('chain_id', '=', chainId)
      .where('block_number', '=', at.blockNumber)
      .where('log_index', '=', at.logIndex)
      .orderBy('account')
      .execute();
    return rows.map((row) => row.account);
  }
}

function toEvent(row: ChainEventTable): ChainEvent {
  return {
    chainId: Number(row.chain_id),
    blockNumber: Number(row.block_number),
    logIndex: row.log_index,
    blockHash: row.block_hash,
    blockTime: Number(row.block_time),
    txHash: row.tx_hash,
    txIndex: row.tx_index,
    contract: row.contract,
    address: row.address,
    event: row.event,
    args: JSON.parse(row.args) as Record<string, unknown>,
  };
}
