/** Streaming services normalise to -14 LUFS; matching it keeps tracks level with each other and with them. */
export const TARGET_LUFS = -14;
/** Headroom for lossy decoding and inter-sample overs, per EBU R128 / AES streaming recommendations. */
export const MAX_TRUE_PEAK_DBTP = -1;
/** ebur128 reports gated silence as -70 LUFS; anything at or below it has no measurable loudness. */
export const SILENCE_LUFS = -70;
/** Stand-in for "-inf dBFS" so the value survives JSON (which has no infinities). */
export const SILENT_PEAK_DBTP = -144;

export interface Loudness {
  integratedLufs: number;
  truePeakDbtp: number;
  gainDb: number;
}

/**
 * Parses the summary ffmpeg's ebur128 filter prints at the end of the run. Uses the LAST summary
 * because older ffmpeg builds also print an empty one for a probe instance of the filter graph.
 */
export function parseEbur128Summary(stderr: string): Loudness | null {
  const at = stderr.lastIndexOf('Summary:');
  if (at < 0) return null;
  const summary = stderr.slice(at);
  const integrated = parseDb(/Integrated loudness:\s+I:\s+(\S+) LUFS/.exec(summary)?.[1]);
  const truePeak = parseDb(/True peak:\s+Peak:\s+(\S+) dBFS/.exec(summary)?.[1]);
  if (integrated === null || truePeak === null) return null;
  return loudnessFrom(integrated, truePeak);
}

export function loudnessFrom(integratedLufs: number, truePeakDbtp: number): Loudness {
  const lufs = Math.max(integratedLufs, SILENCE_LUFS);
  const peak = Math.max(truePeakDbtp, SILENT_PEAK_DBTP);
  return { integratedLufs: round2(lufs), truePeakDbtp: round2(peak), gainDb: round2(gainFor(lufs, peak)) };
}

/**
 * Gain toward the target, capped so the loudest inter-sample peak stays under the ceiling. Silence
 * gets no gain: boosting it would only raise the noise floor.
 */
export function gainFor(integratedLufs: number, truePeakDbtp: number): number {
  if (integratedLufs <= SILENCE_LUFS) return 0;
  return Math.min(TARGET_LUFS - integratedLufs, MAX_TRUE_PEAK_DBTP - truePeakDbtp);
}

function parseDb(text: string | undefined): number | null {
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  return text === undefined || Number.isNaN(value) ? null : value;
}

function round2(value: number): number {
  // `+ 0` turns -0 into 0 so it does not show up as "-0" in JSON consumers that format it.
  return Math.round(value * 100) / 100 + 0;
}
