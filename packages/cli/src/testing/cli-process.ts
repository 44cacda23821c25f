// Running `fairstream` as its own process, as a user would: shared by the CLI test files. Test-only.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const main = new URL('../main.ts', import.meta.url).pathname;

export type CliResult = { code: number; stdout: string; stderr: string };

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs `fairstream up` as its own process, as a user would, and waits until it answers. */
export async function startNode(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [main, 'up', '--port', String(port), '--rpc-port', '0', '--data', dataDir, '--log-level', 'warn'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the node exited with ${child.exitCode}`);
    const healthy = await fetch(`http://127.0.0.1:${port}/api/v1/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the node did not start within 30 s');
}

export async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/**
 * `fairstream <args>` in a child process, with its local wallet (when no --key is given) under
 * `configHome`; resolves with the exit code and both outputs, never rejects.
 */
export function cliRunner(configHome: string) {
  return (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    exec(process.execPath, [main, ...args], {
      env: { ...process.env, XDG_CONFIG_HOME: configHome, ...env },
    }).then(
      (result) => ({ code: 0, ...result }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        stdout: error.stdout,
        stderr: error.stderr,
      }),
    );
}
