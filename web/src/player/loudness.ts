/**
 * Loudness normalization to -14 LUFS from the gain the node measured at upload, and the volume on
 * top of it. Web Audio (element → MediaElementAudioSourceNode → GainNode → speakers) so that a
 * quiet track can be raised too, which the element's own volume (at most 1) cannot do.
 */

/** The slider's 0–1 to an amplitude: the ear hears loudness roughly logarithmically. */
export function volumeCurve(volume: number): number {
  const v = Math.min(1, Math.max(0, Number.isFinite(volume) ? volume : 1));
  return v * v;
}

/** The stored gain as an amplitude factor; 1 when normalization is off or the loudness is unknown. */
export function normalizationFactor(gainDb: number | null | undefined, enabled: boolean): number {
  if (!enabled || gainDb === null || gainDb === undefined || !Number.isFinite(gainDb)) return 1;
  // The node caps the gain at the true peak; this also guards against a wild value.
  return 10 ** (Math.min(24, Math.max(-60, gainDb)) / 20);
}

export interface GainSettings {
  volume: number;
  muted: boolean;
  normalize: boolean;
  gainDb: number | null | undefined;
}

export function outputGain(settings: GainSettings): number {
  if (settings.muted) return 0;
  return volumeCurve(settings.volume) * normalizationFactor(settings.gainDb, settings.normalize);
}

/**
 * The audio graph, made on the first play (browsers only start audio after a gesture). Without
 * Web Audio the element's volume does what it can (normalization can then only lower).
 */
export class AudioChain {
  readonly #element: HTMLAudioElement;
  #context: AudioContext | undefined;
  #gain: GainNode | undefined;
  #failed = false;
  #value = 1;

  constructor(element: HTMLAudioElement) {
    this.#element = element;
  }

  /** Creates the graph if needed and wakes it; call from the play gesture, before element.play(). */
  ensure(): void {
    if (!this.#context && !this.#failed) {
      try {
        const Context =
          window.AudioContext ?? (window as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
        if (!Context) throw new Error('no Web Audio');
        const context = new Context();
        const source = context.createMediaElementSource(this.#element);
        const gain = context.createGain();
        gain.gain.value = this.#value;
        source.connect(gain).connect(context.destination);
        this.#context = context;
        this.#gain = gain;
        this.#element.volume = 1;
        this.#element.muted = false;
      } catch {
        this.#failed = true;
      }
    }
    if (this.#context?.state === 'suspended') void this.#context.resume().catch(() => {});
  }

  get running(): boolean {
    return this.#context?.state === 'running';
  }

  set(value: number): void {
    this.#value = value;
    if (this.#gain && this.#context) {
      // A short ramp: a jump in gain clicks.
      this.#gain.gain.setTargetAtTime(value, this.#context.currentTime, 0.02);
    } else {
      this.#element.muted = value === 0;
      this.#element.volume = Math.min(1, Math.max(0, value));
    }
  }
}
