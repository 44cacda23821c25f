import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Keeps only the end of a long text stream: ffmpeg's useful lines (errors, summaries) come last. */
export class TextTail {
  readonly #limit: number;
  #text = '';

  constructor(limit: number) {
    this.#limit = limit;
  }

  append(chunk: Buffer | string): void {
    this.#text += chunk.toString();
    if (this.#text.length > this.#limit * 2) this.#text = this.#text.slice(-this.#limit);
  }

  get text(): string {
    return this.#text.slice(-this.#limit);
  }

  lastLines(count: number): string {
    return this.text.trimEnd().split('\n').slice(-count).join('\n');
  }
}

/** Runs a short-lived command and collects its output (bounded, so a chatty process cannot exhaust memory). */
export function run(command: string, args: readonly string[], signal?: AbortSignal): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const stdout = new TextTail(1 << 20);
    const stderr = new TextTail(1 << 16);
    child.stdout.on('data', (chunk: Buffer) => stdout.append(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.append(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: stdout.text, stderr: stderr.text }));
  });
}
