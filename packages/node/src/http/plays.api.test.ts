import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { fairstreamDevChain, transferFair } from '@fairstream/chain';
import type { InjectOptions } from 'fastify';
import { createWalletClient, http } from 'viem';
import { HEAD_MAX_AGE_MS } from '../chain/chain-head.ts';
import { PlaysRepository } from '../repositories/plays.repository.ts';
import { registerApp } from '../testing/apps.ts';
import { testDatabases } from '../testing/databases.ts';
import {
  delegationBody,
  newSessionKey,
  type SessionKeyPair,
  signedReport,
  signReport,
} from '../testing/plays.ts';
import {
  filePart,
  multipart,
  newAccount,
  signIn,
  startTestNode,
  type TestNode,
} from '../testing/test-node.ts';

const exec = promisify(execFile);
const fixtures = await mkdtemp(join(tmpdir(), 'fairstream-plays-fixtures-'));
after(() => rm(fixtures, { recursive: true, force: true }));

async function tone(name: string, seconds: number, frequency: number): Promise<Buffer> {
  const path = join(fixtures, name);
  await exec('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `sine=frequency=${frequency}:duration=${seconds}:sample_rate=44100`, '-ac', '2', path],
  ]);
  return readFile(path);
}

const publicWav = await tone('public.wav', 5, 440);
const hiddenWav = await tone('hidden.wav', 4, 550);
const gatedWav = await tone('gated.wav', 4, 660);
/** The gate of the gated track: 1,000 FAIR, exactly what the dev faucet gives. */
const GATE_MIN = 1000n * 10n ** 18n;

const DAY = 24 * 60 * 60 * 1000;

for (const database of testDatabases()) {
  describe(`playback reports on ${database.name}`, () => {
    let test: TestNode;
    const artist = newAccount();
    const bassist = newAccount();
    const listener = newAccount();
    const stranger = newAccount();
    const tokens: Record<string, string> = {};
    let node: { domain: string; chainId: number };
    let publicTrack: string;
    let publicDurationMs: number;
    let hiddenTrack: string;
    let gatedTrack: string;
    let listenerKey: SessionKeyPair;
    let strangerKey: SessionKeyPair;
    let bassistKey: SessionKeyPair;

    const inject = (options: InjectOptions) => test.node.app.inject(options);
    const auth = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
    const delegate = (who: string, body: object) =>
      inject({ method: 'POST', url: '/api/v1/auth/session-keys', headers: auth(who), payload: body });
    const report = (reports: unknown[], headers: Record<string, string> = {}) =>
      inject({ method: 'POST', url: '/api/v1/plays', payload: { reports }, headers });
    const reportVia = (share: string, reports: unknown[]) =>
      inject({
        method: 'POST',
        url: `/api/v1/plays?share=${encodeURIComponent(share)}`,
        payload: { reports },
      });
    const outcomes = (response: { json(): { results: { status: string; reason?: string }[] } }) =>
      response.json().results.map((result) => result.reason ?? result.status);
    const stored = (ids: string[]) => new PlaysRepository(test.node.db).findByIds(ids);

    async function upload(who: string, title: string, wav: Buffer, extra: { name: string; value: string }[]) {
      const body = await multipart([
        { name: 'title', value: title },
        ...extra,
        filePart('audio', `${title}.wav`, wav, 'audio/wav'),
      ]);
      const response = await inject({
        method: 'POST',
        url: '/api/v1/tracks',
        payload: body.payload,
        headers: { ...body.headers, ...auth(who) },
      });
      assert.equal(response.statusCode, 202, response.body);
      return response.json() as { id: string };
    }

    before(async () => {
      test = await startTestNode(database);
      for (const [name, account] of Object.entries({ artist, bassist, listener, stranger })) {
        tokens[name] = await signIn(test.node, account);
      }
      node = (await inject({ method: 'GET', url: '/api/v1/auth/nonce' })).json();
      publicTrack = (await upload('artist', 'Public', publicWav, [])).id;
      hiddenTrack = (
        await upload('artist', 'Hidden', hiddenWav, [
          { name: 'visibility', value: 'hidden' },
          {
            name: 'splits',
            value: JSON.stringify([
              { address: artist.address, percent: 70 },
              { address: bassist.address, percent: 30 },
            ]),
          },
        ])
      ).id;
      gatedTrack = (
        await upload('artist', 'Members only', gatedWav, [
          { name: 'access', value: 'token' },
          { name: 'gateToken', value: test.node.ledger.deployment.contracts.FairToken },
          { name: 'gateMinBalance', value: GATE_MIN.toString() },
          {
            name: 'splits',
            value: JSON.stringify([
              { address: artist.address, percent: 70 },
              { address: bassist.address, percent: 30 },
            ]),
          },
        ])
      ).id;
      await test.node.worker?.idle();
      const track = (await inject({ method: 'GET', url: `/api/v1/tracks/${publicTrack}` })).json();
      assert.equal(track.state, 'ready');
      publicDurationMs = track.durationMs;

      listenerKey = newSessionKey();
      strangerKey = newSessionKey();
      bassistKey = newSessionKey();
      for (const [who, account, key] of [
        ['listener', listener, listenerKey],
        ['stranger', stranger, strangerKey],
        ['bassist', bassist, bassistKey],
      ] as const) {
        const response = await delegate(who, await delegationBody(account, key, node));
        assert.equal(response.statusCode, 201, response.body);
      }
    });
    after(() => test.close());

    describe('session keys', () => {
      it('delegates a key signed by the signed-in wallet, stores the message, and renews it', async () => {
        const key = newSessionKey();
        const body = await delegationBody(listener, key, node);
        const response = await delegate('listener', body);
        assert.equal(response.statusCode, 201, response.body);
        const view = response.json();
        assert.equal(view.address, listener.address.toLowerCase());
        assert.equal(view.sessionKey, key.publicKey);
        assert.match(view.message, /asks you to delegate a Fairstream session key/);
        assert.match(view.message, new RegExp(`Session key: ${key.publicKey}\n`));
        assert.match(view.message, new RegExp(`Address: ${listener.address}\n`));
        const renewed = await delegate(
          'listener',
          await delegationBody(listener, key, node, { expiresAt: Date.now() + 2 * DAY }),
        );
        assert.equal(renewed.statusCode, 201, renewed.body);
        assert.ok(renewed.json().expiresAt > view.expiresAt);
      });

      it('requires a session', async () => {
        const body = await delegationBody(listener, newSessionKey(), node);
        const response = await inject({ method: 'POST', url: '/api/v1/auth/session-keys', payload: body });
        assert.equal(response.statusCode, 401);
      });

      it('refuses keys that are not 64 lower-case hex characters', async () => {
        const good = await delegationBody(listener, newSessionKey(), node);
        for (const [sessionKey, pattern] of [
          ['zz'.repeat(32), /must be hex/],
          ['ab'.repeat(31), /64 hex characters/],
          ['ab'.repeat(33), /64 hex characters/],
          [`0x${'ab'.repeat(31)}`, /must be hex/],
          ['AB'.repeat(32), /lower-case/],
        ] as const) {
          const response = await delegate('listener', { ...good, sessionKey });
          assert.equal(response.statusCode, 400, sessionKey);
          assert.equal(response.json().error.code, 'invalid_session_key');
          assert.match(response.json().error.message, pattern);
        }
      });

      it('refuses an expired delegation and one more than 30 days ahead', async () => {
        const key = newSessionKey();
        const expired = await delegationBody(listener, key, node, {
          issuedAt: Date.now() - 2 * DAY,
          expiresAt: Date.now() - 1000,
        });
        const past = await delegate('listener', expired);
        assert.equal(past.statusCode, 400);
        assert.equal(past.json().error.code, 'invalid_expiry');
        assert.match(past.json().error.message, /in the past/);
        // No wallet would sign it (the protocol refuses to build the message), but a client may send it.
        const tooFar = await delegate('listener', {
          ...(await delegationBody(listener, key, node)),
          expiresAt: Date.now() + 31 * DAY,
        });
        assert.equal(tooFar.statusCode, 400);
        assert.match(tooFar.json().error.message, /more than 30 days/);
      });

      it('refuses a delegation signed by another wallet, or for other times than the signed ones', async () => {
        const key = newSessionKey();
        const byStranger = await delegationBody(stranger, key, node);
        const response = await delegate('listener', byStranger);
        assert.equal(response.statusCode, 401);
        assert.equal(response.json().error.code, 'invalid_signature');
        const genuine = await delegationBody(listener, key, node);
        const stretched = await delegate('listener', { ...genuine, expiresAt: genuine.expiresAt + 1000 });
        assert.equal(stretched.statusCode, 401);
        const notHex = await delegate('listener', { ...genuine, signature: 'nope' });
        assert.equal(notHex.statusCode, 400);
        assert.equal(notHex.json().error.code, 'invalid_signature');
      });

      it('refuses a key already delegated by another wallet', async () => {
        const response = await delegate('stranger', await delegationBody(stranger, listenerKey, node));
        assert.equal(response.statusCode, 409);
        assert.equal(response.json().error.code, 'session_key_taken');
      });

      it('revokes a key: reports ending after the revocation are rejected, and it cannot come back', async () => {
        const key = newSessionKey();
        assert.equal((await delegate('listener', await delegationBody(listener, key, node))).statusCode, 201);
        const before = signedReport(key, listener.address, publicTrack);
        assert.equal((await report([before])).json().results[0].status, 'accepted');

        const byOther = await inject({
          method: 'DELETE',
          url: `/api/v1/auth/session-keys/${key.publicKey}`,
          headers: auth('stranger'),
        });
        assert.equal(byOther.statusCode, 404);
        const revoke = await inject({
          method: 'DELETE',
          url: `/api/v1/auth/session-keys/${key.publicKey}`,
          headers: auth('listener'),
        });
        assert.equal(revoke.statusCode, 204);
        const afterRevoke = signedReport(key, listener.address, publicTrack, { endedAt: Date.now() + 5 });
        assert.deepEqual((await report([afterRevoke])).json().results[0], {
          id: afterRevoke.id,
          status: 'rejected',
          reason: 'session_key_expired',
        });
        const again = await delegate('listener', await delegationBody(listener, key, node));
        assert.equal(again.statusCode, 409);
        assert.equal(again.json().error.code, 'session_key_revoked');
      });

      it('rejects a report that ended before its key was first delegated', async () => {
        const key = newSessionKey();
        assert.equal((await delegate('listener', await delegationBody(listener, key, node))).statusCode, 201);
        const endedAt = Date.now() - 10 * 60 * 1000;
        const early = signedReport(key, listener.address, publicTrack, {
          startedAt: endedAt - 3000,
          endedAt,
        });
        assert.deepEqual((await report([early])).json().results[0], {
          id: early.id,
          status: 'rejected',
          reason: 'session_key_not_yet_valid',
        });
      });
    });

    describe('POST /plays', () => {
      it('accepts signed reports without a session, stores them exactly as signed, and answers duplicates', async () => {
        await registerApp(test.node, newAccount(), 'fairstream-web', 'A web player');
        const first = signedReport(listenerKey, listener.address, publicTrack, {
          segments: [
            [0, 1500],
            [2000, publicDurationMs],
          ],
          source: 'web',
          appId: 'fairstream-web',
        });
        const second = signedReport(listenerKey, listener.address, publicTrack, { playId: first.playId });
        const response = await report([first, second]);
        assert.equal(response.statusCode, 200, response.body);
        assert.deepEqual(response.json(), {
          results: [
            { id: first.id, status: 'accepted' },
            { id: second.id, status: 'accepted' },
          ],
        });
        const [row] = await stored([first.id]);
        assert.deepEqual(
          {
            ...row,
            segments: JSON.parse(row!.segments),
            received_at: undefined,
          },
          {
            id: first.id,
            play_id: first.playId,
            track_id: publicTrack,
            listener: listener.address.toLowerCase(),
            session_key: listenerKey.publicKey,
            segments: first.segments,
            started_at: first.startedAt,
            ended_at: first.endedAt,
            source: 'web',
            app_id: 'fairstream-web',
            signature: first.signature,
            received_at: undefined,
          },
        );

        // Resubmitted (a retry after a lost answer): nothing new is stored, and it is not an error.
        const third = signedReport(listenerKey, listener.address, publicTrack);
        const retry = await report([first, third, third], auth('listener'));
        assert.equal(retry.statusCode, 200);
        assert.deepEqual(
          retry.json().results.map((result: { status: string }) => result.status),
          ['duplicate', 'accepted', 'duplicate'],
        );
        assert.equal((await stored([first.id, second.id, third.id])).length, 3);
      });

      it('answers the same id resubmitted concurrently as accepted once and duplicate otherwise', async () => {
        const one = signedReport(listenerKey, listener.address, publicTrack);
        const answers = await Promise.all([report([one]), report([one]), report([one])]);
        const statuses = answers.map((answer) => answer.json().results[0].status).sort();
        assert.deepEqual(statuses, ['accepted', 'duplicate', 'duplicate']);
      });

      it('rejects a forged signature, a tampered report and a report signed by another key', async () => {
        const genuine = signedReport(listenerKey, listener.address, publicTrack);
        const tampered = { ...genuine, segments: [[0, 4000]] };
        const zeroed = {
          ...signedReport(listenerKey, listener.address, publicTrack),
          signature: '0'.repeat(128),
        };
        const unsigned = signedReport(listenerKey, listener.address, publicTrack);
        const otherKey = {
          ...unsigned,
          signature: signReport(strangerKey, unsigned).signature,
        };
        const results = (await report([tampered, zeroed, otherKey])).json().results;
        for (const result of results) assert.equal(result.reason, 'forged', JSON.stringify(result));
        assert.equal((await stored([tampered.id, zeroed.id, otherKey.id])).length, 0);
      });

      it('rejects a report naming an app that is not registered, and accepts one from a registered app', async () => {
        await registerApp(test.node, newAccount(), 'com.example.player', 'Example Player');
        const fromApp = signedReport(listenerKey, listener.address, publicTrack, {
          source: 'app',
          appId: 'com.example.player',
        });
        const forgedApp = signedReport(listenerKey, listener.address, publicTrack, {
          source: 'app',
          appId: 'com.example.unregistered',
        });
        const response = await report([fromApp, forgedApp]);
        assert.deepEqual(outcomes(response), ['accepted', 'unknown_app']);
        assert.match(response.json().results[1].message, /no app com\.example\.unregistered is registered/);
        const rows = await stored([fromApp.id, forgedApp.id]);
        assert.deepEqual(
          rows.map((row) => [row.id, row.app_id]),
          [[fromApp.id, 'com.example.player']],
        );
      });

      it("rejects a report naming another listener than the key's wallet, and an unknown key", async () => {
        // The stranger's key, signing a report that claims the listener heard the track.
        const impersonation = signedReport(strangerKey, listener.address, publicTrack);
        const unknown = signedReport(newSessionKey(), listener.address, publicTrack);
        const results = (await report([impersonation, unknown])).json().results;
        assert.deepEqual(
          results.map((result: { reason: string }) => result.reason),
          ['unknown_session_key', 'unknown_session_key'],
        );
      });

      it('rejects reports that end after the delegation expired', async () => {
        const key = newSessionKey();
        const expiresAt = Date.now() + 20_000;
        assert.equal(
          (await delegate('listener', await delegationBody(listener, key, node, { expiresAt }))).statusCode,
          201,
        );
        const within = signedReport(key, listener.address, publicTrack);
        // A report from a player whose clock ran past the expiry (within the 30 s future slack).
        const late = signedReport(key, listener.address, publicTrack, {
          startedAt: expiresAt - 1000,
          endedAt: expiresAt + 1,
        });
        const results = (await report([within, late])).json().results;
        assert.deepEqual(
          results.map((result: { status: string; reason?: string }) => result.reason ?? result.status),
          ['accepted', 'session_key_expired'],
        );
      });

      it('rejects future-dated reports and malformed times', async () => {
        const now = Date.now();
        const future = signedReport(listenerKey, listener.address, publicTrack, {
          startedAt: now + 60_000,
          endedAt: now + 63_000,
        });
        const slightlyAhead = signedReport(listenerKey, listener.address, publicTrack, {
          endedAt: now + 10_000,
        });
        const reversed = signedReport(listenerKey, listener.address, publicTrack, {
          startedAt: now,
          endedAt: now - 5000,
        });
        const tooLong = signedReport(listenerKey, listener.address, publicTrack, {
          startedAt: now - DAY - 1,
          endedAt: now,
        });
        const results = (await report([future, slightlyAhead, reversed, tooLong])).json().results;
        assert.deepEqual(
          results.map((result: { status: string; reason?: string }) => result.reason ?? result.status),
          ['future_dated', 'accepted', 'invalid_shape', 'invalid_shape'],
        );
        assert.match(results[2].message, /endedAt \(\d+\) is before startedAt/);
      });

      it('answers a hidden track exactly as an unknown one, and accepts its collaborator and owner', async () => {
        const ownerKey = newSessionKey();
        assert.equal(
          (await delegate('artist', await delegationBody(artist, ownerKey, node))).statusCode,
          201,
        );
        const byStranger = signedReport(strangerKey, stranger.address, hiddenTrack);
        const noSuchTrack = signedReport(strangerKey, stranger.address, 'NoSuchTrack0');
        const byBassist = signedReport(bassistKey, bassist.address, hiddenTrack);
        const byOwner = signedReport(ownerKey, artist.address, hiddenTrack);
        const response = await report([byStranger, noSuchTrack, byBassist, byOwner]);
        assert.deepEqual(outcomes(response), ['unknown_track', 'unknown_track', 'accepted', 'accepted']);
        // Nothing but the id tells the hidden track from a missing one.
        const [hidden, missing] = response.json().results;
        assert.deepEqual({ ...hidden, id: '' }, { ...missing, id: '' });
        assert.equal((await stored([byStranger.id])).length, 0);

        // Made public, the stranger may play it (the change reaches the play checks at once).
        const patch = await inject({
          method: 'PATCH',
          url: `/api/v1/tracks/${hiddenTrack}`,
          headers: auth('artist'),
          payload: { visibility: 'public' },
        });
        assert.equal(patch.statusCode, 200);
        const later = signedReport(strangerKey, stranger.address, hiddenTrack);
        assert.equal((await report([later])).json().results[0].status, 'accepted');
        await inject({
          method: 'PATCH',
          url: `/api/v1/tracks/${hiddenTrack}`,
          headers: auth('artist'),
          payload: { visibility: 'hidden' },
        });
        const hiddenAgain = signedReport(strangerKey, stranger.address, hiddenTrack);
        assert.deepEqual(outcomes(await report([hiddenAgain])), ['unknown_track']);
      });

      it("accepts a hidden track's plays with the share link it was streamed through, until the link is revoked", async () => {
        const link = await inject({
          method: 'POST',
          url: `/api/v1/tracks/${hiddenTrack}/share-links`,
          headers: auth('artist'),
        });
        assert.equal(link.statusCode, 201, link.body);
        const { token, id: linkId } = link.json();
        const stream = `/api/v1/tracks/${hiddenTrack}/stream?format=opus`;
        assert.equal((await inject({ method: 'GET', url: `${stream}&share=${token}` })).statusCode, 200);

        const viaLink = signedReport(strangerKey, stranger.address, hiddenTrack);
        const publicPlay = signedReport(strangerKey, stranger.address, publicTrack);
        assert.deepEqual(outcomes(await reportVia(token, [viaLink, publicPlay])), ['accepted', 'accepted']);
        // Resent (a lost answer): stored once, so judged and counted once.
        assert.deepEqual(outcomes(await reportVia(token, [viaLink])), ['duplicate']);
        assert.equal((await stored([viaLink.id])).length, 1);

        const wrongLink = signedReport(strangerKey, stranger.address, hiddenTrack);
        assert.deepEqual(outcomes(await reportVia('not-the-token', [wrongLink])), ['unknown_track']);

        const revoke = await inject({
          method: 'DELETE',
          url: `/api/v1/tracks/${hiddenTrack}/share-links/${linkId}`,
          headers: auth('artist'),
        });
        assert.equal(revoke.statusCode, 204);
        assert.equal((await inject({ method: 'GET', url: `${stream}&share=${token}` })).statusCode, 404);
        const afterRevoke = signedReport(strangerKey, stranger.address, hiddenTrack);
        assert.deepEqual(outcomes(await reportVia(token, [afterRevoke])), ['unknown_track']);
        assert.equal((await stored([wrongLink.id, afterRevoke.id])).length, 0);
      });

      it('refuses a share parameter that is too long or given twice', async () => {
        const play = signedReport(strangerKey, stranger.address, hiddenTrack);
        for (const query of [`share=${'a'.repeat(101)}`, 'share=one&share=two']) {
          const response = await inject({
            method: 'POST',
            url: `/api/v1/plays?${query}`,
            payload: { reports: [play] },
          });
          assert.equal(response.statusCode, 400, query);
          assert.equal(response.json().error.code, 'invalid_request');
          assert.match(
            response.json().error.message,
            /share must be given at most once.*at most 100 characters/,
          );
        }
        assert.equal((await stored([play.id])).length, 0);
      });

      it("accepts a token-gated track's plays only from wallets holding the gate's balance at the chain's head", async () => {
        const ownerKey = newSessionKey();
        assert.equal(
          (await delegate('artist', await delegationBody(artist, ownerKey, node))).statusCode,
          201,
        );
        const holder = newAccount();
        tokens.holder = await signIn(test.node, holder);
        const drip = await inject({ method: 'POST', url: '/api/v1/faucet', headers: auth('holder') });
        assert.equal(drip.statusCode, 200, drip.body);
        const holderKey = newSessionKey();
        assert.equal(
          (await delegate('holder', await delegationBody(holder, holderKey, node))).statusCode,
          201,
        );
        const stream = (who: string) =>
          inject({
            method: 'GET',
            url: `/api/v1/tracks/${gatedTrack}/stream?format=opus`,
            headers: auth(who),
          });
        assert.equal((await stream('holder')).statusCode, 200);
        assert.equal((await stream('stranger')).statusCode, 403);

        const byHolder = signedReport(holderKey, holder.address, gatedTrack);
        const byStranger = signedReport(strangerKey, stranger.address, gatedTrack);
        const byOwner = signedReport(ownerKey, artist.address, gatedTrack);
        const byBassist = signedReport(bassistKey, bassist.address, gatedTrack);
        const strangerPublic = signedReport(strangerKey, stranger.address, publicTrack);
        const response = await report([byHolder, byStranger, byOwner, byBassist, strangerPublic]);
        assert.equal(response.statusCode, 200, response.body);
        assert.deepEqual(outcomes(response), ['accepted', 'no_access', 'accepted', 'accepted', 'accepted']);
        assert.match(
          response.json().results[1].message,
          new RegExp(
            `at least ${GATE_MIN} base units of token ${test.node.ledger.deployment.contracts.FairToken.toLowerCase()}`,
          ),
        );
        assert.equal((await stored([byStranger.id])).length, 0);

        // One base unit less: from the next block on (once this node has seen the head move), the
        // holder's reports are refused, as are its streams.
        const wallet = createWalletClient({
          account: holder,
          chain: fairstreamDevChain(test.node.ledger.rpcUrl, test.node.ledger.chainId),
          transport: http(test.node.ledger.rpcUrl),
        });
        await transferFair(wallet, {
          deployment: test.node.ledger.deployment,
          to: stranger.address,
          amount: 1n,
        });
        await sleep(HEAD_MAX_AGE_MS.embedded + 50);
        const afterSelling = signedReport(holderKey, holder.address, gatedTrack);
        assert.deepEqual(outcomes(await report([afterSelling])), ['no_access']);
        assert.equal((await stream('holder')).statusCode, 403);
        // Its earlier report stays stored once, whatever is resent.
        assert.equal((await stored([byHolder.id, afterSelling.id])).length, 1);

        // The stranger now holds 1 base unit: still far too little.
        assert.deepEqual(outcomes(await report([signedReport(strangerKey, stranger.address, gatedTrack)])), [
          'no_access',
        ]);
      });

      it('rejects an unknown track and segments beyond the track', async () => {
        const unknown = signedReport(listenerKey, listener.address, 'NoSuchTrack0');
        const justInside = signedReport(listenerKey, listener.address, publicTrack, {
          segments: [[0, publicDurationMs + 900]],
        });
        const beyond = signedReport(listenerKey, listener.address, publicTrack, {
          segments: [
            [0, 1000],
            [publicDurationMs, publicDurationMs + 5000],
          ],
        });
        const results = (await report([unknown, justInside, beyond])).json().results;
        assert.deepEqual(
          results.map((result: { status: string; reason?: string }) => result.reason ?? result.status),
          ['unknown_track', 'accepted', 'out_of_range'],
        );
        assert.equal((await stored([unknown.id, beyond.id])).length, 0);
      });

      it('rejects malformed reports one by one, answering the rest', async () => {
        const good = signedReport(listenerKey, listener.address, publicTrack);
        const shortId = signedReport(listenerKey, listener.address, publicTrack, { id: 'short' });
        const upperListener = { ...signedReport(listenerKey, listener.address, publicTrack) };
        upperListener.listener = listener.address;
        const extraField = { ...signedReport(listenerKey, listener.address, publicTrack), extra: 1 };
        const badSegment = signedReport(listenerKey, listener.address, publicTrack, {
          segments: [[3000, 1000]],
        });
        const tooManySegments = signedReport(listenerKey, listener.address, publicTrack, {
          segments: Array.from({ length: 257 }, (_, i) => [i * 10, i * 10 + 5] as [number, number]),
        });
        const badSource = { ...signedReport(listenerKey, listener.address, publicTrack), source: 'radio' };
        const response = await report([
          good,
          shortId,
          upperListener,
          extraField,
          badSegment,
          tooManySegments,
          badSource,
          'a string',
          null,
        ]);
        assert.equal(response.statusCode, 200, response.body);
        const results = response.json().results;
        assert.equal(results.length, 9);
        assert.deepEqual(results[0], { id: good.id, status: 'accepted' });
        for (const result of results.slice(1)) assert.equal(result.reason, 'invalid_shape');
        assert.equal(results[1].id, 'short');
        assert.equal(results[7].id, '');
      });

      it('refuses a body that is not JSON, not an object, empty, or has more than 500 reports', async () => {
        const notJson = await inject({
          method: 'POST',
          url: '/api/v1/plays',
          payload: '{"reports": [',
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(notJson.statusCode, 400);
        for (const payload of [
          [],
          { reports: [] },
          { reports: 'x' },
          { other: [] },
          { reports: [{}], x: 1 },
        ]) {
          const response = await inject({ method: 'POST', url: '/api/v1/plays', payload });
          assert.equal(response.statusCode, 400, JSON.stringify(payload));
          assert.equal(response.json().error.code, 'invalid_request');
        }
        const many = Array.from({ length: 501 }, () =>
          signedReport(listenerKey, listener.address, publicTrack),
        );
        const tooMany = await report(many);
        assert.equal(tooMany.statusCode, 400);
        assert.match(tooMany.json().error.message, /1 to 500 reports/);
        assert.equal((await stored(many.map((r) => r.id))).length, 0);
        const fiveHundred = await report(many.slice(0, 500));
        assert.equal(fiveHundred.statusCode, 200);
        assert.equal(
          fiveHundred.json().results.filter((r: { status: string }) => r.status === 'accepted').length,
          500,
        );
      });

      it('commits concurrent requests together (group commit), each answered after its commit', async () => {
        const writer = test.node.playWriter;
        const commitsBefore = writer.stats.commits;
        const batches = Array.from({ length: 20 }, () =>
          Array.from({ length: 25 }, () => signedReport(listenerKey, listener.address, publicTrack)),
        );
        const answers = await Promise.all(batches.map((batch) => report(batch)));
        for (const answer of answers) {
          assert.equal(answer.statusCode, 200);
          for (const result of answer.json().results) assert.equal(result.status, 'accepted');
        }
        assert.equal((await stored(batches.flat().map((r) => r.id))).length, 500);
        assert.ok(
          writer.stats.commits - commitsBefore < 20,
          `${writer.stats.commits - commitsBefore} commits`,
        );
      });

      it('publishes the report schema in the OpenAPI spec', async () => {
        const spec = (await inject({ method: 'GET', url: '/api/openapi.json' })).json();
        assert.ok(spec.paths['/api/v1/plays'].post);
        assert.ok(spec.paths['/api/v1/auth/session-keys'].post);
        assert.ok(spec.components.schemas.PlaybackReport);
      });
    });
  });
}
