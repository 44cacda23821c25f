import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { gainFor, loudnessFrom, parseEbur128Summary } from './loudness.ts';

/** Verbatim tail of ffmpeg 5.1 stderr, including the empty summary it prints for the probe graph. */
const FFMPEG_5_STDERR = `[Parsed_ebur128_0 @ 0x557d4d5073c0] Summary:

  Integrated loudness:
    I:         -70.0 LUFS
    Threshold:   0.0 LUFS

  Loudness range:
    LRA:         0.0 LU
    Threshold:   0.0 LUFS
    LRA low:     0.0 LUFS
    LRA high:    0.0 LUFS

  True peak:
    Peak:       -inf dBFS
Stream mapping:
  Stream #0:0 (pcm_s16le) -> ebur128:default
size=N/A time=00:00:03.00 bitrate=N/A speed=78.5x
video:0kB audio:562kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
[Parsed_ebur128_0 @ 0x557d4d511f00] Summary:

  Integrated loudness:
    I:         -21.8 LUFS
    Threshold: -31.8 LUFS

  Loudness range:
    LRA:         0.0 LU
    Threshold: -41.8 LUFS
    LRA low:   -21.8 LUFS
    LRA high:  -21.8 LUFS

  True peak:
    Peak:      -21.1 dBFS
[aac @ 0x5567be8cdf00] Qavg: 614.947
`;

const SILENT_SUMMARY = `[Parsed_ebur128_0 @ 0x55f72a6681c0] Summary:

  Integrated loudness:
    I:         -70.0 LUFS
    Threshold:   0.0 LUFS

  True peak:
    Peak:       -inf dBFS
`;

test('parseEbur128Summary reads the last summary, not the empty probe one', () => {
  assert.deepEqual(parseEbur128Summary(FFMPEG_5_STDERR), {
    integratedLufs: -21.8,
    truePeakDbtp: -21.1,
    gainDb: 7.8,
  });
});

test('parseEbur128Summary gives silence a finite peak and no gain', () => {
  assert.deepEqual(parseEbur128Summary(SILENT_SUMMARY), {
    integratedLufs: -70,
    truePeakDbtp: -144,
    gainDb: 0,
  });
});

test('parseEbur128Summary returns null when ffmpeg printed no summary', () => {
  assert.equal(parseEbur128Summary('Conversion failed!\n'), null);
  assert.equal(parseEbur128Summary('Summary:\n  Integrated loudness:\n    I: nope LUFS\n'), null);
});

test('gainFor raises quiet tracks toward -14 LUFS', () => {
  assert.equal(gainFor(-20, -10), 6);
});

test('gainFor lowers loud tracks to -14 LUFS', () => {
  assert.equal(gainFor(-8, -0.5), -6);
});

test('gainFor caps the gain so the true peak stays at or below -1 dBTP', () => {
  assert.equal(gainFor(-20, -3), 2);
  const { gainDb, truePeakDbtp } = loudnessFrom(-20, -3);
  assert.ok(truePeakDbtp + gainDb <= -1);
});

test('loudnessFrom rounds to hundredths without producing negative zero', () => {
  assert.deepEqual(loudnessFrom(-14.004, -5.126), { integratedLufs: -14, truePeakDbtp: -5.13, gainDb: 0 });
  assert.ok(Object.is(loudnessFrom(-14.004, -5).gainDb, 0));
});

test('parseEbur128Summary reads real ffmpeg output for a near-full-scale tone', () => {
  const { stderr } = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-nostdin', '-nostats', '-f', 'lavfi'],
      ...['-i', 'aevalsrc=0.95*sin(2*PI*1000*t)|0.95*sin(2*PI*1000*t):s=48000:d=3'],
      ...['-filter_complex', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-'],
    ],
    { encoding: 'utf8' },
  );
  const loudness = parseEbur128Summary(stderr);
  assert.ok(loudness);
  // A 0.95-amplitude 1 kHz stereo sine measures about -0.4 LUFS with a -0.4 dBTP peak.
  assert.ok(Math.abs(loudness.integratedLufs + 0.4) < 0.3, `integrated ${loudness.integratedLufs}`);
  assert.ok(Math.abs(loudness.truePeakDbtp + 0.4) < 0.3, `peak ${loudness.truePeakDbtp}`);
  assert.equal(loudness.gainDb, Math.round((-14 - loudness.integratedLufs) * 100) / 100);
});
