import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createFairstreamClient, signIn, unwrap } from '@fairstream/sdk';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { cliRunner, freePort, kill9, startNode } from './testing/node-process.ts';

const exec = promisify(execFile);
const work = await mkdtemp(join(tmpdir(), 'fairstream-cli-'));
after(() => rm(work, { recursive: true, force: true }));
const cli = cliRunner(join(work, 'config'));

async function tone(name: string, seconds: number, frequency: number): Promise<string> {
  const path = join(work, name);
  await exec('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `sine=frequency=${frequency}:duration=${seconds}`, '-ac', '2', path],
  ]);
  return path;
}

describe('fairstream CLI against a real node process', () => {
  it('uploads a track with a split, waits until it is ready, streams it with seeking, and funds the wallet from the faucet', async () => {
    const port = await freePort();
    const node = await startNode(join(work, 'data-upload'), port);
    try {
      const key = generatePrivateKey();
      const me = privateKeyToAccount(key).address;
      const audio = await tone('song.flac', 12, 440);
      const result = await cli([
        ...['--api', `http://127.0.0.1:${port}`, '--key', key, '--json', 'upload', audio],
        ...['--title', 'CLI Song', '--genre', 'test', '--split', `${me}=60`],
        ...[
          '--split',
          '0x00000000000000000000000000000000000000b2=25',
          '--split',
          '0x00000000000000000000000000000000000000c3=15',
        ],
        '--wait',
      ]);
      assert.equal(result.code, 0, result.stderr);
      const track = JSON.parse(result.stdout);
      assert.equal(track.state, 'ready');
      assert.equal(track.title, 'CLI Song');
      assert.deepEqual(track.splits.map((split: { percent: string }) => split.percent).sort(), [
        '15',
        '25',
        '60',
      ]);
      assert.match(result.stderr, /processing/);

      const funded = await cli(['--api', `http://127.0.0.1:${port}`, '--key', key, 'faucet']);
      assert.equal(funded.code, 0, funded.stderr);
      assert.match(funded.stdout, /Funded 0x[0-9a-fA-F]{40}: 10 ETH, 1000 FAIR, 1000 tUSD/);
      const tooSoon = await cli(['--api', `http://127.0.0.1:${port}`, '--key', key, 'faucet']);
      assert.equal(tooSoon.code, 1);
      assert.match(tooSoon.stderr, /429 faucet_rate_limited/);
      const listened = await cli([
        ...['--api', `http://127.0.0.1:${port}`, '--key', generatePrivateKey(), '--json'],
        ...['listen', track.id, '--seconds', '7'],
      ]);
      assert.equal(listened.code, 0, listened.stderr);
      const play = JSON.parse(listened.stdout);
      assert.equal(play.heardMs, 7000);
      assert.equal(play.requiredMs, 6000, 'half of the 12 s track');
      assert.ok(play.reportsAccepted >= 1);
      assert.deepEqual(play.reportsRejected, []);
      assert.ok(play.bytesStreamed > 0);

      const subscribed = await cli([
        '--api',
        `http://127.0.0.1:${port}`,
        '--key',
        key,
        '--json',
        'subscribe',
        '--periods',
        '2',
      ]);
      assert.equal(subscribed.code, 0, subscribed.stderr);
      assert.equal(JSON.parse(subscribed.stdout).amount, '10000000', 'two periods at 5 tUSD');
      // The same through the node's relay (an HTTP worker process sends it with the operator wallet).
      const relayed = await cli([
        ...['--api', `http://127.0.0.1:${port}`, '--key', key, '--json'],
        ...['subscribe', '--periods', '1', '--via-node'],
      ]);
      assert.equal(relayed.code, 0, relayed.stderr);
      const extended = JSON.parse(relayed.stdout);
      assert.equal(extended.amount, '5000000');
      assert.equal(extended.end, JSON.parse(subscribed.stdout).end + 30 * 24 * 3600, 'one more period');
      const tipped = await cli([
        '--api',
        `http://127.0.0.1:${port}`,
        '--key',
        key,
        '--json',
        'tip',
        track.id,
        '10',
      ]);
      assert.equal(tipped.code, 0, tipped.stderr);
      const parts = JSON.parse(tipped.stdout).paid.map((part: { amount: string }) => part.amount);
      // 60/25/15 of 10 FAIR, split by the contract, exactly.
      assert.deepEqual(parts.sort(), ['1500000000000000000', '2500000000000000000', '6000000000000000000']);
      const badTip = await cli(['--api', `http://127.0.0.1:${port}`, '--key', key, 'tip', track.id, '0']);
      assert.match(badTip.stderr, /is not an amount to tip/);

      const staked = await cli(['--api', `http://127.0.0.1:${port}`, '--key', key, 'stake', '100']);
      assert.equal(staked.code, 0, staked.stderr);
      assert.match(staked.stdout, /your stake is now 100 FAIR/);
      const tooMuch = await cli(['--api', `http://127.0.0.1:${port}`, '--key', key, 'stake', '5000']);
      assert.equal(tooMuch.code, 1);
      assert.match(tooMuch.stderr, /Staking failed: .*Insufficient/i);
      const badAmount = await cli(['--api', `http://127.0.0.1:${port}`, '--key', key, 'stake', 'lots']);
      assert.match(badAmount.stderr, /"lots" is not an amount of FAIR/);
      const badPeriods = await cli([
        '--api',
        `http://127.0.0.1:${port}`,
        '--key',
        key,
        'subscribe',
        '--periods',
        '0',
      ]);
      assert.match(badPeriods.stderr, /--periods must be a whole number from 1 to 999/);

      const api = ['--api', `http://127.0.0.1:${port}`, '--key', key];
      const made = await cli([
        ...api,
        '--json',
        'playlist',
        'create',
        'Road trip',
        '--description',
        'windows down',
      ]);
      assert.equal(made.code, 0, made.stderr);
      const playlistId = JSON.parse(made.stdout).id;
      const added = await cli([...api, 'playlist', 'add', playlistId, track.id]);
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, /Added .* to "Road trip" at position 0 \(1 tracks\)/);
      const album = await cli([...api, 'playlist', 'create', 'Debut', '--album', '--hidden']);
      assert.match(album.stdout, /Created album "Debut" \(hidden\)/);
      const mine = await cli([...api, 'playlist', 'list']);
      assert.match(mine.stdout, /Road trip {2}\(1 track\)/);
      assert.match(mine.stdout, /Debut {2}\(0 tracks, album, hidden\)/);
      const theirs = await cli(['--api', `http://127.0.0.1:${port}`, '--json', 'playlist', 'list', me]);
      assert.deepEqual(
        JSON.parse(theirs.stdout).playlists.map((p: { title: string }) => p.title),
        ['Road trip'],
        'others do not see hidden playlists',
      );
      const removed = await cli([...api, 'playlist', 'remove', playlistId, track.id]);
      assert.equal(removed.code, 0, removed.stderr);
      const again = await cli([...api, 'playlist', 'remove', playlistId, track.id]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /404 not_found/);
      const badPosition = await cli([...api, 'playlist', 'add', playlistId, track.id, '--position', 'top']);
      assert.equal(badPosition.code, 2);
      assert.match(badPosition.stderr, /--position must be a whole number/);

      const stream = await fetch(`http://127.0.0.1:${port}/api/v1/tracks/${track.id}/stream?format=opus`, {
        headers: { range: 'bytes=1000-1999' },
      });
      assert.equal(stream.status, 206);
      assert.equal((await stream.arrayBuffer()).byteLength, 1000);
    } finally {
      await kill9(node);
    }
  });

  it('refuses a split that does not add up before uploading, and explains bad flags', async () => {
    const audio = await tone('refused.flac', 2, 500);
    const closed = `http://127.0.0.1:${await freePort()}`;
    const split = await cli([
      '--api',
      closed,
      'upload',
      audio,
      '--split',
      '0x00000000000000000000000000000000000000b2=90',
    ]);
    assert.equal(split.code, 1);
    assert.match(split.stderr, /adds up to 90%; it must add up to exactly 100%/);
    const port = await cli(['up', '--port', 'eighty']);
    assert.equal(port.code, 1);
    assert.match(port.stderr, /--port must be a whole number/);
    const noTrack = await cli(['--api', closed, 'listen']);
    assert.equal(noTrack.code, 1);
    assert.match(noTrack.stderr, /Give one track id/);
    const badFormat = await cli(['--api', closed, 'listen', 'abc', '--format', 'wav']);
    assert.match(badFormat.stderr, /--format must be opus or aac/);
    const unknown = await cli(['dance']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command "dance"/);
    const noNode = await cli([
      '--api',
      closed,
      '--key',
      generatePrivateKey(),
      'upload',
      audio,
      '--title',
      'x',
    ]);
    assert.equal(noNode.code, 1);
    assert.match(noNode.stderr, /no node answers/);
  });

  it('keeps an acknowledged upload through a kill -9 and finishes it once after restart', async () => {
    const port = await freePort();
    const dataDir = join(work, 'data-crash');
    let node = await startNode(dataDir, port);
    const api = `http://127.0.0.1:${port}`;
    const account = privateKeyToAccount(generatePrivateKey());
    const anonymous = createFairstreamClient({ baseUrl: api });
    const { token } = await signIn(anonymous, account);
    const client = createFairstreamClient({ baseUrl: api, token });
    try {
      // Killed right after the 202: the upload must survive.
      const acknowledged = await uploadOnly(api, token, await tone('acked.wav', 30, 350), 'Acknowledged');
      await kill9(node);
      node = await startNode(dataDir, port);

      // Killed in the middle of transcoding: the job must resume and finish exactly once.
      const midway = await uploadOnly(api, token, await tone('midway.wav', 120, 370), 'Midway');
      await waitFor(async () => {
        const track = unwrap(await client.GET('/api/v1/tracks/{id}', { params: { path: { id: midway } } }));
        return track.stages.some(
          (stage) => stage.name === 'transcode' && stage.state === 'running' && stage.progress > 0,
        );
      });
      await kill9(node);
      node = await startNode(dataDir, port);

      for (const id of [acknowledged, midway]) {
        await waitFor(async () => {
          const track = unwrap(await client.GET('/api/v1/tracks/{id}', { params: { path: { id } } }));
          assert.notEqual(track.state, 'failed', JSON.stringify(track.failure));
          return track.state === 'ready';
        });
      }
      const mine = unwrap(
        await client.GET('/api/v1/tracks', { params: { query: { owner: account.address } } }),
      );
      assert.deepEqual(mine.tracks.map((track) => track.title).sort(), ['Acknowledged', 'Midway']);
      const stream = await fetch(`${api}/api/v1/tracks/${midway}/stream?format=aac`, {
        headers: { range: 'bytes=0-99' },
      });
      assert.equal(stream.status, 206);
    } finally {
      await kill9(node);
    }
  });
});

async function uploadOnly(api: string, token: string, path: string, title: string): Promise<string> {
  const form = new FormData();
  form.set('title', title);
  form.set('audio', await openAsBlob(path, { type: 'audio/wav' }), 'audio.wav');
  const response = await fetch(`${api}/api/v1/tracks`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(response.status, 202, await response.clone().text());
  return ((await response.json()) as { id: string }).id;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out waiting for the condition');
}
