import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { MediaError } from './errors.ts';

export const COVER_SIZES = [150, 480, 1000] as const;
/** Profile pictures: a list thumbnail and a profile header, like the two smaller cover sizes. */
export const AVATAR_SIZES = [150, 480] as const;
export const MIN_IMAGE_SIDE = 100;
export const MAX_IMAGE_SIDE = 10_000;
const JPEG_QUALITY = 82;
const WEBP_QUALITY = 82;

/** What an image is for: it names the file in refusals and picks the sizes rendered. */
export type ImagePurpose = 'cover' | 'avatar';

export interface CoverFile {
  /** The nominal size this file serves (150, 480 or 1000). */
  size: number;
  /** Actual pixel width and height: smaller than `size` when the source was, since we never upscale. */
  pixels: number;
  format: 'webp' | 'jpeg';
  path: string;
  mime: 'image/webp' | 'image/jpeg';
}

const IMAGE_HINT = 'Upload a JPEG, PNG or WebP image.';

const MIME_BY_FORMAT: Partial<Record<string, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heif: 'image/avif',
};

/** Accepts only images sharp can fully decode, within sane dimensions; returns the source MIME type. */
export async function checkImage(
  inputPath: string,
  purpose: ImagePurpose = 'cover',
): Promise<{ mime: string }> {
  const { mime } = await inspect(inputPath, purpose);
  // Headers can be intact while the pixel data is cut off; only a full decode proves otherwise.
  await decodeOrReject(sharp(inputPath, { failOn: 'warning' }).raw().toBuffer(), purpose);
  return { mime };
}

/**
 * Renders square covers at every nominal size in WebP and JPEG. Sources smaller than a size are
 * not upscaled: that size is still produced (so clients can always ask for it) at the source's
 * side length, reported in `pixels`.
 */
export async function renderCoverArt(inputPath: string, outDir: string): Promise<CoverFile[]> {
  return renderSquares(inputPath, outDir, COVER_SIZES, 'cover');
}

/** An avatar at 150 and 480 px in WebP and JPEG, rendered exactly as cover art is. */
export async function renderAvatar(inputPath: string, outDir: string): Promise<CoverFile[]> {
  return renderSquares(inputPath, outDir, AVATAR_SIZES, 'avatar');
}

async function renderSquares(
  inputPath: string,
  outDir: string,
  sizes: readonly number[],
  purpose: ImagePurpose,
): Promise<CoverFile[]> {
  const { width, height } = await inspect(inputPath, purpose);
  const side = Math.min(width, height);
  const square = await decodeOrReject(
    sharp(inputPath, { failOn: 'warning' })
      .rotate()
      .resize({ width: side, height: side, fit: 'cover', position: 'centre' })
      .raw()
      .toBuffer({ resolveWithObject: true }),
    purpose,
  );
  await mkdir(outDir, { recursive: true });
  const files: CoverFile[] = [];
  for (const size of sizes) {
    const pixels = Math.min(size, side);
    const resized = () => sharp(square.data, { raw: square.info }).resize(pixels, pixels);
    const webp = join(outDir, `cover-${size}.webp`);
    const jpeg = join(outDir, `cover-${size}.jpg`);
    await resized().webp({ quality: WEBP_QUALITY }).toFile(webp);
    // JPEG has no alpha; white matches how transparent artwork looks on the default light theme.
    await resized()
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: JPEG_QUALITY, mozjpeg: true })
      .toFile(jpeg);
    files.push({ size, pixels, format: 'webp', path: webp, mime: 'image/webp' });
    files.push({ size, pixels, format: 'jpeg', path: jpeg, mime: 'image/jpeg' });
  }
  return files;
}

/** Reads only the header: format and dimensions are checked before paying for a full decode. */
async function inspect(
  inputPath: string,
  purpose: ImagePurpose,
): Promise<{ mime: string; width: number; height: number }> {
  let metadata: Metadata;
  try {
    metadata = await sharp(inputPath).metadata();
  } catch (error) {
    throw notImage('it is not an image we can read', error, purpose);
  }
  const mime = MIME_BY_FORMAT[metadata.format ?? ''];
  // sharp also reads SVG, PDF and raw formats; covers are served to browsers, so only web-safe raster formats.
  if (!mime) throw notImage(`${metadata.format ?? 'this'} images are not accepted`, undefined, purpose);
  const { width, height } = orientedSize(metadata);
  checkDimensions(width, height, purpose);
  return { mime, width, height };
}

/** EXIF orientations 5–8 rotate by 90°, swapping width and height once auto-rotated. */
function orientedSize(metadata: Metadata): { width: number; height: number } {
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  return (metadata.orientation ?? 1) >= 5 ? { width: height, height: width } : { width, height };
}

function checkDimensions(width: number, height: number, purpose: ImagePurpose): void {
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw new MediaError(
      'image_too_large',
      `The image is ${width}×${height} pixels; the limit is ${MAX_IMAGE_SIDE} pixels per side. Resize it and upload again.`,
    );
  }
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw new MediaError(
      'image_too_small',
      purpose === 'cover'
        ? `The image is ${width}×${height} pixels; cover art needs at least ${MIN_IMAGE_SIDE} pixels per side (1000×1000 or more looks best).`
        : `The image is ${width}×${height} pixels; an avatar needs at least ${MIN_IMAGE_SIDE} pixels per side (480×480 or more looks best).`,
    );
  }
}

async function decodeOrReject<T>(decoding: Promise<T>, purpose: ImagePurpose): Promise<T> {
  try {
    return await decoding;
  } catch (error) {
    throw notImage('the image data is damaged or incomplete', error, purpose);
  }
}

function notImage(reason: string, cause: unknown, purpose: ImagePurpose): MediaError {
  return new MediaError('not_image', `The ${purpose} file could not be used: ${reason}. ${IMAGE_HINT}`, {
    cause,
  });
}
