import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deriveDevAccounts } from '@fairstream/chain';
import type { InjectOptions } from 'fastify';
import { privateKeyToAccount } from 'viem/accounts';
import { testDatabases } from '../testing/databases.ts';
import { delegationBody, newSessionKey, signedReport } from '../testing/plays.ts';
import { newAccount, signIn, startTestNode, type TestNode } from '../testing/test-node.ts';
import { toneWav, uploadReadyTrack } from '../testing/tracks.ts';

const wavs = await Promise.all([440, 523, 587].map((frequency) => toneWav(2, frequency)));

for (const database of testDatabases()) {
  describe(`moderation API on ${database.name}`, () => {
    let test: TestNode;
    const accounts = {
      artist: newAccount(),
      collaborator: newAccount(),
      fan: newAccount(),
      other: newAccount(),
      operator: newAccount(),
    };
    const tokens = {} as Record<keyof typeof accounts, string>;
    let trackId: string;
    let hiddenId: string;
    let spareId: string;

    before(async () => {
      test = await startTestNode(database, { operators: [accounts.operator.address.toLowerCase()] });
      for (const [name, account] of Object.entries(accounts))
        tokens[name as keyof typeof accounts] = await signIn(test.node, account);
      const split = JSON.stringify([
        { address: accounts.artist.address, percent: 70 },
        { address: accounts.collaborator.address, percent: 30 },
      ]);
      trackId = await uploadReadyTrack(test.node, tokens.artist, 'Contested', wavs[0]!, { splits: split });
      hiddenId = await uploadReadyTrack(test.node, tokens.artist, 'Private', wavs[1]!, {
        visibility: 'hidden',
      });
      spareId = await uploadReadyTrack(test.node, tokens.artist, 'Spare', wavs[2]!);
    });
    after(() => test.close());

    const inject = (options: InjectOptions) => test.node.app.inject(options);
    const auth = (who: keyof typeof accounts) => ({ authorization: `Bearer ${tokens[who]}` });
    const report = (who: keyof typeof accounts, url: string, payload: object) =>
      inject({ method: 'POST', url: `/api/v1/${url}/reports`, headers: auth(who), payload });
    const delist = (who: keyof typeof accounts | undefined, id: string, payload: object = { reason: 'x' }) =>
      inject({
        method: 'PUT',
        url: `/api/v1/moderation/tracks/${id}/delisting`,
        headers: who ? auth(who) : {},
        payload,
      });
    const relist = (who: keyof typeof accounts, id: string) =>
      inject({ method: 'DELETE', url: `/api/v1/moderation/tracks/${id}/delisting`, headers: auth(who) });
    const openReports = async (who: keyof typeof accounts = 'operator', query = '') =>
      inject({ method: 'GET', url: `/api/v1/moderation/reports${query}`, headers: auth(who) });

    it('takes one open report per reporter and target, with a reason from the list', async () => {
      const filed = await report('fan', `tracks/${trackId}`, { reason: 'copyright', note: 'my sample' });
      assert.equal(filed.statusCode, 201, filed.body);
      assert.deepEqual(
        [filed.json().target, filed.json().reason, filed.json().note],
        [{ kind: 'track', id: trackId }, 'copyright', 'my sample'],
      );
      const again = await report('fan', `tracks/${trackId}`, { reason: 'spam' });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'already_reported');
      assert.equal((await report('other', `tracks/${trackId}`, { reason: 'spam' })).statusCode, 201);
      const rows = await test.node.db
        .selectFrom('reports')
        .select('id')
        .where('target_id', '=', trackId)
        .execute();
      assert.equal(rows.length, 2);
    });

    it('refuses bad reports and reports of what the reporter may not see', async () => {
      const cases: [keyof typeof accounts | undefined, string, object, number, string][] = [
        ['fan', `tracks/${spareId}`, { reason: 'ugly' }, 400, 'invalid_request'],
        ['fan', `tracks/${spareId}`, {}, 400, 'invalid_request'],
        ['fan', `tracks/${spareId}`, { reason: 'other' }, 400, 'invalid_note'],
        ['fan', `tracks/${spareId}`, { reason: 'other', note: '   ' }, 400, 'invalid_note'],
        ['fan', `tracks/${spareId}`, { reason: 'spam', note: 'x'.repeat(1001) }, 400, 'invalid_request'],
        ['fan', `tracks/${spareId}`, { reason: 'spam', extra: 1 }, 400, 'invalid_request'],
        ['fan', `tracks/${hiddenId}`, { reason: 'spam' }, 404, 'not_found'],
        ['fan', 'tracks/no-such-track', { reason: 'spam' }, 404, 'not_found'],
        ['fan', 'comments/no-such-comment', { reason: 'spam' }, 404, 'not_found'],
        [undefined, `tracks/${spareId}`, { reason: 'spam' }, 401, 'unauthorized'],
      ];
      for (const [who, url, payload, status, code] of cases) {
        const response = await inject({
          method: 'POST',
          url: `/api/v1/${url}/reports`,
          headers: who ? auth(who) : {},
          payload,
        });
        assert.equal(response.statusCode, status, `${url} ${JSON.stringify(payload)}: ${response.body}`);
        assert.equal(response.json().error.code, code);
      }
      const other = await report('fan', `tracks/${spareId}`, { reason: 'other', note: 'wrong genre tag' });
      assert.equal(other.statusCode, 201);
    });

    it('lets only operators list reports, dismiss them and delist', async () => {
      for (const who of ['fan', 'artist'] as const) {
        const listed = await openReports(who);
        assert.equal(listed.statusCode, 403);
        assert.equal(listed.json().error.code, 'not_operator');
        const refused = await delist(who, spareId, { reason: 'I do not like it' });
        assert.equal(refused.statusCode, 403, refused.body);
        assert.equal(refused.json().error.code, 'not_operator');
        assert.equal((await relist(who, spareId)).statusCode, 403);
      }
      assert.equal((await delist(undefined, spareId)).statusCode, 401);
      assert.equal((await inject({ method: 'GET', url: '/api/v1/moderation/reports' })).statusCode, 401);
      assert.equal((await inject({ method: 'GET', url: `/api/v1/tracks/${spareId}` })).statusCode, 200);

      const listed = await openReports();
      assert.equal(listed.statusCode, 200, listed.body);
      const reports = listed.json().reports;
      assert.equal(reports.length, 3);
      const spare = reports.find((r: { target: { id: string } }) => r.target.id === spareId);
      assert.deepEqual(spare.track, {
        title: 'Spare',
        owner: accounts.artist.address.toLowerCase(),
        delisted: false,
      });
      assert.equal(spare.state, 'open');

      const page = (await openReports('operator', '?limit=2')).json();
      assert.equal(page.reports.length, 2);
      const rest = (await openReports('operator', `?limit=2&cursor=${page.nextCursor}`)).json();
      assert.equal(rest.reports.length, 1);
      const closedCursor = await openReports('operator', `?state=closed&cursor=${page.nextCursor}`);
      assert.equal(closedCursor.json().error.code, 'invalid_cursor');
      assert.equal((await openReports('operator', '?state=pending')).statusCode, 400);

      const dismissed = await inject({
        method: 'POST',
        url: `/api/v1/moderation/reports/${spare.id}/dismiss`,
        headers: auth('operator'),
      });
      assert.equal(dismissed.statusCode, 204);
      const twice = await inject({
        method: 'POST',
        url: `/api/v1/moderation/reports/${spare.id}/dismiss`,
        headers: auth('operator'),
      });
      assert.equal(twice.statusCode, 409);
      const byFan = await inject({
        method: 'POST',
        url: `/api/v1/moderation/reports/${spare.id}/dismiss`,
        headers: auth('fan'),
      });
      assert.equal(byFan.statusCode, 403);
      const closed = (await openReports('operator', '?state=closed')).json().reports;
      assert.deepEqual(
        closed.map((r: { id: string; outcome: string }) => [r.id, r.outcome]),
        [[spare.id, 'dismissed']],
      );
      // Once dismissed, the same reporter may report it again.
      assert.equal((await report('fan', `tracks/${spareId}`, { reason: 'spam' })).statusCode, 201);
    });

    it('delists a track: gone from listings, 410 for everyone but its owner, who sees the reason', async () => {
      const comment = await inject({
        method: 'POST',
        url: `/api/v1/tracks/${trackId}/comments`,
        headers: auth('fan'),
        payload: { text: 'before the takedown' },
      });
      assert.equal(comment.statusCode, 201);
      const refused = await delist('operator', trackId, { reason: '   ' });
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().error.code, 'invalid_reason');
      assert.equal((await delist('operator', trackId, { reason: 'x'.repeat(501) })).statusCode, 400);
      assert.equal((await delist('operator', 'no-such-track', { reason: 'spam' })).statusCode, 404);

      const delisted = await delist('operator', trackId, { reason: 'Copyright claim by the sample owner' });
      assert.equal(delisted.statusCode, 200, delisted.body);
      assert.equal(delisted.json().delisted.reason, 'Copyright claim by the sample owner');

      const listing = (await inject({ method: 'GET', url: '/api/v1/tracks' })).json().tracks;
      assert.ok(!listing.some((track: { id: string }) => track.id === trackId));
      const ownListing = (
        await inject({
          method: 'GET',
          url: `/api/v1/tracks?owner=${accounts.artist.address}`,
          headers: auth('artist'),
        })
      ).json().tracks;
      assert.ok(
        ownListing.some((track: { id: string }) => track.id === trackId),
        'its owner still has it',
      );

      const stream = `/api/v1/tracks/${trackId}/stream?format=opus`;
      for (const headers of [{}, auth('fan'), auth('collaborator'), auth('operator')]) {
        for (const url of [`/api/v1/tracks/${trackId}`, stream, `/api/v1/tracks/${trackId}/comments`]) {
          const response = await inject({ method: 'GET', url, headers });
          assert.equal(response.statusCode, 410, `${url}: ${response.body}`);
          assert.equal(response.json().error.code, 'track_delisted');
          assert.ok(!response.body.includes('Copyright claim'), 'only the owner reads the reason');
        }
      }
      // Its plays are no longer taken either.
      const fanKey = newSessionKey();
      const nonce = (await inject({ method: 'GET', url: '/api/v1/auth/nonce' })).json();
      const delegated = await inject({
        method: 'POST',
        url: '/api/v1/auth/session-keys',
        headers: auth('fan'),
        payload: await delegationBody(accounts.fan, fanKey, nonce),
      });
      assert.equal(delegated.statusCode, 201, delegated.body);
      const late = signedReport(fanKey, accounts.fan.address, trackId);
      const played = await inject({ method: 'POST', url: '/api/v1/plays', payload: { reports: [late] } });
      assert.equal(played.json().results[0].reason, 'delisted');
      const own = await inject({ method: 'GET', url: `/api/v1/tracks/${trackId}`, headers: auth('artist') });
      assert.equal(own.statusCode, 200);
      assert.equal(own.json().delisted.reason, 'Copyright claim by the sample owner');
      assert.equal((await inject({ method: 'GET', url: stream, headers: auth('artist') })).statusCode, 200);
      const opus = own.json().renditions.find((r: { format: string }) => r.format === 'opus');
      assert.equal((await inject({ method: 'GET', url: `/api/v1/blobs/${opus.cid}` })).statusCode, 404);
      assert.equal(
        (await inject({ method: 'GET', url: `/api/v1/blobs/${opus.cid}`, headers: auth('artist') }))
          .statusCode,
        200,
      );
      const ownComment = await inject({
        method: 'POST',
        url: `/api/v1/tracks/${trackId}/comments`,
        headers: auth('artist'),
        payload: { text: 'why?' },
      });
      assert.equal(ownComment.statusCode, 403);
      assert.equal(ownComment.json().error.code, 'track_delisted');
      assert.equal(
        (await inject({ method: 'GET', url: `/api/v1/comments/${comment.json().id}`, headers: auth('fan') }))
          .statusCode,
        404,
      );
      assert.equal((await report('collaborator', `tracks/${trackId}`, { reason: 'spam' })).statusCode, 410);

      // The reports about it are closed by the delisting.
      const closed = (await openReports('operator', '?state=closed&limit=100')).json().reports;
      const outcomes = closed
        .filter((r: { target: { id: string } }) => r.target.id === trackId)
        .map((r: { outcome: string; closedBy: string }) => [r.outcome, r.closedBy]);
      assert.deepEqual(outcomes, [
        ['track_delisted', accounts.operator.address.toLowerCase()],
        ['track_delisted', accounts.operator.address.toLowerCase()],
      ]);

      const relisted = await relist('operator', trackId);
      assert.equal(relisted.statusCode, 200);
      assert.equal(relisted.json().delisted, null);
      assert.equal((await inject({ method: 'GET', url: stream, headers: auth('fan') })).statusCode, 200);
      assert.ok(
        (await inject({ method: 'GET', url: '/api/v1/tracks' }))
          .json()
          .tracks.some((track: { id: string }) => track.id === trackId),
      );
    });

    it('lets an operator remove a reported comment, closing its reports', async () => {
      const comment = (
        await inject({
          method: 'POST',
          url: `/api/v1/tracks/${spareId}/comments`,
          headers: auth('other'),
          payload: { text: 'buy cheap followers at example.com' },
        })
      ).json();
      const filed = await report('fan', `comments/${comment.id}`, { reason: 'spam' });
      assert.equal(filed.statusCode, 201, filed.body);
      assert.equal((await report('fan', `comments/${comment.id}`, { reason: 'spam' })).statusCode, 409);
      const listed = (await openReports())
        .json()
        .reports.find((r: { id: string }) => r.id === filed.json().id);
      assert.deepEqual(listed.target, { kind: 'comment', id: comment.id, trackId: spareId });
      assert.deepEqual(listed.comment, {
        author: accounts.other.address.toLowerCase(),
        text: 'buy cheap followers at example.com',
        deleted: false,
      });

      const removed = await inject({
        method: 'DELETE',
        url: `/api/v1/comments/${comment.id}`,
        headers: auth('operator'),
      });
      assert.equal(removed.statusCode, 204);
      const closed = (await openReports('operator', '?state=closed&limit=100'))
        .json()
        .reports.find((r: { id: string }) => r.id === filed.json().id);
      assert.equal(closed.outcome, 'comment_removed');
      assert.deepEqual(closed.comment, {
        author: accounts.other.address.toLowerCase(),
        text: null,
        deleted: true,
      });
      assert.equal((await report('other', `comments/${comment.id}`, { reason: 'spam' })).statusCode, 404);
    });

    it("counts the embedded chain's operator wallet as an operator", async () => {
      const operatorAddress = test.node.ledger.operatorWallet.account.address.toLowerCase();
      const dev = deriveDevAccounts().find((account) => account.address.toLowerCase() === operatorAddress);
      assert.ok(dev, 'the embedded operator is a dev account');
      const token = await signIn(test.node, privateKeyToAccount(dev.privateKey));
      const listed = await inject({
        method: 'GET',
        url: '/api/v1/moderation/reports',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(listed.statusCode, 200, listed.body);
    });
  });
}
