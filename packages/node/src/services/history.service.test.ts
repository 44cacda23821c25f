// What a claim paid for, when it was not claimed epoch by epoch: a claim against a later root pays
// the growth of the account's cumulative leaf over several epochs, which the history divides among
// them exactly; a claim the node has no records for is shown whole, as not broken down. The events
// and settlement records are staged in real databases (no chain needed for this part).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../db/database.ts';
import { ChainEventsRepository, type NewChainEvent } from '../repositories/chain-events.repository.ts';
import { HistoryRepository } from '../repositories/history.repository.ts';
import { SettlementRepository } from '../repositories/settlement.repository.ts';
import { testDatabases } from '../testing/databases.ts';
import { CursorCodec } from './cursor.ts';
import { EarningsService } from './earnings.service.ts';
import { HistoryService } from './history.service.ts';

const CHAIN = 31337;
const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const fair = address(0xf0);
const usd = address(0xf1);
const distributor = address(0xd0);
const [alice, bob] = [address(0xa1), address(0xb2)];

/** A claim transaction at `block`: the distributor's Claimed, then its Transfer. */
function claim(
  block: number,
  account: string,
  epoch: number,
  amount: bigint,
  cumulative: bigint,
): NewChainEvent[] {
  const common = {
    blockNumber: block,
    blockHash: `0x${block.toString(16).padStart(64, '0')}`,
    blockTime: 1_700_000_000_000 + block * 1000,
    txHash: `0x${'c'.repeat(60)}${block.toString(16).padStart(4, '0')}`,
    txIndex: 0,
  };
  return [
    {
      ...common,
      logIndex: 0,
      contract: 'PayoutDistributor',
      address: distributor,
      event: 'Claimed',
      args: JSON.stringify({
        epoch,
        account,
        token: usd,
        amount: String(amount),
        cumulativeAmount: String(cumulative),
      }),
      accounts: [account, usd],
    },
    {
      ...common,
      logIndex: 1,
      contract: 'TestStablecoin',
      address: usd,
      event: 'Transfer',
      args: JSON.stringify({ from: distributor, to: account, value: String(amount) }),
      accounts: [distributor, account],
    },
  ];
}

for (const database of testDatabases()) {
  describe(`what a claim paid for, on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let service: HistoryService;

    before(async () => {
      ({ db, close } = await database.open());
      const settlement = new SettlementRepository(db);
      // Alice was paid 100 by epoch 2 and claimed it; epoch 3 added nothing for her, epoch 4 paid
      // no one (no root), epochs 5 and 6 paid her 150 each, and one claim against epoch 6's root
      // collected both.
      const leaves: [number, bigint][] = [
        [2, 100n],
        [3, 100n],
        [5, 250n],
        [6, 400n],
      ];
      for (const n of [2, 3, 4, 5, 6]) {
        await settlement.openEpoch(n, n * 10_000, (n + 1) * 10_000, 1);
        await settlement.advance(n, n === 4 ? 'empty' : 'done', { totals: JSON.stringify({ fee: '0' }) });
      }
      for (const [n, amount] of leaves) {
        await settlement.saveAllocations(
          n,
          ['leaf'],
          [{ epoch: n, kind: 'leaf', account: alice, token: usd, track_id: '', amount: String(amount) }],
        );
      }
      const events = new ChainEventsRepository(db);
      await events.insertRange({
        chainId: CHAIN,
        expected: undefined,
        checkpoint: { blockNumber: 30, blockHash: `0x${'30'.padStart(64, '0')}` },
        events: [
          ...claim(20, alice, 2, 100n, 100n),
          ...claim(25, alice, 6, 300n, 400n),
          ...claim(26, bob, 6, 50n, 50n),
        ],
        blocks: [],
        keepBlocksFrom: 0,
        now: 1,
      });
      service = new HistoryService(
        events,
        new HistoryRepository(db),
        new EarningsService(settlement, undefined as never),
        {
          chainId: CHAIN,
          deployment: {
            contracts: { FairToken: fair as `0x${string}`, PayoutDistributor: distributor as `0x${string}` },
            roles: {
              deployer: address(1) as `0x${string}`,
              treasury: address(2) as `0x${string}`,
              rewardsReserve: address(3) as `0x${string}`,
              operator: address(4) as `0x${string}`,
              guardian: address(5) as `0x${string}`,
            },
            devChain: false,
          },
          cursors: new CursorCodec(randomBytes(32)),
          tokens: {
            fair: { address: fair, symbol: 'FAIR', decimals: 18 },
            stablecoin: { address: usd, symbol: 'USDC', decimals: 6 },
          },
        },
      );
    });
    after(() => close());

    it('divides a claim over the epochs it paid for, exactly', async () => {
      const page = await service.page(alice, {});
      assert.deepEqual(
        page.items.map((item) => [item.amount, item.cause]),
        [
          [
            '300',
            {
              kind: 'payout',
              epoch: 6,
              cumulativeAmount: '400',
              epochs: [
                { epoch: 5, amount: '150', parts: [{ kind: 'unattributed', amount: '150' }] },
                { epoch: 6, amount: '150', parts: [{ kind: 'unattributed', amount: '150' }] },
              ],
            },
          ],
          [
            '100',
            {
              kind: 'payout',
              epoch: 2,
              cumulativeAmount: '100',
              epochs: [{ epoch: 2, amount: '100', parts: [{ kind: 'unattributed', amount: '100' }] }],
            },
          ],
        ],
      );
      assert.equal(
        page.items[0]?.description,
        'Payout for epochs 5–6: an amount this node’s records do not break down',
      );
      assert.equal(page.indexedBlock, 30);
    });

    it('shows a claim the node has no records for whole', async () => {
      const [item] = (await service.page(bob, { token: 'USDC' })).items;
      assert.deepEqual(item?.cause, {
        kind: 'payout',
        epoch: 6,
        cumulativeAmount: '50',
        epochs: [{ epoch: 6, amount: '50', parts: [{ kind: 'unattributed', amount: '50' }] }],
      });
      assert.deepEqual(item?.token, { address: usd, symbol: 'USDC', decimals: 6 });
      assert.deepEqual(item?.counterparty, {
        address: distributor,
        name: 'Payout distributor',
        handle: null,
      });
      assert.deepEqual((await service.page(bob, { token: 'FAIR' })).items, []);
    });
  });
}
