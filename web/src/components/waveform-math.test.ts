import { describe, expect, it } from 'vitest';
import { MIN_BAR, momentAt, parseWaveform, placeMarkers, scalePeaks, seekByKey } from './waveform-math.ts';

describe('parseWaveform', () => {
  it('reads 8-bit min/max pairs as loudness from 0 to 1', () => {
    const json = { version: 2, channels: 1, bits: 8, length: 3, data: [-64, 64, 0, 0, -128, 127] };
    expect(parseWaveform(json)).toEqual([0.5, 0, 1]);
  });

  it('reads 16-bit data and takes the first channel of several', () => {
    const json = { version: 2, channels: 2, bits: 16, data: [-16384, 100, -32768, 32767, 0, 8192, 1, 1] };
    expect(parseWaveform(json)).toEqual([0.5, 0.25]);
  });

  it('refuses what is not audiowaveform JSON', () => {
    expect(parseWaveform(null)).toBeUndefined();
    expect(parseWaveform({ bits: 8 })).toBeUndefined();
    expect(parseWaveform({ bits: 12, data: [] })).toBeUndefined();
    expect(parseWaveform({ bits: 8, data: ['x', 1] })).toBeUndefined();
  });
});

describe('scalePeaks', () => {
  it('takes the loudest point of each bar and scales the loudest bar to full height', () => {
    expect(scalePeaks([0.1, 0.2, 0.05, 0.4], 2)).toEqual([0.5, 1]);
  });

  it('stretches fewer points over more bars', () => {
    expect(scalePeaks([0.5, 1], 4)).toEqual([0.5, 0.5, 1, 1]);
  });

  it('keeps silence visible as the shortest bar', () => {
    expect(scalePeaks([0, 0, 0], 3)).toEqual([MIN_BAR, MIN_BAR, MIN_BAR]);
    expect(scalePeaks([], 2)).toEqual([MIN_BAR, MIN_BAR]);
    expect(scalePeaks([0, 1], 2)).toEqual([MIN_BAR, 1]);
  });
});

describe('seeking', () => {
  it('maps a pointer to a moment, clamped to the track', () => {
    expect(momentAt(150, 100, 200, 60_000)).toBe(15_000);
    expect(momentAt(50, 100, 200, 60_000)).toBe(0);
    expect(momentAt(400, 100, 200, 60_000)).toBe(60_000);
  });

  it('moves by keys within the track', () => {
    expect(seekByKey('ArrowRight', 10_000, 60_000)).toBe(15_000);
    expect(seekByKey('ArrowLeft', 3_000, 60_000)).toBe(0);
    expect(seekByKey('PageUp', 40_000, 60_000)).toBe(60_000);
    expect(seekByKey('Home', 40_000, 60_000)).toBe(0);
    expect(seekByKey('End', 0, 60_000)).toBe(60_000);
    expect(seekByKey('a', 0, 60_000)).toBeUndefined();
  });
});

describe('placeMarkers', () => {
  it('puts each comment at its moment and leaves out those without one', () => {
    const markers = placeMarkers(
      [
        { id: 'b', atMs: 30_000 },
        { id: 'a', atMs: 0 },
        { id: 'n', atMs: null },
        { id: 'late', atMs: 70_000 },
      ],
      60_000,
      600,
    );
    expect(markers).toEqual([
      { at: 0, atMs: 0, ids: ['a'] },
      { at: 0.5, atMs: 30_000, ids: ['b'] },
    ]);
  });

  it('gathers comments closer than the gap into one marker', () => {
    // 600 px for 60 s: 10 px is 1 s.
    const markers = placeMarkers(
      [
        { id: 'a', atMs: 10_000 },
        { id: 'b', atMs: 10_500 },
        { id: 'c', atMs: 10_900 },
        { id: 'd', atMs: 11_000 },
      ],
      60_000,
      600,
      10,
    );
    expect(markers.map((marker) => marker.ids)).toEqual([['a', 'b', 'c'], ['d']]);
  });
});
