/**
 * What both benchmarks share: a real node as a child process, a fresh signed-in account, generated
 * audio, and cleanup of every process and temp folder they start, on success, error or Ctrl-C.
 */

import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFairstreamClient, signIn, type Track, unwrap, uploadTrack } from '@fairstream/sdk';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { freePort } from '../packages/cli/src/testing/node-process.ts';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Cleanup

const cleanups: Array<() => Promise<void> | void> = [];
const children = new Set<ChildProcess>();
let cleaningUp: Promise<void> | undefined;
/** Set on Ctrl-C: the benchmark's own flow still runs until exit and must not start anything new. */
let interrupted = false;

/** Registers work to undo at exit; it runs in reverse order, like nested finally blocks. */
export function defer(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

export function cleanUp(): Promise<void> {
  cleaningUp ??= (async () => {
    while (cleanups.length > 0) {
      const cleanup = cleanups.pop()!;
      try {
        await cleanup();
      } catch (error) {
        process.stderr.write(`cleanup failed: ${String(error)}\n`);
      }
    }
    // Anything still alive here was started by a step that failed before it could defer its own stop.
    await Promise.all([...children].map((child) => stopProcess(child, 2000)));
  })();
  return cleaningUp;
}

/** Runs a benchmark with cleanup on every way out; exit code 1 when it throws, 130/143 on a signal. */
export function runBenchmark(main: () => Promise<number | undefined>): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      interrupted = true;
      process.stderr.write(`\n${signal}: stopping and cleaning up…\n`);
      void cleanUp().finally(() => process.exit(code));
    });
  }
  main().then(
    async (code) => {
      await cleanUp();
      process.exitCode = code ?? 0;
    },
    async (error: unknown) => {
      if (interrupted) return;
      process.stderr.write(
        `\nbenchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      await cleanUp();
      process.exitCode = 1;
    },
  );
}

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Spawns a process that cleanup kills if it is still running. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  if (interrupted) throw new Error('interrupted');
  const child = spawn(command, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  // An ENOENT would otherwise be an unhandled 'error' event that kills the benchmark without cleanup.
  child.on('error', () => children.delete(child));
  return child;
}

/** Sends SIGTERM, and SIGKILL if the process has not exited after graceMs. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface RunResult {
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion, capturing its output; rejects on a non-zero exit. */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawnTracked(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ stdout, stderr, ms });
      else
        reject(
          new Error(
            `${basename(command)} exited with ${code ?? signal}:\n${stderr.slice(-2000) || stdout.slice(-2000)}`,
          ),
        );
    });
  });
}

export { freePort };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The node

export interface NodeProcess {
  url: string;
  dataDir: string;
  pid: number;
  /** Where the node's own logs go, for the error message when it misbehaves. */
  logPath: string;
}

export async function startNode(dataDir: string, logPath: string): Promise<NodeProcess> {
  const port = await freePort();
  const log = createWriteStream(logPath);
  await new Promise((resolve) => log.once('open', resolve));
  const child = spawnTracked(
    process.execPath,
    [
      join(REPO_ROOT, 'packages/cli/src/main.ts'),
      'up',
      ...['--port', String(port), '--data', dataDir, '--log-level', 'warn'],
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', log, log] },
  );
  defer(() => stopProcess(child));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${url}/api/v1/health`);
      if (response.ok) return { url, dataDir, pid: child.pid!, logPath };
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`the node did not become healthy:\n${await tail(logPath)}`);
}

export async function tail(path: string, lines = 20): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Signs in with a brand-new wallet, so runs never share an owner or its duplicate check. */
export async function signInFresh(baseUrl: string): Promise<string> {
  const account = privateKeyToAccount(generatePrivateKey());
  const session = await signIn(createFairstreamClient({ baseUrl }), account);
  return session.token;
}

/** Uploads an audio file the way the CLI does: a streamed multipart body read from disk. */
export async function uploadAudio(
  baseUrl: string,
  token: string,
  path: string,
  title: string,
  fields: Record<string, string> = {},
) {
  const size = (await stat(path)).size;
  const blob = await openAsBlob(path);
  const type = path.endsWith('.flac') ? 'audio/flac' : 'audio/wav';
  const response = await uploadTrack({
    baseUrl,
    token,
    parts: [
      { name: 'title', value: title },
      ...Object.entries(fields).map(([name, value]) => ({ name, value })),
      { name: 'audio', filename: basename(path), type, size, stream: () => blob.stream() },
    ],
  });
  if (response.status !== 202) {
    throw new Error(`upload refused with ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body as Track;
}

export async function getTrack(baseUrl: string, token: string, id: string): Promise<Track> {
  const client = createFairstreamClient({ baseUrl, token });
  return unwrap(await client.GET('/api/v1/tracks/{id}', { params: { path: { id } } }));
}

export function isFinished(stage: { state: string }): boolean {
  return stage.state === 'done' || stage.state === 'skipped';
}

/** Polls until the track leaves `processing`; throws if it failed or the deadline passes. */
export async function waitUntilReady(
  node: NodeProcess,
  token: string,
  id: string,
  options: { intervalMs?: number; timeoutMs?: number; onPoll?: (track: Track, atMs: number) => void } = {},
): Promise<Track> {
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  while (Date.now() < deadline) {
    const track = await getTrack(node.url, token, id);
    options.onPoll?.(track, performance.now());
    if (track.state === 'ready') return track;
    if (track.state === 'failed') {
      throw new Error(
        `track ${id} failed processing: ${JSON.stringify(track.failure)}\n${await tail(node.logPath)}`,
      );
    }
    await sleep(options.intervalMs ?? 50);
  }
  throw new Error(`track ${id} was not ready in time\n${await tail(node.logPath)}`);
}

// ---------------------------------------------------------------------------------------------
// Audio

/**
 * A music-like signal: three detuned, tremolo'd and vibrato'd tones, pink noise and an echo, so the
 * encoders work as hard as on real material (pure sines or silence make Opus and AAC unusually cheap).
 * The seed moves the pitches and the noise, so each file has its own bytes and CID.
 */
export async function generateMusic(
  ffmpeg: string,
  path: string,
  options: { seconds: number; seed: number; codec: 'pcm_s16le' | 'flac' },
): Promise<void> {
  const { seconds, seed } = options;
  const tone = (hz: number) => `sine=f=${(hz * (1 + seed / 97)).toFixed(2)}:r=44100:d=${seconds}`;
  const graph = [
    '[0]tremolo=f=2:d=0.7,volume=0.3[a]',
    '[1]vibrato=f=5:d=0.2,volume=0.25[b]',
    '[2]tremolo=f=4:d=0.9,volume=0.2,asplit[c1][c2]',
    '[a][c1]amix=inputs=2:normalize=0[l]',
    '[b][c2]amix=inputs=2:normalize=0[r]',
    '[l][r]join=inputs=2:channel_layout=stereo[tones]',
    '[3]pan=stereo|c0=c0|c1=c0[noise]',
    '[tones][noise]amix=inputs=2:normalize=0,aecho=0.8:0.6:90|140:0.3|0.2',
  ].join(';');
  await run(ffmpeg, [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', tone(220)],
    ...['-f', 'lavfi', '-i', tone(277.18)],
    ...['-f', 'lavfi', '-i', tone(329.63)],
    ...['-f', 'lavfi', '-i', `anoisesrc=c=pink:a=0.05:seed=${seed}:r=44100:d=${seconds}`],
    ...['-filter_complex', graph],
    ...['-c:a', options.codec, '-ar', '44100', '-ac', '2', path],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Process CPU accounting, from /proc: enough to tell which process saturates a core.

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export async function cpuSeconds(pid: number): Promise<number> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; fields are counted after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

export async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

/** Busy and total jiffies of the whole machine, for its overall utilisation over an interval. */
export async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

// ---------------------------------------------------------------------------------------------
// Figures

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** A plain-text table with right-aligned numeric columns. */
export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [
    line(cells[0]!),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

export function verdict(met: boolean): string {
  return met ? 'MET' : 'NOT MET';
}
