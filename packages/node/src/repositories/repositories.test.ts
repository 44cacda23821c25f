import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../db/database.ts';
import { testDatabases } from '../testing/databases.ts';
import { AuthRepository } from './auth.repository.ts';
import { JobsRepository } from './jobs.repository.ts';
import { type SessionKeyRow, SessionKeysRepository } from './session-keys.repository.ts';
import { SettlementRepository } from './settlement.repository.ts';
import { type NewTrack, TracksRepository } from './tracks.repository.ts';

const owner = '0x00000000000000000000000000000000000000aa';
const collaborator = '0x00000000000000000000000000000000000000bb';
const stranger = '0x00000000000000000000000000000000000000cc';

function newTrack(id: string, createdAt: number, originalCid = `bafk${id}`): NewTrack {
  return {
    track: {
      id,
      owner,
      title: `Track ${id}`,
      artist_name: null,
      genre: 'ambient',
      description: null,
      tags: '[]',
      release_date: null,
      visibility: 'public',
      access_kind: 'free',
      gate_token: null,
      gate_min_balance: null,
      state: 'processing',
      failure_code: null,
      failure_message: null,
      duration_ms: 60_000,
      original_cid: originalCid,
      original_name: 'song.wav',
      original_mime: 'audio/wav',
      integrated_lufs: null,
      true_peak_dbtp: null,
      gain_db: null,
      chain_track_id: null,
      chain_tx: null,
      delisted_at: null,
      delist_reason: null,
      registration: 'node',
      comments_disabled_at: null,
      created_at: createdAt,
      updated_at: createdAt,
    },
    splits: [
      { address: owner, ppm: 600_000 },
      { address: collaborator, ppm: 400_000 },
    ],
    assets: [{ kind: 'original', variant: '', cid: originalCid, mime: 'audio/wav', size: 1234 }],
    stages: [
      { stage: 'validate', state: 'done', progress: 1 },
      { stage: 'transcode', state: 'pending', progress: 0 },
      { stage: 'publish', state: 'pending', progress: 0 },
    ],
    job: { id: `job-${id}`, kind: 'media', payload: JSON.stringify({ trackId: id }) },
  };
}

for (const database of testDatabases()) {
  describe(`repositories on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    before(async () => {
      ({ db, close } = await database.open());
      await new AuthRepository(db).ensureAccount(owner, 1);
      await new AuthRepository(db).ensureAccount(stranger, 1);
    });
    after(() => close());

    it('consumes a sign-in nonce once, and never after it expires', async () => {
      const auth = new AuthRepository(db);
      await auth.createNonce('n1', 1000, 2000);
      assert.equal(await auth.consumeNonce('n1', 1500), true);
      assert.equal(await auth.consumeNonce('n1', 1500), false);
      await auth.createNonce('n2', 1000, 2000);
      assert.equal(await auth.consumeNonce('n2', 2500), false);
      assert.equal(await auth.consumeNonce('unknown', 1500), false);
    });

    it('finds a session until it expires or is revoked', async () => {
      const auth = new AuthRepository(db);
      await auth.createSession('hash1', owner, 1000, 5000);
      assert.deepEqual(await auth.findSession('hash1', 2000), { address: owner, expiresAt: 5000 });
      assert.equal(await auth.findSession('hash1', 6000), undefined);
      await auth.revokeSession('hash1', 3000);
      assert.equal(await auth.findSession('hash1', 2000), undefined);
    });

    it('stores a track with its split, original, stages and job in one step', async () => {
      const tracks = new TracksRepository(db);
      await tracks.createWithJob(newTrack('t1', 100));
      const record = await tracks.findById('t1');
      assert.equal(record?.title, 'Track t1');
      assert.deepEqual(record?.splits, [
        { address: owner, ppm: 600_000 },
        { address: collaborator, ppm: 400_000 },
      ]);
      assert.deepEqual(
        record?.stages.map((s) => s.stage),
        ['validate', 'transcode', 'publish'],
      );
      assert.equal(record?.assets[0]?.size, 1234);
      assert.equal(await tracks.findByOwnerAndOriginal(owner, 'bafkt1'), 't1');
    });

    it('rolls the whole upload back when any part fails', async () => {
      const tracks = new TracksRepository(db);
      const broken = newTrack('t-broken', 100);
      broken.job.id = 'job-t1'; // collides with an existing job
      await assert.rejects(tracks.createWithJob(broken));
      assert.equal(await tracks.findById('t-broken'), undefined);
    });

    it('lists only ready public tracks to others, newest first, by cursor', async () => {
      const tracks = new TracksRepository(db);
      await tracks.createWithJob(newTrack('t2', 200));
      await tracks.createWithJob(newTrack('t3', 300));
      await tracks.markReady('t1', 400);
      await tracks.markReady('t2', 400);
      await tracks.updateMetadata('t2', { visibility: 'hidden' }, 500);
      const listed = await tracks.list({ includeUnlisted: false, limit: 10 });
      assert.deepEqual(
        listed.map((t) => t.id),
        ['t1'],
      );
      const own = await tracks.list({ owner, includeUnlisted: true, limit: 2 });
      assert.deepEqual(
        own.map((t) => t.id),
        ['t3', 't2'],
      );
      const next = await tracks.list({
        owner,
        includeUnlisted: true,
        limit: 2,
        before: { createdAt: 200, id: 't2' },
      });
      assert.deepEqual(
        next.map((t) => t.id),
        ['t1'],
      );
    });

    it('records stage outputs and fails a track with its reason', async () => {
      const tracks = new TracksRepository(db);
      await tracks.completeStage(
        't3',
        ['transcode'],
        [{ kind: 'opus', variant: '', cid: 'bafkopus', mime: 'audio/ogg', size: 10 }],
        { gain_db: -2.5 },
        600,
      );
      let record = await tracks.findById('t3');
      assert.equal(record?.gain_db, -2.5);
      assert.equal(record?.stages.find((s) => s.stage === 'transcode')?.state, 'done');
      assert.equal((await tracks.findAsset('t3', 'opus'))?.cid, 'bafkopus');
      await tracks.markFailed('t3', 'publish', 'ffmpeg_failed', 'ffmpeg stopped', 700);
      record = await tracks.findById('t3');
      assert.equal(record?.state, 'failed');
      assert.equal(record?.failure_message, 'ffmpeg stopped');
    });

    it('deletes a track and reports only blobs no other track uses', async () => {
      const tracks = new TracksRepository(db);
      await tracks.createWithJob(newTrack('t4', 800, 'bafkshared'));
      const other = newTrack('t5', 900, 'bafkshared');
      other.track.owner = owner;
      other.assets.push({ kind: 'opus', variant: '', cid: 'bafkonly5', mime: 'audio/ogg', size: 1 });
      await tracks.createWithJob(other);
      assert.deepEqual(await tracks.delete('t4'), []);
      assert.deepEqual((await tracks.delete('t5')).sort(), ['bafkonly5', 'bafkshared']);
      assert.equal(await tracks.findById('t5'), undefined);
    });

    it('honours a share link until it is revoked', async () => {
      const tracks = new TracksRepository(db);
      await tracks.createShareLink('s1', 't1', 'tokenhash', 1000);
      assert.equal(await tracks.hasValidShareLink('t1', 'tokenhash'), true);
      assert.equal(await tracks.hasValidShareLink('t2', 'tokenhash'), false);
      assert.equal(await tracks.revokeShareLink('t1', 's1', 1100), true);
      assert.equal(await tracks.hasValidShareLink('t1', 'tokenhash'), false);
    });

    it('claims each queued job once and requeues jobs of a crashed worker', async () => {
      const jobs = new JobsRepository(db);
      const claimed = [];
      for (let job = await jobs.claimNext('media', 1000); job; job = await jobs.claimNext('media', 1000)) {
        claimed.push(job.id);
      }
      assert.ok(claimed.length >= 3);
      assert.equal(new Set(claimed).size, claimed.length);
      assert.equal(await jobs.claimNext('media', 1000), undefined);
      assert.equal(await jobs.requeueStale(2000, 2000), claimed.length);
      const again = await jobs.claimNext('media', 3000);
      assert.equal(again?.attempts, 2);
      await jobs.complete(again!.id, 3000);
    });

    it('keeps a waiting job from every worker until its time, without counting it as an attempt', async () => {
      const jobs = new JobsRepository(db);
      // Earlier tests leave jobs queued; finish them so only this one is left.
      for (let job = await jobs.claimNext('media', 4000); job; job = await jobs.claimNext('media', 4000)) {
        await jobs.complete(job.id, 4000);
      }
      await new TracksRepository(db).createWithJob(newTrack('waiting1', 5000));
      const job = await jobs.claimNext('media', 5000);
      assert.equal(job?.id, 'job-waiting1');
      assert.equal(job?.attempts, 1);
      await jobs.waitUntil(job.id, 7000, 5000);
      assert.equal(await jobs.claimNext('media', 6999), undefined);
      const again = await jobs.claimNext('media', 7000);
      assert.equal(again?.id, 'job-waiting1');
      assert.equal(again?.attempts, 1, 'waiting is not a failed attempt');
      await jobs.complete(again!.id, 7000);
    });

    it('keeps every delegation of a session key, renewals included, and none that was refused', async () => {
      const keys = new SessionKeysRepository(db);
      const key = 'ab'.repeat(32);
      const delegate = (
        address: string,
        issuedAt: number,
        expiresAt: number,
        revokedAt: number | null = null,
      ) => {
        const signature = `0x${issuedAt.toString(16)}${address.slice(2, 6)}`;
        const row: SessionKeyRow = {
          public_key: key,
          address,
          expires_at: expiresAt,
          delegation_message: `message ${issuedAt}`,
          delegation_signature: signature,
          created_at: issuedAt,
          revoked_at: revokedAt,
        };
        return keys.upsert(row, {
          public_key: key,
          address,
          domain: 'node.example',
          chain_id: 31337,
          issued_at: issuedAt,
          expires_at: expiresAt,
          signature,
          created_at: issuedAt,
        });
      };
      const history = async () =>
        (await new SettlementRepository(db).delegationsOfKeys([key, 'cd'.repeat(32)])).map((row) => [
          row.address,
          row.issued_at,
          row.expires_at,
          row.chain_id,
        ]);
      assert.equal((await delegate(owner, 2000, 9000)).expires_at, 9000);
      // A renewal replaces the key's row but joins its history; the same delegation twice is kept once.
      assert.equal((await delegate(owner, 5000, 20_000)).expires_at, 20_000);
      await delegate(owner, 5000, 20_000);
      // Another wallet cannot take the key: neither its row nor its history changes.
      assert.equal((await delegate(stranger, 6000, 30_000)).address, owner);
      // Oldest first, whatever the order of arrival.
      await delegate(owner, 1000, 20_000);
      const expected = [
        [owner, 1000, 20_000, 31337],
        [owner, 2000, 9000, 31337],
        [owner, 5000, 20_000, 31337],
      ];
      assert.deepEqual(await history(), expected);
      assert.equal(await keys.revoke(key, owner, 25_000), true);
      assert.equal((await delegate(owner, 26_000, 40_000)).revoked_at, 25_000);
      assert.deepEqual(await history(), expected, 'a revoked key takes no new delegation');
    });
  });
}
