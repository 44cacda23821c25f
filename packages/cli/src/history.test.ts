// `fairstream history` as a user runs it (child processes) against a real node in this process:
// embedded chain, SQLite, 10 s epochs, real plays settled and pushed. The table says why each token
// moved; --token filters, --json gives the node's movements, --csv saves the export exactly.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatUnits } from 'viem';
import { testDatabases } from '../../node/src/testing/databases.ts';
import { type SettledPlays, settlePlays } from '../../node/src/testing/settle.ts';
import { startTestNode, type TestNode } from '../../node/src/testing/test-node.ts';
import { signedAmount } from './commands/history.ts';
import { cliRunner } from './testing/node-process.ts';

const work = await mkdtemp(join(tmpdir(), 'fairstream-history-'));
after(() => rm(work, { recursive: true, force: true }));
const cli = cliRunner(join(work, 'config'));
const [sqlite] = testDatabases();

describe('fairstream history against a real node', () => {
  let test: TestNode;
  let api: string;
  let settled: SettledPlays;

  before(async () => {
    test = await startTestNode(sqlite!, { epochSeconds: 10, port: 0 });
    api = (await test.node.listen()).replace(/\/$/, '');
    settled = await settlePlays(test.node, { state: 'done', fans: 2 });
    const { indexer, ledger } = test.node;
    await indexer!.waitForBlock(Number(await ledger.publicClient.getBlockNumber({ cacheTime: 0 })));
  });
  after(() => test?.close());

  it("prints an artist's payouts with the plays behind them, and a fan's faucet and subscription", async () => {
    const artist = settled.artist.address;
    const result = await cli(['--api', api, 'history', artist]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `History of ${artist.toLowerCase()}, newest first`);
    assert.match(lines[2]!, /^DATE \(UTC\)\s+CAUSE\s+AMOUNT\s+TOKEN$/);
    const fromApi = (await (await fetch(`${api}/api/v1/accounts/${artist}/history`)).json()) as {
      items: {
        time: number;
        description: string;
        amount: string;
        direction: 'in' | 'out' | 'self';
        token: { symbol: string; decimals: number };
      }[];
    };
    assert.ok(fromApi.items.length >= 1);
    assert.equal(lines.length, 3 + fromApi.items.length);
    for (const [i, item] of fromApi.items.entries()) {
      const line = lines[3 + i]!;
      assert.ok(line.startsWith(new Date(item.time).toISOString().slice(0, 16).replace('T', ' ')), line);
      assert.ok(line.includes(item.description), line);
      // The exact amount, signed and grouped in thousands: 1234.5 is +1,234.5.
      const [whole, fraction] = formatUnits(BigInt(item.amount), item.token.decimals).split('.');
      const shown = `+${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
      assert.ok(line.endsWith(`${shown}  ${item.token.symbol}`), line);
    }
    assert.match(
      result.stdout,
      new RegExp(`Payout for epoch ${settled.epoch}: 2 plays of “Settled”\\s+\\+\\d`),
    );
    assert.match(result.stderr, /Reading the history: \d+ movements \(page 1\)/);

    const fan = await cli(['--api', api, 'history', settled.fans[0]!.address]);
    assert.equal(fan.code, 0, fan.stderr);
    assert.match(fan.stdout, /Subscription: 1 period, until \d{4}-\d{2}-\d{2}\s+-5\s+tUSD/);
    assert.match(fan.stdout, /Dev faucet\s+\+1,000\s+tUSD/);
    assert.match(fan.stdout, /Dev faucet\s+\+1,000\s+FAIR/);

    const fairOnly = await cli(['--api', api, 'history', settled.fans[0]!.address, '--token', 'FAIR']);
    assert.equal(fairOnly.code, 0, fairOnly.stderr);
    assert.doesNotMatch(fairOnly.stdout, /tUSD/);
    assert.match(fairOnly.stdout, /FAIR/);
  });

  it('prints the movements as JSON with --json, and saves the CSV export exactly with --csv', async () => {
    const artist = settled.artist.address;
    const json = await cli(['--api', api, '--json', 'history', artist]);
    assert.equal(json.code, 0, json.stderr);
    const answer = (await (await fetch(`${api}/api/v1/accounts/${artist}/history?limit=200`)).json()) as {
      items: unknown[];
    };
    assert.deepEqual(JSON.parse(json.stdout), { address: artist.toLowerCase(), items: answer.items });

    const file = join(work, 'history.csv');
    const saved = await cli(['--api', api, 'history', artist, '--csv', file]);
    assert.equal(saved.code, 0, saved.stderr);
    const expected = await (await fetch(`${api}/api/v1/accounts/${artist}/history.csv`)).text();
    assert.equal(await readFile(file, 'utf8'), expected);
    assert.match(saved.stderr, new RegExp(`Saved ${answer.items.length} movements to ${file}`));
    assert.deepEqual(
      (await readdir(work)).filter((name) => name.endsWith('.part')),
      [],
      'no partial file left',
    );
    const stdout = await cli(['--api', api, 'history', artist, '--token', 'USD', '--csv', '-']);
    assert.equal(stdout.code, 0, stdout.stderr);
    assert.equal(
      stdout.stdout,
      await (await fetch(`${api}/api/v1/accounts/${artist}/history.csv?token=USD`)).text(),
    );
  });

  it('says what to fix: a bad address, an unknown token, a stray option', async () => {
    const bad = await cli(['--api', api, 'history', '0x1234']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"0x1234" is not an address/);
    const token = await cli(['--api', api, 'history', settled.artist.address, '--token', 'DOGE']);
    assert.equal(token.code, 1);
    assert.match(
      token.stderr,
      /the node refused \(400 unknown_token\): token "DOGE" is not one this history lists/,
    );
    const csv = await cli([
      '--api',
      api,
      'history',
      settled.artist.address,
      '--token',
      'DOGE',
      '--csv',
      join(work, 'x.csv'),
    ]);
    assert.equal(csv.code, 1);
    assert.match(csv.stderr, /unknown_token/);
    const stray = await cli(['--api', api, 'history', '--since', 'yesterday']);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /Unknown option '--since'/);
  });

  it('signs amounts exactly, grouped in thousands', () => {
    const token = { address: '0x', symbol: 'FAIR', decimals: 18 };
    assert.equal(
      signedAmount({ amount: '1234567000000000000000001', direction: 'in', token }),
      '+1,234,567.000000000000000001',
    );
    assert.equal(signedAmount({ amount: '5', direction: 'out', token: { ...token, decimals: 0 } }), '-5');
    assert.equal(signedAmount({ amount: '0', direction: 'self', token }), '±0');
  });
});
