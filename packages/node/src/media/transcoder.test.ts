import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { findFfmpeg } from './binaries.ts';
import { MediaError } from './errors.ts';
import { ffprobeJson, generateTone, tempDir } from './fixtures.ts';
import type { AudioProbe } from './probe.ts';
import { createFfmpegTranscoder, type Transcoder } from './transcoder.ts';

const dir = await tempDir();
let transcoder: Transcoder;
let input: string;
let probe: AudioProbe;

before(async () => {
  transcoder = createFfmpegTranscoder(await findFfmpeg());
  input = await generateTone(join(dir, 'song.wav'), { seconds: 20, channels: 2, sampleRate: 44100 });
  probe = await transcoder.probe(input);
});

test('renditions writes Opus, AAC, a preview, loudness and a waveform from one ffmpeg run', async () => {
  const fractions: number[] = [];
  const result = await transcoder.renditions(input, join(dir, 'out'), probe, (fraction) =>
    fractions.push(fraction),
  );

  const opus = await ffprobeJson(result.opus.path);
  assert.equal(opus.streams[0]?.codec_name, 'opus');
  assert.equal(opus.format.format_name, 'ogg');
  assert.equal(result.opus.mime, 'audio/ogg; codecs=opus');

  const aac = await ffprobeJson(result.aac.path);
  assert.equal(aac.streams[0]?.codec_name, 'aac');
  assert.equal(aac.streams[0]?.sample_rate, '44100');
  assert.equal(result.aac.mime, 'audio/mp4');
  assert.equal(aac.format.tags?.title, undefined);

  const preview = await ffprobeJson(result.preview.path);
  assert.equal(preview.streams[0]?.codec_name, 'aac');
  // A 20 s track is previewed whole.
  assert.ok(Math.abs(Number(preview.format.duration) - 20) < 0.2, `preview ${preview.format.duration} s`);

  // The generated tone peaks around -21 dBFS; -14 LUFS needs about +7.8 dB, well under the peak cap.
  assert.ok(result.loudness.integratedLufs > -24 && result.loudness.integratedLufs < -19);
  assert.ok(result.loudness.truePeakDbtp > -23 && result.loudness.truePeakDbtp < -19);
  assert.ok(Math.abs(result.loudness.gainDb - (-14 - result.loudness.integratedLufs)) < 0.02);

  const { waveform } = result;
  assert.equal(waveform.version, 2);
  assert.equal(waveform.sample_rate, 8000);
  assert.ok(Math.abs(waveform.length - 1800) <= 5, `waveform length ${waveform.length}`);
  assert.equal(waveform.data.length, waveform.length * 2);
  assert.ok(waveform.data.every((value) => Number.isInteger(value) && value >= -128 && value <= 127));
  // A steady tone gives the same envelope everywhere, well inside full scale.
  assert.ok(Math.max(...waveform.data) > 5 && Math.max(...waveform.data) < 20);

  assert.equal(fractions.at(-1), 1);
  assert.ok(
    fractions.every((fraction, i) => i === 0 || fraction > fractions[i - 1]!),
    'progress is monotonic',
  );
});

test('renditions starts the preview of a long track a third of the way in and keeps it to 30 s', async () => {
  const long = await generateTone(join(dir, 'long.flac'), { seconds: 45, extra: ['-ar', '48000'] });
  const longProbe = await transcoder.probe(long);
  const result = await transcoder.renditions(long, join(dir, 'long'), longProbe, () => {});
  const preview = await ffprobeJson(result.preview.path);
  assert.ok(Math.abs(Number(preview.format.duration) - 30) < 0.2, `preview ${preview.format.duration} s`);
  assert.equal(preview.streams[0]?.sample_rate, '48000');
});

test('renditions kills ffmpeg and rejects when aborted', async () => {
  const controller = new AbortController();
  const started = Date.now();
  const stop = () => controller.abort(new Error('stop'));
  const run = transcoder.renditions(input, join(dir, 'aborted'), probe, stop, controller.signal);
  await assert.rejects(run, /stop/);
  assert.ok(Date.now() - started < 5_000);
});

test('renditions reports ffmpeg failures with the last stderr lines and no server paths', async () => {
  const missing = join(dir, 'vanished.wav');
  await assert.rejects(
    transcoder.renditions(missing, join(dir, 'failed'), probe, () => {}),
    (error: unknown) => {
      assert.ok(error instanceof MediaError);
      assert.equal(error.code, 'ffmpeg_failed');
      assert.match(error.message, /vanished\.wav: No such file or directory/);
      assert.doesNotMatch(error.message, new RegExp(dir));
      return true;
    },
  );
  await assert.rejects(stat(join(dir, 'failed', 'audio.opus')));
});
