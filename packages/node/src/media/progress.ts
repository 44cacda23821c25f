/**
 * Reads ffmpeg `-progress` output (key=value lines) and turns it into a monotonic fraction done.
 * Chunks can split lines anywhere, so a partial line is carried over.
 */
export class ProgressParser {
  readonly #durationUs: number;
  readonly #onProgress: (fraction: number) => void;
  #partial = '';
  #fraction = 0;
  #lastOutTimeUs: number | null = null;

  constructor(durationMs: number, onProgress: (fraction: number) => void) {
    this.#durationUs = durationMs * 1000;
    this.#onProgress = onProgress;
  }

  push(chunk: Buffer | string): void {
    const lines = (this.#partial + chunk.toString()).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#line(line.trim());
  }

  /** The furthest output time ffmpeg reported, in microseconds (null if it never reported one). */
  get lastOutTimeUs(): number | null {
    return this.#lastOutTimeUs;
  }

  #line(line: string): void {
    const outTimeUs = parseOutTimeUs(line);
    if (outTimeUs === null) return;
    this.#lastOutTimeUs = Math.max(this.#lastOutTimeUs ?? 0, outTimeUs);
    if (this.#durationUs <= 0) return;
    // 1 is reserved for "finished and verified"; the caller reports it after ffmpeg exits cleanly.
    const fraction = Math.min(0.99, outTimeUs / this.#durationUs);
    if (fraction <= this.#fraction) return;
    this.#fraction = fraction;
    this.#onProgress(fraction);
  }
}

/**
 * `out_time_us` is authoritative; ffmpeg < 5 only has `out_time_ms`, which despite its name is also
 * in microseconds. Both read "N/A" before the first frame.
 */
export function parseOutTimeUs(line: string): number | null {
  const match = /^out_time_(?:us|ms)=(-?\d+)$/.exec(line);
  if (!match) return null;
  const value = Number(match[1]);
  return value >= 0 ? value : null;
}
