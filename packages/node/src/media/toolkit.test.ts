import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateTone, tempDir } from './fixtures.ts';
import { createMediaToolkit } from './toolkit.ts';

const dir = await tempDir();

test('createMediaToolkit finds ffmpeg and serves the upload checks the track service runs', async () => {
  const media = await createMediaToolkit();
  const path = await generateTone(join(dir, 'tagged.flac'), {
    seconds: 2,
    extra: ['-metadata', 'title=Hello'],
  });
  const probe = await media.probeAudio(path);
  assert.equal(probe.codec, 'flac');
  await media.checkDecodes(path, probe.durationMs);
  assert.equal((await media.readTags(path)).title, 'Hello');
});
