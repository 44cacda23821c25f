/**
 * A real kill -9: the node runs as its own process group (`fairstream up`, an HTTP process per
 * core plus the background process), batches of play reports stream in from concurrent clients,
 * and the whole group is SIGKILLed mid-stream. After a restart on the same data folder, every
 * report that was answered "accepted" must be stored, once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import type { PlaybackReport } from '@fairstream/protocol';
import {
  createFairstreamClient,
  createSessionKey,
  delegateSessionKey,
  signIn,
  signReport,
} from '@fairstream/sdk';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  exited,
  freePort,
  killGroup,
  startNodeProcess,
  stopGroup,
  toneFile,
} from './testing/node-process.ts';

const work = await mkdtemp(join(tmpdir(), 'fairstream-plays-kill-'));
after(() => rm(work, { recursive: true, force: true }));

const startNode = (dataDir: string, port: number) =>
  startNodeProcess({ dataDir, port, flags: ['--workers', '2'] });
const reportId = () => randomBytes(12).toString('base64url');

describe('playback reports survive a kill -9 of the node', () => {
  it('stores every report it answered "accepted", once, after a SIGKILL mid-stream and a restart', async () => {
    const port = await freePort();
    const api = `http://127.0.0.1:${port}`;
    const dataDir = join(work, 'data');
    let node = await startNode(dataDir, port);
    try {
      // A ready track to play.
      const artist = privateKeyToAccount(generatePrivateKey());
      const { token } = await signIn(createFairstreamClient({ baseUrl: api }), artist);
      const wav = await toneFile(join(work, 'track.wav'), 4, 440);
      const form = new FormData();
      form.set('title', 'Durable');
      form.set('audio', await openAsBlob(wav, { type: 'audio/wav' }), 'track.wav');
      const uploaded = await fetch(`${api}/api/v1/tracks`, {
        method: 'POST',
        body: form,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(uploaded.status, 202, await uploaded.clone().text());
      const trackId = ((await uploaded.json()) as { id: string }).id;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const track = (await (await fetch(`${api}/api/v1/tracks/${trackId}`)).json()) as { state: string };
        if (track.state === 'ready') break;
        assert.ok(Date.now() < deadline && track.state !== 'failed', `track ${track.state}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      // Listeners with delegated session keys, and their reports, signed ahead.
      const reports: PlaybackReport[] = [];
      for (let i = 0; i < 4; i++) {
        const listener = privateKeyToAccount(generatePrivateKey());
        const session = await signIn(createFairstreamClient({ baseUrl: api }), listener);
        const client = createFairstreamClient({ baseUrl: api, token: session.token });
        const key = await createSessionKey();
        await delegateSessionKey(client, listener, key);
        for (let j = 0; j < 15_000; j++) {
          const endedAt = Date.now();
          reports.push(
            await signReport(key, {
              id: reportId(),
              playId: reportId(),
              trackId,
              listener: listener.address.toLowerCase(),
              sessionKey: key.publicKey,
              segments: [[0, 3000]],
              startedAt: endedAt - 3000,
              endedAt,
              source: 'api',
              appId: null,
            }),
          );
        }
      }

      // Eight clients send batches of 50 until the node dies under them.
      const post = (batch: PlaybackReport[]) =>
        fetch(`${api}/api/v1/plays`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ reports: batch }),
        });
      const accepted = new Set<string>();
      const unanswered: PlaybackReport[] = [];
      let next = 0;
      let killed = false;
      const client = async () => {
        while (next < reports.length) {
          const batch = reports.slice(next, next + 50);
          next += batch.length;
          try {
            const response = await post(batch);
            const body = (await response.json()) as { results: { id: string; status: string }[] };
            assert.equal(response.status, 200, JSON.stringify(body));
            for (const result of body.results) {
              assert.equal(result.status, 'accepted', JSON.stringify(result));
              accepted.add(result.id);
            }
          } catch (error) {
            if (!killed) throw error;
            unanswered.push(...batch);
            return;
          }
          if (accepted.size >= 8000 && !killed) {
            killed = true;
            killGroup(node);
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, client));
      assert.ok(killed, 'the node was killed mid-stream');
      await exited(node);
      assert.ok(unanswered.length > 0, 'some requests were in flight when the node died');

      node = await startNode(dataDir, port);
      // Every acknowledged report is there: resubmitted, each answers "duplicate". The unanswered
      // ones may or may not have been committed; resubmitted, each is accepted or duplicate.
      const acked = reports.filter((report) => accepted.has(report.id));
      for (let i = 0; i < acked.length; i += 500) {
        const body = (await (await post(acked.slice(i, i + 500))).json()) as {
          results: { status: string }[];
        };
        for (const result of body.results) assert.equal(result.status, 'duplicate');
      }
      for (let i = 0; i < unanswered.length; i += 500) {
        const body = (await (await post(unanswered.slice(i, i + 500))).json()) as {
          results: { status: string }[];
        };
        for (const result of body.results) assert.match(result.status, /^(accepted|duplicate)$/);
      }
      await stopGroup(node, 'SIGTERM');

      const db = new DatabaseSync(join(dataDir, 'fairstream.db'), { readOnly: true });
      try {
        const ids = new Set(
          (db.prepare('SELECT id FROM play_reports').all() as { id: string }[]).map((row) => row.id),
        );
        const rows = (db.prepare('SELECT count(*) AS n FROM play_reports').get() as { n: number }).n;
        assert.equal(rows, ids.size, 'no report is stored twice');
        for (const id of accepted) assert.ok(ids.has(id), `acknowledged report ${id} was lost`);
        for (const report of unanswered) assert.ok(ids.has(report.id));
        assert.equal(rows, accepted.size + unanswered.length);
      } finally {
        db.close();
      }
    } finally {
      killGroup(node);
    }
  });
});
