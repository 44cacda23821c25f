/**
 * Upload-to-ready benchmark: how long a 5-minute stereo 44.1 kHz WAV takes from the start of its
 * upload until listeners can stream it and until every rendition is done, against ffmpeg alone
 * running the very command the node runs, interleaved in one run so that drift hits both alike.
 *
 *   npm run bench:upload            (BENCH_RUNS=3 by default)
 *
 * Goal (from the issue): streamable within 1.5x, complete within 1.2x of ffmpeg alone.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Track } from '@fairstream/sdk';
import { PROGRESS_FD, previewWindow, renditionArgs } from '../packages/node/src/media/args.ts';
import { type FfmpegBinaries, findFfmpeg } from '../packages/node/src/media/binaries.ts';
import { probeAudio } from '../packages/node/src/media/probe.ts';
import { WAVEFORM_SAMPLE_RATE } from '../packages/node/src/media/waveform.ts';
import { hashFile } from '../packages/node/src/storage/cid.ts';
import {
  generateMusic,
  getTrack,
  isFinished,
  median,
  type NodeProcess,
  runBenchmark,
  signInFresh,
  sleep,
  spawnTracked,
  startNode,
  table,
  tail,
  tempDir,
  uploadAudio,
  verdict,
} from './lib.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TRACK_SECONDS = 300;
const POLL_MS = 50;
const TIMEOUT_MS = 180_000;
const GOAL_STREAMABLE = 1.5;
const GOAL_COMPLETE = 1.2;

interface ReferenceRun {
  seconds: number;
  /**
   * To show the node produced the same outputs: the AAC files are byte-identical run to run, the
   * Ogg muxer picks a random stream serial, so for Opus only the size can match.
   */
  outputs: { opusBytes: number; aacCid: string; previewCid: string };
}

interface UploadRun {
  /** The 202 arrived: body received, hashed, probed, fully decoded once, committed. */
  acknowledged: number;
  /** The first poll that saw the transcode stage (renditions, loudness, waveform) done. */
  transcoded: number;
  /** The first anonymous range request on /stream?format=opus that got a 206. */
  streamable: number;
  /** The first poll that saw every stage done or skipped. */
  complete: number;
  track: Track;
}

runBenchmark(async () => {
  const cores = availableParallelism();
  const work = await tempDir('fairstream-bench-upload-');
  const bins = await findFfmpeg();

  const wavs: string[] = [];
  for (let run = 1; run <= RUNS; run++) {
    step(`generating WAV ${run}/${RUNS} (${TRACK_SECONDS / 60} min, stereo, 44.1 kHz, 16-bit)`);
    const wav = join(work, `take-${run}.wav`);
    // A different seed per run: the node refuses the same audio twice from one owner.
    await generateWav(bins, wav, run);
    wavs.push(wav);
  }
  const wavBytes = (await stat(wavs[0]!)).size;

  step('starting a Fairstream node');
  const node = await startNode(join(work, 'node-data'), join(work, 'node.log'));
  const token = await signInFresh(node.url);

  const references: ReferenceRun[] = [];
  const uploads: UploadRun[] = [];
  for (const [index, wav] of wavs.entries()) {
    step(`run ${index + 1}/${RUNS}: ffmpeg alone`);
    references.push(await reference(bins, wav, join(work, `reference-${index + 1}`)));
    step(`run ${index + 1}/${RUNS}: upload to the node and wait until ready`);
    uploads.push(await uploadUntilReady(node, token, wav, `Upload benchmark ${index + 1}`));
  }

  const sameOutputs = uploads.map((upload, index) => {
    const rendition = (format: string) => upload.track.renditions.find((r) => r.format === format);
    const expected = references[index]!.outputs;
    return (
      rendition('opus')?.size === expected.opusBytes &&
      rendition('aac')?.cid === expected.aacCid &&
      rendition('preview')?.cid === expected.previewCid
    );
  });
  const ffmpegMedian = median(references.map((r) => r.seconds));
  const med = (pick: (run: UploadRun) => number) => median(uploads.map(pick));
  const streamableRatio = med((u) => u.streamable) / ffmpegMedian;
  const completeRatio = med((u) => u.complete) / ffmpegMedian;
  const coincide = uploads.every((u) => Math.abs(u.complete - u.streamable) <= (2 * POLL_MS) / 1000);

  const s = (value: number) => value.toFixed(2);
  const out: string[] = [''];
  out.push(
    `Upload to ready: ${RUNS} runs, each a different ${TRACK_SECONDS / 60}-minute stereo 44.1 kHz 16-bit WAV ` +
      `(${(wavBytes / 2 ** 20).toFixed(1)} MiB), no cover; ${cores} cores; ffmpeg ${bins.version} (${bins.ffmpeg}).`,
  );
  out.push(
    '"ffmpeg alone": the node\'s own rendition command (renditionArgs: Opus, AAC, preview, EBU R128, ' +
      'waveform PCM) with its pipes drained. Node times start with the upload request; the track is polled ' +
      `every ${POLL_MS} ms and, in parallel, its Opus stream is requested anonymously until it answers 206.`,
  );
  out.push(
    '"same outputs": the node\'s AAC and preview have the same CIDs as ffmpeg alone\'s and its Opus the same ' +
      'size (the Ogg muxer picks a random stream serial, so Opus bytes differ run to run).',
  );
  out.push('');
  out.push(
    table(
      [
        'run',
        'ffmpeg alone (s)',
        'upload acknowledged (s)',
        'renditions stored (s)',
        'streamable (s)',
        'complete (s)',
        'same outputs',
      ],
      [
        ...uploads.map((upload, index) => [
          String(index + 1),
          s(references[index]!.seconds),
          s(upload.acknowledged),
          s(upload.transcoded),
          s(upload.streamable),
          s(upload.complete),
          sameOutputs[index] ? 'yes' : 'NO',
        ]),
        [
          'median',
          s(ffmpegMedian),
          s(med((u) => u.acknowledged)),
          s(med((u) => u.transcoded)),
          s(med((u) => u.streamable)),
          s(med((u) => u.complete)),
          '',
        ],
      ],
    ),
  );
  out.push('');
  out.push(
    `Streamable / ffmpeg alone: ${streamableRatio.toFixed(2)} (goal <= ${GOAL_STREAMABLE}) -> ` +
      verdict(streamableRatio <= GOAL_STREAMABLE),
  );
  out.push(
    `Complete / ffmpeg alone:   ${completeRatio.toFixed(2)} (goal <= ${GOAL_COMPLETE}) -> ` +
      verdict(completeRatio <= GOAL_COMPLETE),
  );
  out.push(
    coincide
      ? 'Streamable and complete coincide (within two polls): the pipeline makes a track ready, and so ' +
          'streamable, only once every stage is done.'
      : 'Streamable and complete differ by more than two polls in some run (see the table).',
  );
  out.push(
    `Time to the 202 (upload, hashing, probe and full decode check): median ${s(med((u) => u.acknowledged))} s ` +
      `of the ${s(med((u) => u.complete))} s.`,
  );
  out.push('');
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'upload-to-ready',
      date: new Date().toISOString(),
      cores,
      ffmpeg: bins.version,
      runs: RUNS,
      wavBytes,
      ffmpegAloneS: references.map((r) => round3(r.seconds)),
      acknowledgedS: uploads.map((u) => round3(u.acknowledged)),
      transcodedS: uploads.map((u) => round3(u.transcoded)),
      streamableS: uploads.map((u) => round3(u.streamable)),
      completeS: uploads.map((u) => round3(u.complete)),
      sameOutputs,
      medians: {
        ffmpegAloneS: round3(ffmpegMedian),
        acknowledgedS: round3(med((u) => u.acknowledged)),
        streamableS: round3(med((u) => u.streamable)),
        completeS: round3(med((u) => u.complete)),
      },
      goals: {
        streamableRatio: {
          goal: GOAL_STREAMABLE,
          value: round3(streamableRatio),
          met: streamableRatio <= GOAL_STREAMABLE,
        },
        completeRatio: {
          goal: GOAL_COMPLETE,
          value: round3(completeRatio),
          met: completeRatio <= GOAL_COMPLETE,
        },
      },
    })}\n`,
  );
  return 0;
});

function step(message: string): void {
  process.stdout.write(`· ${message}\n`);
}

/**
 * Music-like rather than silent: tones with tremolo and vibrato over pink noise, different per seed,
 * so the encoders do realistic work and every file has its own CID.
 */
async function generateWav(bins: FfmpegBinaries, path: string, seed: number): Promise<void> {
  await generateMusic(bins.ffmpeg, path, { seconds: TRACK_SECONDS, seed, codec: 'pcm_s16le' });
}

/**
 * Runs exactly what the transcoder runs, spawned the same way (PCM on stdout, progress on fd 3,
 * stderr piped), with every pipe drained instead of parsed: ffmpeg alone, not the node's bookkeeping.
 */
async function reference(bins: FfmpegBinaries, input: string, outDir: string): Promise<ReferenceRun> {
  await mkdir(outDir, { recursive: true });
  // The node probes before transcoding too; that is not ffmpeg producing the outputs, so it is not timed.
  const probe = await probeAudio(bins, input);
  const paths = {
    opus: join(outDir, 'audio.opus'),
    aac: join(outDir, 'audio.m4a'),
    preview: join(outDir, 'preview.m4a'),
  };
  const args = renditionArgs({
    input,
    opusPath: paths.opus,
    aacPath: paths.aac,
    previewPath: paths.preview,
    sourceSampleRate: probe.sampleRate,
    sourceChannels: probe.channels,
    preview: previewWindow(probe.durationMs / 1000),
    waveformSampleRate: WAVEFORM_SAMPLE_RATE,
  });
  const started = performance.now();
  const child = spawnTracked(bins.ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  (child.stdio[1] as Readable).resume();
  (child.stdio[2] as Readable).on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  (child.stdio[PROGRESS_FD] as Readable).resume();
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`ffmpeg alone exited with ${code}:\n${stderr}`);
  const outputs = {
    opusBytes: (await stat(paths.opus)).size,
    aacCid: (await hashFile(paths.aac)).cid,
    previewCid: (await hashFile(paths.preview)).cid,
  };
  await rm(outDir, { recursive: true, force: true });
  return { seconds, outputs };
}

async function uploadUntilReady(
  node: NodeProcess,
  token: string,
  wav: string,
  title: string,
): Promise<UploadRun> {
  const started = performance.now();
  const since = () => (performance.now() - started) / 1000;
  const uploaded = await uploadAudio(node.url, token, wav, title);
  const acknowledged = since();
  const streamUrl = `${node.url}/api/v1/tracks/${uploaded.id}/stream?format=opus`;

  let transcoded: number | undefined;
  let streamable: number | undefined;
  let complete: number | undefined;
  let track = uploaded;
  const deadline = Date.now() + TIMEOUT_MS;
  while (streamable === undefined || complete === undefined) {
    if (Date.now() > deadline)
      throw new Error(`track ${uploaded.id} not ready in time\n${await tail(node.logPath)}`);
    // Anonymous, as a listener: the owner may see a track before others can.
    const [polled, status] = await Promise.all([
      getTrack(node.url, token, uploaded.id).then((value) => ({ value, at: since() })),
      fetch(streamUrl, { headers: { range: 'bytes=0-1023' } }).then(async (response) => {
        await response.arrayBuffer();
        return { value: response.status, at: since() };
      }),
    ]);
    track = polled.value;
    if (track.state === 'failed') {
      throw new Error(`track failed: ${JSON.stringify(track.failure)}\n${await tail(node.logPath)}`);
    }
    const stage = (name: string) => track.stages.find((candidate) => candidate.name === name);
    if (transcoded === undefined && stage('transcode') && isFinished(stage('transcode')!))
      transcoded = polled.at;
    if (complete === undefined && track.stages.every(isFinished)) complete = polled.at;
    if (streamable === undefined && status.value === 206) streamable = status.at;
    if (streamable === undefined || complete === undefined) await sleep(POLL_MS);
  }
  return { acknowledged, transcoded: transcoded ?? complete, streamable, complete, track };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
