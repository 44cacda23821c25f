/** audiowaveform's JSON format, version 2, so existing waveform players can render it unchanged. */
export interface AudiowaveformJson {
  version: 2;
  channels: 1;
  sample_rate: number;
  samples_per_pixel: number;
  bits: 8;
  length: number;
  data: number[];
}

/** Enough points for a full-width player on a large screen without a heavy JSON payload. */
export const WAVEFORM_POINTS = 1800;

/** PCM rate the transcoder produces for peaks; plenty for a picture, small enough to stream cheaply. */
export const WAVEFORM_SAMPLE_RATE = 8000;

/** Fixes the pixel size up front from the probed duration, since peaks are computed while streaming. */
export function samplesPerPixelFor(durationMs: number, sampleRate: number, points = WAVEFORM_POINTS): number {
  const totalSamples = (durationMs / 1000) * sampleRate;
  return Math.max(1, Math.round(totalSamples / points));
}

/** Folds a stream of signed 16-bit little-endian mono PCM into min/max pairs per pixel. */
export class WaveformBuilder {
  readonly #sampleRate: number;
  readonly #samplesPerPixel: number;
  readonly #data: number[] = [];
  /** A sample's low byte when a chunk ended between the two bytes of a sample. */
  #carry: number | null = null;
  #min = 0;
  #max = 0;
  #count = 0;

  constructor(options: { sampleRate: number; samplesPerPixel: number }) {
    if (!Number.isInteger(options.samplesPerPixel) || options.samplesPerPixel < 1) {
      throw new RangeError('samplesPerPixel must be a positive integer');
    }
    this.#sampleRate = options.sampleRate;
    this.#samplesPerPixel = options.samplesPerPixel;
  }

  push(chunk: Uint8Array): void {
    let offset = 0;
    if (this.#carry !== null && chunk.length > 0) {
      this.#sample(toInt16(this.#carry, chunk[0]!));
      this.#carry = null;
      offset = 1;
    }
    for (; offset + 1 < chunk.length; offset += 2) {
      this.#sample(toInt16(chunk[offset]!, chunk[offset + 1]!));
    }
    if (offset < chunk.length) this.#carry = chunk[offset]!;
  }

  finish(): AudiowaveformJson {
    // A trailing half pixel still covers real audio, so it is kept; a trailing lone byte is not a sample.
    if (this.#count > 0) this.#flush();
    return {
      version: 2,
      channels: 1,
      sample_rate: this.#sampleRate,
      samples_per_pixel: this.#samplesPerPixel,
      bits: 8,
      length: this.#data.length / 2,
      data: this.#data,
    };
  }

  #sample(value: number): void {
    if (this.#count === 0 || value < this.#min) this.#min = value;
    if (this.#count === 0 || value > this.#max) this.#max = value;
    this.#count += 1;
    if (this.#count === this.#samplesPerPixel) this.#flush();
  }

  #flush(): void {
    // Dropping the low byte maps -32768..32767 onto audiowaveform's 8-bit range -128..127.
    this.#data.push(this.#min >> 8, this.#max >> 8);
    this.#count = 0;
  }
}

function toInt16(low: number, high: number): number {
  return (((high << 8) | low) << 16) >> 16;
}
