import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { checkImage, renderCoverArt } from './artwork.ts';
import { MediaError } from './errors.ts';
import { tempDir } from './fixtures.ts';

const dir = await tempDir();

function rejectsWith(code: string, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof MediaError, `expected MediaError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

/** Left half red, right half blue: a centre crop of a wide image keeps both colours in equal measure. */
async function twoToneImage(path: string, width: number, height: number): Promise<string> {
  const half = { width: Math.floor(width / 2), height, channels: 3 as const };
  const red = await sharp({ create: { ...half, background: '#ff0000' } })
    .png()
    .toBuffer();
  await sharp({ create: { width, height, channels: 3, background: '#0000ff' } })
    .composite([{ input: red, left: 0, top: 0 }])
    .png()
    .toFile(path);
  return path;
}

test('renderCoverArt writes square WebP and JPEG covers at 150, 480 and 1000 px', async () => {
  const source = await twoToneImage(join(dir, 'wide.png'), 1600, 1200);
  const covers = await renderCoverArt(source, join(dir, 'covers'));
  assert.equal(covers.length, 6);
  for (const cover of covers) {
    const metadata = await sharp(cover.path).metadata();
    assert.equal(metadata.format, cover.format);
    assert.equal(metadata.width, cover.size, cover.path);
    assert.equal(metadata.height, cover.size, cover.path);
    assert.equal(cover.pixels, cover.size);
    assert.equal(cover.mime, `image/${cover.format}`);
  }
  assert.deepEqual(
    covers.map((cover) => `${cover.size}.${cover.format}`),
    ['150.webp', '150.jpeg', '480.webp', '480.jpeg', '1000.webp', '1000.jpeg'],
  );
});

test('renderCoverArt crops the centre of a non-square image', async () => {
  const source = await twoToneImage(join(dir, 'crop.png'), 800, 400);
  const [cover] = await renderCoverArt(source, join(dir, 'crop'));
  const { data, info } = await sharp(cover!.path).raw().toBuffer({ resolveWithObject: true });
  const pixel = (x: number) => [...data.subarray((x + 75 * info.width) * info.channels).subarray(0, 3)];
  assert.ok(pixel(10)[0]! > 200 && pixel(10)[2]! < 50, 'left edge is red');
  assert.ok(pixel(140)[2]! > 200 && pixel(140)[0]! < 50, 'right edge is blue');
});

test('renderCoverArt applies the EXIF orientation before cropping', async () => {
  // Stored landscape, red left and blue right; orientation 6 means "rotate 90° clockwise to display",
  // so the displayed image is portrait with red on top.
  const source = join(dir, 'rotated.jpg');
  await sharp(await twoToneImage(join(dir, 'landscape.png'), 600, 300))
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toFile(source);
  const [cover] = await renderCoverArt(source, join(dir, 'rotated'));
  const { data, info } = await sharp(cover!.path).raw().toBuffer({ resolveWithObject: true });
  const pixelAt = (x: number, y: number) => [
    ...data.subarray((x + y * info.width) * info.channels).subarray(0, 3),
  ];
  assert.ok(pixelAt(75, 10)[0]! > 200 && pixelAt(75, 10)[2]! < 50, 'top is red');
  assert.ok(pixelAt(75, 140)[2]! > 200 && pixelAt(75, 140)[0]! < 50, 'bottom is blue');
});

test('renderCoverArt keeps every size name but does not upscale small sources', async () => {
  const source = await twoToneImage(join(dir, 'small.png'), 300, 300);
  const covers = await renderCoverArt(source, join(dir, 'small'));
  const large = covers.filter((cover) => cover.size === 1000);
  assert.equal(large.length, 2);
  for (const cover of large) {
    assert.equal(cover.pixels, 300);
    assert.equal((await sharp(cover.path).metadata()).width, 300);
  }
});

test('checkImage returns the MIME type of a valid image', async () => {
  const source = await twoToneImage(join(dir, 'ok.png'), 200, 200);
  assert.deepEqual(await checkImage(source), { mime: 'image/png' });
});

test('checkImage rejects a text file as not an image', async () => {
  const text = join(dir, 'cover.jpg');
  await writeFile(text, 'not really a picture');
  await assert.rejects(checkImage(text), rejectsWith('not_image', /JPEG, PNG or WebP/));
  await assert.rejects(renderCoverArt(text, join(dir, 'text')), rejectsWith('not_image'));
});

test('checkImage and renderCoverArt reject a truncated JPEG as not an image', async () => {
  const whole = join(dir, 'whole.jpg');
  await twoToneImage(join(dir, 'whole.png'), 800, 800);
  await sharp(join(dir, 'whole.png')).jpeg({ quality: 90 }).toFile(whole);
  const bytes = await readFile(whole);
  const cut = join(dir, 'cut.jpg');
  await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await assert.rejects(checkImage(cut), rejectsWith('not_image', /damaged or incomplete/));
  await assert.rejects(renderCoverArt(cut, join(dir, 'cut')), rejectsWith('not_image'));
});

test('checkImage rejects images under 100 px or over 10,000 px per side', async () => {
  const tiny = await twoToneImage(join(dir, 'tiny.png'), 99, 400);
  await assert.rejects(checkImage(tiny), rejectsWith('image_too_small', /99×400/));
  const huge = join(dir, 'huge.png');
  await sharp({ create: { width: 10_001, height: 120, channels: 3, background: '#000' } })
    .png()
    .toFile(huge);
  await assert.rejects(checkImage(huge), rejectsWith('image_too_large', /10001×120/));
});

test('checkImage rejects SVG even though sharp can render it', async () => {
  const svg = join(dir, 'cover.svg');
  await writeFile(
    svg,
    '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"><rect width="400" height="400"/></svg>',
  );
  await assert.rejects(checkImage(svg), rejectsWith('not_image', /svg images are not accepted/));
});
