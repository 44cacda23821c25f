/**
 * What the track service and the media worker need from media processing. The ffmpeg/sharp
 * implementation lives in media/; services depend on this shape only.
 */
export interface AudioProbe {
  durationMs: number;
  codec: string;
  container: string;
  sampleRate: number;
  channels: number;
  sizeBytes: number;
}

export interface AudioTags {
  title?: string;
  artist?: string;
  album?: string;
  genre?: string;
  year?: number;
  picture?: { data: Uint8Array; mime: string };
}

export interface RenditionFile {
  path: string;
  mime: string;
}

export interface RenditionSet {
  opus: RenditionFile;
  aac: RenditionFile;
  preview: RenditionFile;
  loudness: { integratedLufs: number; truePeakDbtp: number; gainDb: number };
  waveform: unknown;
}

export interface CoverFile {
  size: number;
  format: 'webp' | 'jpeg';
  path: string;
  mime: string;
}

export interface MediaToolkit {
  probeAudio(path: string): Promise<AudioProbe>;
  /** Rejects truncated or corrupt audio that a header probe alone would accept. */
  checkDecodes(path: string, durationMs: number): Promise<void>;
  readTags(path: string): Promise<AudioTags>;
  /** Rejects files that are not images, or absurdly sized ones, before they are stored. */
  checkImage(path: string): Promise<{ mime: string }>;
  renditions(
    input: string,
    outDir: string,
    probe: AudioProbe,
    onProgress: (fraction: number) => void,
    signal?: AbortSignal,
  ): Promise<RenditionSet>;
  renderCoverArt(input: string, outDir: string): Promise<CoverFile[]>;
}
