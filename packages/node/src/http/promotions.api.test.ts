// The promoted slot of trending and search on a real node and its embedded chain: an artist
// promotes their settled track (FAIR burned through Promotions), the ledger indexer stores the
// Promoted event, and the track is shown first and labeled, without a play counted or a score
// changed; an expired promotion, a query it does not match, and a hidden track get no slot.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fairstreamDevChain, faucet, promoteTrack } from '@fairstream/chain';
import { createWalletClient, http } from 'viem';
import { chainTrackId } from '../chain/track-registrar.ts';
import { PromotionsRepository } from '../repositories/promotions.repository.ts';
import { PromotionsService } from '../services/promotions.service.ts';
import { testDatabases } from '../testing/databases.ts';
import { type SettledPlays, settlePlays } from '../testing/settle.ts';
import { signIn, startTestNode, type TestNode } from '../testing/test-node.ts';

interface Item {
  promoted: boolean;
  promotedUntil: number | null;
  score?: number;
  spanPlays?: number;
  track: { id: string; countedPlays?: number };
}

for (const database of testDatabases()) {
  describe(`the promoted slot through the API on ${database.name}`, () => {
    let test: TestNode;
    let settled: SettledPlays;
    let promotedUntil: number;
    let trendingBefore: Item[];

    const get = async (url: string) => {
      const response = await test.node.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200, response.body);
      return response.json();
    };
    const trending = async (): Promise<Item[]> => (await get('/api/v1/trending?window=week')).items;
    const search = async (q: string): Promise<(Item['track'] & Omit<Item, 'track'>)[]> =>
      (await get(`/api/v1/search?q=${encodeURIComponent(q)}`)).tracks;
    const indexed = async () => {
      const { indexer, ledger } = test.node;
      assert.ok(indexer);
      await indexer.waitForBlock(Number(await ledger.publicClient.getBlockNumber({ cacheTime: 0 })));
    };

    before(async () => {
      test = await startTestNode(database, { epochSeconds: 10 });
      settled = await settlePlays(test.node, { state: 'done', fans: 2 });
      await indexed();
      trendingBefore = await trending();
    });
    after(() => test?.close());

    it('has no promoted item before any promotion', async () => {
      assert.ok(trendingBefore.length > 0, 'the settled track trends');
      assert.ok(trendingBefore.every((item) => item.promoted === false && item.promotedUntil === null));
      assert.ok((await search('Settled')).every((track) => track.promoted === false));
    });

    it('shows a running promotion first, labeled, in trending and in a search it matches; plays unchanged', async () => {
      const { ledger } = test.node;
      assert.ok(ledger.faucetWallet);
      await faucet(ledger.faucetWallet, { deployment: ledger.deployment, to: settled.artist.address });
      const artist = createWalletClient({
        account: settled.artist,
        chain: fairstreamDevChain(ledger.rpcUrl, ledger.chainId),
        transport: http(ledger.rpcUrl),
      });
      const promoted = await promoteTrack(artist, {
        deployment: ledger.deployment,
        trackId: chainTrackId(settled.trackId),
        days: 1,
      });
      promotedUntil = Number(promoted.endsAt) * 1000;
      await indexed();

      const items = await trending();
      assert.equal(items[0]?.track.id, settled.trackId);
      assert.equal(items[0]?.promoted, true);
      assert.equal(items[0]?.promotedUntil, promotedUntil);
      assert.equal(items.filter((item) => item.promoted).length, 1, 'at most one promoted item');
      assert.equal(items.filter((item) => item.track.id === settled.trackId).length, 1, 'shown once');
      const chartedBefore = trendingBefore.find((item) => item.track.id === settled.trackId);
      // The score decays by the second; a promotion would have added to it, not let it shrink.
      assert.ok(chartedBefore && items[0]?.score !== undefined);
      assert.ok(
        items[0].score <= chartedBefore.score! && items[0].score > chartedBefore.score! * 0.999,
        'the score is the chart’s own',
      );
      assert.equal(items[0]?.spanPlays, chartedBefore?.spanPlays, 'no play counted');
      assert.equal(items[0]?.track.countedPlays, chartedBefore?.track.countedPlays);

      const found = await search('Settled');
      assert.equal(found[0]?.id, settled.trackId);
      assert.equal(found[0]?.promoted, true);
      assert.equal(found[0]?.promotedUntil, promotedUntil);
      assert.equal(found.filter((track) => track.id === settled.trackId).length, 1);
      const unrelated = await search('zzqx nothing like it');
      assert.ok(unrelated.every((track) => track.id !== settled.trackId && !track.promoted));
    });

    it('ends with the promotion: an expired one is in no slot', async () => {
      const service = (now: number) =>
        new PromotionsService(new PromotionsRepository(test.node.db), {
          chainId: test.node.ledger.chainId,
          now: () => now,
        });
      assert.deepEqual(
        (await service(promotedUntil - 1).running()).map((p) => [p.trackId, p.promotedUntil]),
        [[settled.trackId, promotedUntil]],
      );
      assert.deepEqual(await service(promotedUntil).running(), []);
      assert.equal(await service(promotedUntil + 86_400_000).pick(), undefined);
    });

    it('never shows a hidden track, even while its promotion runs', async () => {
      const token = await signIn(test.node, settled.artist);
      const hidden = await test.node.app.inject({
        method: 'PATCH',
        url: `/api/v1/tracks/${settled.trackId}`,
        headers: { authorization: `Bearer ${token}` },
        payload: { visibility: 'hidden' },
      });
      assert.equal(hidden.statusCode, 200, hidden.body);
      assert.ok((await trending()).every((item) => item.track.id !== settled.trackId && !item.promoted));
      assert.ok((await search('Settled')).every((track) => !track.promoted));
    });
  });
}
