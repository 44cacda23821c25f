import { randomUUID } from 'node:crypto';
import {
  copyFile,
  type FileHandle,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  stat,
  unlink,
  utimes,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobInfo, BlobStore, ByteRange, PutFileOptions } from './blob-store.ts';
import { assertRangeShape, BlobNotFoundError, BlobRangeError } from './blob-store.ts';
import { assertCid, hashFile } from './cid.ts';

export interface FsBlobStoreOptions {
  /** How many blobs readRange keeps open; each costs one file descriptor. */
  maxOpenFiles?: number;
}

interface OpenBlob {
  handle: FileHandle;
  size: number;
}

// Refcounted so that evicting or deleting a blob never closes a handle under an in-flight read.
interface CachedHandle {
  opening: Promise<OpenBlob>;
  users: number;
  retired: boolean;
}

const TEMP_DIR_NAME = '.tmp';

/**
 * Blobs as plain files: `<root>/<last 2 chars of cid>/<cid>`. The last characters are used for
 * sharding because every CID shares the `bafkrei` prefix, while the tail is uniformly spread.
 */
export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;
  readonly rootDir: string;
  readonly #maxOpenFiles: number;
  // Map iteration order is insertion order: re-inserting on use makes the first key the LRU one.
  readonly #handles = new Map<string, CachedHandle>();
  #closed = false;

  constructor(rootDir: string, options: FsBlobStoreOptions = {}) {
    this.rootDir = rootDir;
    this.#maxOpenFiles = options.maxOpenFiles ?? 64;
    if (!Number.isInteger(this.#maxOpenFiles) || this.#maxOpenFiles < 1) {
      throw new Error(`maxOpenFiles must be a positive integer, got ${options.maxOpenFiles}`);
    }
  }

  /** Path of a blob's file; the CID is validated so a hostile string cannot escape the root. */
  pathFor(cid: string): string {
    assertCid(cid);
    return join(this.rootDir, cid.slice(-2), cid);
  }

  /** Temp files live inside the root so that putFile can rename them into place atomically. */
  async tmpDir(): Promise<string> {
    const dir = join(this.rootDir, TEMP_DIR_NAME);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** A fresh, unused path in tmpDir() for an upload to be streamed to. */
  async createTempPath(suffix = ''): Promise<string> {
    return join(await this.tmpDir(), `${randomUUID()}${suffix}`);
  }

  async putFile(localPath: string, knownCid?: BlobInfo, options: PutFileOptions = {}): Promise<BlobInfo> {
    this.#assertOpen();
    if (knownCid) {
      assertCid(knownCid.cid);
      // The caller hashed the bytes on the way in; a size check is cheap insurance against
      // pairing a CID with the wrong or a still-growing file.
      const { size } = await stat(localPath);
      if (size !== knownCid.size) {
        throw new Error(`putFile: ${localPath} is ${size} bytes but its CID says ${knownCid.size}`);
      }
      if (await this.#exists(knownCid.cid)) {
        await this.#consumeSource(localPath, options);
        return { cid: knownCid.cid, size: knownCid.size };
      }
    }

    const tmp = await this.createTempPath();
    let moved = false;
    try {
      if (!options.keepSource) moved = await this.#tryRename(localPath, tmp);
      if (moved) {
        // rename keeps the source's mtime; a fresh one stops sweepTemp from taking an old file
        // mid-put for a crash orphan.
        const now = new Date();
        await utimes(tmp, now, now);
      } else {
        await copyFile(localPath, tmp);
      }
      // Hash the copy we own, not the source, so the name always matches the stored bytes.
      const info = knownCid ? { cid: knownCid.cid, size: knownCid.size } : await hashFile(tmp);
      if (!knownCid && (await this.#exists(info.cid))) {
        await rm(tmp, { force: true });
        if (!moved) await this.#consumeSource(localPath, options);
        return info;
      }
      await fsyncPath(tmp, 'r');

      const finalPath = this.pathFor(info.cid);
      const shardDir = dirname(finalPath);
      const createdShard = await mkdir(shardDir, { recursive: true });
      await rename(tmp, finalPath);
      await fsyncPath(shardDir, 'r');
      if (createdShard !== undefined) await fsyncPath(this.rootDir, 'r');

      if (!moved) await this.#consumeSource(localPath, options);
      return info;
    } catch (error) {
      // Give a moved source back rather than lose the caller's file to a failed put.
      if (moved) await rename(tmp, localPath).catch(() => rm(tmp, { force: true }));
      else await rm(tmp, { force: true });
      throw error;
    }
  }

  async stat(cid: string): Promise<BlobInfo | undefined> {
    try {
      const s = await stat(this.pathFor(cid));
      return { cid, size: s.size };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async createReadStream(cid: string, range?: ByteRange): Promise<Readable> {
    this.#assertOpen();
    if (range) assertRangeShape(cid, range);
    let handle: FileHandle;
    try {
      handle = await open(this.pathFor(cid), 'r');
    } catch (error) {
      if (isNotFound(error)) throw new BlobNotFoundError(cid);
      throw error;
    }
    try {
      const { size } = await handle.stat();
      const bounds = range ? clampRange(cid, range, size) : undefined;
      // An empty blob has no valid inclusive end; the default stream of the whole file is right.
      return handle.createReadStream(bounds ? { ...bounds, autoClose: true } : { autoClose: true });
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Fast path for the streaming endpoint's many small range requests: reads from a cached open
   * handle instead of paying open/fstat/close and stream setup per request. With `into`, the bytes
   * land in the caller's (pooled) buffer, sparing the garbage collector a fresh buffer per request.
   */
  async readRange(cid: string, start: number, end: number, into?: Buffer): Promise<Buffer> {
    this.#assertOpen();
    const range = { start, end };
    assertRangeShape(cid, range);
    const entry = this.#acquire(cid);
    try {
      const { handle, size } = await entry.opening;
      const bounds = clampRange(cid, range, size);
      const length = bounds.end - bounds.start + 1;
      if (into && into.length < length)
        throw new RangeError(`readRange: buffer of ${into.length} bytes < ${length}`);
      const buffer = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(
          buffer,
          filled,
          buffer.length - filled,
          bounds.start + filled,
        );
        if (bytesRead === 0) throw new Error(`Blob ${cid} is shorter than its recorded ${size} bytes`);
        filled += bytesRead;
      }
      return buffer;
    } finally {
      this.#release(entry);
    }
  }

  async delete(cid: string): Promise<void> {
    const path = this.pathFor(cid);
    this.#retire(cid);
    try {
      await unlink(path);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /**
   * Removes temp files older than `olderThanMs`, left behind by a crash mid-upload or mid-put.
   * The age must exceed the longest upload, since a live upload's file is also in there.
   */
  async sweepTemp(olderThanMs: number): Promise<number> {
    const dir = join(this.rootDir, TEMP_DIR_NAME);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (isNotFound(error)) return 0;
      throw error;
    }
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of names) {
      const path = join(dir, name);
      try {
        const s = await stat(path);
        if (s.mtimeMs < cutoff) {
          await rm(path, { recursive: true, force: true });
          removed++;
        }
      } catch (error) {
        // Finished concurrently by its put; nothing to sweep.
        if (!isNotFound(error)) throw error;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const cid of [...this.#handles.keys()]) this.#retire(cid);
  }

  /** Number of cached open files; exposed for tests and metrics. */
  get openFileCount(): number {
    return this.#handles.size;
  }

  #acquire(cid: string): CachedHandle {
    let entry = this.#handles.get(cid);
    if (entry) {
      this.#handles.delete(cid);
    } else {
      const opening = openBlob(this.pathFor(cid), cid);
      entry = { opening, users: 0, retired: false };
      // A failed open must not stay cached, or a blob added later would read as missing forever.
      const failed = entry;
      opening.catch(() => {
        if (this.#handles.get(cid) === failed) this.#handles.delete(cid);
      });
    }
    entry.users++;
    this.#handles.set(cid, entry);
    this.#evictOverflow();
    return entry;
  }

  #release(entry: CachedHandle): void {
    entry.users--;
    if (entry.retired && entry.users === 0) closeQuietly(entry);
  }

  #retire(cid: string): void {
    const entry = this.#handles.get(cid);
    if (!entry) return;
    this.#handles.delete(cid);
    entry.retired = true;
    if (entry.users === 0) closeQuietly(entry);
  }

  #evictOverflow(): void {
    for (const cid of this.#handles.keys()) {
      if (this.#handles.size <= this.#maxOpenFiles) return;
      this.#retire(cid);
    }
  }

  async #exists(cid: string): Promise<boolean> {
    return (await this.stat(cid)) !== undefined;
  }

  async #tryRename(from: string, to: string): Promise<boolean> {
    try {
      await rename(from, to);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EXDEV') return false;
      throw error;
    }
  }

  async #consumeSource(localPath: string, options: PutFileOptions): Promise<void> {
    if (!options.keepSource) await rm(localPath, { force: true });
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('FsBlobStore is closed');
  }
}

async function openBlob(path: string, cid: string): Promise<OpenBlob> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isNotFound(error)) throw new BlobNotFoundError(cid);
    throw error;
  }
  try {
    // Blobs are immutable under their CID, so the size read once stays true while cached.
    return { handle, size: (await handle.stat()).size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

function closeQuietly(entry: CachedHandle): void {
  // Nothing useful can be done about a failed close of a read-only handle; never let it crash.
  entry.opening.then(({ handle }) => handle.close()).catch(() => {});
}

function clampRange(cid: string, range: ByteRange, size: number): ByteRange {
  if (range.start >= size) throw new BlobRangeError(cid, range, size);
  return { start: range.start, end: Math.min(range.end, size - 1) };
}

async function fsyncPath(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
