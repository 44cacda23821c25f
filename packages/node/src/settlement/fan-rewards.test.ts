// Fan rewards through a real settlement (embedded chain, SQLite, blob store): a fan with a public
// playlist of three tracks earns the first-playlist award at the next epoch with a counted play, paid
// in FAIR by the epoch's own claims, published with its evidence; an account whose every play is at
// the daily cap on one track earns nothing, complete profile or not; the FAIR of the epoch adds up
// (artists' rewards + fan rewards = available); a crash after the compute step and a redone compute
// step award nothing twice.
import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { getTokenBalance } from '@fairstream/chain';
import { FAN_REWARD_RULES, FAN_REWARDS_POLICY, fanRewardsBudget } from '@fairstream/protocol';
import type { Address } from 'viem';
import type { FairstreamNode } from '../node.ts';
import { SettlementRepository } from '../repositories/settlement.repository.ts';
import { seedFanSocial } from '../testing/fan-rewards.ts';
import { type SettlementFixture, startSettlementFixture } from '../testing/settled-epoch.ts';
import type { EpochData } from './epoch-data.ts';

const amountOf = (rule: string) => FAN_REWARD_RULES.find((r) => r.id === rule)!.amount;

describe('fan rewards through epoch settlement', () => {
  let fixture: SettlementFixture;
  let node: FairstreamNode;
  let fan: Address;
  let bot: Address;
  let fair: Address;
  const repo = () => new SettlementRepository(node.db);
  const fairOf = (account: Address) =>
    getTokenBalance(node.ledger.publicClient, { token: fair, address: account });
  const dataOf = async (n: number) => {
    const epoch = await repo().findEpoch(n);
    assert.ok(epoch?.data_cid, `epoch ${n} published its data`);
    return JSON.parse(await text(await node.blobs.createReadStream(epoch.data_cid))) as EpochData;
  };

  before(async () => {
    fixture = await startSettlementFixture();
    node = fixture.node;
    fan = fixture.fans[0].address;
    bot = fixture.fans[1].address;
    fair = node.ledger.deployment.contracts.FairToken;
    await seedFanSocial(node.db, fan, { playlist: { tracks: 3, owner: fixture.artist.address } });
    await seedFanSocial(node.db, bot, {
      profile: true,
      playlist: { tracks: 3, owner: fixture.artist.address },
    });
  });
  after(() => fixture?.close());

  it('pays a fan’s first playlist in FAIR through the epoch’s claims, and the bot pattern nothing', async () => {
    const fanBefore = await fairOf(fan);
    const botBefore = await fairOf(bot);
    // The bot: ten plays of the one track, the daily cap, and nothing else ever.
    const playIds = await fixture.play([
      fixture.fans[0],
      ...Array.from({ length: 10 }, () => fixture.fans[1]),
    ]);
    // Past a whole emission epoch, so this epoch has FAIR rewards to share.
    await fixture.advanceChain(61);
    const n = await fixture.judgedIn(playIds);
    const epoch = await node.settlement!.settled(n);
    assert.equal(epoch.state, 'done', epoch.error ?? '');

    const stored = await repo().fans.ofEpoch(n);
    assert.deepEqual(
      stored.awards.map((award) => [award.account, award.rule, award.period, award.amount]),
      [[fan.toLowerCase(), 'first_playlist', 'once', String(amountOf('first_playlist'))]],
    );
    assert.equal((await fairOf(fan)) - fanBefore, amountOf('first_playlist'), 'paid by the epoch’s claims');
    const data = await dataOf(n);
    assert.ok(data.fanRewards);
    assert.deepEqual(data.fanRewards.botAccounts, [bot.toLowerCase()]);
    assert.deepEqual(data.fanRewards.awards[0]?.evidence, {
      kind: 'playlist',
      playlistId: `pl_${fan.toLowerCase().slice(2, 14)}`,
      tracks: 3,
      createdAt:
        data.fanRewards.awards[0]?.evidence.kind === 'playlist'
          ? data.fanRewards.awards[0].evidence.createdAt
          : 0,
    });
    // The bot still earned its user-centric share for the artist, but no FAIR itself.
    assert.equal(await fairOf(bot), botBefore);

    // The FAIR adds up: the fans' share is the published share of what was available, what it did
    // not spend went to the artists, and the leaves grew by exactly what was available.
    const totals = data.totals;
    const available = BigInt(totals.rewardsAvailable!);
    assert.ok(available > 0n);
    assert.equal(BigInt(totals.fanRewardsBudget!), fanRewardsBudget(available));
    assert.equal(data.fanRewards.sharePpm, FAN_REWARDS_POLICY.sharePpm);
    assert.equal(BigInt(totals.fanRewards!), amountOf('first_playlist'));
    assert.equal(BigInt(totals.rewards!) + BigInt(totals.fanRewards!), available);
    const fairLeaves = (d: EpochData) =>
      d.leaves
        .filter((leaf) => leaf.token === fair.toLowerCase())
        .reduce((a, leaf) => a + BigInt(leaf.cumulativeAmount), 0n);
    const previous = (await repo().listEpochs()).filter((e) => e.n < n && e.data_cid).at(-1);
    const before = previous ? fairLeaves(await dataOf(previous.n)) : 0n;
    assert.equal(fairLeaves(data) - before, available);

    // The API shows it, paid, with its reason.
    const listed = (await node.app.inject({ method: 'GET', url: `/api/v1/accounts/${fan}/rewards` })).json();
    assert.equal(listed.items.length, 1);
    assert.equal(listed.items[0].status, 'paid');
    assert.match(listed.items[0].reason, /public playlist .* with 3 tracks/);
    assert.equal(listed.totals.paid, String(amountOf('first_playlist')));
  });

  it('awards once across a crash after the compute step and a redone compute step', async () => {
    node = await fixture.restart({ settlement: { haltAt: 'publish' } });
    await seedFanSocial(node.db, fan, { profile: true });
    const fanBefore = await fairOf(fan);
    const [playId] = await fixture.play([fixture.fans[0]]);
    await fixture.advanceChain(61);
    const n = await fixture.judgedIn([playId!]);
    const deadline = Date.now() + 60_000;
    while ((await repo().findEpoch(n))?.state !== 'publish') {
      assert.ok(Date.now() < deadline, 'the compute step did not commit in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const computed = (await repo().fans.ofEpoch(n)).awards;
    assert.deepEqual(
      computed.map((award) => award.rule),
      ['complete_profile'],
      'the playlist was awarded before: once ever',
    );
    // The compute step runs again (an operator's rewind, or a crash before its commit): its awards
    // are replaced, not added.
    await repo().rewind(n, 'compute');
    node = await fixture.restart({ settlement: { haltAt: 'publish' } });
    while ((await repo().findEpoch(n))?.state !== 'publish') {
      assert.ok(Date.now() < deadline + 60_000, 'the compute step did not commit again in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal((await repo().fans.ofEpoch(n)).awards.length, 1);
    node = await fixture.restart();
    const epoch = await node.settlement!.settled(n);
    assert.equal(epoch.state, 'done', epoch.error ?? '');
    assert.equal((await fairOf(fan)) - fanBefore, amountOf('complete_profile'));
    const all = await repo().fans.awardsOf(fan.toLowerCase());
    assert.deepEqual(all.map((award) => award.rule).sort(), ['complete_profile', 'first_playlist']);
    // A later epoch with another counted play by the fan: nothing new (both are once ever).
    const [later] = await fixture.play([fixture.fans[0]]);
    await fixture.advanceChain(15);
    const m = await fixture.judgedIn([later!]);
    await node.settlement!.settled(m);
    assert.equal((await repo().fans.awardsOf(fan.toLowerCase())).length, 2);
    assert.equal((await fairOf(fan)) - fanBefore, amountOf('complete_profile'));
  });
});
