/**
 * The arithmetic behind the waveform: peaks from audiowaveform's JSON, bars that fit the width,
 * where a click or a key lands in the track, and where comment markers sit. Pure, so it is tested.
 */

/**
 * Loudness per point (0 to 1) from audiowaveform's JSON (version 1 or 2, one channel or the first
 * of several): data holds [min, max] pairs of 8- or 16-bit samples. Undefined for anything else.
 */
export function parseWaveform(json: unknown): number[] | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { data, bits, channels } = json as { data?: unknown; bits?: unknown; channels?: unknown };
  if (!Array.isArray(data) || (bits !== 8 && bits !== 16)) return undefined;
  const channelCount = typeof channels === 'number' && channels >= 1 ? Math.floor(channels) : 1;
  const full = bits === 8 ? 128 : 32768;
  const stride = 2 * channelCount;
  const points: number[] = [];
  for (let i = 0; i + 1 < data.length; i += stride) {
    const min = data[i];
    const max = data[i + 1];
    if (typeof min !== 'number' || typeof max !== 'number') return undefined;
    points.push(Math.min(1, Math.max(Math.abs(min), Math.abs(max)) / full));
  }
  return points;
}

/** The shortest bar drawn, so that silence still shows where the track is. */
export const MIN_BAR = 0.04;

/**
 * `bars` heights (MIN_BAR to 1): each the loudest point it covers, scaled so the loudest bar of the
 * track is full height (a quiet master still shows its shape).
 */
export function scalePeaks(points: readonly number[], bars: number): number[] {
  const count = Math.max(1, Math.floor(bars));
  if (points.length === 0) return new Array<number>(count).fill(MIN_BAR);
  const heights = new Array<number>(count).fill(0);
  for (let bar = 0; bar < count; bar++) {
    const from = Math.floor((bar * points.length) / count);
    const to = Math.max(from + 1, Math.floor(((bar + 1) * points.length) / count));
    let peak = 0;
    for (let i = from; i < to && i < points.length; i++) peak = Math.max(peak, points[i]!);
    heights[bar] = peak;
  }
  const loudest = Math.max(...heights);
  return heights.map((height) => (loudest > 0 ? Math.max(MIN_BAR, height / loudest) : MIN_BAR));
}

/** The moment under a pointer at `x` over a waveform spanning `left` to `left + width`. */
export function momentAt(x: number, left: number, width: number, durationMs: number): number {
  if (width <= 0 || durationMs <= 0) return 0;
  const fraction = Math.min(1, Math.max(0, (x - left) / width));
  return Math.round(fraction * durationMs);
}

/** Small and large steps of the seek slider's arrow and page keys. */
export const SEEK_STEP_MS = 5_000;
export const SEEK_PAGE_MS = 30_000;

/** Where a key press on the seek slider goes, or undefined for a key it does not handle. */
export function seekByKey(key: string, positionMs: number, durationMs: number): number | undefined {
  const clamp = (ms: number) => Math.min(durationMs, Math.max(0, Math.round(ms)));
  switch (key) {
    case 'ArrowRight':
    case 'ArrowUp':
      return clamp(positionMs + SEEK_STEP_MS);
    case 'ArrowLeft':
    case 'ArrowDown':
      return clamp(positionMs - SEEK_STEP_MS);
    case 'PageUp':
      return clamp(positionMs + SEEK_PAGE_MS);
    case 'PageDown':
      return clamp(positionMs - SEEK_PAGE_MS);
    case 'Home':
      return 0;
    case 'End':
      return clamp(durationMs);
    default:
      return undefined;
  }
}

export interface MomentComment {
  id: string;
  atMs: number | null;
}

export interface Marker {
  /** 0 to 1 across the waveform. */
  at: number;
  /** The moment of the first comment in the marker. */
  atMs: number;
  ids: string[];
}

/**
 * Comment markers along a waveform `widthPx` wide: comments closer than `gapPx` to the first of a
 * marker share that marker, so a busy moment shows one marker with a count, not a smear. Comments
 * without a moment, or past the end, are left out.
 */
export function placeMarkers(
  comments: readonly MomentComment[],
  durationMs: number,
  widthPx: number,
  gapPx = 10,
): Marker[] {
  if (durationMs <= 0) return [];
  const pinned = comments
    .filter((comment): comment is { id: string; atMs: number } => comment.atMs !== null)
    .filter((comment) => comment.atMs >= 0 && comment.atMs <= durationMs)
    .sort((a, b) => a.atMs - b.atMs || (a.id < b.id ? -1 : 1));
  const markers: Marker[] = [];
  for (const comment of pinned) {
    const at = comment.atMs / durationMs;
    const last = markers.at(-1);
    // Compared in whole numbers (distance × width against gap × duration), free of rounding.
    if (last && (comment.atMs - last.atMs) * widthPx < gapPx * durationMs) last.ids.push(comment.id);
    else markers.push({ at, atMs: comment.atMs, ids: [comment.id] });
  }
  return markers;
}
