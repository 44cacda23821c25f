// Epoch settlement end to end on a real node: real embedded chain, SQLite, blob store and media
// pipeline. Two fans subscribe and play an artist's track with a three-way split; the worker judges,
// releases, computes, publishes and claims; the money lands in the recipients' wallets exactly as
// protocol's `allocate` says, the fee reaches Staking, the published data carries every counted report
// with the wallet delegation of its session key, and neither a redone claim step, a restart, nor a
// crash between publish and claim pays anything twice.
import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import {
  buildPayoutTree,
  getSubscription,
  getTokenBalance,
  payoutDistributorAbi,
  stakingAbi,
} from '@fairstream/chain';
import {
  allocate,
  sessionKeyCoverage,
  sessionKeyDelegationMessage,
  type TrackSplit,
  verifySessionKeyDelegation,
} from '@fairstream/protocol';
import { type Address, getAddress } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { FairstreamNode } from '../node.ts';
import { SettlementRepository } from '../repositories/settlement.repository.ts';
import { delegationBody } from '../testing/plays.ts';
import { type SettlementFixture, startSettlementFixture } from '../testing/settled-epoch.ts';
import { signIn } from '../testing/test-node.ts';
import { type EpochData, playsRootOf } from './epoch-data.ts';
import { SETTLEMENT_FEE_PPM } from './settlement-worker.ts';

describe('epoch settlement on the embedded chain', () => {
  let fixture: SettlementFixture;
  let node: FairstreamNode;
  let artist: PrivateKeyAccount;
  let producer: PrivateKeyAccount;
  let singer: PrivateKeyAccount;
  let fans: SettlementFixture['fans'];
  let trackId: string;
  let split: TrackSplit;
  let stablecoin: Address;
  let firstEpoch: number;
  /** What the first epoch's release moved per fan (read from the vault). */
  const releasedBefore = new Map<string, bigint>();

  const balanceOf = (address: Address, token = stablecoin) =>
    getTokenBalance(node.ledger.publicClient, { token, address });
  const recipients = () => [artist, producer, singer].map((account) => account.address);
  const balances = async () => Promise.all(recipients().map((address) => balanceOf(address)));
  const repo = () => new SettlementRepository(node.db);
  const play = (listeners: readonly PrivateKeyAccount[]) => fixture.play(listeners);
  const advanceChain = (seconds: number) => fixture.advanceChain(seconds);
  const judgedIn = (playIds: string[]) => fixture.judgedIn(playIds);

  before(async () => {
    fixture = await startSettlementFixture();
    ({ node, artist, producer, singer, fans, trackId, split, stablecoin } = fixture);
  });
  after(() => fixture?.close());

  it('pays both fans’ plays to the split exactly, the fee to Staking, and publishes auditable data', async () => {
    const before = await balances();
    assert.deepEqual(before, [0n, 0n, 0n]);
    const counted = await play(fans);
    // The artist's own play is judged and kept, but never counts.
    const [own] = await play([artist]);
    // The first fan renews their session key before the epoch settles: the data must still carry
    // the delegation the reports were signed under, not the renewal that replaced it.
    const nonce = (await node.app.inject({ method: 'GET', url: '/api/v1/auth/nonce' })).json();
    const renewedAt = Date.now() + 1000;
    const renewal = await node.app.inject({
      method: 'POST',
      url: '/api/v1/auth/session-keys',
      headers: { authorization: `Bearer ${await signIn(node, fans[0])}` },
      payload: await delegationBody(fans[0], fixture.keys.get(fans[0].address)!, nonce, {
        issuedAt: renewedAt,
        expiresAt: renewedAt + 2 * 24 * 3600_000,
      }),
    });
    assert.equal(renewal.statusCode, 201, renewal.body);
    await advanceChain(15);
    firstEpoch = await judgedIn([...counted, own!]);
    const epoch = await node.settlement!.settled(firstEpoch);
    assert.equal(epoch.state, 'done');
    assert.equal(epoch.error, null);

    const verdicts = await repo().playsOfEpoch(firstEpoch);
    assert.deepEqual(
      verdicts.map((row) => [row.play_id, row.verdict, row.reason]).sort(),
      [
        [counted[0], 'counted', null],
        [counted[1], 'counted', null],
        [own, 'not_counted', 'owner_or_collaborator'],
      ].sort(),
    );

    // The judge step recorded the counted plays in the aggregates, with each play's source.
    const track = (await node.app.inject({ method: 'GET', url: `/api/v1/tracks/${trackId}` })).json();
    assert.equal(track.countedPlays, 2);
    const sources = await node.db
      .selectFrom('track_source_days')
      .select(['source', 'counted'])
      .where('track_id', '=', trackId)
      .execute();
    assert.deepEqual(
      sources.map((row) => [row.source, Number(row.counted)]),
      [['api', 2]],
    );
    const trending = (await node.app.inject({ method: 'GET', url: '/api/v1/trending?window=day' })).json();
    assert.deepEqual(
      trending.items.map((item: { track: { id: string }; spanPlays: number }) => [
        item.track.id,
        item.spanPlays,
      ]),
      [[trackId, 2]],
    );

    // Independently: what each fan's subscription released (the vault says), through protocol's allocate.
    const operator = node.ledger.deployment.roles.operator;
    const subscribers = [];
    for (const fan of fans) {
      const { released } = await getSubscription(node.ledger.publicClient, {
        deployment: node.ledger.deployment,
        subscriber: fan.address,
      });
      assert.ok(released > 0n, 'released up to the epoch end');
      releasedBefore.set(fan.address, released);
      subscribers.push({ address: fan.address, amount: released });
    }
    const expected = allocate({
      subscribers,
      plays: fans.map((fan) => ({ listener: fan.address, trackId })),
      tracks: new Map([[trackId, split]]),
      feePpm: SETTLEMENT_FEE_PPM,
      feeRecipient: operator,
    });
    assert.ok(expected.fee > 0n);
    const after = await balances();
    for (const [i, address] of recipients().entries()) {
      assert.ok(after[i]! > before[i]!, `${address} was paid`);
      assert.equal(after[i]! - before[i]!, expected.byRecipient.get(address.toLowerCase()) ?? 0n, address);
    }
    assert.equal(
      after.reduce((a, b) => a + b, 0n) + expected.fee,
      subscribers.reduce((a, s) => a + s.amount, 0n),
      'every released unit is paid',
    );

    // The fee: claimed to the operator and passed on to Staking (nobody stakes, so Staking holds it).
    const staking = node.ledger.deployment.contracts.Staking!;
    assert.equal(await balanceOf(operator), 0n);
    assert.equal(
      await node.ledger.publicClient.readContract({
        address: staking,
        abi: stakingAbi,
        functionName: 'totalFeeNotified',
        args: [stablecoin],
      }),
      expected.fee,
    );
    assert.equal(await balanceOf(staking), expected.fee);
    assert.equal(
      await balanceOf(node.ledger.deployment.contracts.PayoutDistributor!),
      0n,
      'the distributor paid out everything released',
    );

    // The published data recomputes both roots, and the chain holds that payout root.
    assert.ok(epoch.data_cid && epoch.payout_root && epoch.plays_root);
    assert.ok(await node.blobs.stat(epoch.data_cid));
    const data = JSON.parse(await text(await node.blobs.createReadStream(epoch.data_cid))) as EpochData;
    assert.equal(data.epoch, firstEpoch);
    assert.equal(data.rule.version, 1);
    assert.equal(data.plays.length, 2);
    for (const entry of data.plays) assert.match(entry.reports[0]!.signature, /^[0-9a-f]{128}$/);
    // Each report's session key with the wallet delegation it was signed under, once per key.
    assert.deepEqual(
      data.delegations?.map((d) => [d.address, d.sessionKey]),
      fans
        .map((fan) => [fan.address.toLowerCase(), fixture.keys.get(fan.address)!.publicKey])
        .sort((a, b) => (a[1]! < b[1]! ? -1 : 1)),
    );
    for (const delegation of data.delegations ?? []) {
      assert.equal(delegation.domain, nonce.domain);
      assert.equal(delegation.chainId, node.ledger.chainId);
      assert.ok(delegation.issuedAt < renewedAt, 'the delegation in force, not the renewal');
      assert.ok(await verifySessionKeyDelegation(delegation), 'the wallet signed it');
      const reports = data.plays
        .filter((entry) => entry.listener === delegation.address)
        .flatMap((entry) => entry.reports);
      assert.equal(reports.length, 1);
      for (const report of reports) {
        assert.equal(report.sessionKey, delegation.sessionKey);
        assert.equal(sessionKeyCoverage(delegation, report), 'covered');
      }
    }
    const stored = await node.db.selectFrom('session_keys').selectAll().execute();
    const second = data.delegations?.find((d) => d.address === fans[1].address.toLowerCase());
    assert.ok(second);
    assert.equal(
      sessionKeyDelegationMessage(second),
      stored.find((row) => row.public_key === second.sessionKey)?.delegation_message,
      'the very message the wallet signed at sign-in',
    );
    assert.equal(playsRootOf(data.plays), epoch.plays_root);
    const tree = buildPayoutTree(
      data.leaves.map((leaf) => ({
        account: getAddress(leaf.account),
        token: getAddress(leaf.token),
        cumulativeAmount: BigInt(leaf.cumulativeAmount),
      })),
    );
    assert.equal(tree.root, epoch.payout_root);
    const [prefix] = await node.ledger.publicClient.readContract({
      address: node.ledger.deployment.contracts.PayoutDistributor!,
      abi: payoutDistributorAbi,
      functionName: 'epochOf',
      args: [BigInt(firstEpoch)],
    });
    assert.ok(tree.root.startsWith(prefix.toLowerCase()), 'the chain holds the published root');
    const stableLeaves = data.leaves.filter((leaf) => leaf.token === stablecoin.toLowerCase());
    assert.equal(
      stableLeaves.reduce((total, leaf) => total + BigInt(leaf.cumulativeAmount), 0n),
      expected.total,
    );
  });

  it('pays nothing twice: a redone claim step, then a restart on the same data folder', async () => {
    const before = await balances();
    const staking = node.ledger.deployment.contracts.Staking!;
    const stakingBefore = await balanceOf(staking);
    await repo().rewind(firstEpoch, 'claim');
    node.settlement!.wake();
    const redone = await node.settlement!.settled(firstEpoch);
    assert.deepEqual(JSON.parse(redone.claim_txs ?? 'null'), [], 'nothing was due, nothing was sent');
    assert.deepEqual(await balances(), before);

    node = await fixture.restart();
    // A later epoch settling proves the restarted worker ran past the first one.
    await advanceChain(15);
    const later = node.settlement!.epochAt(
      Number((await node.ledger.publicClient.getBlock()).timestamp) * 1000,
    );
    await node.settlement!.settled(later.n - 1);
    assert.equal((await repo().findEpoch(firstEpoch))?.state, 'done');
    assert.deepEqual(await balances(), before);
    assert.equal(await balanceOf(staking), stakingBefore);
  });

  it('resumes after a crash between publish and claim, and claims exactly once', async () => {
    node = await fixture.restart({ settlement: { haltAt: 'claim' } });
    const before = await balances();
    const [playId] = await play([fans[0]]);
    await advanceChain(15);
    const n = await judgedIn([playId!]);
    const deadline = Date.now() + 60_000;
    while ((await repo().findEpoch(n))?.state !== 'claim') {
      assert.ok(Date.now() < deadline, 'the epoch was not published in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok((await repo().findEpoch(n))?.publish_tx, 'published');
    assert.deepEqual(await balances(), before, 'the "crash" came before any claim');

    node = await fixture.restart();
    const epoch = await node.settlement!.settled(n);
    assert.equal(epoch.state, 'done');
    const { released } = await getSubscription(node.ledger.publicClient, {
      deployment: node.ledger.deployment,
      subscriber: fans[0].address,
    });
    const expected = allocate({
      subscribers: [{ address: fans[0].address, amount: released - releasedBefore.get(fans[0].address)! }],
      plays: [{ listener: fans[0].address, trackId }],
      tracks: new Map([[trackId, split]]),
      feePpm: SETTLEMENT_FEE_PPM,
      feeRecipient: node.ledger.deployment.roles.operator,
    });
    const after = await balances();
    for (const [i, address] of recipients().entries()) {
      assert.equal(after[i]! - before[i]!, expected.byRecipient.get(address.toLowerCase()) ?? 0n, address);
    }
    // And once more from scratch: still nothing new.
    node = await fixture.restart();
    await advanceChain(15);
    const later = node.settlement!.epochAt(
      Number((await node.ledger.publicClient.getBlock()).timestamp) * 1000,
    );
    await node.settlement!.settled(later.n - 1);
    assert.deepEqual(await balances(), after);
    assert.equal(
      await balanceOf(node.ledger.deployment.contracts.PayoutDistributor!),
      0n,
      'nothing left unpaid, nothing paid twice',
    );
  });

  it('records a failed step and retries the same step until it succeeds', async () => {
    const before = await balances();
    const putFile = node.blobs.putFile.bind(node.blobs);
    let failures = 0;
    node.blobs.putFile = async (...args) => {
      if (failures++ === 0) throw new Error('disk full');
      return putFile(...args);
    };
    try {
      const fair = node.ledger.deployment.contracts.FairToken;
      const fairBefore = await Promise.all(recipients().map((address) => balanceOf(address, fair)));
      const [playId] = await play([fans[1]]);
      // Past a whole 60 s emission epoch, so this epoch also hands out FAIR rewards.
      await advanceChain(61);
      const n = await judgedIn([playId!]);
      const deadline = Date.now() + 60_000;
      let failed = await repo().findEpoch(n);
      while (!failed?.error) {
        assert.ok(Date.now() < deadline, 'the failure was not recorded');
        await new Promise((resolve) => setTimeout(resolve, 50));
        failed = await repo().findEpoch(n);
      }
      assert.equal(failed.state, 'publish', 'stuck at the failing step');
      assert.match(failed.error, /disk full/);
      assert.equal(failed.attempts, 1);
      const epoch = await node.settlement!.settled(n);
      assert.deepEqual([epoch.state, epoch.error, epoch.attempts], ['done', null, 0]);
      const payouts = await repo().allocations(n, 'payout');
      const after = await balances();
      for (const [i, address] of recipients().entries()) {
        const due = payouts.find((entry) => entry.account === address.toLowerCase());
        assert.equal(after[i]! - before[i]!, BigInt(due?.amount ?? '0'), address);
      }
      const rewards = await repo().allocations(n, 'reward');
      assert.ok(BigInt(JSON.parse(epoch.totals ?? '{}').rewards) > 0n, 'FAIR was emitted and given');
      for (const [i, address] of recipients().entries()) {
        const due = rewards.find((entry) => entry.account === address.toLowerCase());
        assert.ok(due && BigInt(due.amount) > 0n);
        assert.equal(
          (await balanceOf(address, fair)) - fairBefore[i]!,
          BigInt(due.amount),
          `FAIR to ${address}`,
        );
      }
    } finally {
      node.blobs.putFile = putFile;
    }
  });
});
