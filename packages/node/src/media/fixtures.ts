/** Test inputs generated on the fly with the real ffmpeg, so tests never depend on checked-in media. Test-only. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A fresh directory, removed when the test file finishes; call it at the top level of a test file. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fairstream-media-'));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface ToneOptions {
  seconds?: number;
  channels?: number;
  sampleRate?: number;
  /** Extra ffmpeg output options, e.g. codec or `-metadata` flags. */
  extra?: string[];
}

/** A 440 Hz tone in whatever format the file extension implies. */
export async function generateTone(path: string, options: ToneOptions = {}): Promise<string> {
  const { seconds = 5, channels = 1, sampleRate = 44100, extra = [] } = options;
  await execFileAsync('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `sine=frequency=440:duration=${seconds}:sample_rate=${sampleRate}`],
    ...['-ac', String(channels), ...extra, path],
  ]);
  return path;
}

/** Copies the first `fraction` of a file's bytes, as an interrupted upload would leave it. */
export async function truncateCopy(source: string, target: string, fraction = 0.5): Promise<string> {
  const bytes = await readFile(source);
  await writeFile(target, bytes.subarray(0, Math.floor(bytes.length * fraction)));
  return target;
}

export async function ffprobeJson(path: string): Promise<{
  streams: { codec_name: string; codec_type: string; sample_rate?: string; width?: number }[];
  format: { duration: string; format_name: string; tags?: Record<string, string> };
}> {
  const { stdout } = await execFileAsync('ffprobe', [
    ...['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path],
  ]);
  return JSON.parse(stdout);
}
