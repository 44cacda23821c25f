// The fan-reward API on a real node, on SQLite and Postgres: the rules as GET /rules publishes them,
// an account's awards (written through the settlement repository exactly as the compute step writes
// them), its progress toward each rule, and the bad inputs: a malformed address, no session, and no
// way to claim an award on request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DAY_MS, FAN_REWARD_RULES, FAN_REWARDS_POLICY, isoWeekOf } from '@fairstream/protocol';
import { SettlementRepository } from '../repositories/settlement.repository.ts';
import { testDatabases } from '../testing/databases.ts';
import { seedFanSocial } from '../testing/fan-rewards.ts';
import { newAccount, signIn, startTestNode, type TestNode } from '../testing/test-node.ts';

const amountOf = (rule: string) => FAN_REWARD_RULES.find((r) => r.id === rule)!.amount;

describe('fan rewards API', () => {
  for (const database of testDatabases()) {
    describe(`on ${database.name}`, () => {
      let test: TestNode;
      let repo: SettlementRepository;
      const fan = newAccount();
      const artist = newAccount();
      const address = fan.address.toLowerCase();
      let token: string;
      const get = (url: string, headers: Record<string, string> = {}) =>
        test.node.app.inject({ method: 'GET', url, headers });

      before(async () => {
        test = await startTestNode(database);
        // The test stands in for the worker: stop it and forget any epoch it opened.
        await test.node.settlement?.stop();
        await test.node.db.deleteFrom('epochs').execute();
        repo = new SettlementRepository(test.node.db);
        token = await signIn(test.node, fan);
        await test.node.db
          .insertInto('accounts')
          .values({ address: artist.address.toLowerCase(), created_at: 1 })
          .execute();
        // Two tracks in a public playlist (one short of the rule), a profile without an avatar.
        await seedFanSocial(test.node.db, fan.address, { playlist: { tracks: 2, owner: artist.address } });
        await test.node.db
          .insertInto('profiles')
          .values({
            address,
            handle: 'ada',
            handle_key: 'ada',
            display_name: 'Ada',
            bio: null,
            links: '[]',
            created_at: 1,
            updated_at: 1,
          })
          .execute();
        // Counted plays yesterday and today (epochs 1 and 2); epoch 1 is paid, epoch 2 pending.
        const today = Math.floor(Date.now() / DAY_MS);
        for (const [n, day] of [
          [1, today - 1],
          [2, today],
        ] as const) {
          await repo.openEpoch(n, n * 1000, (n + 1) * 1000, Date.now());
          await repo.saveVerdicts(n, [
            {
              play_id: `play-${n}`,
              listener: address,
              track_id: `seed_${address.slice(2, 10)}_0`,
              epoch: n,
              verdict: 'counted',
              reason: null,
              heard_ms: 40_000,
              wall_ms: 40_000,
              day: new Date(day * DAY_MS).toISOString().slice(0, 10),
              first_started_at: day * DAY_MS + 1000,
              source: 'api',
            },
          ]);
          const award = {
            account: address,
            rule: n === 1 ? 'listening_streak' : 'tastemaker',
            period: n === 1 ? 'week:2025-W02' : 'track:trk_gem',
            amount: amountOf(n === 1 ? 'listening_streak' : 'tastemaker'),
            reason: `award of epoch ${n}`,
            evidence: { kind: 'streak', days: [] },
          };
          await repo.saveAllocations(n, ['fan_reward'], [], {
            state: 'publish',
            fanRewards: { awards: [award], trending: [], milestones: [], summary: '{}' },
          });
          await repo.advance(n, n === 1 ? 'done' : 'claim');
        }
      });
      after(() => test?.close());

      it('publishes every rule with its amount, period and caps at GET /rules', async () => {
        const response = await get('/api/v1/rules');
        assert.equal(response.statusCode, 200);
        const { fanRewards } = response.json();
        assert.equal(fanRewards.sharePpm, FAN_REWARDS_POLICY.sharePpm);
        assert.equal(fanRewards.unspent, 'artists');
        assert.deepEqual(
          fanRewards.rules.map((rule: { id: string; amount: string; period: string }) => [
            rule.id,
            rule.amount,
            rule.period,
          ]),
          FAN_REWARD_RULES.map((rule) => [rule.id, String(rule.amount), rule.period]),
        );
        for (const rule of fanRewards.rules) {
          assert.ok(rule.maxAwardsPerEpoch > 0 && BigInt(rule.maxAmountPerEpoch) >= BigInt(rule.amount));
          assert.ok(['plays', 'node'].includes(rule.evidence));
        }
        assert.match(fanRewards.botPattern, /daily cap/);
        // And the OpenAPI document describes it.
        const spec = (await get('/api/openapi.json')).json();
        const schema = spec.paths['/api/v1/rules'].get.responses['200'].content['application/json'].schema;
        assert.ok(schema.properties.fanRewards.properties.rules);
        assert.ok(spec.paths['/api/v1/accounts/{address}/rewards'].get);
        assert.ok(spec.paths['/api/v1/me/rewards/progress'].get);
      });

      it('lists an account’s awards with rule, reason, epoch and amount, paid or pending', async () => {
        const response = await get(`/api/v1/accounts/${fan.address}/rewards`);
        assert.equal(response.statusCode, 200);
        const body = response.json();
        assert.equal(body.address, address);
        assert.equal(body.token, test.node.ledger.deployment.contracts.FairToken.toLowerCase());
        assert.deepEqual(
          body.items.map((item: { epoch: number; rule: string; status: string; reason: string }) => [
            item.epoch,
            item.rule,
            item.status,
            item.reason,
          ]),
          [
            [2, 'tastemaker', 'pending', 'award of epoch 2'],
            [1, 'listening_streak', 'paid', 'award of epoch 1'],
          ],
        );
        assert.deepEqual(body.totals, {
          amount: String(amountOf('tastemaker') + amountOf('listening_streak')),
          paid: String(amountOf('listening_streak')),
          pending: String(amountOf('tastemaker')),
        });
        // An address with no awards has an empty list, in any letter case.
        const other = (await get(`/api/v1/accounts/0x${'AB'.repeat(20)}/rewards`)).json();
        assert.deepEqual([other.items, other.totals.amount], [[], '0']);
      });

      it('shows progress toward each rule for the signed-in account', async () => {
        const response = await get('/api/v1/me/rewards/progress', { authorization: `Bearer ${token}` });
        assert.equal(response.statusCode, 200, response.body);
        const rules = new Map(
          response.json().rules.map((rule: { rule: string }) => [rule.rule, rule] as const),
        ) as Map<
          string,
          {
            progress: { current: number; target: number } | null;
            earned: boolean;
            awards: number;
            detail: string;
            currentPeriod: string | null;
          }
        >;
        assert.deepEqual(
          [...rules.keys()],
          FAN_REWARD_RULES.map((rule) => rule.id),
        );
        const streak = rules.get('listening_streak')!;
        assert.deepEqual(streak.progress, { current: 2, target: 7 });
        assert.equal(streak.currentPeriod, `week:${isoWeekOf(Math.floor(Date.now() / DAY_MS))}`);
        assert.equal(streak.awards, 1);
        assert.deepEqual(rules.get('first_playlist')!.progress, { current: 2, target: 3 });
        assert.equal(rules.get('first_playlist')!.earned, false);
        const profile = rules.get('complete_profile')!;
        assert.deepEqual(profile.progress, { current: 2, target: 4 });
        assert.match(profile.detail, /avatar, bio/);
        assert.equal(rules.get('tastemaker')!.earned, true);
      });

      it('answers a malformed address with 400, progress without a session with 401, and never awards on request', async () => {
        const bad = await get('/api/v1/accounts/0x1234/rewards');
        assert.equal(bad.statusCode, 400);
        assert.match(bad.json().error.message, /address|pattern|0x/i);
        const anonymous = await get('/api/v1/me/rewards/progress');
        assert.equal(anonymous.statusCode, 401);
        for (const url of [
          '/api/v1/me/rewards',
          '/api/v1/me/rewards/progress',
          `/api/v1/accounts/${fan.address}/rewards`,
        ]) {
          const claim = await test.node.app.inject({
            method: 'POST',
            url,
            headers: { authorization: `Bearer ${token}` },
            payload: { rule: 'complete_profile' },
          });
          assert.equal(
            claim.statusCode,
            404,
            `${url}: there is nothing to claim; awards come from settlement`,
          );
        }
        assert.equal((await repo.fans.awardsOf(address)).length, 2);
      });
    });
  }
});
