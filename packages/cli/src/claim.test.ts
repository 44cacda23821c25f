// `fairstream claim` and `fairstream subscribe --via-node` as a user runs them (child processes)
// against a real node in this process: embedded chain, SQLite, 10 s epochs, and settlement stopped
// right after an epoch is published, so its payouts are still waiting to be claimed.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { faucet, getSubscription, getTokenBalance } from '@fairstream/chain';
import { type Address, formatUnits, getAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { testDatabases } from '../../node/src/testing/databases.ts';
import { type SettledPlays, settlePlays } from '../../node/src/testing/settle.ts';
import { startTestNode, type TestNode } from '../../node/src/testing/test-node.ts';
import { cliRunner } from './testing/node-process.ts';

const work = await mkdtemp(join(tmpdir(), 'fairstream-claim-'));
after(() => rm(work, { recursive: true, force: true }));
const cli = cliRunner(join(work, 'config'));
const [sqlite] = testDatabases();

describe('fairstream claim and subscribe --via-node against a real node', () => {
  let test: TestNode;
  let api: string;
  const artistKey = generatePrivateKey();
  const bassistKey = generatePrivateKey();
  let settled: SettledPlays;
  type Claims = {
    epoch: number | null;
    claims: {
      token: string;
      symbol: string;
      decimals: number;
      cumulativeAmount: string;
      claimable: string;
    }[];
  };
  const claimsOf = async (address: string) =>
    (await (await fetch(`${api}/api/v1/accounts/${address}/claims`)).json()) as Claims;

  before(async () => {
    test = await startTestNode(sqlite!, { epochSeconds: 10, port: 0 }, { settlement: { haltAt: 'claim' } });
    api = (await test.node.listen()).replace(/\/$/, '');
  });
  after(() => test?.close());

  it('subscribes a wallet that has no gas through the node, and tells a gasless wallet to use --via-node', async () => {
    const key = generatePrivateKey();
    const fan = privateKeyToAccount(key);
    const { ledger } = test.node;
    assert.ok(ledger.faucetWallet);
    await faucet(ledger.faucetWallet, { deployment: ledger.deployment, to: fan.address, eth: 0n, fair: 0n });

    const direct = await cli(['--api', api, '--key', key, 'subscribe']);
    assert.equal(direct.code, 1);
    assert.match(direct.stderr, /has no ETH to pay gas: pass --via-node/);

    const relayed = await cli([
      '--api',
      api,
      '--key',
      key,
      '--json',
      'subscribe',
      '--periods',
      '3',
      '--via-node',
    ]);
    assert.equal(relayed.code, 0, relayed.stderr);
    const summary = JSON.parse(relayed.stdout);
    assert.equal(summary.amount, '15000000', 'three periods at 5 tUSD');
    assert.equal(summary.end - summary.start, 3 * 30 * 24 * 3600);
    assert.match(relayed.stderr, /the node relays it/);
    const state = await getSubscription(ledger.publicClient, {
      deployment: ledger.deployment,
      subscriber: fan.address,
    });
    assert.equal(state.active, true);
    assert.equal(await ledger.publicClient.getBalance({ address: fan.address }), 0n);

    const broke = await cli(['--api', api, '--key', generatePrivateKey(), 'subscribe', '--via-node']);
    assert.equal(broke.code, 1);
    assert.match(
      broke.stderr,
      /422 insufficient_balance.*Your wallet holds 0 tUSD; 1 period\(s\) cost 5 tUSD/,
    );
  });

  it('claims what the node has not pushed, then says there is nothing left', async () => {
    settled = await settlePlays(test.node, {
      state: 'claim',
      artist: privateKeyToAccount(artistKey),
      collaborators: [privateKeyToAccount(bassistKey), privateKeyToAccount(generatePrivateKey())],
    });
    const { publicClient, deployment } = test.node.ledger;
    const usd = deployment.contracts.TestStablecoin as Address;
    const owed = (await claimsOf(settled.artist.address)).claims.find(
      (entry) => entry.token === usd.toLowerCase(),
    );
    assert.ok(owed && BigInt(owed.claimable) > 0n);

    const noGas = await cli(['--api', api, '--key', artistKey, 'claim']);
    assert.equal(noGas.code, 1);
    assert.match(noGas.stderr, /has no ETH to pay the gas of a claim: fund it/);

    const funded = await cli(['--api', api, '--key', artistKey, 'faucet']);
    assert.equal(funded.code, 0, funded.stderr);
    const before = await getTokenBalance(publicClient, { token: usd, address: settled.artist.address });
    const claimed = await cli(['--api', api, '--key', artistKey, '--json', 'claim']);
    assert.equal(claimed.code, 0, claimed.stderr);
    const result = JSON.parse(claimed.stdout);
    assert.equal(result.epoch, settled.epoch);
    const paid = result.claimed.find((entry: { token: string }) => entry.token === usd.toLowerCase());
    assert.deepEqual(
      [paid.symbol, paid.amount, paid.cumulativeAmount],
      ['tUSD', owed.claimable, owed.cumulativeAmount],
    );
    assert.deepEqual([result.deferred, result.withdrawn, result.failures], [[], [], []]);
    assert.match(claimed.stderr, /Claiming .* tUSD.* \(epoch \d+\)/);
    assert.equal(
      await getTokenBalance(publicClient, { token: usd, address: settled.artist.address }),
      before + BigInt(owed.claimable),
    );

    const again = await cli(['--api', api, '--key', artistKey, 'claim']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(
      again.stdout,
      `Nothing to claim for ${getAddress(settled.artist.address)}: everything published up to epoch ${settled.epoch} is already paid.\n`,
    );
  });

  it('prints what it claimed, leaves other accounts alone, and explains bad arguments', async () => {
    const bassist = settled.collaborators[0].address;
    const due = (await claimsOf(bassist)).claims.filter((entry) => BigInt(entry.claimable) > 0n);
    assert.ok(
      due.some((entry) => entry.symbol === 'tUSD'),
      'the artist claimed only for itself',
    );
    assert.equal((await cli(['--api', api, '--key', bassistKey, 'faucet'])).code, 0);
    const claimed = await cli(['--api', api, '--key', bassistKey, 'claim']);
    assert.equal(claimed.code, 0, claimed.stderr);
    const lines = claimed.stdout.split('\n');
    assert.deepEqual(lines.slice(0, -2), [
      `Claimed for ${getAddress(bassist)} (epoch ${settled.epoch}):`,
      ...due.map((entry) => `  ${formatUnits(BigInt(entry.claimable), entry.decimals)} ${entry.symbol}`),
    ]);
    assert.match(lines.at(-2)!, /^Transactions: 0x[0-9a-f]{64}$/);

    const stranger = await cli(['--api', api, '--key', generatePrivateKey(), '--json', 'claim']);
    assert.equal(stranger.code, 0, stranger.stderr);
    assert.deepEqual(JSON.parse(stranger.stdout).claimed, []);

    const extra = await cli(['--api', api, 'claim', 'everything']);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /claim takes no arguments/);
    const help = await cli(['claim', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: fairstream claim/);
  });
});
