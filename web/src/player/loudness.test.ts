import { describe, expect, it } from 'vitest';
import { normalizationFactor, outputGain, volumeCurve } from './loudness.ts';

describe('loudness', () => {
  it('turns the stored gain into an amplitude factor, raising quiet tracks too', () => {
    expect(normalizationFactor(6, true)).toBeCloseTo(1.9953, 4);
    expect(normalizationFactor(-6, true)).toBeCloseTo(0.5012, 4);
    expect(normalizationFactor(0, true)).toBe(1);
  });

  it('leaves the track as it is when off or unknown', () => {
    expect(normalizationFactor(6, false)).toBe(1);
    expect(normalizationFactor(null, true)).toBe(1);
    expect(normalizationFactor(Number.NaN, true)).toBe(1);
  });

  it('puts the volume (squared, as loudness is heard) and mute on top', () => {
    expect(volumeCurve(0.5)).toBe(0.25);
    expect(volumeCurve(2)).toBe(1);
    expect(volumeCurve(-1)).toBe(0);
    expect(outputGain({ volume: 0.5, muted: false, normalize: true, gainDb: 6 })).toBeCloseTo(0.4988, 4);
    expect(outputGain({ volume: 1, muted: true, normalize: true, gainDb: 6 })).toBe(0);
    expect(outputGain({ volume: 0.9, muted: false, normalize: false, gainDb: 6 })).toBeCloseTo(0.81, 10);
  });
});
