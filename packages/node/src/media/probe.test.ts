import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import sharp from 'sharp';
import { type FfmpegBinaries, findFfmpeg } from './binaries.ts';
import { MediaError } from './errors.ts';
import { generateTone, tempDir, truncateCopy } from './fixtures.ts';
import { checkDecodes, decodedDurationMs, isClearlyShort, parseProbe, probeAudio } from './probe.ts';

const dir = await tempDir();
let bins: FfmpegBinaries;
const files: Record<string, string> = {};

before(async () => {
  bins = await findFfmpeg();
  const stereo = { seconds: 10, channels: 2 };
  [files.wav, files.flac, files.mp3] = await Promise.all([
    generateTone(join(dir, 'tone.wav'), stereo),
    generateTone(join(dir, 'tone.flac'), stereo),
    generateTone(join(dir, 'tone.mp3'), { ...stereo, extra: ['-b:a', '128k'] }),
  ]);
});

function rejectsWith(code: string, pattern?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof MediaError, `expected MediaError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

test('probeAudio describes a valid WAV, FLAC and MP3', async () => {
  const wav = await probeAudio(bins, files.wav!);
  assert.deepEqual(
    { ...wav, sizeBytes: undefined },
    {
      durationMs: 10_000,
      codec: 'pcm_s16le',
      container: 'wav',
      sampleRate: 44100,
      channels: 2,
      bitRate: 1_411_200,
      sizeBytes: undefined,
    },
  );
  assert.ok(wav.sizeBytes > 1_700_000);
  const flac = await probeAudio(bins, files.flac!);
  assert.equal(flac.codec, 'flac');
  assert.equal(flac.durationMs, 10_000);
  const mp3 = await probeAudio(bins, files.mp3!);
  assert.equal(mp3.codec, 'mp3');
  assert.equal(mp3.container, 'mp3');
  assert.ok(Math.abs(mp3.durationMs - 10_000) < 100);
});

test('probeAudio rejects a zero-byte file as empty', async () => {
  const empty = join(dir, 'empty.mp3');
  await writeFile(empty, '');
  await assert.rejects(probeAudio(bins, empty), rejectsWith('empty_file', /empty/));
});

test('probeAudio rejects a text file renamed .mp3 as not audio, without leaking the server path', async () => {
  const text = join(dir, 'notes.mp3');
  await writeFile(text, 'These are my lyrics, not an MP3 file at all.\n'.repeat(20));
  await assert.rejects(probeAudio(bins, text), (error: unknown) => {
    rejectsWith('not_audio', /Upload WAV, FLAC, MP3, AAC, Ogg or Opus/)(error);
    assert.doesNotMatch((error as Error).message, new RegExp(dir));
    return true;
  });
});

test('probeAudio rejects a PNG image as having no audio stream', async () => {
  const png = join(dir, 'cover.png');
  await sharp({ create: { width: 64, height: 64, channels: 3, background: '#c33' } })
    .png()
    .toFile(png);
  await assert.rejects(probeAudio(bins, png), rejectsWith('not_audio', /no audio stream/));
});

test('probeAudio rejects audio shorter than one second', async () => {
  const short = await generateTone(join(dir, 'short.wav'), { seconds: 0.5 });
  await assert.rejects(probeAudio(bins, short), rejectsWith('audio_too_short', /1 second/));
});

test('parseProbe rejects codecs outside the supported list', () => {
  const json = JSON.stringify({
    streams: [{ codec_type: 'audio', codec_name: 'amr_nb', sample_rate: '8000', channels: 1, duration: '5' }],
    format: { format_name: 'amr', duration: '5' },
  });
  assert.throws(() => parseProbe(json, 1000), rejectsWith('unsupported_audio', /amr_nb/));
});

test('parseProbe rejects missing and over-long durations', () => {
  const stream = { codec_type: 'audio', codec_name: 'flac', sample_rate: '44100', channels: 2 };
  const noDuration = JSON.stringify({ streams: [stream], format: { format_name: 'flac' } });
  assert.throws(() => parseProbe(noDuration, 1000), rejectsWith('unknown_duration'));
  const long = JSON.stringify({ streams: [{ ...stream, duration: String(3 * 3600 + 1) }], format: {} });
  assert.throws(() => parseProbe(long, 1000), rejectsWith('audio_too_long', /3 hours/));
});

test('checkDecodes accepts complete WAV, FLAC and MP3 files', async () => {
  for (const path of [files.wav!, files.flac!, files.mp3!]) {
    const probe = await probeAudio(bins, path);
    await checkDecodes(bins, path, probe.durationMs);
  }
});

for (const format of ['wav', 'flac', 'mp3'] as const) {
  test(`checkDecodes rejects a ${format.toUpperCase()} cut to half its bytes`, async () => {
    const cut = await truncateCopy(files[format]!, join(dir, `cut.${format}`));
    // The header still looks fine, so the probe passes; only decoding to the end finds the damage.
    const probe = await probeAudio(bins, cut);
    await assert.rejects(checkDecodes(bins, cut, probe.durationMs), rejectsWith('truncated_audio'));
  });
}

test('checkDecodes rejects a WAV cut exactly on a sample boundary, which decodes without errors', async () => {
  const cut = await truncateCopy(files.wav!, join(dir, 'aligned.wav'), 0.5);
  const aligned = join(dir, 'aligned-even.wav');
  const bytes = await readFile(cut);
  await writeFile(aligned, bytes.subarray(0, 44 + Math.floor((bytes.length - 44) / 4) * 4));
  const probe = await probeAudio(bins, aligned);
  await assert.rejects(
    checkDecodes(bins, aligned, probe.durationMs),
    rejectsWith('truncated_audio', /WAV header/),
  );
});

test('checkDecodes rejects audio that decodes to clearly less than the declared duration', async () => {
  await assert.rejects(
    checkDecodes(bins, files.wav!, 20_000),
    rejectsWith('truncated_audio', /10\.0 s of the declared 20\.0 s/),
  );
});

test('isClearlyShort tolerates encoder padding but not missing seconds', () => {
  assert.equal(isClearlyShort(9_950, 10_000), false);
  assert.equal(isClearlyShort(8_000, 10_000), true);
  assert.equal(isClearlyShort(290_000, 300_000), true);
  assert.equal(isClearlyShort(296_000, 300_000), false);
});

test('decodedDurationMs takes the furthest out_time from -progress output', () => {
  assert.equal(
    decodedDurationMs('out_time_us=N/A\nout_time_us=1500000\nprogress=continue\nout_time_us=4999773\n'),
    5000,
  );
  assert.equal(decodedDurationMs('progress=end\n'), null);
});
