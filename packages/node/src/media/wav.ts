/**
 * WAV stores its data length in the header, but ffmpeg silently plays whatever bytes exist and
 * ffprobe derives the duration from the file size. A WAV cut at a sample boundary therefore looks
 * perfect to both; only comparing the header's promise with the file size reveals it.
 */

/** Enough to reach the data chunk past typical LIST/bext/iXML chunks. */
export const WAV_HEAD_BYTES = 1 << 20;

/** Sizes streaming writers put in the header when the length was unknown at write time. */
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

/** Byte offset where the header says the audio data ends, or null if this is not a WAV we can judge. */
export function declaredWavDataEnd(head: Uint8Array): number | null {
  const view = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (
    view.length < 12 ||
    view.toString('latin1', 0, 4) !== 'RIFF' ||
    view.toString('latin1', 8, 12) !== 'WAVE'
  ) {
    return null;
  }
  let offset = 12;
  while (offset + 8 <= view.length) {
    const id = view.toString('latin1', offset, offset + 4);
    const size = view.readUInt32LE(offset + 4);
    if (id === 'data') return UNKNOWN_SIZES.has(size) ? null : offset + 8 + size;
    // Chunks are word-aligned: odd sizes carry one pad byte.
    offset += 8 + size + (size % 2);
  }
  return null;
}

export function isTruncatedWav(head: Uint8Array, fileSize: number): boolean {
  const end = declaredWavDataEnd(head);
  return end !== null && end > fileSize;
}
