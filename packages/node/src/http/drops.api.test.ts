// Fan drops through the API on a real node and its embedded chain: an artist's top fans across their
// tracks (a fan who hides is unnamed but still a recipient), then a drop funded on-chain whose
// leaves are published, checked against the chain, and served with each fan's proof.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  buildFanDropTree,
  claimFanDrop,
  createFanDrop,
  faucet,
  getFairBalance,
  transferFair,
} from '@fairstream/chain';
import type { InjectOptions } from 'fastify';
import { type Address, createWalletClient, defineChain, getAddress, type Hex, http, parseEther } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { DAY_MS } from '../repositories/discovery.repository.ts';
import { type SettledPlayRow, SettlementRepository } from '../repositories/settlement.repository.ts';
import { TracksRepository } from '../repositories/tracks.repository.ts';
import { testDatabases } from '../testing/databases.ts';
import { newAccount, signIn, startTestNode, type TestNode } from '../testing/test-node.ts';

const artist = newAccount();
const otherArtist = newAccount();
const fans = [newAccount(), newAccount(), newAccount(), newAccount()];
const lower = (account: { address: string }) => account.address.toLowerCase();

for (const database of testDatabases()) {
  describe(`fan drops through the API on ${database.name}`, () => {
    let test: TestNode;
    let tokens: Map<string, string>;
    let epoch = 2_000_000;
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;

    const inject = (options: InjectOptions) => test.node.app.inject(options);
    const get = (url: string, account?: { address: string }) =>
      inject({
        method: 'GET',
        url,
        headers: account ? { authorization: `Bearer ${tokens.get(account.address)}` } : {},
      });
    const publish = (payload: object) => inject({ method: 'POST', url: '/api/v1/drops', payload });

    function walletOf(account: PrivateKeyAccount) {
      const { ledger } = test.node;
      const chain = defineChain({
        id: ledger.chainId,
        name: 'embedded',
        nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
        rpcUrls: { default: { http: [ledger.rpcUrl] } },
      });
      return createWalletClient({ account, chain, transport: http(ledger.rpcUrl), pollingInterval: 50 });
    }

    async function addTrack(id: string, owner: PrivateKeyAccount) {
      const now = Date.now();
      const tracks = new TracksRepository(test.node.db);
      await tracks.createWithJob({
        track: {
          id,
          owner: lower(owner),
          title: id,
          artist_name: null,
          genre: null,
          description: null,
          tags: '[]',
          release_date: null,
          visibility: 'public',
          access_kind: 'free',
          gate_token: null,
          gate_min_balance: null,
          state: 'processing',
          failure_code: null,
          failure_message: null,
          duration_ms: 4000,
          original_cid: `bafk${id}`,
          original_name: 'song.wav',
          original_mime: 'audio/wav',
          integrated_lufs: null,
          true_peak_dbtp: null,
          gain_db: null,
          chain_track_id: null,
          chain_tx: null,
          delisted_at: null,
          delist_reason: null,
          registration: 'node',
          comments_disabled_at: null,
          created_at: now,
          updated_at: now,
        },
        splits: [{ address: lower(owner), ppm: 1_000_000 }],
        assets: [],
        stages: [{ stage: 'publish', state: 'pending', progress: 0 }],
        job: { id: `job-${id}`, kind: 'none', payload: '{}' },
      });
      await tracks.markReady(id, now);
    }

    /** Counted plays as the judge step stores them: (track, fan index, how many, days ago). */
    async function settle(plays: [track: string, fan: number, count: number, daysAgo: number][]) {
      const settlement = new SettlementRepository(test.node.db);
      const n = epoch++;
      const rows: SettledPlayRow[] = plays.flatMap(([track, fan, count, daysAgo]) =>
        Array.from({ length: count }, (_, i) => {
          const at = today - daysAgo * DAY_MS + 3_600_000 + i;
          return {
            play_id: `drops-${n}-${track}-${fan}-${i}`,
            listener: lower(fans[fan]!),
            track_id: track,
            epoch: n,
            verdict: 'counted' as const,
            reason: null,
            heard_ms: 40_000,
            wall_ms: 40_000,
            day: new Date(at).toISOString().slice(0, 10),
            first_started_at: at,
            source: 'web',
          };
        }),
      );
      await settlement.openEpoch(n, 0, 1, Date.now());
      await settlement.saveVerdicts(n, rows);
      await settlement.advance(n, 'done');
    }

    before(async () => {
      test = await startTestNode(database);
      // These tests store verdicts themselves: the worker must not settle alongside them.
      await test.node.settlement?.stop();
      await test.node.db.deleteFrom('epochs').execute();
      tokens = new Map();
      for (const account of [artist, otherArtist, ...fans]) {
        tokens.set(account.address, await signIn(test.node, account));
      }
      await addTrack('drop-a', artist);
      await addTrack('drop-b', artist);
      await addTrack('drop-other', otherArtist);
      // fan 0: 3 + 2 plays over both tracks; fan 1: 4 on one; fan 2: 1 recent + 6 long ago;
      // fan 3: only the other artist's track.
      await settle([
        ['drop-a', 0, 3, 0],
        ['drop-b', 0, 2, 1],
        ['drop-a', 1, 4, 2],
        ['drop-b', 2, 1, 0],
        ['drop-a', 2, 6, 40],
        ['drop-other', 3, 9, 0],
      ]);
      // Fan 1 chose not to be named among top fans.
      const hide = await inject({
        method: 'PUT',
        url: '/api/v1/me/privacy',
        payload: { hideFromTopFans: true },
        headers: { authorization: `Bearer ${tokens.get(fans[1]!.address)}` },
      });
      assert.equal(hide.statusCode, 200, hide.body);
    });
    after(() => test.close());

    it("lists an artist's top fans over all their tracks, an unnamed fan still a recipient", async () => {
      const all = await get('/api/v1/me/top-fans', artist);
      assert.equal(all.statusCode, 200, all.body);
      assert.deepEqual(all.json().fans, [
        { rank: 1, address: lower(fans[2]!), plays: 7, recipient: lower(fans[2]!) },
        { rank: 2, address: lower(fans[0]!), plays: 5, recipient: lower(fans[0]!) },
        { rank: 3, address: null, plays: 4, recipient: lower(fans[1]!) },
      ]);
      assert.equal(all.json().since, 0);

      const recent = (
        await get(`/api/v1/me/top-fans?since=${today - 7 * DAY_MS + 5}&limit=2`, artist)
      ).json();
      assert.equal(recent.since, today - 7 * DAY_MS);
      assert.deepEqual(
        recent.fans.map((fan: { plays: number }) => fan.plays),
        [5, 4],
      );
      // A listener of no track of theirs has no top fans.
      assert.deepEqual((await get('/api/v1/me/top-fans', fans[3]!)).json().fans, []);
      assert.equal((await get('/api/v1/me/top-fans')).statusCode, 401);
      const bad = await get('/api/v1/me/top-fans?limit=0', artist);
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.message, /limit/);
    });

    it('publishes a drop only when it matches the chain, and serves each fan its proof', async () => {
      const { ledger } = test.node;
      const deployment = ledger.deployment;
      const faucetWallet = ledger.faucetWallet;
      assert.ok(faucetWallet);
      await faucet(faucetWallet, { deployment, to: artist.address });
      const recipients = fans.slice(0, 3).map((fan, i) => ({
        account: getAddress(fan.address),
        amount: parseEther(String(i + 1)) + 1n,
      }));
      const tree = buildFanDropTree(recipients);
      const created = await createFanDrop(walletOf(artist), {
        deployment,
        tree,
        reason: 'Thank you, top fans',
        authorize: 'permit',
      });
      const leaves = recipients.map((leaf) => ({ account: leaf.account, amount: leaf.amount.toString() }));
      const body = { dropId: created.dropId.toString(), transactionHash: created.hash, leaves };

      // Refusals first: nothing is stored until the leaves are the drop's.
      const forged = await publish({
        ...body,
        leaves: leaves.map((leaf, i) =>
          i === 0 ? { ...leaf, amount: `${BigInt(leaf.amount) + 1n}` } : leaf,
        ),
      });
      assert.equal(forged.statusCode, 422, forged.body);
      assert.equal(forged.json().error.code, 'drop_mismatch');
      assert.match(forged.json().error.message, /root/);
      const missingFan = await publish({ ...body, leaves: leaves.slice(1) });
      assert.equal(missingFan.statusCode, 422);
      const wrongDrop = await publish({ ...body, dropId: '77' });
      assert.equal(wrongDrop.statusCode, 422);
      assert.match(wrongDrop.json().error.message, /did not create fan drop 77/);
      const otherTransaction = await transferFair(walletOf(artist), {
        deployment,
        to: fans[0]!.address,
        amount: 1n,
      });
      const unrelated = await publish({ ...body, transactionHash: otherTransaction.hash });
      assert.equal(unrelated.statusCode, 422);
      const unmined = await publish({ ...body, transactionHash: `0x${'ab'.repeat(32)}` });
      assert.equal(unmined.statusCode, 422);
      assert.equal(unmined.json().error.code, 'transaction_not_found');
      const twice = await publish({ ...body, leaves: [leaves[0], leaves[0]] });
      assert.equal(twice.statusCode, 400);
      assert.match(twice.json().error.message, /listed twice/);
      const zero = await publish({ ...body, leaves: [{ ...leaves[0], amount: '0' }] });
      assert.equal(zero.statusCode, 400);
      const malformed = await publish({ ...body, leaves: [{ account: 'nobody', amount: '1' }] });
      assert.equal(malformed.statusCode, 400);
      assert.equal((await get(`/api/v1/drops/${created.dropId}`)).statusCode, 404);

      const first = await publish(body);
      assert.equal(first.statusCode, 201, first.body);
      const drop = first.json();
      assert.equal(drop.dropId, created.dropId.toString());
      assert.equal(drop.creator, lower(artist));
      assert.equal(drop.root, tree.root);
      assert.equal(drop.total, tree.total.toString());
      assert.equal(drop.recipients, 3);
      assert.equal(drop.reason, 'Thank you, top fans');
      assert.equal(drop.expiresAt, Number(created.expiresAt) * 1000);
      assert.equal(drop.claimed, '0');
      // Publishing again (reordered) changes nothing.
      const again = await publish({ ...body, leaves: [...leaves].reverse() });
      assert.equal(again.statusCode, 200, again.body);

      const listed = (await get(`/api/v1/drops/${created.dropId}`)).json();
      assert.deepEqual(
        listed.leaves,
        [...leaves].reverse().map((leaf) => ({ ...leaf, account: leaf.account.toLowerCase() })),
        'largest first',
      );
      assert.equal((await get('/api/v1/drops/abc')).statusCode, 400);

      // A fan finds their drop and its proof; anyone sends the claim; the FAIR lands with the fan.
      const fan = fans[1]!;
      const mine = (await get(`/api/v1/accounts/${fan.address}/drops`)).json();
      assert.equal(mine.drops.length, 1);
      const entry = mine.drops[0];
      assert.equal(entry.amount, leaves[1]!.amount);
      assert.equal(entry.paid, false);
      assert.equal(entry.claimable, true);
      const before = await getFairBalance(ledger.publicClient, { deployment, address: fan.address });
      await claimFanDrop(walletOf(artist), {
        deployment,
        dropId: created.dropId,
        claim: { account: fan.address as Address, amount: BigInt(entry.amount), proof: entry.proof as Hex[] },
      });
      assert.equal(
        await getFairBalance(ledger.publicClient, { deployment, address: fan.address }),
        before + BigInt(entry.amount),
      );
      const after = (await get(`/api/v1/accounts/${fan.address}/drops`)).json().drops[0];
      assert.equal(after.paid, true);
      assert.equal(after.claimable, false);
      assert.equal(after.claimed, leaves[1]!.amount);
      assert.equal(after.claimedCount, 1);
      assert.deepEqual((await get(`/api/v1/accounts/${otherArtist.address}/drops`)).json().drops, []);
    });
  });
}
