import assert from 'node:assert/strict';
import { test } from 'node:test';
import { samplesPerPixelFor, WaveformBuilder } from './waveform.ts';

function pcm(samples: number[]): Buffer {
  const buffer = Buffer.alloc(samples.length * 2);
  samples.forEach((sample, index) => {
    buffer.writeInt16LE(sample, index * 2);
  });
  return buffer;
}

test('WaveformBuilder emits min/max pairs per pixel scaled to 8 bits', () => {
  const builder = new WaveformBuilder({ sampleRate: 8000, samplesPerPixel: 2 });
  builder.push(pcm([32767, -32768, 256, 512, -256, -1]));
  assert.deepEqual(builder.finish(), {
    version: 2,
    channels: 1,
    sample_rate: 8000,
    samples_per_pixel: 2,
    bits: 8,
    length: 3,
    data: [-128, 127, 1, 2, -1, -1],
  });
});

test('WaveformBuilder joins a sample split across chunks at an odd byte', () => {
  const bytes = pcm([1000, -20000, 30000, -5]);
  const whole = new WaveformBuilder({ sampleRate: 8000, samplesPerPixel: 1 });
  whole.push(bytes);
  const split = new WaveformBuilder({ sampleRate: 8000, samplesPerPixel: 1 });
  split.push(bytes.subarray(0, 3));
  split.push(bytes.subarray(3, 3));
  split.push(bytes.subarray(3, 5));
  split.push(bytes.subarray(5));
  assert.deepEqual(split.finish(), whole.finish());
});

test('WaveformBuilder keeps a final partial pixel and drops a dangling byte', () => {
  const builder = new WaveformBuilder({ sampleRate: 8000, samplesPerPixel: 4 });
  builder.push(Buffer.concat([pcm([0, 0, 0, 0, 12800, -12800]), Buffer.from([0x7f])]));
  const result = builder.finish();
  assert.equal(result.length, 2);
  assert.deepEqual(result.data, [0, 0, -50, 50]);
});

test('WaveformBuilder returns an empty waveform for no audio', () => {
  const builder = new WaveformBuilder({ sampleRate: 8000, samplesPerPixel: 10 });
  assert.deepEqual(builder.finish().data, []);
});

test('WaveformBuilder rejects a non-positive pixel size', () => {
  assert.throws(() => new WaveformBuilder({ sampleRate: 8000, samplesPerPixel: 0 }), RangeError);
});

function pointsFor(durationMs: number): number {
  return Math.ceil(((durationMs / 1000) * 8000) / samplesPerPixelFor(durationMs, 8000));
}

test('samplesPerPixelFor yields about 1,800 points for typical and very long tracks', () => {
  for (const durationMs of [20_000, 215_000, 3 * 3600_000]) {
    const points = pointsFor(durationMs);
    assert.ok(Math.abs(points - 1800) <= 20, `${durationMs} ms → ${points} points`);
  }
});

test('samplesPerPixelFor stays within about 10% of 1,800 points for a one-second track', () => {
  // Whole samples per pixel make very short tracks coarse: 8,000 samples / 4 = 2,000 points.
  assert.equal(pointsFor(1_000), 2000);
});

test('samplesPerPixelFor never goes below one sample per pixel', () => {
  assert.equal(samplesPerPixelFor(100, 8000), 1);
});

test('WaveformBuilder streams a long synthetic sine in small chunks to about 1,800 in-range points', () => {
  const sampleRate = 8000;
  const durationMs = 60_000;
  const builder = new WaveformBuilder({
    sampleRate,
    samplesPerPixel: samplesPerPixelFor(durationMs, sampleRate),
  });
  const totalSamples = (durationMs / 1000) * sampleRate;
  const chunkSamples = 4097;
  for (let start = 0; start < totalSamples; start += chunkSamples) {
    const count = Math.min(chunkSamples, totalSamples - start);
    const samples = Array.from({ length: count }, (_, i) =>
      Math.round(16000 * Math.sin((2 * Math.PI * 440 * (start + i)) / sampleRate)),
    );
    builder.push(pcm(samples));
  }
  const result = builder.finish();
  assert.ok(Math.abs(result.length - 1800) <= 5, `length ${result.length}`);
  assert.equal(result.data.length, result.length * 2);
  assert.ok(result.data.every((value) => value >= -128 && value <= 127));
  assert.equal(Math.max(...result.data), 62);
  assert.equal(Math.min(...result.data), -63);
});
