// App registration on a real node, on SQLite and Postgres: an owner registers an app by signing its
// registration; the page and the owner's list show it; and every bad input is refused with what to
// fix, storing nothing: a malformed body, no session, someone else's app, a forged or stale
// signature, another chain, a taken app id.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APP_REWARDS_POLICY } from '@fairstream/protocol';
import { signedAppRegistration } from '../testing/apps.ts';
import { testDatabases } from '../testing/databases.ts';
import { newAccount, signIn, startTestNode, type TestNode } from '../testing/test-node.ts';

describe('apps API', () => {
  for (const database of testDatabases()) {
    describe(`on ${database.name}`, () => {
      let test: TestNode;
      let chainId: number;
      const owner = newAccount();
      const other = newAccount();
      const tokens: Record<string, string> = {};
      const post = (who: 'owner' | 'other' | null, payload: unknown) =>
        test.node.app.inject({
          method: 'POST',
          url: '/api/v1/apps',
          headers: who ? { authorization: `Bearer ${tokens[who]}` } : {},
          payload: payload as object,
        });
      const get = (url: string) => test.node.app.inject({ method: 'GET', url });
      const appCount = async () => (await test.node.db.selectFrom('apps').select('app_id').execute()).length;

      before(async () => {
        test = await startTestNode(database);
        chainId = test.node.ledger.chainId;
        tokens.owner = await signIn(test.node, owner);
        tokens.other = await signIn(test.node, other);
      });
      after(() => test.close());

      it('registers an app signed by its owner, answers the same registration again, and shows it', async () => {
        const registration = await signedAppRegistration(owner, {
          appId: 'net.example.tunes',
          name: 'Example Tunes',
          chainId,
        });
        const created = await post('owner', registration);
        assert.equal(created.statusCode, 201, created.body);
        assert.equal(created.json().owner, owner.address.toLowerCase());
        assert.match(created.json().message, /^Register a Fairstream app\.\n/);
        const again = await post('owner', registration);
        assert.equal(again.statusCode, 200, again.body);

        const page = await get('/api/v1/apps/net.example.tunes');
        assert.equal(page.statusCode, 200, page.body);
        assert.equal(page.json().name, 'Example Tunes');
        assert.deepEqual(page.json().policy, {
          version: APP_REWARDS_POLICY.version,
          sharePpm: APP_REWARDS_POLICY.sharePpm,
        });
        assert.deepEqual(page.json().epochs, []);
        assert.equal(page.json().earned, '0');
        const mine = await get(`/api/v1/accounts/${owner.address}/apps`);
        assert.deepEqual(
          mine.json().apps.map((app: { appId: string }) => app.appId),
          ['net.example.tunes'],
        );
        const rules = (await get('/api/v1/rules')).json();
        assert.equal(rules.appRewards.sharePpm, APP_REWARDS_POLICY.sharePpm);
      });

      it('refuses bad registrations with what to fix, storing nothing', async () => {
        const before = await appCount();
        const valid = await signedAppRegistration(owner, {
          appId: 'net.example.radio',
          name: 'Radio',
          chainId,
        });
        const byStranger = await signedAppRegistration(newAccount(), {
          appId: 'net.example.radio',
          name: 'Radio',
          chainId,
          owner: owner.address.toLowerCase(),
        });
        const cases: [string, 'owner' | 'other' | null, unknown, number, string, RegExp][] = [
          ['no session', null, valid, 401, 'unauthorized', /Sign in/],
          [
            'a malformed app id',
            'owner',
            { ...valid, appId: 'has spaces' },
            400,
            'invalid_app',
            /appId must be/,
          ],
          ['an empty name', 'owner', { ...valid, name: '' }, 400, 'invalid_app', /name must be/],
          [
            'a name with markup and line breaks',
            'owner',
            { ...valid, name: 'a\n<b>' },
            400,
            'invalid_app',
            /line breaks/,
          ],
          ['an unknown field', 'owner', { ...valid, extra: 1 }, 400, 'bad_request', /.+/],
          ["someone else's app", 'other', valid, 403, 'not_owner', /signed in as/],
          ['a signature by another wallet', 'owner', byStranger, 400, 'bad_signature', /not the owner/],
          [
            'fields other than the signed ones',
            'owner',
            { ...valid, name: 'Radio 2' },
            400,
            'bad_signature',
            /not the owner/,
          ],
          [
            'another chain',
            'owner',
            { ...valid, chainId: chainId + 1 },
            400,
            'wrong_chain',
            /settles on chain/,
          ],
          [
            'a stale registration',
            'owner',
            await signedAppRegistration(owner, {
              appId: 'net.example.radio',
              name: 'Radio',
              chainId,
              registeredAt: Date.now() - 3_600_000,
            }),
            400,
            'stale_registration',
            /within 10 minutes/,
          ],
        ];
        for (const [what, who, payload, status, code, message] of cases) {
          const response = await post(who, payload);
          assert.equal(response.statusCode, status, `${what}: ${response.body}`);
          if (code !== 'bad_request') assert.equal(response.json().error.code, code, what);
          assert.match(response.json().error.message, message, what);
        }
        assert.equal(await appCount(), before);
      });

      it('keeps an app id for its first registration', async () => {
        const taken = await signedAppRegistration(other, {
          appId: 'net.example.tunes',
          name: 'Copycat',
          chainId,
        });
        const response = await post('other', taken);
        assert.equal(response.statusCode, 409, response.body);
        assert.equal(response.json().error.code, 'app_id_taken');
        assert.equal((await get('/api/v1/apps/net.example.tunes')).json().owner, owner.address.toLowerCase());
      });

      it('answers 404 for an unknown app and 400 for a malformed id', async () => {
        assert.equal((await get('/api/v1/apps/net.example.none')).statusCode, 404);
        assert.equal((await get('/api/v1/apps/bad%20id')).statusCode, 400);
      });
    });
  }
});
