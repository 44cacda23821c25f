import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { decodeCheckArgs, probeArgs } from './args.ts';
import type { FfmpegBinaries } from './binaries.ts';
import { MediaError, SUPPORTED_AUDIO_HINT } from './errors.ts';
import { parseOutTimeUs } from './progress.ts';
import { run } from './run.ts';
import { isTruncatedWav, WAV_HEAD_BYTES } from './wav.ts';

export interface AudioProbe {
  durationMs: number;
  codec: string;
  /** ffprobe's format name, e.g. `wav`, `flac`, `mp3`, `ogg`, `mov,mp4,m4a,3gp,3g2,mj2`. */
  container: string;
  sampleRate: number;
  channels: number;
  bitRate?: number;
  sizeBytes: number;
}

export const MIN_DURATION_MS = 1_000;
export const MAX_DURATION_MS = 3 * 3600_000;

/** Codecs behind the formats we promise to accept; others may decode but are untested in players' pipelines. */
const SUPPORTED_CODECS = new Set(['flac', 'alac', 'mp3', 'aac', 'vorbis', 'opus']);

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  bit_rate?: string;
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; bit_rate?: string };
}

export async function probeAudio(bins: Pick<FfmpegBinaries, 'ffprobe'>, path: string): Promise<AudioProbe> {
  const { size } = await stat(path);
  if (size === 0) {
    throw new MediaError(
      'empty_file',
      'The file is empty (0 bytes). Check that the right file was chosen and upload it again.',
    );
  }
  const result = await run(bins.ffprobe, probeArgs(path));
  if (result.code !== 0) {
    throw notAudio(`ffprobe could not read it: ${lastLine(result.stderr, path)}`);
  }
  return parseProbe(result.stdout, size);
}

/** Turns ffprobe's JSON into an AudioProbe, rejecting anything we would not be able to stream. */
export function parseProbe(json: string, sizeBytes: number): AudioProbe {
  const output = parseJson(json);
  const stream = output.streams?.find((candidate) => candidate.codec_type === 'audio');
  if (!stream) throw notAudio('ffprobe found no audio stream');
  const codec = stream.codec_name ?? 'unknown';
  const sampleRate = Number(stream.sample_rate);
  const channels = stream.channels ?? 0;
  if (!isSupportedCodec(codec) || !(sampleRate > 0) || !(channels > 0)) {
    throw new MediaError(
      'unsupported_audio',
      `The audio codec "${codec}" is not supported. Convert the file and upload it again. ${SUPPORTED_AUDIO_HINT}`,
    );
  }
  const durationMs = parseDurationMs(stream.duration) ?? parseDurationMs(output.format?.duration);
  checkDuration(durationMs);
  const bitRate = Number(stream.bit_rate ?? output.format?.bit_rate);
  return {
    durationMs,
    codec,
    container: output.format?.format_name ?? 'unknown',
    sampleRate,
    channels,
    ...(bitRate > 0 ? { bitRate } : {}),
    sizeBytes,
  };
}

export function isSupportedCodec(codec: string): boolean {
  return SUPPORTED_CODECS.has(codec) || codec.startsWith('pcm_');
}

function checkDuration(durationMs: number | null): asserts durationMs is number {
  if (durationMs === null) {
    throw new MediaError(
      'unknown_duration',
      'The length of the audio could not be determined; the file may be damaged. Export it again and re-upload.',
    );
  }
  if (durationMs < MIN_DURATION_MS) {
    throw new MediaError('audio_too_short', 'The audio is shorter than 1 second. Upload a complete track.');
  }
  if (durationMs > MAX_DURATION_MS) {
    throw new MediaError(
      'audio_too_long',
      'The audio is longer than 3 hours. Split it into separate tracks.',
    );
  }
}

function parseDurationMs(text: string | undefined): number | null {
  const seconds = Number(text);
  return text !== undefined && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : null;
}

function parseJson(json: string): FfprobeOutput {
  try {
    return JSON.parse(json) as FfprobeOutput;
  } catch {
    throw notAudio('ffprobe output was unreadable');
  }
}

/**
 * Decodes the whole file. Headers can look fine while the body is cut off or damaged, which would
 * otherwise surface only as a broken stream for listeners.
 */
export async function checkDecodes(
  bins: Pick<FfmpegBinaries, 'ffmpeg'>,
  path: string,
  durationMs: number,
  signal?: AbortSignal,
): Promise<void> {
  if (await wavIsTruncated(path)) {
    throw truncated('the WAV header promises more audio than the file contains');
  }
  const result = await run(bins.ffmpeg, decodeCheckArgs(path), signal);
  const error = lastLine(result.stderr, path);
  if (result.code !== 0 || error) {
    throw truncated(`decoding failed: ${error || `ffmpeg exited with code ${result.code}`}`);
  }
  const decodedMs = decodedDurationMs(result.stdout);
  if (decodedMs !== null && isClearlyShort(decodedMs, durationMs)) {
    throw truncated(
      `only ${formatSeconds(decodedMs)} of the declared ${formatSeconds(durationMs)} could be decoded`,
    );
  }
}

/** Allows for encoder padding and estimated MP3 durations; real truncation is far larger. */
export function isClearlyShort(decodedMs: number, declaredMs: number): boolean {
  return declaredMs - decodedMs > Math.max(1_000, declaredMs * 0.02);
}

/** The furthest `out_time` in ffmpeg `-progress` output, in milliseconds. */
export function decodedDurationMs(progress: string): number | null {
  let latest: number | null = null;
  for (const line of progress.split('\n')) {
    const outTimeUs = parseOutTimeUs(line.trim());
    if (outTimeUs !== null) latest = Math.max(latest ?? 0, outTimeUs);
  }
  return latest === null ? null : Math.round(latest / 1000);
}

async function wavIsTruncated(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(WAV_HEAD_BYTES, size));
    await file.read(head, 0, head.length, 0);
    return isTruncatedWav(head, size);
  } finally {
    await file.close();
  }
}

function notAudio(reason: string): MediaError {
  return new MediaError(
    'not_audio',
    `The file is not audio that can be decoded (${reason}). ${SUPPORTED_AUDIO_HINT}`,
  );
}

function truncated(reason: string): MediaError {
  return new MediaError(
    'truncated_audio',
    `The audio file is truncated or damaged (${reason}). Check that the upload finished, or export the file again.`,
  );
}

/** The last non-empty stderr line, with the server-side path replaced so it is safe to show users. */
function lastLine(stderr: string, path: string): string {
  const line = stderr.trim().split('\n').at(-1)?.trim() ?? '';
  return line.replaceAll(path, basename(path));
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
