// `fairstream promote` and `fairstream reward-fans` as a user runs them (child processes) against a
// real node in this process (embedded chain, SQLite): an artist promotes their track, is refused for
// someone else's track and for too little FAIR, then rewards their top fans in one drop whose every
// part is pushed, and an interrupted drop is finished with --resume.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { faucet, getFairBalance, getPromotion, transferFair } from '@fairstream/chain';
import { type Address, createWalletClient, getAddress, type Hex, http, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  type SettledPlayRow,
  SettlementRepository,
} from '../../node/src/repositories/settlement.repository.ts';
import { testDatabases } from '../../node/src/testing/databases.ts';
import { signIn, startTestNode, type TestNode } from '../../node/src/testing/test-node.ts';
import { toneWav, uploadReadyTrack } from '../../node/src/testing/tracks.ts';
import { cliRunner } from './testing/node-process.ts';

const work = await mkdtemp(join(tmpdir(), 'fairstream-promote-'));
after(() => rm(work, { recursive: true, force: true }));
const configHome = join(work, 'config');
const cli = cliRunner(configHome);
const [sqlite] = testDatabases();

describe('fairstream promote and reward-fans against a real node', () => {
  let test: TestNode;
  let api: string;
  let trackId: string;
  const artistKey = generatePrivateKey();
  const artist = privateKeyToAccount(artistKey);
  const strangerKey = generatePrivateKey();
  const fans = Array.from({ length: 5 }, () => privateKeyToAccount(generatePrivateKey()));
  const run = (key: Hex, ...args: string[]) => cli(['--api', api, '--key', key, ...args]);

  before(async () => {
    test = await startTestNode(sqlite!, { port: 0 });
    api = (await test.node.listen()).replace(/\/$/, '');
    const token = await signIn(test.node, artist);
    trackId = await uploadReadyTrack(test.node, token, 'Promoted Song', await toneWav(3, 440));
    // Counted plays as settlement stores them: fan i has 5 - i plays; the worker must not settle too.
    await test.node.settlement?.stop();
    const settlement = new SettlementRepository(test.node.db);
    const now = Date.now();
    const rows: SettledPlayRow[] = fans.flatMap((fan, i) =>
      Array.from({ length: 5 - i }, (_, p) => ({
        play_id: `reward-${i}-${p}`,
        listener: fan.address.toLowerCase(),
        track_id: trackId,
        epoch: 9_000_000,
        verdict: 'counted' as const,
        reason: null,
        heard_ms: 40_000,
        wall_ms: 40_000,
        day: new Date(now).toISOString().slice(0, 10),
        first_started_at: now - p,
        source: 'cli',
      })),
    );
    await settlement.openEpoch(9_000_000, 0, 1, now);
    await settlement.saveVerdicts(9_000_000, rows);
    await settlement.advance(9_000_000, 'done');
  });
  after(() => test?.close());

  it('promotes a track, showing the price, and refuses someone else or too little FAIR', async () => {
    const { ledger } = test.node;
    assert.ok(ledger.faucetWallet);
    await faucet(ledger.faucetWallet, { deployment: ledger.deployment, to: artist.address });
    const stranger = privateKeyToAccount(strangerKey);
    await faucet(ledger.faucetWallet, { deployment: ledger.deployment, to: stranger.address });

    const promoted = await run(artistKey, '--json', 'promote', trackId, '--days', '3');
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.match(promoted.stderr, /for 3 day\(s\) at 10 FAIR a day: 30 FAIR from 0x[0-9a-fA-F]{40}, burned/);
    const result = JSON.parse(promoted.stdout);
    assert.equal(result.amount, parseEther('30').toString());
    assert.equal(result.endsAt - result.startsAt, 3 * 86_400_000);
    const onChain = await getPromotion(ledger.publicClient, {
      deployment: ledger.deployment,
      trackId: result.ledgerTrackId,
    });
    assert.equal(Number(onChain.promotedUntil) * 1000, result.endsAt);

    const extended = await run(artistKey, 'promote', trackId, '--days', '1');
    assert.equal(extended.code, 0, extended.stderr);
    assert.match(extended.stdout, /until .* \(extending the running promotion\) for 10 FAIR/);

    const notMine = await run(strangerKey, 'promote', trackId, '--days', '1');
    assert.equal(notMine.code, 1);
    assert.match(notMine.stderr, /This track is not yours: only its owner can promote it.*Nothing was paid/);

    // The artist spends down to 5 FAIR; a 2-day promotion costs 20.
    const held = await getFairBalance(ledger.publicClient, {
      deployment: ledger.deployment,
      address: artist.address,
    });
    const wallet = createWalletClient({
      account: artist,
      chain: ledger.publicClient.chain,
      transport: http(ledger.rpcUrl),
    });
    await transferFair(wallet, {
      deployment: ledger.deployment,
      to: stranger.address,
      amount: held - parseEther('5'),
    });
    const poor = await run(artistKey, 'promote', trackId, '--days', '2');
    assert.equal(poor.code, 1);
    assert.match(poor.stderr, /Too little FAIR: the promotion costs 20 FAIR and your wallet holds 5 FAIR/);

    const badDays = await run(artistKey, 'promote', trackId, '--days', '0');
    assert.equal(badDays.code, 1);
    assert.match(badDays.stderr, /--days must be a whole number of days from 1 to 90/);
  });

  it('rewards the top fans in one drop, pushes every part, and refuses zero or more than held', async () => {
    const { ledger } = test.node;
    const deployment = ledger.deployment;
    assert.ok(ledger.faucetWallet);
    await faucet(ledger.faucetWallet, { deployment, to: artist.address, eth: 0n });
    const balance = (address: Address) => getFairBalance(ledger.publicClient, { deployment, address });

    const zero = await run(artistKey, 'reward-fans', '--amount', '0', '--top', '3');
    assert.equal(zero.code, 1);
    assert.match(zero.stderr, /more than 0 FAIR/);
    const tooMuch = await run(artistKey, 'reward-fans', '--amount', '100000', '--top', '3');
    assert.equal(tooMuch.code, 1);
    assert.match(
      tooMuch.stderr,
      /You hold [\d.]+ FAIR, less than the 100000 FAIR to reward\. Nothing was sent\./,
    );

    const dry = await run(artistKey, 'reward-fans', '--amount', '12', '--top', '3', '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /Would reward \(dry run, nothing sent\) 3 fans with 12 FAIR by counted plays/);
    assert.match(dry.stderr, /#1 +0x[0-9a-fA-F]{40} +5 plays {2}5 FAIR/);

    const before = await Promise.all(fans.map((fan) => balance(fan.address)));
    const rewarded = await run(artistKey, '--json', 'reward-fans', '--amount', '12', '--top', '3');
    assert.equal(rewarded.code, 0, rewarded.stderr);
    const drop = JSON.parse(rewarded.stdout);
    assert.equal(drop.recipients, 3);
    assert.equal(drop.total, parseEther('12').toString());
    assert.equal(drop.paid.length, 3);
    // 5, 4 and 3 counted plays: 5, 4 and 3 FAIR.
    const after = await Promise.all(fans.map((fan) => balance(fan.address)));
    assert.deepEqual(
      after.map((amount, i) => amount - (before[i] ?? 0n)),
      [parseEther('5'), parseEther('4'), parseEther('3'), 0n, 0n],
    );
    // Each fan finds it on the node, paid, with its proof.
    const mine = (await (await fetch(`${api}/api/v1/accounts/${fans[0]!.address}/drops`)).json()) as {
      drops: { dropId: string; paid: boolean; reason: string }[];
    };
    assert.equal(mine.drops[0]?.dropId, drop.dropId);
    assert.equal(mine.drops[0]?.paid, true);
    assert.match(mine.drops[0]?.reason ?? '', /Top 3 fans by counted plays \(all time\)/);
  });

  it('finishes an interrupted drop with --resume: found on-chain, published and pushed once', async () => {
    const { ledger } = test.node;
    const deployment = ledger.deployment;
    const dropsDir = join(configHome, 'fairstream', 'drops');
    const before = new Set(await readdir(dropsDir));
    // A run that got as far as saving its plan (what a kill -9 right before the send leaves).
    const planned = await run(artistKey, 'reward-fans', '--amount', '2', '--top', '2', '--reason', 'resumed');
    assert.equal(planned.code, 0, planned.stderr);
    const [name] = (await readdir(dropsDir)).filter((entry) => !before.has(entry));
    assert.ok(name);
    const file = join(dropsDir, name);
    const done = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(done.pushed, true);
    // Pretend the run died after sending the drop but before noting it: resume finds it on-chain.
    await writeFile(
      file,
      JSON.stringify({ ...done, dropId: null, transactionHash: null, published: false, pushed: false }),
    );
    const fan = getAddress(fans[0]!.address);
    const held = await getFairBalance(ledger.publicClient, { deployment, address: fan });
    const resumed = await run(artistKey, '--json', 'reward-fans', '--resume', file);
    assert.equal(resumed.code, 0, resumed.stderr);
    const again = JSON.parse(resumed.stdout);
    assert.equal(again.dropId, done.dropId, 'the same drop, not a second one');
    assert.deepEqual(again.paid, [], 'nobody is paid twice');
    assert.equal(await getFairBalance(ledger.publicClient, { deployment, address: fan }), held);
  });
});
