/**
 * The plays root of a big epoch in a worker thread, while the compute step divides the money on the
 * main thread: hashing a million plays is the largest single part of settling an epoch, and it needs
 * nothing the money needs. Small epochs hash inline (a worker costs more than it saves). The plays
 * go over as three UTF-8 buffers and two number arrays (moved, not copied), and the worker encodes
 * the leaves straight from those bytes, so it holds no object per play. Its root is exactly
 * playsRootOf's; a play that does not fit its leaf makes the worker answer nothing, and the root is
 * then computed inline, which throws playsRootOf's own error.
 */
import { Worker } from 'node:worker_threads';
import {
  buildStandardTree,
  keccak256Into,
  standardLeafHashes,
  writeUint64Word,
} from '@fairstream/chain/merkle';
import type { Hex } from 'viem';
import { type CountedPlayLeaf, EMPTY_PLAYS_ROOT, playsRootOf } from './epoch-data.ts';
import { PLAYS_LEAF_BYTES } from './plays-tree.ts';

/** Below this many counted plays the root is computed inline. */
export const OFF_THREAD_MIN_PLAYS = 50_000;

/** A counted play as the plays table holds it (what the compute step reads). */
export interface PlayRow {
  play_id: string;
  listener: string;
  track_id: string;
  heard_ms: number;
  first_started_at: number;
}

/** Plays as bytes: each id column is the UTF-8 of the ids joined by newlines. */
export interface PackedPlays {
  count: number;
  playIds: Uint8Array<ArrayBuffer>;
  listeners: Uint8Array<ArrayBuffer>;
  trackIds: Uint8Array<ArrayBuffer>;
  heardMs: Float64Array<ArrayBuffer>;
  firstStartedAt: Float64Array<ArrayBuffer>;
}

const NEWLINE = 10;

export function packPlays(rows: readonly PlayRow[]): PackedPlays {
  const heardMs = new Float64Array(rows.length);
  const firstStartedAt = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    heardMs[i] = rows[i]!.heard_ms;
    firstStartedAt[i] = rows[i]!.first_started_at;
  }
  const utf8 = new TextEncoder();
  const column = (field: 'play_id' | 'listener' | 'track_id') => {
    const values = rows.map((row) => row[field]);
    // A newline inside a value would shift every later play: refuse rather than hash a wrong root.
    for (const value of values)
      if (value.includes('\n'))
        throw new RangeError(`A ${field} holds a newline; the plays cannot be packed`);
    return utf8.encode(values.join('\n'));
  };
  return {
    count: rows.length,
    playIds: column('play_id'),
    listeners: column('listener'),
    trackIds: column('track_id'),
    heardMs,
    firstStartedAt,
  };
}

/**
 * The ABI encodings of the packed plays' leaves, the same bytes as encodePlaysLeaves gives for the
 * same plays; undefined when a play does not fit its leaf (empty id, not a 0x address, a number that
 * is not a whole non-negative safe integer): the caller then lets playsRootOf name the problem.
 */
export function encodePackedPlays(packed: PackedPlays): Uint8Array | undefined {
  const { count } = packed;
  const encoded = new Uint8Array(count * PLAYS_LEAF_BYTES);
  let playAt = 0;
  let listenerAt = 0;
  let trackAt = 0;
  const end = (bytes: Uint8Array, from: number) => {
    const at = bytes.indexOf(NEWLINE, from);
    return at === -1 ? bytes.length : at;
  };
  for (let i = 0; i < count; i++) {
    const offset = i * PLAYS_LEAF_BYTES;
    const playEnd = end(packed.playIds, playAt);
    const listenerEnd = end(packed.listeners, listenerAt);
    const trackEnd = end(packed.trackIds, trackAt);
    if (playEnd === playAt || trackEnd === trackAt) return undefined;
    keccak256Into(packed.playIds.subarray(playAt, playEnd), encoded, offset);
    if (!writeAddressBytes(packed.listeners, listenerAt, listenerEnd, encoded, offset + 32)) return undefined;
    keccak256Into(packed.trackIds.subarray(trackAt, trackEnd), encoded, offset + 64);
    const heard = packed.heardMs[i]!;
    const started = packed.firstStartedAt[i]!;
    if (!Number.isSafeInteger(heard) || heard < 0 || !Number.isSafeInteger(started) || started < 0)
      return undefined;
    writeUint64Word(encoded, offset + 96, heard);
    writeUint64Word(encoded, offset + 128, started);
    playAt = playEnd + 1;
    listenerAt = listenerEnd + 1;
    trackAt = trackEnd + 1;
  }
  return encoded;
}

/** The plays root of packed plays, or undefined when a play does not fit its leaf. */
export function playsRootOfPacked(packed: PackedPlays): Hex | undefined {
  if (packed.count === 0) return EMPTY_PLAYS_ROOT;
  const encoded = encodePackedPlays(packed);
  if (!encoded) return undefined;
  return buildStandardTree(standardLeafHashes(encoded, PLAYS_LEAF_BYTES, packed.count)).root;
}

/** `0x` and 40 hex digits (any case) in bytes[from, to) as the address word at `at`; false otherwise. */
function writeAddressBytes(
  bytes: Uint8Array,
  from: number,
  to: number,
  out: Uint8Array,
  at: number,
): boolean {
  if (to - from !== 42 || bytes[from] !== 48 || bytes[from + 1] !== 120) return false;
  for (let i = 0; i < 20; i++) {
    const high = hexValue(bytes[from + 2 + 2 * i]!);
    const low = hexValue(bytes[from + 3 + 2 * i]!);
    if (high < 0 || low < 0) return false;
    out[at + 12 + i] = (high << 4) | low;
  }
  return true;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** The leaves of plays table rows, as playsRootOf takes them. */
export function leavesOfRows(rows: readonly PlayRow[]): CountedPlayLeaf[] {
  return rows.map((row) => ({
    playId: row.play_id,
    listener: row.listener,
    trackId: row.track_id,
    heardMs: row.heard_ms,
    firstStartedAt: row.first_started_at,
  }));
}

export interface PendingRoot {
  root: Promise<Hex>;
  /** Stops the worker (the root is no longer needed: the epoch paid nothing). */
  cancel(): void;
}

/**
 * Starts computing the plays root of these counted plays: in a worker thread when there are at least
 * `minPlays`, else right away. If the worker cannot run, dies, or finds a play that does not fit, the
 * root is computed inline instead (throwing playsRootOf's error for a bad play), so a step never
 * fails for want of a thread.
 */
export function playsRootOffThread(
  rows: readonly PlayRow[],
  options: { minPlays?: number } = {},
): PendingRoot {
  const inlineRoot = () => playsRootOf(leavesOfRows(rows));
  if (rows.length < (options.minPlays ?? OFF_THREAD_MIN_PLAYS)) {
    let root: Promise<Hex>;
    try {
      root = Promise.resolve(inlineRoot());
    } catch (error) {
      root = Promise.reject(error);
    }
    return { root, cancel: () => {} };
  }
  let packed: PackedPlays;
  try {
    packed = packPlays(rows);
  } catch (error) {
    return { root: Promise.reject(error), cancel: () => {} };
  }
  let worker: Worker | undefined;
  let settled = false;
  let cancelled = false;
  const root = new Promise<Hex>((resolve, reject) => {
    const inline = () => {
      if (settled || cancelled) return;
      settled = true;
      try {
        resolve(inlineRoot());
      } catch (error) {
        reject(error);
      }
    };
    try {
      worker = new Worker(new URL('./plays-root.worker.ts', import.meta.url));
    } catch {
      inline();
      return;
    }
    worker.once('message', (answer: { root?: Hex }) => {
      void worker?.terminate();
      if (answer.root && !settled) {
        settled = true;
        resolve(answer.root);
      } else inline();
    });
    worker.once('error', () => inline());
    // Gone without a word (killed): inline, unless cancelled on purpose.
    worker.once('exit', () => inline());
    const { playIds, listeners, trackIds, heardMs, firstStartedAt } = packed;
    worker.postMessage(packed, [
      playIds.buffer,
      listeners.buffer,
      trackIds.buffer,
      heardMs.buffer,
      firstStartedAt.buffer,
    ]);
  });
  return {
    root,
    cancel: () => {
      cancelled = true;
      void worker?.terminate();
    },
  };
}
