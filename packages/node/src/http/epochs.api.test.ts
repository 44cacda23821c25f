// The epochs and earnings API on a real node (embedded chain, blob store) with settled epochs
// written through the settlement repository exactly as the worker commits them, amounts checked
// against protocol's allocate so the fixture is what a real settlement would produce.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allocate, allocateRewards, proRataCounterfactual, type TrackSplit } from '@fairstream/protocol';
import { CID } from 'multiformats/cid';
import type { SettledPlayRow } from '../repositories/settlement.repository.ts';
import { SettlementRepository } from '../repositories/settlement.repository.ts';
import { perPlay } from '../services/earnings.service.ts';
import { buildEpochData, encodeEpochData } from '../settlement/epoch-data.ts';
import { testDatabases } from '../testing/databases.ts';
import { startTestNode, type TestNode } from '../testing/test-node.ts';

const addr = (digit: string) => `0x${digit.repeat(40)}`;
const artist = addr('1');
const producer = addr('2');
const operator = addr('9');
const fans = [addr('a'), addr('b')] as const;
const usd = addr('5');
const fair = addr('6');
const splits: Record<string, { address: string; ppm: number }[]> = {
  trackA: [
    { address: artist, ppm: 600_000 },
    { address: producer, ppm: 400_000 },
  ],
  trackB: [{ address: artist, ppm: 1_000_000 }],
};
/** Counted plays: fan a plays A twice and B once, fan b plays A once (and B once, not counted). */
const counted: [string, string][] = [
  [fans[0], 'trackA'],
  [fans[0], 'trackA'],
  [fans[0], 'trackB'],
  [fans[1], 'trackA'],
];
const released = new Map([
  [fans[0], 10_000_000n],
  [fans[1], 5_000_001n],
]);
const REWARDS = 1000n;

describe('epochs and earnings API', () => {
  for (const database of testDatabases()) {
    describe(`on ${database.name}`, () => {
      let test: TestNode;
      let repo: SettlementRepository;
      let dataBytes: Buffer;
      let dataCid: string;

      const get = (url: string) => test.node.app.inject({ method: 'GET', url });

      async function seedEpoch(n: number, final: 'claim' | 'done') {
        const rows: SettledPlayRow[] = counted.map(([listener, trackId], i) => ({
          play_id: `p${n}-${i}`,
          listener,
          track_id: trackId,
          epoch: n,
          verdict: 'counted',
          reason: null,
          heard_ms: 40_000,
          wall_ms: 40_000,
          day: '2026-01-01',
          first_started_at: 1_000 * n + i,
        }));
        rows.push({
          ...rows[0]!,
          play_id: `p${n}-x`,
          listener: fans[1],
          track_id: 'trackB',
          verdict: 'not_counted',
          reason: 'too_short',
          heard_ms: 1000,
        });
        const startsAt = n * 10_000;
        await repo.openEpoch(n, startsAt, startsAt + 10_000, Date.now());
        await repo.saveVerdicts(n, rows);
        // Money as the worker's compute step derives it.
        const tracks = new Map<string, TrackSplit>(
          Object.entries(splits).map(([id, split]) => [
            id,
            { recipients: split.map((s) => s.address), sharesPpm: split.map((s) => s.ppm) },
          ]),
        );
        const plays = counted.map(([listener, trackId]) => ({ listener, trackId }));
        const allocation = allocate({
          subscribers: [...released].map(([address, amount]) => ({ address, amount })),
          plays,
          tracks,
          feePpm: 100_000,
          feeRecipient: operator,
        });
        const rewards = allocateRewards(REWARDS, plays, tracks);
        const proRata = proRataCounterfactual(allocation.total - allocation.fee, plays, tracks);
        const row = (
          kind: 'payout' | 'track' | 'reward' | 'prorata',
          account: string,
          amount: bigint,
          token: string,
          track = '',
        ) => ({
          epoch: n,
          kind,
          account,
          token,
          track_id: track,
          amount: String(amount),
        });
        await repo.saveAllocations(
          n,
          ['payout', 'track', 'reward', 'prorata'],
          [
            ...[...allocation.byRecipient].map(([a, v]) => row('payout', a, v, usd)),
            ...[...allocation.byTrack].map(([t, v]) => row('track', '', v, usd, t)),
            ...[...rewards.byRecipient].map(([a, v]) => row('reward', a, v, fair)),
            ...[...proRata.byRecipient].map(([a, v]) => row('prorata', a, v, usd)),
          ],
          {
            state: 'publish',
            patch: {
              payout_root: `0x${'ab'.repeat(32)}`,
              plays_root: `0x${'cd'.repeat(32)}`,
              totals: JSON.stringify({
                released: String(allocation.total),
                paid: String(allocation.total),
                fee: String(allocation.fee),
                rewards: String(rewards.total),
                countedPlays: String(plays.length),
              }),
            },
          },
        );
        await repo.advance(n, 'claim', { data_cid: dataCid, publish_tx: `0x${'01'.repeat(32)}` });
        if (final === 'done')
          await repo.advance(n, 'done', { claim_txs: JSON.stringify([`0x${'02'.repeat(32)}`]) });
      }

      before(async () => {
        test = await startTestNode(database);
        // The fixture stands in for the worker: stop it and forget any epoch it opened.
        await test.node.settlement?.stop();
        await test.node.db.deleteFrom('epochs').execute();
        repo = new SettlementRepository(test.node.db);
        const now = Date.now();
        await test.node.db.insertInto('accounts').values({ address: artist, created_at: now }).execute();
        for (const [id, split] of Object.entries(splits)) {
          await test.node.db
            .insertInto('tracks')
            .values({
              id,
              owner: artist,
              title: `Title ${id}`,
              artist_name: null,
              genre: null,
              description: null,
              tags: '[]',
              release_date: null,
              visibility: 'public',
              access_kind: 'free',
              gate_token: null,
              gate_min_balance: null,
              state: 'ready',
              failure_code: null,
              failure_message: null,
              duration_ms: 60_000,
              original_cid: 'bafkreiaaaa',
              original_name: 'a.wav',
              original_mime: 'audio/wav',
              integrated_lufs: null,
              true_peak_dbtp: null,
              gain_db: null,
              chain_track_id: null,
              chain_tx: null,
              registration: 'node',
              created_at: now,
              updated_at: now,
            })
            .execute();
          await test.node.db
            .insertInto('track_splits')
            .values(split.map((s) => ({ track_id: id, ...s })))
            .execute();
        }
        dataBytes = Buffer.from(
          encodeEpochData(
            buildEpochData({
              chainId: 31337,
              epoch: 3,
              startsAt: 30_000,
              endsAt: 40_000,
              feePpm: 100_000,
              tokens: { stablecoin: usd, fair },
              plays: [],
              delegations: [],
              playsRoot: `0x${'cd'.repeat(32)}`,
              released: [],
              carriedIn: [],
              carriedOut: [],
              payouts: [],
              byTrack: [],
              rewards: [],
              proRata: [],
              leaves: [],
              payoutRoot: `0x${'ab'.repeat(32)}`,
              totals: {},
            }),
          ),
        );
        const path = join(test.dataDir, 'epoch-3.json');
        await writeFile(path, dataBytes);
        dataCid = (await test.node.blobs.putFile(path)).cid;
        await repo.openEpoch(2, 20_000, 30_000, now);
        await repo.advance(2, 'empty', { totals: JSON.stringify({ paid: '0' }) });
        await seedEpoch(3, 'done');
        await seedEpoch(4, 'claim');
      });
      after(() => test.close());

      it('lists epochs newest first with a cursor', async () => {
        const first = await get('/api/v1/epochs?limit=2');
        assert.equal(first.statusCode, 200, first.body);
        const page = first.json();
        assert.deepEqual(
          page.epochs.map((e: { n: number; state: string }) => [e.n, e.state]),
          [
            [4, 'claim'],
            [3, 'done'],
          ],
        );
        assert.equal(page.nextCursor, 3);
        const epoch = page.epochs[1];
        assert.equal(epoch.dataCid, dataCid);
        assert.equal(epoch.publishTx, `0x${'01'.repeat(32)}`);
        assert.equal(epoch.payoutRoot, `0x${'ab'.repeat(32)}`);
        assert.equal(epoch.startsAt, 30_000);
        assert.equal(epoch.endsAt, 40_000);
        // 15,000,001 stablecoin (fee included) and 1000 FAIR.
        assert.deepEqual(epoch.paidByToken, [
          { token: usd, amount: '15000001' },
          { token: fair, amount: '1000' },
        ]);
        const second = (await get('/api/v1/epochs?limit=2&cursor=3')).json();
        assert.deepEqual(
          second.epochs.map((e: { n: number }) => e.n),
          [2],
        );
        assert.equal(second.nextCursor, null);
      });

      it('shows one epoch with play counts and claim transactions', async () => {
        const response = await get('/api/v1/epochs/3');
        assert.equal(response.statusCode, 200, response.body);
        const epoch = response.json();
        assert.equal(epoch.n, 3);
        assert.deepEqual(epoch.plays, { counted: 4, notCounted: 1 });
        assert.deepEqual(epoch.claimTxs, [`0x${'02'.repeat(32)}`]);
        assert.equal(epoch.totals.fee, '1500000');
        assert.equal((await get('/api/v1/epochs/4')).json().claimTxs.length, 0);
      });

      it('serves the published epoch data: the blob bytes, hashing to the CID', async () => {
        const response = await get('/api/v1/epochs/3/data');
        assert.equal(response.statusCode, 200, response.body);
        assert.match(String(response.headers['content-type']), /^application\/json/);
        assert.equal(response.headers.etag, `"${dataCid}"`);
        assert.deepEqual(response.rawPayload, dataBytes);
        const cid = CID.parse(dataCid);
        assert.equal(cid.multihash.code, 0x12);
        assert.deepEqual(
          Buffer.from(cid.multihash.digest),
          createHash('sha256').update(response.rawPayload).digest(),
        );
        assert.equal(response.json().format, 'fairstream-epoch/1');
        const cached = await test.node.app.inject({
          method: 'GET',
          url: '/api/v1/epochs/3/data',
          headers: { 'if-none-match': `"${dataCid}"` },
        });
        assert.equal(cached.statusCode, 304);
        // An epoch without published data, and an unknown epoch.
        assert.equal((await get('/api/v1/epochs/2/data')).statusCode, 404);
        assert.equal((await get('/api/v1/epochs/99/data')).statusCode, 404);
      });

      it("gives an address's earnings per epoch and track, exactly", async () => {
        const response = await get(`/api/v1/accounts/${artist.toUpperCase().replace('0X', '0x')}/earnings`);
        assert.equal(response.statusCode, 200, response.body);
        const earnings = response.json();
        assert.equal(earnings.address, artist);
        const rows = earnings.items.map(
          (i: Record<string, unknown>) =>
            `${i.epoch} ${i.trackId} ${i.token === usd ? 'usd' : 'fair'} ${i.countedPlays} ${i.amount} ${i.status} ${i.proRata} ${i.ratePerPlay}`,
        );
        // trackA: 10,500,001 (fan a 6,000,000 + fan b 4,500,001), 60% with the remainder to the first
        // recipient: 6,300,001; pro-rata pool 13,500,001 × 3/4 → 10,125,001 → 6,075,001.
        // trackB: 3,000,000, all the artist's; pro-rata 3,375,000. FAIR: 500 per fan → A 833, B 167.
        assert.deepEqual(rows, [
          '3 trackA usd 3 6300001 paid 6075001 2100000.333333',
          '3 trackA fair 3 500 paid null 166.666666',
          '3 trackB usd 1 3000000 paid 3375000 3000000.000000',
          '3 trackB fair 1 167 paid null 167.000000',
          '4 trackA usd 3 6300001 pending 6075001 2100000.333333',
          '4 trackA fair 3 500 pending null 166.666666',
          '4 trackB usd 1 3000000 pending 3375000 3000000.000000',
          '4 trackB fair 1 167 pending null 167.000000',
        ]);
        assert.equal(earnings.items[0].title, 'Title trackA');
        assert.deepEqual(earnings.totals, [
          { token: usd, amount: '18600002', paid: '9300001', pending: '9300001', proRata: '18900002' },
          { token: fair, amount: '1334', paid: '667', pending: '667', proRata: '0' },
        ]);
        // Per track, the parts add up to what the epoch paid the address.
        const payout = await repo.allocations(3, 'payout');
        assert.equal(payout.find((p) => p.account === artist)?.amount, '9300001');

        const producerEarnings = (await get(`/api/v1/accounts/${producer}/earnings`)).json();
        assert.deepEqual(
          producerEarnings.items
            .filter((i: { epoch: number }) => i.epoch === 3)
            .map((i: Record<string, unknown>) => [i.trackId, i.amount, i.proRata, i.ratePerPlay]),
          [
            ['trackA', '4200000', '4050000', '1400000.000000'],
            ['trackA', '333', null, '111.000000'],
          ],
        );
        const nobody = (await get(`/api/v1/accounts/${addr('c')}/earnings`)).json();
        assert.deepEqual(nobody.items, []);
        assert.deepEqual(nobody.totals, []);
      });

      it('refuses bad parameters and unknown epochs', async () => {
        for (const url of [
          '/api/v1/accounts/0x123/earnings',
          '/api/v1/accounts/nothex/earnings',
          `/api/v1/accounts/0x${'g'.repeat(40)}/earnings/live`,
          '/api/v1/epochs/-1',
          '/api/v1/epochs/abc',
          '/api/v1/epochs/1.5/data',
          '/api/v1/epochs?cursor=-2',
        ]) {
          const response = await get(url);
          assert.equal(response.statusCode, 400, url);
          assert.equal(response.json().error.code, 'invalid_request', url);
          assert.ok(response.json().error.message.length > 0);
        }
        const unknown = await get('/api/v1/epochs/99');
        assert.equal(unknown.statusCode, 404);
        assert.equal(unknown.json().error.code, 'not_found');
      });

      it('streams an epoch event when an epoch is done', async () => {
        const base = await test.node.app.listen({ host: '127.0.0.1', port: 0 });
        const controller = new AbortController();
        const response = await fetch(`${base}/api/v1/accounts/${artist}/earnings/live`, {
          signal: controller.signal,
        });
        assert.equal(response.status, 200);
        assert.match(String(response.headers.get('content-type')), /^text\/event-stream/);
        const reader = response.body!.getReader();
        const decoder = new TextDecoder();
        let received = '';
        const readUntil = async (pattern: RegExp) => {
          const deadline = Date.now() + 10_000;
          while (!pattern.test(received)) {
            assert.ok(Date.now() < deadline, `no ${pattern} in ${received}`);
            const { value, done } = await reader.read();
            assert.ok(!done, 'the stream ended');
            received += decoder.decode(value, { stream: true });
          }
        };
        await readUntil(/: connected; last done epoch 3\n\n/);
        await repo.advance(4, 'done', { claim_txs: '[]' });
        await readUntil(/event: epoch\nid: 4\ndata: .*\n\n/);
        const data = JSON.parse(/event: epoch\nid: 4\ndata: (.*)\n\n/.exec(received)![1]!);
        assert.equal(data.epoch.n, 4);
        assert.equal(data.epoch.state, 'done');
        assert.deepEqual(
          data.earnings.items.map((i: { epoch: number; amount: string; status: string }) => [
            i.epoch,
            i.amount,
            i.status,
          ]),
          [
            [4, '6300001', 'paid'],
            [4, '500', 'paid'],
            [4, '3000000', 'paid'],
            [4, '167', 'paid'],
          ],
        );
        // Only once: epoch 3 was done before the client connected and is not sent.
        assert.doesNotMatch(received, /id: 3\n/);
        controller.abort();
        await reader.cancel().catch(() => {});
      });
    });
  }
});

describe('perPlay', () => {
  it('divides with bigints to 6 decimal places, truncating', () => {
    assert.equal(perPlay(6_300_001n, 3), '2100000.333333');
    assert.equal(perPlay(2n, 3), '0.666666');
    assert.equal(perPlay(10n ** 30n + 1n, 7), '142857142857142857142857142857.285714');
    assert.equal(perPlay(5n, 0), '0.000000');
  });
});
