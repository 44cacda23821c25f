import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { PROGRESS_FD, previewWindow, renditionArgs } from './args.ts';
import type { FfmpegBinaries } from './binaries.ts';
import { MediaError } from './errors.ts';
import { type Loudness, parseEbur128Summary } from './loudness.ts';
import { type AudioProbe, checkDecodes, probeAudio } from './probe.ts';
import { ProgressParser } from './progress.ts';
import { TextTail } from './run.ts';
import {
  type AudiowaveformJson,
  samplesPerPixelFor,
  WAVEFORM_SAMPLE_RATE,
  WaveformBuilder,
} from './waveform.ts';

export interface RenditionFile<F extends string, M extends string> {
  path: string;
  format: F;
  mime: M;
}

export interface Renditions {
  opus: RenditionFile<'opus', 'audio/ogg; codecs=opus'>;
  aac: RenditionFile<'aac', 'audio/mp4'>;
  preview: RenditionFile<'aac', 'audio/mp4'>;
  loudness: Loudness;
  waveform: AudiowaveformJson;
}

export interface Transcoder {
  probe(path: string): Promise<AudioProbe>;
  checkDecodes(path: string, durationMs: number): Promise<void>;
  renditions(
    input: string,
    outDir: string,
    probe: AudioProbe,
    onProgress: (fraction: number) => void,
    signal?: AbortSignal,
  ): Promise<Renditions>;
}

export function createFfmpegTranscoder(bins: FfmpegBinaries): Transcoder {
  return {
    probe: (path) => probeAudio(bins, path),
    checkDecodes: (path, durationMs) => checkDecodes(bins, path, durationMs),
    renditions: (input, outDir, probe, onProgress, signal) =>
      renderRenditions(bins, { input, outDir, probe, onProgress, signal }),
  };
}

interface RenditionJob {
  input: string;
  outDir: string;
  probe: AudioProbe;
  onProgress: (fraction: number) => void;
  signal?: AbortSignal | undefined;
}

async function renderRenditions(bins: FfmpegBinaries, job: RenditionJob): Promise<Renditions> {
  job.signal?.throwIfAborted();
  await mkdir(job.outDir, { recursive: true });
  const opus = {
    path: join(job.outDir, 'audio.opus'),
    format: 'opus',
    mime: 'audio/ogg; codecs=opus',
  } as const;
  const aac = { path: join(job.outDir, 'audio.m4a'), format: 'aac', mime: 'audio/mp4' } as const;
  const preview = { path: join(job.outDir, 'preview.m4a'), format: 'aac', mime: 'audio/mp4' } as const;
  const args = renditionArgs({
    input: job.input,
    opusPath: opus.path,
    aacPath: aac.path,
    previewPath: preview.path,
    sourceSampleRate: job.probe.sampleRate,
    sourceChannels: job.probe.channels,
    preview: previewWindow(job.probe.durationMs / 1000),
    waveformSampleRate: WAVEFORM_SAMPLE_RATE,
  });
  const waveform = new WaveformBuilder({
    sampleRate: WAVEFORM_SAMPLE_RATE,
    samplesPerPixel: samplesPerPixelFor(job.probe.durationMs, WAVEFORM_SAMPLE_RATE),
  });
  const progress = new ProgressParser(job.probe.durationMs, job.onProgress);
  const stderr = await runFfmpeg(bins.ffmpeg, args, job, {
    onPcm: (chunk) => waveform.push(chunk),
    onProgress: (chunk) => progress.push(chunk),
  });
  const loudness = parseEbur128Summary(stderr.text);
  if (!loudness) throw ffmpegFailed('ffmpeg finished without a loudness summary', stderr, job);
  job.onProgress(1);
  return { opus, aac, preview, loudness, waveform: waveform.finish() };
}

interface FfmpegStreams {
  onPcm: (chunk: Buffer) => void;
  onProgress: (chunk: Buffer) => void;
}

/** Runs ffmpeg with PCM on stdout and progress on its own fd; resolves with the stderr tail. */
function runFfmpeg(
  ffmpeg: string,
  args: string[],
  job: RenditionJob,
  streams: FfmpegStreams,
): Promise<TextTail> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    // The ebur128 summary is printed last and is short; 64 KiB keeps it plus any errors before it.
    const stderr = new TextTail(1 << 16);
    const { signal } = job;
    const abort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', abort, { once: true });
    pipeAt(child.stdio, 1).on('data', streams.onPcm);
    pipeAt(child.stdio, 2).on('data', (chunk: Buffer) => stderr.append(chunk));
    pipeAt(child.stdio, PROGRESS_FD).on('data', streams.onProgress);
    child.on('error', (error) => {
      signal?.removeEventListener('abort', abort);
      reject(
        new MediaError('ffmpeg_failed', `ffmpeg could not be started: ${error.message}`, { cause: error }),
      );
    });
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', abort);
      if (signal?.aborted) reject(signal.reason);
      else if (code === 0) resolve(stderr);
      else reject(ffmpegFailed(`ffmpeg exited with ${code ?? killedBy}`, stderr, job));
    });
  });
}

function pipeAt(stdio: readonly unknown[], fd: number): Readable {
  return stdio[fd] as Readable;
}

function ffmpegFailed(summary: string, stderr: TextTail, job: RenditionJob): MediaError {
  // Server paths mean nothing to the uploader and should not leak into an HTTP response.
  const details = stderr.lastLines(8).replaceAll(job.outDir, '.').replaceAll(job.input, basename(job.input));
  return new MediaError(
    'ffmpeg_failed',
    `Transcoding failed (${summary}). If the file plays elsewhere, export it again and re-upload.\n${details}`,
  );
}
