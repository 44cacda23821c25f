import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { MediaError } from './errors.ts';
import { run } from './run.ts';

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
  version: string;
}

export interface FindFfmpegOptions {
  env?: NodeJS.ProcessEnv;
  /** Whether to fall back to the binaries shipped in @ffmpeg-installer / @ffprobe-installer. */
  allowPackaged?: boolean;
}

const INSTALL_HINT =
  'Install it with `apt-get install ffmpeg` (or set FAIRSTREAM_FFMPEG and FAIRSTREAM_FFPROBE to the binaries), ' +
  'or install the optional npm packages @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe.';

/**
 * Prefers the system ffmpeg because distributions keep it patched; the npm-packaged static build
 * (ffmpeg 4.x era) is only a fallback so a bare `npm install` still yields a working node.
 */
export async function findFfmpeg(options: FindFfmpegOptions = {}): Promise<FfmpegBinaries> {
  const env = options.env ?? process.env;
  const configured = fromEnv(env);
  if (configured)
    return verify(configured.ffmpeg, configured.ffprobe, 'FAIRSTREAM_FFMPEG/FAIRSTREAM_FFPROBE');

  const ffmpeg = await findOnPath('ffmpeg', env.PATH);
  const ffprobe = await findOnPath('ffprobe', env.PATH);
  if (ffmpeg && ffprobe) return verify(ffmpeg, ffprobe, 'PATH');

  const packaged = options.allowPackaged === false ? null : fromPackages();
  if (packaged) return verify(packaged.ffmpeg, packaged.ffprobe, 'the @ffmpeg-installer packages');

  throw new MediaError('ffmpeg_missing', `ffmpeg and ffprobe were not found. ${INSTALL_HINT}`);
}

function fromEnv(env: NodeJS.ProcessEnv): { ffmpeg: string; ffprobe: string } | null {
  const ffmpeg = env.FAIRSTREAM_FFMPEG;
  const ffprobe = env.FAIRSTREAM_FFPROBE;
  if (!ffmpeg && !ffprobe) return null;
  if (!ffmpeg || !ffprobe) {
    throw new MediaError('ffmpeg_missing', 'Set both FAIRSTREAM_FFMPEG and FAIRSTREAM_FFPROBE, or neither.');
  }
  return { ffmpeg, ffprobe };
}

export async function findOnPath(name: string, pathVariable: string | undefined): Promise<string | null> {
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; keep looking.
    }
  }
  return null;
}

function fromPackages(): { ffmpeg: string; ffprobe: string } | null {
  const require = createRequire(import.meta.url);
  try {
    // These packages throw (a string, not an Error) on unsupported platforms, hence the blanket catch.
    const ffmpeg = require('@ffmpeg-installer/ffmpeg') as { path: string };
    const ffprobe = require('@ffprobe-installer/ffprobe') as { path: string };
    return { ffmpeg: ffmpeg.path, ffprobe: ffprobe.path };
  } catch {
    return null;
  }
}

/** Running `-version` catches a binary that exists but cannot execute (wrong arch, missing libs, no x bit). */
async function verify(ffmpeg: string, ffprobe: string, source: string): Promise<FfmpegBinaries> {
  const version = await versionOf(ffmpeg, source);
  await versionOf(ffprobe, source);
  return { ffmpeg, ffprobe, version };
}

async function versionOf(binary: string, source: string): Promise<string> {
  try {
    const result = await run(binary, ['-hide_banner', '-version']);
    const version = parseVersion(result.stdout);
    if (result.code === 0 && version) return version;
  } catch {
    // Fall through to the error below: spawn failures and bad output mean the same to the operator.
  }
  throw new MediaError('ffmpeg_missing', `${binary} (from ${source}) does not run. ${INSTALL_HINT}`);
}

/** `ffmpeg version 5.1.9-0+deb12u1 Copyright ...` → `5.1.9-0+deb12u1`. */
export function parseVersion(output: string): string | null {
  return /^ff(?:mpeg|probe) version (\S+)/m.exec(output)?.[1] ?? null;
}
