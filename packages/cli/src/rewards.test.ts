// Fan rewards as a user and an auditor see them, on a real node (embedded chain, SQLite, 10 s
// epochs): a fan with a complete profile and a public playlist of three earns both at the next
// settlement with a counted play, an account at the daily cap on one track earns nothing;
// `fairstream rewards` lists the awards (and a wallet's own progress), and `fairstream verify`
// recomputes them from the published data, exiting 1 with a diff when an award, its evidence or the
// bot exclusions are tampered with.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAN_REWARD_RULES } from '@fairstream/protocol';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { seedFanSocial } from '../../node/src/testing/fan-rewards.ts';
import { type SettlementFixture, startSettlementFixture } from '../../node/src/testing/settled-epoch.ts';
import { type VerifyHooks, verify } from './commands/verify.ts';
import type { GlobalOptions } from './main.ts';
import { cliRunner } from './testing/node-process.ts';
import type { EpochData } from './verify/recompute.ts';

const work = await mkdtemp(join(tmpdir(), 'fairstream-rewards-cli-'));
after(() => rm(work, { recursive: true, force: true }));
const cli = cliRunner(join(work, 'config'));

describe('fan rewards: fairstream rewards and fairstream verify on a real node', () => {
  let fixture: SettlementFixture;
  let settled: number;
  let fan: string;
  let bot: string;

  async function audit(args: string[], hooks: VerifyHooks = {}): Promise<{ code: number; output: string }> {
    let output = '';
    const global: GlobalOptions = {
      api: fixture.api,
      key: undefined,
      json: false,
      walletPath: '',
      log: () => {},
    };
    const code = await verify(args, global, { ...hooks, out: (text) => (output += text) });
    return { code, output };
  }

  /** Serves the settled epoch's data changed by `change`. */
  const tampered = (change: (data: EpochData) => void): VerifyHooks => ({
    fetchEpochData: async (epoch) => {
      const bytes = new Uint8Array(
        await (await fetch(`${fixture.api}/api/v1/epochs/${epoch.n}/data`)).arrayBuffer(),
      );
      if (epoch.n !== settled) return bytes;
      const data = JSON.parse(new TextDecoder().decode(bytes)) as EpochData;
      change(data);
      return new TextEncoder().encode(`${JSON.stringify(data, null, 1)}\n`);
    },
  });

  before(async () => {
    fixture = await startSettlementFixture({ listen: true });
    fan = fixture.fans[0].address.toLowerCase();
    bot = fixture.fans[1].address.toLowerCase();
    const owner = fixture.artist.address;
    await seedFanSocial(fixture.node.db, fan, { profile: true, playlist: { tracks: 3, owner } });
    await seedFanSocial(fixture.node.db, bot, { profile: true, playlist: { tracks: 4, owner } });
    const playIds = await fixture.play([
      fixture.fans[0],
      ...Array.from({ length: 10 }, () => fixture.fans[1]),
    ]);
    await fixture.advanceChain(61);
    settled = await fixture.judgedIn(playIds);
    const epoch = await fixture.node.settlement!.settled(settled);
    assert.equal(epoch.state, 'done', epoch.error ?? '');
  });
  after(() => fixture?.close());

  it('lists an address’s awards, and a wallet’s own progress', async () => {
    const listed = await cli(['--api', fixture.api, 'rewards', fan]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`Fan rewards of ${fan}`));
    assert.match(
      listed.stdout,
      new RegExp(`${settled}\\s+First playlist\\s+once\\s+2\\s+paid\\s+Created the public playlist`),
    );
    assert.match(
      listed.stdout,
      new RegExp(`${settled}\\s+Complete profile\\s+once\\s+2\\s+paid\\s+Completed the profile`),
    );
    assert.match(listed.stdout, /Total 4 FAIR: 4 paid, 0 pending\./);
    const none = await cli(['--api', fixture.api, 'rewards', bot]);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, `${bot} has no fan rewards yet.\n`);
    const json = await cli(['--api', fixture.api, '--json', 'rewards', fan]);
    assert.equal(JSON.parse(json.stdout).rewards.items.length, 2);

    const key = generatePrivateKey();
    const mine = await cli(['--api', fixture.api, '--key', key, 'rewards']);
    assert.equal(mine.code, 0, mine.stderr);
    assert.match(
      mine.stdout,
      new RegExp(`${privateKeyToAccount(key).address.toLowerCase()} has no fan rewards yet`),
    );
    assert.match(mine.stdout, /Progress\n/);
    for (const rule of FAN_REWARD_RULES) assert.match(mine.stdout, new RegExp(rule.title));
    assert.match(
      mine.stdout,
      /Complete profile\s+2\s+no\s+0\/4\s+Missing: handle, display name, avatar, bio\./,
    );

    const bad = await cli(['--api', fixture.api, 'rewards', '0x1234']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not an address/);
  });

  it('verify recomputes the epoch’s fan rewards and exits 0', async () => {
    const { code, output } = await audit(['--epoch', String(settled)]);
    assert.equal(code, 0, output);
    assert.match(
      output,
      new RegExp(`epoch ${settled}: ok — .* 2 fan rewards, \\d+ leaves; roots and totals match`),
    );
    const all = await audit([]);
    assert.equal(all.code, 0, all.output);
  });

  it('verify names a changed award amount', async () => {
    const { code, output } = await audit(
      ['--epoch', String(settled)],
      tampered((data) => {
        const award = data.fanRewards!.awards[0]!;
        award.amount = String(BigInt(award.amount) * 2n);
      }),
    );
    assert.equal(code, 1, output);
    assert.match(
      output,
      new RegExp(
        `fan reward ${fan}\\|first_playlist\\|once:\\n {4}published {2}4000000000000000000\\n {4}recomputed 2000000000000000000`,
      ),
    );
  });

  it('verify names evidence that does not satisfy its rule', async () => {
    const { code, output } = await audit(
      ['--epoch', String(settled)],
      tampered((data) => {
        const award = data.fanRewards!.awards.find((a) => a.rule === 'first_playlist')!;
        if (award.evidence.kind === 'playlist') award.evidence.tracks = 2;
      }),
    );
    assert.equal(code, 1, output);
    assert.match(output, /recomputed the playlist has 2 tracks; the rule needs 3/);
  });

  it('verify names an award to the bot pattern, and a bot left out of the exclusions', async () => {
    const { code, output } = await audit(
      ['--epoch', String(settled)],
      tampered((data) => {
        data.fanRewards!.botAccounts = [];
        data.fanRewards!.awards.push({
          account: bot,
          rule: 'complete_profile',
          period: 'once',
          amount: String(FAN_REWARD_RULES.find((r) => r.id === 'complete_profile')!.amount),
          reason: 'forged',
          evidence: { kind: 'profile', handle: 'beep', displayName: 'Beep', avatar: 'bafy', bioLength: 3 },
        });
      }),
    );
    assert.equal(code, 1, output);
    assert.match(
      output,
      new RegExp(`fanRewards.botAccounts:\\n {4}published {2}\\[\\]\\n {4}recomputed \\["${bot}"\\]`),
    );
    assert.match(output, new RegExp(`fan reward ${bot}\\|complete_profile\\|once:`));
  });
});
