/**
 * What kind of file the artist chose, by its first bytes: a renamed text file is refused here,
 * before minutes of uploading, while the node still probes everything that gets through.
 */

/** The node's limits (DESIGN: 500 MB audio, 20 MB image). */
export const AUDIO_LIMIT_BYTES = 500 * 1024 * 1024;
export const IMAGE_LIMIT_BYTES = 20 * 1024 * 1024;

export const AUDIO_ACCEPT = 'audio/*,.mp3,.flac,.wav,.ogg,.opus,.m4a,.aac,.aif,.aiff';
export const IMAGE_ACCEPT = 'image/jpeg,image/png,image/webp,image/gif,image/avif';

function ascii(data: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...data.subarray(from, to));
}

/** The audio container these bytes start with, or undefined when they are not audio we know. */
export function sniffAudio(head: Uint8Array): string | undefined {
  const magic = ascii(head, 0, 4);
  if (ascii(head, 0, 3) === 'ID3') return 'mp3';
  if (magic === 'fLaC') return 'flac';
  if (magic === 'OggS') return 'ogg';
  if (magic === 'RIFF' && ascii(head, 8, 12) === 'WAVE') return 'wav';
  if (magic === 'FORM' && /^AIF[FC]$/.test(ascii(head, 8, 12))) return 'aiff';
  if (ascii(head, 4, 8) === 'ftyp') return 'mp4';
  if (magic === '\x1aE\xdf\xa3') return 'webm';
  // MPEG audio frame sync (MP3) or ADTS (AAC): eleven set bits, then a valid layer/version.
  if (head[0] === 0xff && (head[1]! & 0xe0) === 0xe0 && (head[1]! & 0x06) !== 0) return 'mp3';
  if (head[0] === 0xff && (head[1]! & 0xf6) === 0xf0) return 'aac';
  return undefined;
}

export function sniffImage(head: Uint8Array): string | undefined {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (ascii(head, 0, 8) === '\x89PNG\r\n\x1a\n') return 'image/png';
  if (ascii(head, 0, 4) === 'GIF8') return 'image/gif';
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return 'image/webp';
  if (ascii(head, 4, 8) === 'ftyp' && /^avi[fs]$/.test(ascii(head, 8, 12))) return 'image/avif';
  return undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function head(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(0, 16).arrayBuffer());
}

/** Undefined when `file` may be uploaded as the audio; otherwise what is wrong and what to do. */
export async function checkAudioFile(file: File): Promise<string | undefined> {
  if (file.size === 0) return `${file.name} is empty. Choose an audio file.`;
  if (file.size > AUDIO_LIMIT_BYTES) {
    return `${file.name} is ${formatBytes(file.size)}; audio may be at most 500 MB. Export a smaller file (e.g. FLAC instead of WAV).`;
  }
  if (!sniffAudio(await head(file))) {
    return `${file.name} is not an audio file Fairstream can read. Choose a WAV, FLAC, MP3, AAC/M4A, Ogg or Opus file.`;
  }
  return undefined;
}

export async function checkImageFile(file: File): Promise<string | undefined> {
  if (file.size > IMAGE_LIMIT_BYTES) {
    return `${file.name} is ${formatBytes(file.size)}; cover art may be at most 20 MB. Choose a smaller image.`;
  }
  if (!sniffImage(await head(file))) {
    return `${file.name} is not an image Fairstream can read. Choose a JPEG, PNG, WebP, GIF or AVIF image.`;
  }
  return undefined;
}
