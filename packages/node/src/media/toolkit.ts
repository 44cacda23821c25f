import type { MediaToolkit } from '../services/media-toolkit.ts';
import { checkImage, renderAvatar, renderCoverArt } from './artwork.ts';
import { type FfmpegBinaries, findFfmpeg } from './binaries.ts';
import { readTags } from './tags.ts';
import { createFfmpegTranscoder } from './transcoder.ts';

/**
 * The ffmpeg/sharp implementation of the services' MediaToolkit port. Locating ffmpeg happens
 * once, here, so a node without it fails at startup rather than on the first upload.
 */
export async function createMediaToolkit(bins?: FfmpegBinaries): Promise<MediaToolkit> {
  const transcoder = createFfmpegTranscoder(bins ?? (await findFfmpeg()));
  return {
    probeAudio: (path) => transcoder.probe(path),
    checkDecodes: (path, durationMs) => transcoder.checkDecodes(path, durationMs),
    readTags,
    checkImage,
    renditions: (input, outDir, probe, onProgress, signal) =>
      transcoder.renditions(input, outDir, probe, onProgress, signal),
    renderCoverArt,
    renderAvatar,
  };
}
