/**
 * Progress on stderr: a redrawn bar on a terminal, a line per step elsewhere (CI logs, pipes), so
 * stdout stays clean for --json output.
 */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #interactive: boolean;
  #lastLine = '';
  #lastLoggedPercent = -1;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#interactive = Boolean(stream.isTTY);
  }

  update(label: string, fraction: number, detail = ''): void {
    const clamped = Math.max(0, Math.min(1, fraction));
    const percent = Math.floor(clamped * 100);
    if (this.#interactive) {
      const width = 28;
      const filled = Math.round(clamped * width);
      const line = `${label.padEnd(12)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${detail}`;
      if (line !== this.#lastLine) this.#stream.write(`\r${line.padEnd(this.#lastLine.length)}`);
      this.#lastLine = line;
    } else if (
      percent >= this.#lastLoggedPercent + 10 ||
      (percent === 100 && this.#lastLoggedPercent !== 100)
    ) {
      this.#lastLoggedPercent = percent;
      this.#stream.write(`${label} ${percent}% ${detail}\n`);
    }
  }

  /** Ends the current bar so the next label starts on a fresh line. */
  done(message?: string): void {
    if (this.#interactive && this.#lastLine) this.#stream.write('\n');
    this.#lastLine = '';
    this.#lastLoggedPercent = -1;
    if (message) this.#stream.write(`${message}\n`);
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
