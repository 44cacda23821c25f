// Epoch settlement end to end on a real node: real embedded chain, SQLite, blob store and media
// pipeline. Two fans subscribe and play an artist's track with a three-way split; the worker judges,
// releases, computes, publishes and claims; the money lands in the recipients' wallets exactly as
// protocol's `allocate` says, the fee reaches Staking, and neither a redone claim step, a restart,
// nor a crash between publish and claim pays anything twice.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  buildPayoutTree,
  fairstreamDevChain,
  faucet,
  getSubscription,
  getTokenBalance,
  payoutDistributorAbi,
  stakingAbi,
  subscribe,
} from '@fairstream/chain';
import { allocate, type TrackSplit } from '@fairstream/protocol';
import type { InjectOptions } from 'fastify';
import pino from 'pino';
import { type Address, createWalletClient, getAddress, http } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { type NodeConfig, resolveConfig } from '../config.ts';
import { type CreateNodeOptions, createNode, type FairstreamNode } from '../node.ts';
import { SettlementRepository } from '../repositories/settlement.repository.ts';
import { delegationBody, newSessionKey, type SessionKeyPair, signedReport } from '../testing/plays.ts';
import { filePart, multipart, newAccount, signIn } from '../testing/test-node.ts';
import { type EpochData, playsRootOf } from './epoch-data.ts';
import { SETTLEMENT_FEE_PPM } from './settlement-worker.ts';

const exec = promisify(execFile);
const dataDir = await mkdtemp(join(tmpdir(), 'fairstream-settlement-'));
after(() => rm(dataDir, { recursive: true, force: true }));

async function tone(seconds: number): Promise<Buffer> {
  const path = join(dataDir, 'tone.wav');
  await exec('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `sine=frequency=440:duration=${seconds}:sample_rate=44100`, '-ac', '2', path],
  ]);
  return readFile(path);
}

describe('epoch settlement on the embedded chain', () => {
  const config: NodeConfig = {
    ...resolveConfig({ data: join(dataDir, 'node'), logLevel: 'silent', rpcPort: '0' }),
    epochSeconds: 10,
  };
  let node: FairstreamNode;
  const artist = newAccount();
  const producer = newAccount();
  const singer = newAccount();
  const fans = [newAccount(), newAccount()] as const;
  const keys = new Map<string, SessionKeyPair>();
  let trackId: string;
  let split: TrackSplit;
  let stablecoin: Address;
  let firstEpoch: number;
  /** What the first epoch's release moved per fan (read from the vault). */
  const releasedBefore = new Map<string, bigint>();

  const start = (options: CreateNodeOptions = {}) =>
    createNode(config, {
      ...options,
      logger: pino({ level: process.env.FAIRSTREAM_TEST_LOG ?? 'silent' }),
    });
  const inject = (options: InjectOptions) => node.app.inject(options);
  const balanceOf = (address: Address, token = stablecoin) =>
    getTokenBalance(node.ledger.publicClient, { token, address });
  const recipients = () => [artist, producer, singer].map((account) => account.address);
  const balances = async () => Promise.all(recipients().map((address) => balanceOf(address)));
  const repo = () => new SettlementRepository(node.db);

  function walletOf(account: PrivateKeyAccount) {
    return createWalletClient({
      account,
      chain: fairstreamDevChain(node.ledger.rpcUrl, node.ledger.chainId),
      transport: http(node.ledger.rpcUrl),
    });
  }

  /** Sends one counted play (3 s of a 5 s track) by each listener, all starting at the same moment. */
  async function play(listeners: readonly PrivateKeyAccount[]): Promise<string[]> {
    const endedAt = Date.now();
    const reports = listeners.map((listener) => {
      const key = keys.get(listener.address);
      assert.ok(key);
      return signedReport(key, listener.address, trackId, {
        segments: [[0, 3000]],
        startedAt: endedAt - 3000,
        endedAt,
      });
    });
    const response = await inject({ method: 'POST', url: '/api/v1/plays', payload: { reports } });
    assert.equal(response.statusCode, 200, response.body);
    for (const result of response.json().results) assert.equal(result.status, 'accepted');
    return reports.map((report) => report.playId);
  }

  /** Moves chain time forward (journaled), so the epoch holding the plays closes now. */
  async function advanceChain(seconds: number): Promise<void> {
    await node.ledger.publicClient.request({ method: 'evm_increaseTime', params: [seconds] } as never);
    await node.ledger.publicClient.request({ method: 'evm_mine', params: [] } as never);
  }

  /** The epoch that judged these plays, once they are all judged. */
  async function judgedIn(playIds: string[]): Promise<number> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const rows = await node.db.selectFrom('plays').selectAll().where('play_id', 'in', playIds).execute();
      if (rows.length === playIds.length) {
        assert.equal(
          new Set(rows.map((row) => row.epoch)).size,
          1,
          'plays starting together settle together',
        );
        return rows[0]!.epoch;
      }
      assert.ok(Date.now() < deadline, 'plays were not judged in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  before(async () => {
    node = await start();
    stablecoin = node.ledger.deployment.contracts.TestStablecoin as Address;
    const tokens: Record<string, string> = {};
    for (const account of [artist, ...fans]) tokens[account.address] = await signIn(node, account);
    const body = await multipart([
      { name: 'title', value: 'Settled' },
      {
        name: 'splits',
        value: JSON.stringify([
          { address: artist.address, percent: 60 },
          { address: producer.address, percent: 25 },
          { address: singer.address, percent: 15 },
        ]),
      },
      filePart('audio', 'settled.wav', await tone(5), 'audio/wav'),
    ]);
    const upload = await inject({
      method: 'POST',
      url: '/api/v1/tracks',
      payload: body.payload,
      headers: { ...body.headers, authorization: `Bearer ${tokens[artist.address]}` },
    });
    assert.equal(upload.statusCode, 202, upload.body);
    trackId = upload.json().id;
    await node.worker?.idle();
    const track = await node.db
      .selectFrom('tracks')
      .select(['state', 'chain_track_id'])
      .where('id', '=', trackId)
      .executeTakeFirstOrThrow();
    assert.equal(track.state, 'ready');
    assert.ok(track.chain_track_id, 'registered on the ledger');
    const splits = await node.db
      .selectFrom('track_splits')
      .selectAll()
      .where('track_id', '=', trackId)
      .orderBy('address')
      .execute();
    split = { recipients: splits.map((row) => row.address), sharesPpm: splits.map((row) => row.ppm) };

    const nonce = (await inject({ method: 'GET', url: '/api/v1/auth/nonce' })).json();
    for (const account of [artist, ...fans]) {
      const key = newSessionKey();
      keys.set(account.address, key);
      const response = await inject({
        method: 'POST',
        url: '/api/v1/auth/session-keys',
        headers: { authorization: `Bearer ${tokens[account.address]}` },
        payload: await delegationBody(account, key, nonce),
      });
      assert.equal(response.statusCode, 201, response.body);
    }
    assert.ok(node.ledger.faucetWallet);
    let lastStart = 0n;
    for (const fan of fans) {
      await faucet(node.ledger.faucetWallet, { deployment: node.ledger.deployment, to: fan.address });
      const subscription = await subscribe(walletOf(fan), { deployment: node.ledger.deployment, periods: 1 });
      lastStart = subscription.start;
    }
    // Plays are timed by the listener's clock and must start in an epoch that ends at least 8 s
    // after both subscriptions started, so each releases real money (5 tUSD / 30 days ≈ 1.9 units/s).
    const target = node.settlement!.epochAt(Number(lastStart) * 1000 + 8000);
    const wait = target.startsAt + 3100 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  });
  after(() => node?.close());

  it('pays both fans’ plays to the split exactly, the fee to Staking, and publishes auditable data', async () => {
    const before = await balances();
    assert.deepEqual(before, [0n, 0n, 0n]);
    const counted = await play(fans);
    // The artist's own play is judged and kept, but never counts.
    const [own] = await play([artist]);
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

    await node.close();
    node = await start();
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
    await node.close();
    node = await start({ settlement: { haltAt: 'claim' } });
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

    await node.close();
    node = await start();
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
    await node.close();
    node = await start();
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
