// `fairstream verify` against a real settled epoch: a real node in-process (embedded chain, SQLite,
// blob store, media pipeline, 10 s epochs; the same set-up as settlement.test.ts); two fans subscribe
// and play a track with a three-way split; once the epoch is settled and claimed, verify recomputes
// everything from the published data and the chain and exits 0. Served altered data (one payout
// amount changed, or a session-key delegation tampered with) makes it exit 1 with a diff naming the
// digest and what was altered.
import assert from 'node:assert/strict';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { appRegistrationMessage, sessionKeyDelegationMessage } from '@fairstream/protocol';
import { registerApp } from '../../node/src/testing/apps.ts';
import { type SettlementFixture, startSettlementFixture } from '../../node/src/testing/settled-epoch.ts';
import { newAccount } from '../../node/src/testing/test-node.ts';
import { type ListedEpoch, type VerifyHooks, verify } from './commands/verify.ts';
import type { GlobalOptions } from './main.ts';
import type { EpochData } from './verify/recompute.ts';

describe('fairstream verify on a real settled epoch', () => {
  const APP_ID = 'org.example.radio';
  const developer = newAccount();
  let fixture: SettlementFixture;
  let settled: number;
  /** The epoch endpoints, or (if the node does not serve them yet) the node's database and blob store. */
  let source: VerifyHooks & Required<Pick<VerifyHooks, 'fetchEpochData'>>;

  async function run(args: string[], hooks: VerifyHooks = {}): Promise<{ code: number; output: string }> {
    let output = '';
    const global: GlobalOptions = {
      api: fixture.api,
      key: undefined,
      json: false,
      walletPath: '',
      log: () => {},
    };
    const code = await verify(args, global, {
      ...hooks,
      out: (text) => {
        output += text;
      },
    });
    return { code, output };
  }

  before(async () => {
    fixture = await startSettlementFixture({ listen: true });
    const { api, node } = fixture;
    const endpoints = await fetch(`${api}/api/v1/epochs`);
    source =
      endpoints.status === 404
        ? {
            // The epoch endpoints are not served yet: read the same list and bytes from the node's
            // database and blob store (test only; the command itself uses the endpoints).
            listEpochs: async () =>
              (await node.db.selectFrom('epochs').selectAll().execute()).map(
                (row): ListedEpoch => ({
                  n: row.n,
                  state: row.state,
                  dataCid: row.data_cid,
                  payoutRoot: row.payout_root,
                }),
              ),
            fetchEpochData: async (epoch) =>
              new Uint8Array(await buffer(await node.blobs.createReadStream(epoch.dataCid!))),
          }
        : {
            fetchEpochData: async (epoch) =>
              new Uint8Array(await (await fetch(`${api}/api/v1/epochs/${epoch.n}/data`)).arrayBuffer()),
          };
    if (endpoints.status === 404) {
      process.stderr.write('verify.test: GET /api/v1/epochs is not served; reading the blob store instead\n');
    }
  });
  after(() => fixture?.close());

  const hooks = () => source;

  /** Serves the settled epoch's data changed by `change` (every other epoch as published). */
  function tampered(change: (data: EpochData) => void | Promise<void>): VerifyHooks {
    const base = hooks();
    return {
      ...base,
      fetchEpochData: async (epoch) => {
        const bytes = await base.fetchEpochData(epoch);
        if (epoch.n !== settled) return bytes;
        const data = JSON.parse(new TextDecoder().decode(bytes)) as EpochData;
        await change(data);
        return new TextEncoder().encode(`${JSON.stringify(data, null, 1)}\n`);
      },
    };
  }

  /** A diff entry of verify's output: `what:`, then the published and recomputed lines. */
  const entry = (what: string, recomputed: string) =>
    new RegExp(`  ${what}:\\n {4}published  [^\\n]*\\n {4}recomputed [^\\n]*${recomputed}`);

  it('recomputes a settled, claimed epoch and exits 0', async () => {
    // One fan listens through a registered app: its owner's share is recomputed like the rest.
    await registerApp(fixture.node, developer, APP_ID, 'Radio Example');
    const playIds = await fixture.play(fixture.fans, { appIds: [APP_ID, null] });
    // Past the dev chain's first 60 s emission epoch too, so the epoch has FAIR rewards to divide.
    await fixture.advanceChain(61);
    settled = await fixture.judgedIn(playIds);
    const epoch = await fixture.node.settlement!.settled(settled);
    assert.equal(epoch.state, 'done');

    const all = await run(['--address', fixture.artist.address], hooks());
    assert.equal(all.code, 0, all.output);
    assert.match(
      all.output,
      new RegExp(
        `epoch ${settled}: ok — data sha2-256 matches the chain; 2 counted plays, 2 signed reports, 2 wallet delegations;`,
      ),
    );
    assert.match(all.output, /claimed on-chain \d+ — claimed/);
    assert.doesNotMatch(all.output, /no session-key delegations/);

    const one = await run(['--epoch', String(settled)], hooks());
    assert.equal(one.code, 0, one.output);
  });

  it('exits 1 with a diff when the served data has one amount changed', async () => {
    let changed = '';
    const { code, output } = await run(
      ['--epoch', String(settled)],
      tampered((data) => {
        const payout = data.payouts.find((entry) => entry.account !== '')!;
        changed = payout.account;
        payout.amount = String(BigInt(payout.amount) + 1n);
      }),
    );
    assert.equal(code, 1, output);
    assert.match(output, new RegExp(`epoch ${settled}: MISMATCH`));
    assert.match(
      output,
      /data sha2-256:\n {4}published {2}0x[0-9a-f]{64}\n {4}recomputed 0x[0-9a-f]{64} \(of the bytes served\)/,
    );
    assert.match(output, new RegExp(`payout ${changed}:\\n {4}published {2}\\d+\\n {4}recomputed \\d+`));
  });

  it("pays the app's owner its share of the FAIR rewards, all of which adds up", async () => {
    const data = JSON.parse(
      new TextDecoder().decode(await hooks().fetchEpochData({ n: settled } as ListedEpoch)),
    ) as EpochData;
    const section = data.appRewards!;
    assert.ok(section, 'the data has an app-rewards section');
    assert.deepEqual(
      section.apps.map((app) => [app.appId, app.owner]),
      [[APP_ID, developer.address.toLowerCase()]],
    );
    const [earning] = section.byApp;
    assert.equal(earning?.appId, APP_ID);
    assert.equal(earning?.countedPlays, 1);
    assert.ok(BigInt(earning!.amount) > 0n, 'the app earned FAIR');
    // artists + fans + apps = available, to the unit.
    const { totals } = data;
    const fanRewards = BigInt(totals.fanRewards ?? '0');
    assert.equal(
      BigInt(totals.rewards!) + fanRewards + BigInt(totals.appRewards!),
      BigInt(totals.rewardsAvailable!),
    );
    const leaf = data.leaves.find(
      (l) => l.account === developer.address.toLowerCase() && l.token === data.tokens.fair.toLowerCase(),
    );
    assert.equal(leaf?.cumulativeAmount, earning!.amount);
    const page = await fixture.inject({ method: 'GET', url: `/api/v1/apps/${APP_ID}` });
    assert.equal(page.statusCode, 200, page.body);
    assert.deepEqual(page.json().epochs, [
      { epoch: settled, countedPlays: 1, listeners: 1, amount: earning!.amount },
    ]);
  });

  it("exits 1 naming the app when its earnings are changed or its registration is not the owner's", async () => {
    const changed = await run(
      ['--epoch', String(settled)],
      tampered((data) => {
        const app = data.appRewards!.byApp[0]!;
        app.amount = String(BigInt(app.amount) + 1n);
      }),
    );
    assert.equal(changed.code, 1, changed.output);
    assert.match(changed.output, /appRewards\.byApp:/);

    const stranger = newAccount();
    const forged = await run(
      ['--epoch', String(settled)],
      tampered(async (data) => {
        const app = data.appRewards!.apps[0]!;
        const { signature: _, ...fields } = app;
        app.signature = await stranger.signMessage({ message: appRegistrationMessage(fields) });
      }),
    );
    assert.equal(forged.code, 1, forged.output);
    assert.match(
      forged.output,
      new RegExp(
        `app ${APP_ID.replaceAll('.', '\\.')}:\\n {4}published {2}registered by 0x[0-9a-f]{40}\\n {4}recomputed the registration's signature is not the owner's`,
      ),
    );
  });

  describe('exits 1 naming the play, the report and what failed when a delegation is tampered with', () => {
    /** The first counted play's report and the delegation of its session key, in served data. */
    const target = (data: EpochData) => {
      const play = data.plays[0]!;
      const report = play.reports[0]!;
      const index = data.delegations!.findIndex((d) => d.sessionKey === report.sessionKey);
      assert.ok(index >= 0, 'the published data carries the delegation');
      return { play, report, index, delegation: data.delegations![index]! };
    };
    const check = async (change: (data: EpochData) => void | Promise<void>, ...expected: RegExp[]) => {
      let reportWhat = '';
      const { code, output } = await run(
        ['--epoch', String(settled)],
        tampered(async (data) => {
          const { play, report } = target(data);
          reportWhat = `report ${report.id} of play ${play.playId}`;
          await change(data);
        }),
      );
      assert.equal(code, 1, output);
      assert.match(output, new RegExp(`epoch ${settled}: MISMATCH`));
      for (const pattern of expected) assert.match(output, pattern);
      return { output, reportWhat };
    };

    it('a delegation whose wallet signature does not verify', async () => {
      let sessionKey = '';
      const { output, reportWhat } = await check((data) => {
        const { delegation } = target(data);
        sessionKey = delegation.sessionKey;
        delegation.expiresAt += 60_000; // not what the wallet signed
      });
      assert.match(
        output,
        entry(
          `delegation of session key ${sessionKey.slice(0, 16)}… by 0x[0-9a-f]{40}`,
          'the wallet signature does not verify',
        ),
      );
      assert.match(output, entry(reportWhat, 'no valid delegation of the session key'));
    });

    it('a delegation by another wallet than the play’s listener', async () => {
      const other = newAccount();
      const { output, reportWhat } = await check(async (data) => {
        const { delegation, index } = target(data);
        const fields = { ...delegation, address: other.address.toLowerCase() };
        data.delegations![index] = {
          ...fields,
          signature: await other.signMessage({ message: sessionKeyDelegationMessage(fields) }),
        };
      });
      assert.match(
        output,
        entry(reportWhat, `delegated by ${other.address.toLowerCase()}, not by the play's listener`),
      );
      assert.doesNotMatch(output, /the wallet signature does not verify/, 'the other wallet did sign it');
    });

    it('a report whose session key has no delegation in the data', async () => {
      const { output, reportWhat } = await check((data) => {
        data.delegations!.splice(target(data).index, 1);
      });
      assert.match(output, entry(reportWhat, 'no delegation of the session key in the data'));
    });

    it('a delegation that expired before the report was signed', async () => {
      let expiredAt = 0;
      const { output, reportWhat } = await check(async (data) => {
        const { delegation, index, report, play } = target(data);
        const wallet = fixture.fans.find((fan) => fan.address.toLowerCase() === play.listener)!;
        expiredAt = report.endedAt - 1000;
        const fields = { ...delegation, issuedAt: expiredAt - 3600_000, expiresAt: expiredAt };
        data.delegations![index] = {
          ...fields,
          signature: await wallet.signMessage({ message: sessionKeyDelegationMessage(fields) }),
        };
      });
      assert.match(
        output,
        entry(
          reportWhat,
          `the delegation expired at ${new Date(expiredAt).toISOString()}, before the report ended`,
        ),
      );
    });
  });
});
