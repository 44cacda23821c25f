import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../db/database.ts';
import type { PlayReportTable } from '../db/schema.ts';
import { testDatabases } from '../testing/databases.ts';
import { type SettledPlayRow, SettlementRepository } from './settlement.repository.ts';

const A = `0x${'a'.repeat(40)}`;
const B = `0x${'b'.repeat(40)}`;
const TOKEN = `0x${'c'.repeat(40)}`;
// Beyond 2^64: amounts are decimal text, never floats.
const HUGE = 2n ** 100n + 7n;

function report(id: string, playId: string, startedAt: number, listener = A): PlayReportTable {
  return {
    id,
    play_id: playId,
    track_id: 'track-1',
    listener,
    session_key: 'ab'.repeat(32),
    segments: JSON.stringify([[0, 3000]]),
    started_at: startedAt,
    ended_at: startedAt + 3000,
    source: 'api',
    app_id: null,
    signature: 'cd'.repeat(64),
    received_at: startedAt + 3000,
  };
}

function verdict(playId: string, epoch: number, day: string, counted = true): SettledPlayRow {
  return {
    play_id: playId,
    listener: A,
    track_id: 'track-1',
    epoch,
    verdict: counted ? 'counted' : 'not_counted',
    reason: counted ? null : 'too_short',
    heard_ms: 3000,
    wall_ms: 3000,
    day,
    first_started_at: 1_000,
  };
}

for (const database of testDatabases()) {
  describe(`SettlementRepository on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let repo: SettlementRepository;
    before(async () => {
      ({ db, close } = await database.open());
      repo = new SettlementRepository(db);
    });
    after(() => close());

    it('opens an epoch once and moves it step by step, clearing errors on each commit', async () => {
      assert.equal(await repo.currentEpoch(), undefined);
      await repo.openEpoch(0, 0, 10_000, 1);
      await repo.openEpoch(0, 5, 15_000, 2);
      let epoch = await repo.findEpoch(0);
      assert.equal(epoch?.state, 'judge');
      assert.equal(epoch?.ends_at, 10_000, 'the second open changed nothing');
      await repo.recordError(0, 'RPC down');
      await repo.recordError(0, 'RPC down again');
      epoch = await repo.findEpoch(0);
      assert.equal(epoch?.attempts, 2);
      assert.equal(epoch?.error, 'RPC down again');
      await repo.advance(0, 'release', { release_tx: '0x01' });
      epoch = await repo.findEpoch(0);
      assert.deepEqual(
        [epoch?.state, epoch?.error, epoch?.attempts, epoch?.release_tx],
        ['release', null, 0, '0x01'],
      );
      assert.equal((await repo.currentEpoch())?.n, 0);
      await repo.advance(0, 'done');
      await repo.openEpoch(1, 10_000, 20_000, 3);
      assert.equal((await repo.currentEpoch())?.n, 1, 'the oldest unfinished epoch first');
      await repo.advance(1, 'empty');
      assert.equal((await repo.currentEpoch())?.n, 1, 'else the newest');
    });

    it('finds unjudged plays by their first report, and replaces verdicts when judging is redone', async () => {
      await db
        .insertInto('play_reports')
        .values([
          report('r1', 'p1', 1_000),
          report('r2', 'p1', 25_000), // a later report of p1: belongs to p1's epoch
          report('r3', 'p2', 12_000),
          report('r4', 'p3', 30_000, B),
        ])
        .execute();
      const found = await repo.unjudgedReports(0, 20_000);
      assert.deepEqual(
        found.map((row) => row.id),
        ['r1', 'r2', 'r3'],
      );
      await repo.openEpoch(2, 20_000, 30_000, 4);
      await repo.saveVerdicts(2, [verdict('p1', 2, '2026-01-01'), verdict('p2', 2, '2026-01-01', false)]);
      await repo.saveVerdicts(2, [verdict('p1', 2, '2026-01-01'), verdict('p2', 2, '2026-01-01')]);
      assert.equal((await repo.findEpoch(2))?.state, 'release');
      assert.equal((await repo.playsOfEpoch(2, 'counted')).length, 2, 'the redo replaced the first verdicts');
      assert.deepEqual(
        (await repo.unjudgedReports(0, 40_000)).map((row) => row.id),
        ['r4'],
      );
      assert.deepEqual(
        (await repo.unjudgedReports(0, 40_000, 2)).map((row) => row.id),
        ['r1', 'r2', 'r3', 'r4'],
        'redoing epoch 2 judges its own plays again',
      );
      const counts = await repo.countedOnDays(3, ['2026-01-01', '2026-01-02']);
      assert.equal(counts.get(`${A}|track-1|2026-01-01`), 2);
      assert.equal((await repo.countedOnDays(2, ['2026-01-01'])).size, 0, 'its own epoch is excluded');
      assert.deepEqual(
        (await repo.reportsOfPlays(['p1'])).map((row) => row.id),
        ['r1', 'r2'],
      );
    });

    it('keeps money exact as text and closes an epoch’s money in one step', async () => {
      await repo.saveAllocations(
        2,
        ['leaf', 'carried'],
        [
          { epoch: 2, kind: 'leaf', account: A, token: TOKEN, track_id: '', amount: HUGE.toString() },
          { epoch: 2, kind: 'carried', account: B, token: '', track_id: '', amount: '5' },
        ],
      );
      await repo.saveAllocations(
        2,
        ['leaf'],
        [{ epoch: 2, kind: 'leaf', account: A, token: TOKEN, track_id: '', amount: (HUGE + 1n).toString() }],
        { state: 'publish', patch: { payout_root: '0xroot' } },
      );
      const leaves = await repo.allocations(2, 'leaf');
      assert.equal(leaves.length, 1, 'replaced, not added');
      assert.equal(BigInt(leaves[0]!.amount), HUGE + 1n);
      assert.equal((await repo.allocations(2, 'carried')).length, 1, 'other kinds untouched');
      assert.equal((await repo.findEpoch(2))?.state, 'publish');

      await repo.closeMoney(
        2,
        'claim',
        { publish_tx: '0x02' },
        {
          leaves: [{ account: A, token: TOKEN, amount: HUGE + 1n }],
          carried: [
            { subscriber: B, amount: 5n },
            { subscriber: A, amount: 0n },
          ],
        },
      );
      assert.deepEqual(await repo.cumulative(), [{ account: A, token: TOKEN, amount: HUGE + 1n }]);
      assert.deepEqual(await repo.carried(), [{ subscriber: B, amount: 5n }], 'zeros are not carried');
      const epoch = await repo.findEpoch(2);
      assert.deepEqual([epoch?.state, epoch?.publish_tx], ['claim', '0x02']);

      // An empty epoch carries everything and leaves the cumulative leaves alone.
      await repo.closeMoney(2, 'empty', {}, { carried: [{ subscriber: A, amount: 9n }] });
      assert.deepEqual(await repo.cumulative(), [{ account: A, token: TOKEN, amount: HUGE + 1n }]);
      assert.deepEqual(await repo.carried(), [{ subscriber: A, amount: 9n }]);
    });
  });
}
