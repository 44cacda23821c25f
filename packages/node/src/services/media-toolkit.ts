import type { CoverFile, ImagePurpose } from '../media/artwork.ts';
import type { AudioProbe } from '../media/probe.ts';
import type { AudioTags } from '../media/tags.ts';
import type { Renditions, Transcoder } from '../media/transcoder.ts';

export type { AudioProbe, AudioTags, CoverFile, ImagePurpose, Renditions };

/**
 * What the track service and the media worker need from media processing, so they can be read
 * (and tested) without knowing how ffmpeg and sharp are driven; media/toolkit.ts implements it.
 */
export interface MediaToolkit extends Pick<Transcoder, 'checkDecodes' | 'renditions'> {
  probeAudio(path: string): Promise<AudioProbe>;
  readTags(path: string): Promise<AudioTags>;
  /** Rejects files that are not images, or absurdly sized ones, before they are stored. */
  checkImage(path: string, purpose?: ImagePurpose): Promise<{ mime: string }>;
  renderCoverArt(input: string, outDir: string): Promise<CoverFile[]>;
  /** A profile picture at 150 and 480 px, WebP and JPEG. */
  renderAvatar(input: string, outDir: string): Promise<CoverFile[]>;
}
