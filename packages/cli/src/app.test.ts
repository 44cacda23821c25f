// An app developer's story on a real node (embedded chain, SQLite, 10 s epochs): `fairstream app
// register` signs and registers an app id with the developer's wallet; a fan's plays delivered
// through it count at the next settlement, and `fairstream app show` prints what the app delivered
// and earned, to the base unit of the published data. Bad input: a malformed id, a missing name,
// an unknown app, and `listen --app` naming an app that is not registered.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatUnits } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { type SettlementFixture, startSettlementFixture } from '../../node/src/testing/settled-epoch.ts';
import { cliRunner } from './testing/node-process.ts';
import type { EpochData } from './verify/recompute.ts';

const work = await mkdtemp(join(tmpdir(), 'fairstream-app-cli-'));
after(() => rm(work, { recursive: true, force: true }));
const cli = cliRunner(join(work, 'config'));

describe('fairstream app on a real node', () => {
  let fixture: SettlementFixture;
  const key = generatePrivateKey();
  const developer = privateKeyToAccount(key).address.toLowerCase();
  const APP_ID = 'dev.example.cli-player';

  before(async () => {
    fixture = await startSettlementFixture({ listen: true });
  });
  after(() => fixture?.close());

  it('registers an app with the wallet, and shows what it earned once an epoch settles', async () => {
    const registered = await cli([
      '--api',
      fixture.api,
      '--key',
      key,
      'app',
      'register',
      APP_ID,
      '--name',
      'CLI Player',
    ]);
    assert.equal(registered.code, 0, registered.stderr);
    assert.match(
      registered.stdout,
      new RegExp(`Registered: ${APP_ID} \\("CLI Player"\\), owned by ${developer}`),
    );
    const again = await cli([
      '--api',
      fixture.api,
      '--key',
      key,
      'app',
      'register',
      APP_ID,
      '--name',
      'CLI Player',
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^Already registered/);
    const listed = await cli(['--api', fixture.api, 'app', 'list', developer]);
    assert.match(listed.stdout, new RegExp(`${APP_ID}\\s+CLI Player`));

    const playIds = await fixture.play(fixture.fans, { appIds: [APP_ID, APP_ID] });
    // Past the dev chain's first 60 s emission epoch too, so the epoch has FAIR rewards to divide.
    await fixture.advanceChain(61);
    const settled = await fixture.judgedIn(playIds);
    const epoch = await fixture.node.settlement!.settled(settled);
    assert.equal(epoch.state, 'done', epoch.error ?? '');
    const data = (await (await fetch(`${fixture.api}/api/v1/epochs/${settled}/data`)).json()) as EpochData;
    const earned = BigInt(data.appRewards!.byApp[0]!.amount);
    assert.ok(earned > 0n);

    const shown = await cli(['--api', fixture.api, 'app', 'show', APP_ID]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^${APP_ID} — CLI Player\\nOwner ${developer}`));
    assert.match(shown.stdout, /Apps share 10% of each epoch's FAIR rewards/);
    const fair = formatUnits(earned, 18).replaceAll('.', '\\.');
    assert.match(shown.stdout, new RegExp(`\\n\\s*${settled}\\s+2\\s+2\\s+${fair}\\n`));
    assert.match(shown.stdout, new RegExp(`Total 2 counted plays, ${fair} FAIR\\.`));
    const json = JSON.parse((await cli(['--api', fixture.api, '--json', 'app', 'show', APP_ID])).stdout);
    assert.equal(json.earned, String(earned));
  });

  it('says what to fix for bad input', async () => {
    const cases: [string[], number, RegExp][] = [
      [['app', 'register', 'bad id', '--name', 'X'], 2, /not an app id/],
      [['app', 'register', 'dev.example.x'], 2, /Give an app id and --name/],
      [['app', 'register', 'dev.example.x', '--name', '   '], 2, /--name must be 1–64 characters/],
      [['app', 'frobnicate'], 2, /Unknown app command "frobnicate"/],
      [['app', 'show', 'dev.example.none'], 1, /not_found|was not found/],
      [['app', 'list', '0x12'], 2, /not an address/],
      [['listen', 'any-track', '--app', 'bad id'], 1, /--app must be an app id/],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli(['--api', fixture.api, '--key', key, ...args]);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
    }
    const listen = await cli([
      '--api',
      fixture.api,
      '--key',
      key,
      'listen',
      fixture.trackId,
      '--app',
      'dev.example.none',
    ]);
    assert.equal(listen.code, 1, listen.stderr);
    assert.match(listen.stderr, /No app dev\.example\.none is registered .*fairstream app register/);
  });
});
