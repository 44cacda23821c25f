/**
 * A Fairstream node as a user runs it: `fairstream up` in a process group of its own (HTTP processes
 * plus the background process), so a SIGKILL reaches every process of the node at once, as a crash
 * or a power cut would. Shared by the tests and the end-to-end run.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const exec = promisify(execFile);
export const cliMain = new URL('../main.ts', import.meta.url).pathname;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface NodeProcessOptions {
  dataDir: string;
  port: number;
  /** Extra `fairstream up` flags, e.g. ['--epoch-seconds', '10']. */
  flags?: string[];
  env?: Record<string, string>;
  /** Where the node's stderr goes: the caller's (default) or nowhere. */
  stderr?: 'inherit' | 'ignore';
  startTimeoutMs?: number;
}

/** Starts `fairstream up` and resolves once /api/v1/health answers. */
export async function startNodeProcess(options: NodeProcessOptions): Promise<ChildProcess> {
  const flags = ['--port', String(options.port), '--rpc-port', '0', '--data', options.dataDir];
  // To see what a node did in a failing test: FAIRSTREAM_TEST_NODE_LOG=FILE appends its info log there.
  const logFile = process.env.FAIRSTREAM_TEST_NODE_LOG;
  const log = logFile ? openSync(logFile, 'a') : undefined;
  const child = spawn(
    process.execPath,
    [cliMain, 'up', ...flags, '--log-level', log ? 'info' : 'warn', ...(options.flags ?? [])],
    {
      stdio: ['ignore', log ?? 'ignore', log ?? options.stderr ?? 'inherit'],
      detached: true,
      env: { ...process.env, ...options.env },
    },
  );
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the node exited with ${child.exitCode} while starting`);
    const healthy = await fetch(`http://127.0.0.1:${options.port}/api/v1/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  killGroup(child);
  throw new Error(`the node did not start within ${timeoutMs / 1000} s`);
}

/** Sends a signal to every process of the node (SIGKILL by default: a crash). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function stopGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const done = exited(child);
  killGroup(child, signal);
  await done;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `fairstream` CLI as a user would; never throws on a non-zero exit. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return exec(process.execPath, [cliMain, ...args], {
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: typeof error.code === 'number' ? error.code : 1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? String(error),
    }),
  );
}

/** A stereo sine tone made by ffmpeg: a real audio file to upload. */
export async function toneFile(path: string, seconds: number, frequency: number): Promise<string> {
  await exec('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `sine=frequency=${frequency}:duration=${seconds}`, '-ac', '2', path],
  ]);
  return path;
}

/** `fairstream` with its local wallet (when no --key is given) kept under `configHome`. */
export function cliRunner(configHome: string) {
  return (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runCli(args, { XDG_CONFIG_HOME: configHome, ...env });
}

/** Starts a node with defaults (used by tests that need nothing special). */
export const startNode = (dataDir: string, port: number): Promise<ChildProcess> =>
  startNodeProcess({ dataDir, port });

/** A crash: SIGKILL to every process of the node, resolved once it is gone. */
export async function kill9(child: ChildProcess): Promise<void> {
  const done = exited(child);
  killGroup(child);
  await done;
}
