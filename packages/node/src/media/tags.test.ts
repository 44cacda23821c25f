import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { generateTone, tempDir } from './fixtures.ts';
import { readTags } from './tags.ts';

const dir = await tempDir();

const metadata = [
  ...['-metadata', 'title=Night Drive', '-metadata', 'artist=The Examples'],
  ...['-metadata', 'album=Fixtures', '-metadata', 'genre=Synthwave'],
  ...['-metadata', 'date=2024', '-metadata', 'track=3/9'],
];

test('readTags reads title, artist, album, genre, year and track from an MP3', async () => {
  const mp3 = await generateTone(join(dir, 'tagged.mp3'), { seconds: 1, extra: metadata });
  assert.deepEqual(await readTags(mp3), {
    title: 'Night Drive',
    artist: 'The Examples',
    album: 'Fixtures',
    genre: 'Synthwave',
    year: 2024,
    trackNumber: 3,
  });
});

test('readTags reads Vorbis comments from a FLAC', async () => {
  const flac = await generateTone(join(dir, 'tagged.flac'), { seconds: 1, extra: metadata });
  const tags = await readTags(flac);
  assert.equal(tags.title, 'Night Drive');
  assert.equal(tags.genre, 'Synthwave');
  assert.equal(tags.trackNumber, 3);
});

test('readTags returns the embedded cover picture', async () => {
  const cover = join(dir, 'cover.png');
  await sharp({ create: { width: 120, height: 120, channels: 3, background: '#123456' } })
    .png()
    .toFile(cover);
  const mp3 = join(dir, 'with-cover.mp3');
  await generateTone(mp3, {
    seconds: 1,
    extra: [
      '-i',
      cover,
      '-map',
      '0:a',
      '-map',
      '1:v',
      '-c:v',
      'copy',
      '-disposition:v',
      'attached_pic',
      '-id3v2_version',
      '3',
    ],
  });
  const tags = await readTags(mp3);
  assert.equal(tags.picture?.mime, 'image/png');
  assert.equal((await sharp(tags.picture!.data).metadata()).width, 120);
});

test('readTags returns an empty object for untagged audio', async () => {
  const wav = await generateTone(join(dir, 'plain.wav'), {
    seconds: 1,
    extra: ['-map_metadata', '-1', '-fflags', '+bitexact'],
  });
  assert.deepEqual(await readTags(wav), {});
});

test('readTags returns an empty object for files that are not audio or do not exist', async () => {
  const text = join(dir, 'notes.mp3');
  await writeFile(text, 'just text');
  assert.deepEqual(await readTags(text), {});
  assert.deepEqual(await readTags(join(dir, 'missing.flac')), {});
});
