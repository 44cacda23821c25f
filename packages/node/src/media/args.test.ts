import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  aacSampleRate,
  decodeCheckArgs,
  outputChannels,
  PROGRESS_FD,
  previewFilter,
  previewWindow,
  probeArgs,
  type RenditionOptions,
  renditionArgs,
  renditionFilterGraph,
} from './args.ts';

const options: RenditionOptions = {
  input: '/in/track.flac',
  opusPath: '/out/audio.opus',
  aacPath: '/out/audio.m4a',
  previewPath: '/out/preview.m4a',
  sourceSampleRate: 96000,
  sourceChannels: 6,
  preview: { start: 60, length: 30 },
  waveformSampleRate: 8000,
};

/** One output's options, from its `-map` to its file name, so settings are checked per output. */
function outputSection(args: string[], outputPath: string): string[] {
  const end = args.indexOf(outputPath);
  const start = args.lastIndexOf('-map', end);
  return args.slice(start, end + 1);
}

function valueAfter(args: string[], flag: string): string | undefined {
  return args[args.indexOf(flag) + 1];
}

test('probeArgs asks ffprobe for JSON format and stream info and shields the path from option parsing', () => {
  assert.deepEqual(probeArgs('-weird.mp3'), [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    '--',
    '-weird.mp3',
  ]);
});

test('decodeCheckArgs decodes the first audio stream to null, logs only errors, reports progress on stdout', () => {
  const args = decodeCheckArgs('/in/a.flac');
  assert.equal(valueAfter(args, '-v'), 'error');
  assert.equal(valueAfter(args, '-i'), '/in/a.flac');
  assert.equal(valueAfter(args, '-map'), '0:a:0');
  assert.equal(valueAfter(args, '-f'), 'null');
  assert.equal(valueAfter(args, '-progress'), 'pipe:1');
  assert.ok(args.includes('-nostdin'));
});

test('previewWindow plays short tracks whole', () => {
  assert.deepEqual(previewWindow(12.5), { start: 0, length: 12.5 });
  assert.deepEqual(previewWindow(30), { start: 0, length: 30 });
});

test('previewWindow starts a third of the way into long tracks', () => {
  assert.deepEqual(previewWindow(240), { start: 80, length: 30 });
  assert.deepEqual(previewWindow(100), { start: 33.333, length: 30 });
});

test('previewWindow slides back so the clip fits inside tracks just over 30 s', () => {
  assert.deepEqual(previewWindow(40), { start: 10, length: 30 });
  assert.deepEqual(previewWindow(31), { start: 1, length: 30 });
});

test('aacSampleRate keeps the 44.1 kHz family and maps everything else to 48 kHz', () => {
  assert.equal(aacSampleRate(44100), 44100);
  assert.equal(aacSampleRate(88200), 44100);
  assert.equal(aacSampleRate(22050), 44100);
  assert.equal(aacSampleRate(48000), 48000);
  assert.equal(aacSampleRate(96000), 48000);
  assert.equal(aacSampleRate(16000), 48000);
});

test('outputChannels keeps mono and stereo and folds surround to stereo', () => {
  assert.equal(outputChannels(1), 1);
  assert.equal(outputChannels(2), 2);
  assert.equal(outputChannels(6), 2);
});

test('previewFilter trims the window, rebases timestamps and fades both ends', () => {
  assert.equal(
    previewFilter({ start: 60, length: 30 }),
    'atrim=start=60:duration=30,asetpts=PTS-STARTPTS,afade=t=in:st=0:d=1,afade=t=out:st=28:d=2',
  );
});

test('previewFilter shortens fades for very short clips', () => {
  assert.equal(
    previewFilter({ start: 0, length: 2 }),
    'atrim=start=0:duration=2,asetpts=PTS-STARTPTS,afade=t=in:st=0:d=0.5,afade=t=out:st=1.5:d=0.5',
  );
});

test('renditionFilterGraph splits one decode into five branches with loudness measured with true peak', () => {
  const graph = renditionFilterGraph({ start: 60, length: 30 });
  assert.match(graph, /^\[0:a:0\]asplit=5\[opus\]\[aac\]\[pre\]\[loud\]\[wave\];/);
  assert.match(graph, /\[pre\]atrim=start=60:duration=30,.*\[preview\]/);
  assert.match(graph, /\[loud\]ebur128=peak=true:framelog=verbose\[loudness\]/);
});

test('renditionArgs reads the input once and reports progress on the dedicated fd', () => {
  const args = renditionArgs(options);
  assert.equal(args.filter((arg) => arg === '-i').length, 1);
  assert.equal(valueAfter(args, '-progress'), `pipe:${PROGRESS_FD}`);
  assert.equal(valueAfter(args, '-loglevel'), 'info');
  assert.ok(args.includes('-nostdin'));
});

test('renditionArgs encodes Opus at 160 kb/s, 48 kHz in Ogg without metadata', () => {
  const opus = outputSection(renditionArgs(options), '/out/audio.opus');
  assert.deepEqual(opus.slice(0, 2), ['-map', '[opus]']);
  assert.equal(valueAfter(opus, '-c:a'), 'libopus');
  assert.equal(valueAfter(opus, '-b:a'), '160k');
  assert.equal(valueAfter(opus, '-ar'), '48000');
  assert.equal(valueAfter(opus, '-ac'), '2');
  assert.equal(valueAfter(opus, '-map_metadata'), '-1');
  assert.equal(valueAfter(opus, '-f'), 'ogg');
});

test('renditionArgs encodes AAC-LC at 192 kb/s in faststart MP4 without metadata', () => {
  const aac = outputSection(renditionArgs(options), '/out/audio.m4a');
  assert.deepEqual(aac.slice(0, 2), ['-map', '[aac]']);
  assert.equal(valueAfter(aac, '-c:a'), 'aac');
  assert.equal(valueAfter(aac, '-b:a'), '192k');
  assert.equal(valueAfter(aac, '-ar'), '48000');
  assert.equal(valueAfter(aac, '-movflags'), '+faststart');
  assert.equal(valueAfter(aac, '-map_metadata'), '-1');
  assert.equal(valueAfter(aac, '-f'), 'mp4');
});

test('renditionArgs encodes the preview branch as 128 kb/s AAC', () => {
  const preview = outputSection(renditionArgs(options), '/out/preview.m4a');
  assert.deepEqual(preview.slice(0, 2), ['-map', '[preview]']);
  assert.equal(valueAfter(preview, '-c:a'), 'aac');
  assert.equal(valueAfter(preview, '-b:a'), '128k');
  assert.equal(valueAfter(preview, '-movflags'), '+faststart');
});

test('renditionArgs sends loudness to the null muxer and mono PCM for peaks to stdout', () => {
  const args = renditionArgs(options);
  const loudness = outputSection(args, '-');
  assert.deepEqual(loudness, ['-map', '[loudness]', '-f', 'null', '-']);
  const wave = outputSection(args, 'pipe:1');
  assert.deepEqual(wave, [
    ...['-map', '[wave]', '-c:a', 'pcm_s16le', '-ar', '8000', '-ac', '1'],
    ...['-f', 's16le', 'pipe:1'],
  ]);
});
