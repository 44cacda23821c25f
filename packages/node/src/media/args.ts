/**
 * Pure builders for ffmpeg/ffprobe command lines, kept apart from process handling so every flag
 * can be unit-tested without running ffmpeg.
 */

/** File descriptor the transcoder opens for `-progress`, so progress never mixes with PCM or logs. */
export const PROGRESS_FD = 3;

export const PREVIEW_SECONDS = 30;

export interface PreviewWindow {
  start: number;
  length: number;
}

export interface RenditionOptions {
  input: string;
  opusPath: string;
  aacPath: string;
  previewPath: string;
  sourceSampleRate: number;
  sourceChannels: number;
  preview: PreviewWindow;
  waveformSampleRate: number;
}

export function probeArgs(input: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', input];
}

/** Decodes every audio frame and discards it: the only reliable way to find damage past the header. */
export function decodeCheckArgs(input: string): string[] {
  return [
    ...['-hide_banner', '-nostdin', '-nostats', '-v', 'error'],
    ...['-i', input, '-map', '0:a:0', '-f', 'null', '-progress', 'pipe:1', '-'],
  ];
}

/**
 * Starts a third of the way in, where a track has usually left its intro, and slides back so the
 * whole clip fits. Short tracks are previewed whole.
 */
export function previewWindow(durationSec: number, length = PREVIEW_SECONDS): PreviewWindow {
  if (durationSec <= length) return { start: 0, length: round3(Math.max(0, durationSec)) };
  const start = Math.min(durationSec / 3, durationSec - length);
  return { start: round3(start), length };
}

/** The AAC encoder tops out at 96 kHz and players cope best with the two CD/video rates. */
export function aacSampleRate(sourceRate: number): number {
  return sourceRate % 11025 === 0 ? 44100 : 48000;
}

/** Surround sources are folded to stereo: the player and the bitrates here are stereo-only. */
export function outputChannels(sourceChannels: number): number {
  return Math.min(Math.max(sourceChannels, 1), 2);
}

export function previewFilter(window: PreviewWindow): string {
  const fadeIn = round3(Math.min(1, window.length / 4));
  const fadeOut = round3(Math.min(2, window.length / 4));
  const fadeOutStart = round3(Math.max(0, window.length - fadeOut));
  return [
    `atrim=start=${window.start}:duration=${window.length}`,
    'asetpts=PTS-STARTPTS',
    `afade=t=in:st=0:d=${fadeIn}`,
    `afade=t=out:st=${fadeOutStart}:d=${fadeOut}`,
  ].join(',');
}

/** One decode feeds all five consumers; decoding is the expensive part for FLAC/MP3 sources. */
export function renditionFilterGraph(window: PreviewWindow): string {
  return [
    '[0:a:0]asplit=5[opus][aac][pre][loud][wave]',
    `[pre]${previewFilter(window)}[preview]`,
    // framelog=verbose keeps the 10-per-second frame lines out of info-level stderr; only the summary remains.
    '[loud]ebur128=peak=true:framelog=verbose[loudness]',
  ].join(';');
}

export function renditionArgs(options: RenditionOptions): string[] {
  const channels = String(outputChannels(options.sourceChannels));
  const aacRate = String(aacSampleRate(options.sourceSampleRate));
  // Uploaded tags, chapters and cover art are not copied: the catalogue is the source of truth for metadata.
  const noMetadata = ['-map_metadata', '-1', '-map_chapters', '-1'];
  return [
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-y'],
    ...['-progress', `pipe:${PROGRESS_FD}`],
    ...['-i', options.input],
    ...['-filter_complex', renditionFilterGraph(options.preview)],
    ...['-map', '[opus]', '-c:a', 'libopus', '-b:a', '160k', '-vbr', 'on', '-ar', '48000', '-ac', channels],
    ...[...noMetadata, '-f', 'ogg', options.opusPath],
    ...['-map', '[aac]', '-c:a', 'aac', '-b:a', '192k', '-ar', aacRate, '-ac', channels],
    ...[...noMetadata, '-movflags', '+faststart', '-f', 'mp4', options.aacPath],
    ...['-map', '[preview]', '-c:a', 'aac', '-b:a', '128k', '-ar', aacRate, '-ac', channels],
    ...[...noMetadata, '-movflags', '+faststart', '-f', 'mp4', options.previewPath],
    ...['-map', '[loudness]', '-f', 'null', '-'],
    ...['-map', '[wave]', '-c:a', 'pcm_s16le', '-ar', String(options.waveformSampleRate), '-ac', '1'],
    ...['-f', 's16le', 'pipe:1'],
  ];
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
