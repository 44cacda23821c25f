import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findFfmpeg, parseVersion } from './binaries.ts';
import { MediaError } from './errors.ts';

test('parseVersion reads the version from ffmpeg and ffprobe banners', () => {
  assert.equal(parseVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026'), '5.1.9-0+deb12u1');
  assert.equal(
    parseVersion('ffprobe version N-66595-gc2b38619c0-static https://x'),
    'N-66595-gc2b38619c0-static',
  );
  assert.equal(parseVersion('command not found'), null);
});

test('findFfmpeg prefers ffmpeg on PATH', async () => {
  const bins = await findFfmpeg({ env: { PATH: '/usr/bin' } });
  assert.equal(bins.ffmpeg, '/usr/bin/ffmpeg');
  assert.equal(bins.ffprobe, '/usr/bin/ffprobe');
  assert.match(bins.version, /^\d/);
});

test('findFfmpeg honours FAIRSTREAM_FFMPEG and FAIRSTREAM_FFPROBE', async () => {
  const bins = await findFfmpeg({
    env: { PATH: '', FAIRSTREAM_FFMPEG: '/usr/bin/ffmpeg', FAIRSTREAM_FFPROBE: '/usr/bin/ffprobe' },
  });
  assert.equal(bins.ffmpeg, '/usr/bin/ffmpeg');
});

test('findFfmpeg falls back to the npm-packaged binaries that actually run', async () => {
  const bins = await findFfmpeg({ env: { PATH: '' } });
  assert.match(bins.ffmpeg, /node_modules/);
  assert.match(bins.ffprobe, /node_modules/);
});

test('findFfmpeg explains how to install ffmpeg when none is available', async () => {
  await assert.rejects(findFfmpeg({ env: { PATH: '' }, allowPackaged: false }), (error: unknown) => {
    assert.ok(error instanceof MediaError);
    assert.equal(error.code, 'ffmpeg_missing');
    assert.match(error.message, /apt-get install ffmpeg/);
    return true;
  });
});

test('findFfmpeg reports a configured binary that does not run', async () => {
  await assert.rejects(
    findFfmpeg({ env: { FAIRSTREAM_FFMPEG: '/nonexistent/ffmpeg', FAIRSTREAM_FFPROBE: '/usr/bin/ffprobe' } }),
    /does not run/,
  );
});
