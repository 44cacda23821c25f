import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createFairstreamClient, FairstreamApiError, unwrap } from '@fairstream/sdk';
import { formatUnits } from 'viem';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import { loadAccount } from '../wallet.ts';

export const historyHelp = `Usage: fairstream history [ADDRESS] [--token FAIR|USD] [--csv FILE]

Every movement of FAIR and the stablecoin to or from an address (default: your wallet), newest
first, each with its cause: a payout for the counted plays of a track in an epoch, a FAIR reward, a
tip (from whom, for which track), a subscription or its refund, staking, a fee, the faucet, or a
plain transfer. Amounts are exact.

  --token FAIR|USD   Only this token (USD: the stablecoin; its symbol or address work too)
  --csv FILE         Save the whole history as CSV instead (RFC 4180, amounts in base units and as
                     decimals); FILE - writes it to stdout
--json prints the movements as the node answers them.
`;

/** Movements per request: the API's largest page. */
const PAGE_SIZE = 200;

type HistoryPage = Awaited<ReturnType<typeof fetchPage>>;
type Movement = HistoryPage['items'][number];

export async function history(args: string[], global: GlobalOptions): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new CliError(`${(error as Error).message}.\n\n${historyHelp}`, 2);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new CliError(`history takes at most one address.\n\n${historyHelp}`, 2);
  const address = positionals[0] ?? (await loadAccount(global.key, global.walletPath, global.log)).address;
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw new CliError(`"${address}" is not an address (0x followed by 40 hex digits).`, 2);
  }
  if (values.token !== undefined && values.token.trim() === '') {
    throw new CliError('--token needs a token: FAIR or USD.', 2);
  }
  if (values.csv !== undefined) return saveCsv(global, address, values.token, values.csv);

  const items: Movement[] = [];
  let cursor: string | undefined;
  let pages = 0;
  const progress = new Progress();
  for (;;) {
    const page = await fetchPage(global, address, values.token, cursor);
    items.push(...page.items);
    pages += 1;
    progress.update(`Reading the history: ${items.length} movements (page ${pages})…`);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  progress.done();

  if (global.json) {
    process.stdout.write(`${JSON.stringify({ address: address.toLowerCase(), items }, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) {
    process.stdout.write(
      `${address.toLowerCase()} has no ${values.token ? `${values.token} ` : ''}movements yet.\n`,
    );
    return 0;
  }
  process.stdout.write(`History of ${address.toLowerCase()}, newest first\n\n${historyTable(items)}\n`);
  return 0;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { token: { type: 'string' }, csv: { type: 'string' } },
  });
}

async function fetchPage(global: GlobalOptions, address: string, token: string | undefined, cursor?: string) {
  const client = createFairstreamClient({ baseUrl: global.api });
  return unwrap(
    await client.GET('/api/v1/accounts/{address}/history', {
      params: {
        path: { address },
        query: { limit: PAGE_SIZE, ...(token ? { token } : {}), ...(cursor ? { cursor } : {}) },
      },
    }),
  );
}

/** The movements as a table: DATE (UTC), CAUSE, AMOUNT (signed, exact), TOKEN. */
export function historyTable(items: readonly Movement[]): string {
  const rows = items.map((item) => [
    new Date(item.time).toISOString().slice(0, 16).replace('T', ' '),
    item.description,
    signedAmount(item),
    item.token.symbol,
  ]);
  const header = ['DATE (UTC)', 'CAUSE', 'AMOUNT', 'TOKEN'];
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** "+1,000", "-12.345678901234567891": exact, never a float. */
export function signedAmount(item: Pick<Movement, 'amount' | 'direction' | 'token'>): string {
  const text = formatUnits(BigInt(item.amount), item.token.decimals);
  const [whole = '0', fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = item.direction === 'in' ? '+' : item.direction === 'out' ? '-' : '±';
  return `${sign}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/**
 * Streams the node's CSV export into FILE (through a temporary file, so an interrupted download
 * never leaves a file that looks complete), counting rows as they arrive.
 */
async function saveCsv(
  global: GlobalOptions,
  address: string,
  token: string | undefined,
  file: string,
): Promise<number> {
  const url = new URL(`${global.api}/api/v1/accounts/${address}/history.csv`);
  if (token) url.searchParams.set('token', token);
  const response = await fetch(url);
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => undefined)) as
      | { error?: { code: string; message: string } }
      | undefined;
    throw new FairstreamApiError(response.status, body?.error, `HTTP ${response.status}`);
  }
  const progress = new Progress();
  let rows = -1; // the header row is not a movement
  const counter = new LineCounter((lines) => {
    rows += lines;
    if (file !== '-') progress.update(`Downloading the history: ${Math.max(0, rows)} movements…`);
  });
  const source = response.body as unknown as AsyncIterable<Uint8Array>;
  if (file === '-') {
    await pipeline(source, counter, process.stdout, { end: false });
    return 0;
  }
  const temp = `${file}.${process.pid}.part`;
  try {
    await pipeline(source, counter, createWriteStream(temp));
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new CliError(
      `The download stopped before the end (${(error as Error).message}); nothing was saved, try again.`,
    );
  }
  progress.done();
  global.log(`Saved ${Math.max(0, rows)} movements to ${file}`);
  if (global.json) {
    process.stdout.write(`${JSON.stringify({ address: address.toLowerCase(), file, movements: rows })}\n`);
  }
  return 0;
}

/** Passes bytes through, telling how many line ends went by. */
class LineCounter extends Transform {
  readonly #onLines: (lines: number) => void;
  constructor(onLines: (lines: number) => void) {
    super();
    this.#onLines = onLines;
  }
  override _transform(chunk: Uint8Array, _encoding: string, callback: TransformCallback): void {
    let lines = 0;
    for (const byte of chunk) if (byte === 0x0a) lines += 1;
    if (lines > 0) this.#onLines(lines);
    callback(null, chunk);
  }
}

/** One status line on stderr: redrawn on a terminal, a line per update elsewhere (at most every 2 s). */
class Progress {
  readonly #tty = Boolean(process.stderr.isTTY);
  #shown = false;
  #lastAt = 0;
  update(text: string): void {
    const now = Date.now();
    if (this.#tty) {
      process.stderr.write(`\r${text}\u001b[K`);
      this.#shown = true;
    } else if (now - this.#lastAt >= 2000) {
      process.stderr.write(`${text}\n`);
      this.#lastAt = now;
    }
  }
  done(): void {
    if (this.#shown) process.stderr.write('\r\u001b[K');
    this.#shown = false;
  }
}
