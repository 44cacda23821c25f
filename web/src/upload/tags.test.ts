import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffAudio, sniffImage } from './files.ts';
import { genreName, parseId3v2, readTags, releaseDateOf } from './tags.ts';

// Real files, tagged by ffmpeg as an artist's tools would tag them.
const dir = mkdtempSync(join(tmpdir(), 'fairstream-tags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ffmpeg = (args: string[]) =>
  execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args], { stdio: 'pipe' });

const cover = join(dir, 'cover.png');
ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=32x32:d=1', '-frames:v', '1', cover]);

const metadata = [
  ...['-metadata', 'title=Night Drive'],
  ...['-metadata', 'artist=Ada Wave'],
  ...['-metadata', 'genre=Synthwave'],
  ...['-metadata', 'date=2021-05-03'],
];

function tagged(name: string, extra: string[], withCover: boolean): Blob {
  const path = join(dir, name);
  const inputs = ['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', ...(withCover ? ['-i', cover] : [])];
  ffmpeg([...inputs, ...(withCover ? ['-map', '0:a', '-map', '1:v'] : []), ...metadata, ...extra, path]);
  return new Blob([readFileSync(path)]);
}

const png = new Uint8Array(readFileSync(cover));

describe('readTags', () => {
  it('reads ID3v2.4 from an MP3, with its cover picture', async () => {
    const file = tagged(
      'a.mp3',
      ['-c:v', 'copy', '-id3v2_version', '4', '-disposition:v', 'attached_pic'],
      true,
    );
    const tags = await readTags(file);
    expect(tags).toMatchObject({
      title: 'Night Drive',
      artist: 'Ada Wave',
      genre: 'Synthwave',
      date: '2021-05-03',
    });
    expect(tags.picture?.mime).toBe('image/png');
    expect(tags.picture?.data).toEqual(png);
  });

  it('reads ID3v2.3 (year and day kept apart)', async () => {
    const tags = await readTags(tagged('b.mp3', ['-id3v2_version', '3'], false));
    expect(tags).toMatchObject({ title: 'Night Drive', artist: 'Ada Wave', genre: 'Synthwave' });
    expect(tags.date?.startsWith('2021')).toBe(true);
  });

  it('reads FLAC comments and its PICTURE block', async () => {
    const tags = await readTags(tagged('c.flac', ['-c:v', 'copy', '-disposition:v', 'attached_pic'], true));
    expect(tags).toMatchObject({
      title: 'Night Drive',
      artist: 'Ada Wave',
      genre: 'Synthwave',
      date: '2021-05-03',
    });
    expect(tags.picture?.data).toEqual(png);
  });

  it('reads Ogg Vorbis and Opus comments', async () => {
    for (const name of ['d.ogg', 'e.opus']) {
      const tags = await readTags(tagged(name, [], false));
      expect(tags).toMatchObject({
        title: 'Night Drive',
        artist: 'Ada Wave',
        genre: 'Synthwave',
        date: '2021-05-03',
      });
    }
  });

  it('reads MP4 items and cover art from an M4A', async () => {
    const tags = await readTags(
      tagged('f.m4a', ['-c:a', 'aac', '-c:v', 'copy', '-disposition:v', 'attached_pic'], true),
    );
    expect(tags).toMatchObject({ title: 'Night Drive', artist: 'Ada Wave', genre: 'Synthwave' });
    expect(tags.date?.startsWith('2021')).toBe(true);
    expect(tags.picture?.data).toEqual(png);
  });

  it('reads a WAV file’s INFO list', async () => {
    const tags = await readTags(tagged('g.wav', [], false));
    expect(tags).toMatchObject({ title: 'Night Drive', artist: 'Ada Wave', genre: 'Synthwave' });
  });

  it('finds nothing in a file without tags, or in what is not audio', async () => {
    expect(await readTags(new Blob([readFileSync(join(dir, 'g.wav')).subarray(0, 44)]))).toEqual({});
    expect(await readTags(new Blob(['just some text, renamed to .mp3']))).toEqual({});
  });
});

describe('ID3 details', () => {
  it('handles UTF-16 text with a BOM, and ID3v1 genre numbers', () => {
    const text = (id: string, body: number[]) => {
      const size = body.length;
      return [...id].map((c) => c.charCodeAt(0)).concat([0, 0, 0, size, 0, 0], body);
    };
    const utf16 = [1, 0xff, 0xfe, ...[...'Été'].flatMap((c) => [c.charCodeAt(0), 0]), 0, 0];
    const frames = [...text('TIT2', utf16), ...text('TCON', [0, ...[...'(17)'].map((c) => c.charCodeAt(0))])];
    const tag = new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, frames.length, ...frames]);
    expect(parseId3v2(tag)).toEqual({ title: 'Été', genre: 'Rock' });
    expect(genreName('(13)Indie Pop')).toBe('Indie Pop');
    expect(genreName('Shoegaze')).toBe('Shoegaze');
  });

  it('turns tag dates into the form’s date, saying when the day was missing', () => {
    expect(releaseDateOf('2021-05-03')).toEqual({ value: '2021-05-03', exact: true });
    expect(releaseDateOf('2019')).toEqual({ value: '2019-01-01', exact: false });
    expect(releaseDateOf('2019-07-01T10:00:00')).toEqual({ value: '2019-07-01', exact: true });
    expect(releaseDateOf('unknown')).toBeUndefined();
  });
});

describe('sniffing', () => {
  it('knows audio and images by their first bytes, not their names', () => {
    for (const name of ['a.mp3', 'c.flac', 'd.ogg', 'f.m4a', 'g.wav']) {
      expect(sniffAudio(new Uint8Array(readFileSync(join(dir, name)).subarray(0, 16))), name).toBeDefined();
    }
    const raw = join(dir, 'raw.mp3');
    ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=1', '-id3v2_version', '0', '-write_xing', '0', raw]);
    expect(sniffAudio(new Uint8Array(readFileSync(raw).subarray(0, 16)))).toBe('mp3');
    expect(sniffAudio(new TextEncoder().encode('hello, this is text'))).toBeUndefined();
    expect(sniffImage(png.subarray(0, 16))).toBe('image/png');
    expect(sniffImage(new TextEncoder().encode('<svg></svg>'))).toBeUndefined();
  });
});
