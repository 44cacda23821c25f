// The ledger indexer on a real embedded chain (in a temporary folder) and real databases: events
// generated with @fairstream/chain's actions come back decoded, per account, exact to the base unit;
// a restart neither duplicates nor skips; an RPC outage is survived; a reorg is undone and redone.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  allocateSplit,
  DEV_ROLES,
  type Deployment,
  type EmbeddedChain,
  embeddedPublicClient,
  embeddedWalletClient,
  fairstreamDevChain,
  faucet,
  registerTrack,
  stake,
  startEmbeddedChain,
  subscribe,
  tip,
} from '@fairstream/chain';
import pino from 'pino';
import { type Address, createPublicClient, custom, keccak256, parseEther, stringToHex } from 'viem';
import type { Db } from '../db/database.ts';
import { ChainEventsRepository } from '../repositories/chain-events.repository.ts';
import { testDatabases } from '../testing/databases.ts';
import { type IndexerNotification, LedgerIndexer, type LedgerIndexerOptions } from './ledger-indexer.ts';

const logger = pino({ level: process.env.FAIRSTREAM_TEST_LOG ?? 'silent' });
const trackId = keccak256(stringToHex('fairstream indexer test: track'));
/** Odd, so the split leaves a remainder for the first recipient. */
const tipAmount = parseEther('1') + 1n;
const stakeAmount = parseEther('100');
const lower = (address: string) => address.toLowerCase();

describe('the ledger indexer on the embedded chain', () => {
  let chainDir: string;
  let chain: EmbeddedChain;
  let deployment: Deployment;
  let fan: Address;
  let staker: Address;
  let recipients: Address[];
  const shares = [400_000, 600_000];
  let subscriptionAmount: bigint;
  /** The first tip's transaction; later tests tip again. */
  let tipTx: string;

  const wallet = (index: number) => {
    const account = chain.accounts[index];
    assert.ok(account);
    return embeddedWalletClient(chain, account);
  };
  const head = async () => Number(await embeddedPublicClient(chain).getBlockNumber({ cacheTime: 0 }));

  before(async () => {
    chainDir = await mkdtemp(join(tmpdir(), 'fairstream-indexer-'));
    chain = await startEmbeddedChain({ dataDir: chainDir, rpcPort: 0 });
    assert.ok(chain.deployment);
    deployment = chain.deployment;
    // Dev accounts 3 and 4 are the track's recipients, 5 the fan, 6 the staker.
    const address = (index: number) => {
      const account = chain.accounts[index];
      assert.ok(account);
      return account.address;
    };
    recipients = [address(3), address(4)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    fan = address(5);
    staker = address(6);
    const faucetWallet = wallet(DEV_ROLES.devFaucet);
    for (const to of [fan, staker]) await faucet(faucetWallet, { deployment, to });
    await registerTrack(wallet(3), { deployment, trackId, recipients, shares });
    tipTx = (
      await tip(wallet(5), { deployment, trackId, token: deployment.contracts.FairToken, amount: tipAmount })
    ).hash;
    await stake(wallet(6), { deployment, amount: stakeAmount });
    subscriptionAmount = (await subscribe(wallet(5), { deployment, periods: 2 })).amount;
  });
  after(async () => {
    await chain?.stop();
    await rm(chainDir, { recursive: true, force: true });
  });

  for (const database of testDatabases()) {
    describe(`on ${database.name}`, () => {
      let db: Db;
      let close: () => Promise<void>;
      let repository: ChainEventsRepository;
      const running: LedgerIndexer[] = [];
      const newIndexer = (
        options: Partial<LedgerIndexerOptions> = {},
        client = embeddedPublicClient(chain),
      ) => {
        const indexer = new LedgerIndexer(repository, client, {
          chainId: chain.chainId,
          deployment,
          logger,
          pollIntervalMs: 20,
          maxBackoffMs: 100,
          ...options,
        });
        running.push(indexer);
        return indexer;
      };
      before(async () => {
        ({ db, close } = await database.open());
        repository = new ChainEventsRepository(db);
      });
      after(async () => {
        for (const indexer of running) await indexer.stop();
        await close();
      });

      it('stores every event decoded, findable by each account it names, amounts exact', async () => {
        const indexer = newIndexer();
        const notifications: IndexerNotification[] = [];
        indexer.subscribe((notification) => notifications.push(notification));
        indexer.start();
        const target = await head();
        await indexer.waitForBlock(target);
        assert.equal(indexer.status().indexedBlock, target);
        assert.ok(notifications.length > 0 && notifications.every((n) => n.kind === 'indexed'));
        assert.equal(
          notifications[0]?.kind === 'indexed' && notifications[0].fromBlock,
          deployment.deployedAt.blockNumber,
        );

        const events = await repository.allEvents(chain.chainId);
        const registered = events.find((event) => event.event === 'TrackRegistered');
        assert.ok(registered);
        assert.equal(registered.contract, 'TrackRegistry');
        assert.equal(registered.address, lower(deployment.contracts.TrackRegistry ?? ''));
        assert.deepEqual(registered.args, {
          trackId,
          owner: recipients.find((r) => lower(r) === lower(chain.accounts[3]?.address ?? '')),
          metadataDigest: `0x${'0'.repeat(64)}`,
          access: { kind: 0, token: '0x0000000000000000000000000000000000000000', minBalance: '0' },
          recipients,
          shares,
        });

        // The tip: one Tipped naming the fan, one TipPaid per recipient, the remainder to the first.
        const parts = allocateSplit(tipAmount, shares);
        const tipped = (
          await repository.eventsForAccount(chain.chainId, fan, { events: ['Tipped'], limit: 10 })
        ).filter((event) => event.txHash === tipTx);
        assert.equal(tipped.length, 1);
        assert.deepEqual(tipped[0]?.args, {
          trackId,
          from: fan,
          token: deployment.contracts.FairToken,
          amount: tipAmount.toString(),
        });
        for (const [i, recipient] of recipients.entries()) {
          const paid = (
            await repository.eventsForAccount(chain.chainId, recipient, { events: ['TipPaid'], limit: 10 })
          ).filter((event) => event.txHash === tipTx);
          assert.deepEqual(
            paid.map((event) => event.args),
            [{ trackId, recipient, token: deployment.contracts.FairToken, amount: String(parts[i]) }],
          );
          assert.equal(paid[0]?.txHash, tipped[0]?.txHash, 'the same transaction');
          // The recipient's FAIR arrived as a FairToken Transfer, in the same history.
          const history = await repository.eventsForAccount(chain.chainId, recipient, { limit: 50 });
          assert.ok(
            history.some(
              (event) =>
                event.contract === 'FairToken' &&
                event.event === 'Transfer' &&
                event.args.value === String(parts[i]),
            ),
          );
        }
        assert.equal(
          String(parts[0]),
          (tipAmount - (tipAmount * 600_000n) / 1_000_000n).toString(),
          'remainder to the first',
        );

        const staked = await repository.eventsForAccount(chain.chainId, staker, {
          events: ['Staked'],
          limit: 10,
        });
        assert.deepEqual(staked[0]?.args, {
          account: staker,
          amount: stakeAmount.toString(),
          stake: stakeAmount.toString(),
        });
        const subscribed = await repository.eventsByName(chain.chainId, 'Subscribed', { limit: 10 });
        assert.equal(subscribed.length, 1);
        assert.equal(subscribed[0]?.contract, 'SubscriptionVault');
        assert.equal(subscribed[0]?.args.subscriber, fan);
        assert.equal(subscribed[0]?.args.amount, subscriptionAmount.toString());
        assert.equal(subscribed[0]?.args.periods, 2);
        assert.match(String(subscribed[0]?.args.start), /^\d+$/);

        // The fan's whole history, newest first, paged by cursor, with nothing missing or repeated.
        const all = await repository.eventsForAccount(chain.chainId, fan, { limit: 1000 });
        const paged = [];
        let page = await repository.eventsForAccount(chain.chainId, fan, { limit: 3 });
        while (page.length > 0) {
          paged.push(...page);
          const last = page.at(-1);
          assert.ok(last);
          page = await repository.eventsForAccount(chain.chainId, fan, { limit: 3, before: last });
        }
        assert.deepEqual(paged, all);
        assert.ok(all.length >= 6, 'faucet transfers, approvals, tip, subscription');
        assert.deepEqual(
          all.map((event) => [event.blockNumber, event.logIndex]),
          [...all]
            .sort((a, b) => b.blockNumber - a.blockNumber || b.logIndex - a.logIndex)
            .map((event) => [event.blockNumber, event.logIndex]),
        );
        for (const event of all) {
          assert.ok(event.blockTime > 1_600_000_000_000, 'block time in milliseconds');
          assert.match(event.txHash, /^0x[0-9a-f]{64}$/);
        }
        await indexer.stop();
      });

      it('continues from its checkpoint after a restart, with no duplicates', async () => {
        const before = await repository.allEvents(chain.chainId);
        const checkpoint = await repository.checkpoint(chain.chainId);
        assert.ok(checkpoint);
        const restarted = newIndexer();
        const notifications: IndexerNotification[] = [];
        restarted.subscribe((notification) => notifications.push(notification));
        restarted.start();
        await restarted.idle();
        assert.deepEqual(await repository.allEvents(chain.chainId), before);

        // A new tip reaches the running indexer, which reads only the new blocks.
        await tip(wallet(5), { deployment, trackId, token: deployment.contracts.FairToken, amount: 7n });
        const target = await head();
        await restarted.waitForBlock(target);
        const fresh = (await repository.allEvents(chain.chainId)).slice(before.length);
        assert.ok(fresh.every((event) => event.blockNumber > checkpoint.blockNumber));
        assert.deepEqual(
          fresh.filter((event) => event.event === 'TipPaid').map((event) => event.args.amount),
          allocateSplit(7n, shares).map(String),
        );
        const indexed = notifications.filter((n) => n.kind === 'indexed');
        assert.ok(indexed.length > 0);
        assert.ok(indexed.every((n) => n.fromBlock > checkpoint.blockNumber));
        assert.equal(
          indexed.reduce((sum, n) => sum + n.events, 0),
          fresh.length,
        );
        await restarted.stop();
      });

      it('retries with backoff while the RPC is down, then catches up', async () => {
        let down = true;
        let refused = 0;
        const flaky = createPublicClient({
          chain: fairstreamDevChain(chain.rpcUrl, chain.chainId),
          transport: custom(
            {
              request: async (args: { method: string; params?: unknown }) => {
                if (down) {
                  refused += 1;
                  throw new Error('connect ECONNREFUSED 127.0.0.1:8545');
                }
                return chain.provider.request(args);
              },
            },
            { retryCount: 0 },
          ),
        });
        const indexer = newIndexer({}, flaky);
        await tip(wallet(5), { deployment, trackId, token: deployment.contracts.FairToken, amount: 11n });
        indexer.start();
        const deadline = Date.now() + 5000;
        while (indexer.status().failures < 3 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        assert.ok(indexer.status().failures >= 3);
        assert.match(String(indexer.status().lastError), /ECONNREFUSED/);
        assert.ok(refused >= 3);
        down = false;
        await indexer.waitForBlock(await head(), 5000);
        await indexer.idle();
        assert.equal(indexer.status().failures, 0);
        assert.equal(indexer.status().lastError, undefined);
        const paid = await repository.eventsByName(chain.chainId, 'TipPaid', { limit: 100 });
        assert.deepEqual(
          paid.slice(-2).map((event) => event.args.amount),
          allocateSplit(11n, shares).map(String),
        );
        await indexer.stop();
      });

      it('undoes a reorg back to the last common block and indexes the chain again', async () => {
        // The journaled provider refuses evm_snapshot/evm_revert (its journal could not replay
        // them), so the reorg is staged in the database: the index says it followed another fork
        // above a block, as it would have if the chain had replaced those blocks since.
        const indexer = newIndexer();
        await indexer.idle();
        const truth = await repository.allEvents(chain.chainId);
        const checkpoint = await repository.checkpoint(chain.chainId);
        assert.ok(checkpoint);
        const registered = truth.find((event) => event.event === 'TrackRegistered');
        assert.ok(registered);
        const fork = registered.blockNumber;
        const fake = (n: number) => `0x${'f'.repeat(48)}${n.toString(16).padStart(16, '0')}`;
        await db
          .updateTable('chain_blocks')
          .set({ block_hash: fake(0) })
          .where('block_number', '>', fork)
          .execute();
        await db
          .updateTable('chain_checkpoints')
          .set({ block_hash: fake(0) })
          .where('chain_id', '=', chain.chainId)
          .execute();
        // What the other fork held: a different tip amount, and an event the chain never had.
        await db
          .updateTable('chain_events')
          .set({ args: JSON.stringify({ amount: '999' }), block_hash: fake(0) })
          .where('event', '=', 'TipPaid')
          .where('block_number', '>', fork)
          .execute();
        const ghost = { blockNumber: checkpoint.blockNumber, logIndex: 99 };
        await db
          .insertInto('chain_events')
          .values({
            chain_id: chain.chainId,
            block_number: ghost.blockNumber,
            log_index: ghost.logIndex,
            block_hash: fake(0),
            block_time: 0,
            tx_hash: fake(1),
            tx_index: 0,
            contract: 'Tips',
            address: lower(deployment.contracts.Tips ?? ''),
            event: 'Tipped',
            args: JSON.stringify({ from: fan, amount: '5' }),
          })
          .execute();
        await db
          .insertInto('chain_event_accounts')
          .values({ chain_id: chain.chainId, account: lower(fan), ...pick(ghost) })
          .execute();
        assert.ok(
          (await repository.eventsForAccount(chain.chainId, fan, { limit: 1 }))[0]?.logIndex === 99,
          'the staged fork is what the index shows',
        );

        const notifications: IndexerNotification[] = [];
        indexer.subscribe((notification) => notifications.push(notification));
        await indexer.idle();
        assert.deepEqual(notifications[0], {
          kind: 'rolledBack',
          chainId: chain.chainId,
          fromBlock: fork + 1,
          toBlock: checkpoint.blockNumber,
        });
        assert.ok(notifications.slice(1).every((n) => n.kind === 'indexed'));
        assert.deepEqual(notifications[1], {
          kind: 'indexed',
          chainId: chain.chainId,
          fromBlock: fork + 1,
          toBlock: checkpoint.blockNumber,
          events: truth.filter((event) => event.blockNumber > fork).length,
        });
        assert.deepEqual(await repository.allEvents(chain.chainId), truth);
        assert.deepEqual(await repository.checkpoint(chain.chainId), checkpoint);
        assert.deepEqual(await repository.accountsOf(chain.chainId, ghost), []);
        await indexer.stop();
      });

      it('re-indexes from the start when no recent block is left in common', async () => {
        const indexer = newIndexer();
        await indexer.idle();
        const truth = await repository.allEvents(chain.chainId);
        await db
          .updateTable('chain_blocks')
          .set({ block_hash: `0x${'e'.repeat(64)}` })
          .execute();
        await db
          .updateTable('chain_checkpoints')
          .set({ block_hash: `0x${'e'.repeat(64)}` })
          .execute();
        const notifications: IndexerNotification[] = [];
        indexer.subscribe((notification) => notifications.push(notification));
        await indexer.idle();
        assert.equal(notifications[0]?.kind, 'rolledBack');
        assert.equal(notifications[0]?.fromBlock, deployment.deployedAt.blockNumber);
        assert.deepEqual(await repository.allEvents(chain.chainId), truth);
        await indexer.stop();
      });

      it('indexes only blocks with enough confirmations, in ranges of at most maxBlockRange', async () => {
        await db.deleteFrom('chain_events').execute();
        await db.deleteFrom('chain_event_accounts').execute();
        await db.deleteFrom('chain_blocks').execute();
        await db.deleteFrom('chain_checkpoints').execute();
        const indexer = newIndexer({ confirmations: 3, maxBlockRange: 4 });
        const ranges: [number, number][] = [];
        indexer.subscribe((n) => {
          if (n.kind === 'indexed') ranges.push([n.fromBlock, n.toBlock]);
        });
        const target = await head();
        indexer.start();
        await indexer.waitForBlock(target - 3);
        await indexer.idle();
        assert.equal(indexer.status().indexedBlock, target - 3);
        assert.ok(ranges.every(([from, to]) => to - from + 1 <= 4));
        assert.equal(ranges[0]?.[0], deployment.deployedAt.blockNumber);
        for (const [i, range] of ranges.entries()) {
          if (i > 0) assert.equal(range[0], (ranges[i - 1]?.[1] ?? 0) + 1, 'contiguous');
        }
        const stored = await repository.allEvents(chain.chainId);
        assert.ok(stored.every((event) => event.blockNumber <= target - 3));
        await indexer.stop();
      });

      it('shares a database with another indexer (nodes on one Postgres) without gaps or duplicates', async () => {
        const single = newIndexer();
        await single.idle();
        const truth = await repository.allEvents(chain.chainId);
        for (const table of [
          'chain_events',
          'chain_event_accounts',
          'chain_blocks',
          'chain_checkpoints',
        ] as const) {
          await db.deleteFrom(table).execute();
        }
        const pair = [newIndexer({ maxBlockRange: 2 }), newIndexer({ maxBlockRange: 3 })];
        await Promise.all(pair.map((indexer) => indexer.idle()));
        assert.deepEqual(await repository.allEvents(chain.chainId), truth);
        assert.equal((await repository.checkpoint(chain.chainId))?.blockNumber, await head());
      });

      it("follows an outside token's transfers to and from the contracts only, and undoes them in a reorg", async () => {
        // On a public chain the stablecoin (USDC) is not the deployment's: seen here as a deployment
        // without TestStablecoin that follows it.
        const stablecoin = deployment.contracts.TestStablecoin;
        assert.ok(stablecoin);
        const full = newIndexer();
        await full.idle();
        const contracts = new Set(
          Object.entries(deployment.contracts)
            .filter(([name]) => name !== 'TestStablecoin')
            .map(([, address]) => lower(address)),
        );
        const expected = (await repository.allEvents(chain.chainId))
          .filter(
            (event) =>
              event.contract === 'TestStablecoin' &&
              event.event === 'Transfer' &&
              (contracts.has(lower(String(event.args.from))) || contracts.has(lower(String(event.args.to)))),
          )
          .map((event) => ({ ...event, contract: 'Stablecoin' }));
        assert.ok(expected.length >= 1, 'the subscription paid the vault');
        for (const table of [
          'chain_events',
          'chain_event_accounts',
          'chain_blocks',
          'chain_checkpoints',
        ] as const) {
          await db.deleteFrom(table).execute();
        }
        const { TestStablecoin: _, ...others } = deployment.contracts;
        const follower = newIndexer({
          deployment: { ...deployment, contracts: others },
          followTokens: async () => [{ address: stablecoin, name: 'Stablecoin' }],
        });
        await follower.idle();
        const followed = async () =>
          (await repository.allEvents(chain.chainId)).filter((event) => event.address === lower(stablecoin));
        assert.deepEqual(await followed(), expected);
        // The fan's faucet drip (a mint to the fan) touches no contract: not indexed.
        const fanTransfers = await repository.eventsForAccount(chain.chainId, fan, {
          events: ['Transfer'],
          addresses: [stablecoin],
          limit: 100,
        });
        assert.ok(fanTransfers.length >= 1);
        assert.ok(fanTransfers.every((event) => contracts.has(lower(String(event.args.to)))));

        // A reorg above the block before the first followed transfer drops and restores them.
        const fork = expected[0]!.blockNumber - 1;
        await db
          .updateTable('chain_blocks')
          .set({ block_hash: `0x${'d'.repeat(64)}` })
          .where('block_number', '>', fork)
          .execute();
        await db
          .updateTable('chain_checkpoints')
          .set({ block_hash: `0x${'d'.repeat(64)}` })
          .execute();
        await db
          .updateTable('chain_events')
          .set({ args: JSON.stringify({ from: fan, to: fan, value: '1' }) })
          .where('address', '=', lower(stablecoin))
          .execute();
        const notifications: IndexerNotification[] = [];
        follower.subscribe((notification) => notifications.push(notification));
        await follower.idle();
        assert.equal(notifications[0]?.kind, 'rolledBack');
        assert.deepEqual(await followed(), expected);
      });
    });
  }
});

function pick(cursor: { blockNumber: number; logIndex: number }): {
  block_number: number;
  log_index: number;
} {
  return { block_number: cursor.blockNumber, log_index: cursor.logIndex };
}

describe('the ledger indexer when the chain behind the RPC is replaced', () => {
  const removals: (() => Promise<void>)[] = [];
  after(async () => {
    for (const remove of removals.reverse()) await remove();
  });

  /** A fresh embedded chain (same chain id, same deployer, so the same contract addresses) with its own history. */
  async function chainWith(
    label: string,
    amount: bigint,
  ): Promise<EmbeddedChain & { deployment: Deployment }> {
    const dir = await mkdtemp(join(tmpdir(), 'fairstream-indexer-fork-'));
    const chain = await startEmbeddedChain({ dataDir: dir, rpcPort: 0 });
    removals.push(async () => {
      await chain.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const deployment = chain.deployment;
    assert.ok(deployment);
    const [artist, fan] = [chain.accounts[3], chain.accounts[5]];
    const faucetAccount = chain.accounts[DEV_ROLES.devFaucet];
    assert.ok(artist && fan && faucetAccount);
    await faucet(embeddedWalletClient(chain, faucetAccount), { deployment, to: fan.address });
    const id = keccak256(stringToHex(label));
    await registerTrack(embeddedWalletClient(chain, artist), {
      deployment,
      trackId: id,
      recipients: [artist.address],
      shares: [1_000_000],
    });
    await tip(embeddedWalletClient(chain, fan), {
      deployment,
      trackId: id,
      token: deployment.contracts.FairToken,
      amount,
    });
    return { ...chain, deployment };
  }

  it('follows the new history: what only the old chain had is gone, the rest matches a fresh index', async () => {
    const [database] = testDatabases();
    assert.ok(database);
    const a = await chainWith('fork a', 1000n);
    const b = await chainWith('fork b', 2000n);
    assert.deepEqual(a.deployment.contracts, b.deployment.contracts);
    assert.equal(a.chainId, b.chainId);
    const index = async (chain: typeof a, repository: ChainEventsRepository) => {
      const indexer = new LedgerIndexer(repository, embeddedPublicClient(chain), {
        chainId: chain.chainId,
        deployment: chain.deployment,
        logger,
      });
      const notifications: IndexerNotification[] = [];
      indexer.subscribe((notification) => notifications.push(notification));
      await indexer.idle();
      await indexer.stop();
      return notifications;
    };

    const shared = await database.open();
    const fresh = await database.open();
    removals.push(shared.close, fresh.close);
    const repository = new ChainEventsRepository(shared.db);
    await index(a, repository);
    const tipsOnA = await repository.eventsByName(a.chainId, 'Tipped', { limit: 10 });
    assert.deepEqual(
      tipsOnA.map((event) => event.args.amount),
      ['1000'],
    );

    // The node restarts against chain b under the same chain id (a wiped dev chain, or a deep reorg).
    const notifications = await index(b, repository);
    assert.equal(notifications[0]?.kind, 'rolledBack');
    const expected = new ChainEventsRepository(fresh.db);
    await index(b, expected);
    assert.deepEqual(await repository.allEvents(b.chainId), await expected.allEvents(b.chainId));
    assert.deepEqual(await repository.checkpoint(b.chainId), await expected.checkpoint(b.chainId));
    assert.deepEqual(
      (await repository.eventsByName(b.chainId, 'Tipped', { limit: 10 })).map((event) => event.args.amount),
      ['2000'],
    );
  });
});
