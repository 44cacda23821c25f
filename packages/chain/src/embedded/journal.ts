import { type FileHandle, open, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Hex } from 'viem';
import { ChainError } from '../errors.ts';

/**
 * The embedded chain's journal: JSON lines, one per state-changing request that the chain accepted,
 * in the order it executed them. EDR keeps its state in memory only and cannot dump it, so the
 * journal IS the chain on disk: replaying it into a fresh EDR instance with the same genesis
 * rebuilds the identical chain (same block hashes).
 *
 * Line 1 is the header (the genesis parameters); every later line is an entry. A line is written
 * with one write() and fsync'd before the request that produced it is answered, so an acknowledged
 * request is never lost. A crash mid-write leaves at most a torn last line (no newline, or not JSON):
 * it was never acknowledged, and reading drops it.
 */

export const JOURNAL_VERSION = 1;

export type JournalHeader = {
  kind: 'genesis';
  v: typeof JOURNAL_VERSION;
  chainId: number;
  hardfork: string;
  /** Unix seconds of the genesis block: part of its hash, so it must be the same on every start. */
  genesisTimestamp: number;
  createdAt: string;
};

export type JournalEntry = {
  kind: 'request';
  /** 1, 2, 3, … so a diagnostic can name the entry. */
  seq: number;
  method: string;
  params: unknown[];
  /** Timestamp of the first block the request mined, pinned on replay; absent when it mined none. */
  ts?: number;
  /** The chain head after the request, checked on replay when the request mined blocks. */
  head: { number: number; hash: Hex };
  /** Seconds the chain clock runs ahead of the wall clock after the request (EDR's time offset). */
  offset: number;
  /** The request failed yet changed the chain (a transaction mined while the call threw). */
  failed?: true;
};

export type JournalContents = {
  header: JournalHeader;
  entries: JournalEntry[];
  /** Bytes of a torn last line that were dropped (0 when the journal ended cleanly). */
  droppedBytes: number;
};

/**
 * Reads a journal, dropping (and truncating away) a torn last line. Returns undefined when there is
 * no journal yet. Any damage before the last line is corruption, not a torn write: it throws.
 */
export async function readJournal(file: string): Promise<JournalContents | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }

  const lines: { text: string; end: number }[] = [];
  let start = 0;
  for (let newline = bytes.indexOf(0x0a, start); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
    lines.push({ text: bytes.subarray(start, newline).toString('utf8'), end: newline + 1 });
    start = newline + 1;
  }
  // Bytes after the last newline are a write that never completed.
  let validLength = start;

  const parsed: unknown[] = [];
  for (const [index, line] of lines.entries()) {
    try {
      parsed.push(JSON.parse(line.text));
    } catch (cause) {
      if (index === lines.length - 1) {
        // A last line that ends in a newline but is not JSON: a torn write the file system padded
        // (e.g. with zero bytes after a power loss). Also never acknowledged.
        validLength = index === 0 ? 0 : (lines[index - 1]?.end ?? 0);
        break;
      }
      throw new ChainError('journal_corrupt', `The chain journal ${file} is damaged at line ${index + 1}`, {
        details:
          'Only its last line can be torn by a crash; this damage is elsewhere. Restore the data folder from a backup, or delete the chain folder to start a new chain.',
        cause,
      });
    }
  }

  const droppedBytes = bytes.length - validLength;
  if (droppedBytes > 0) await truncate(file, validLength);
  if (validLength === 0) return undefined;

  const [header, ...entries] = parsed;
  if (!isHeader(header)) {
    throw new ChainError(
      'journal_corrupt',
      `The chain journal ${file} does not start with a genesis header`,
      {
        details: `Expected a journal of version ${JOURNAL_VERSION} written by @fairstream/chain.`,
      },
    );
  }
  for (const [index, entry] of entries.entries()) {
    if (!isEntry(entry)) {
      throw new ChainError(
        'journal_corrupt',
        `The chain journal ${file} has a malformed entry at line ${index + 2}`,
      );
    }
  }
  return { header, entries: entries as JournalEntry[], droppedBytes };
}

function isHeader(value: unknown): value is JournalHeader {
  const header = value as Partial<JournalHeader> | undefined;
  return (
    header?.kind === 'genesis' &&
    header.v === JOURNAL_VERSION &&
    Number.isInteger(header.chainId) &&
    typeof header.hardfork === 'string' &&
    Number.isInteger(header.genesisTimestamp)
  );
}

function isEntry(value: unknown): value is JournalEntry {
  const entry = value as Partial<JournalEntry> | undefined;
  return (
    entry?.kind === 'request' &&
    typeof entry.method === 'string' &&
    Array.isArray(entry.params) &&
    typeof entry.head?.hash === 'string' &&
    typeof entry.offset === 'number'
  );
}

export type JournalWriter = {
  append(entry: JournalEntry): Promise<void>;
  close(): Promise<void>;
};

/** Opens the journal for appending, creating it with `header` when `header` is given. */
export async function openJournalWriter(file: string, header?: JournalHeader): Promise<JournalWriter> {
  const handle = await open(file, 'a');
  if (header) {
    await writeLine(handle, header);
    // The new file's directory entry must be durable too, or a crash could lose the whole file.
    await fsyncDirectory(dirname(file));
  }
  let closed = false;
  return {
    async append(entry) {
      if (closed) throw new Error('the chain journal is closed');
      await writeLine(handle, entry);
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

async function writeLine(handle: FileHandle, value: JournalHeader | JournalEntry): Promise<void> {
  // One write per line: a crash can tear only the line being written, never an earlier one.
  const line = Buffer.from(`${JSON.stringify(value)}\n`);
  const { bytesWritten } = await handle.write(line);
  if (bytesWritten !== line.length) {
    throw new Error(
      `short write to the chain journal (${bytesWritten} of ${line.length} bytes): is the disk full?`,
    );
  }
  await handle.datasync();
}

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
