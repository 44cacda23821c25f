import type { Readable } from 'node:stream';

export interface BlobInfo {
  cid: string;
  size: number;
}

/** Inclusive byte offsets, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PutFileOptions {
  /**
   * Leave the source file in place (copy instead of move). Without it the source is consumed,
   * which is what upload and transcode temp files want; an import from a user's library must not.
   */
  keepSource?: boolean;
}

export interface BlobStore {
  readonly kind: 'fs' | 's3';
  /**
   * Moves (or copies) a finished local file into the store under its CID; idempotent for an
   * existing CID. The file is hashed when `knownCid` is absent. On success the source file is
   * gone unless `options.keepSource` is set.
   */
  putFile(localPath: string, knownCid?: BlobInfo, options?: PutFileOptions): Promise<BlobInfo>;
  stat(cid: string): Promise<BlobInfo | undefined>;
  /**
   * Inclusive byte range like HTTP; whole blob when omitted. As in HTTP an `end` past the blob is
   * clamped to its last byte, and a `start` past it throws BlobRangeError (answer 416).
   * Throws BlobNotFoundError before any byte is sent, so the caller can still answer 404.
   */
  createReadStream(cid: string, range?: ByteRange): Promise<Readable>;
  /** Idempotent: deleting a missing blob is not an error. */
  delete(cid: string): Promise<void>;
  /** Releases file handles and connections; the store is unusable afterwards. */
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  readonly code = 'BLOB_NOT_FOUND';
  readonly cid: string;

  constructor(cid: string) {
    super(`Blob not found: ${cid}`);
    this.name = 'BlobNotFoundError';
    this.cid = cid;
  }
}

export class BlobRangeError extends RangeError {
  readonly code = 'BLOB_RANGE_NOT_SATISFIABLE';
  readonly cid: string;

  constructor(cid: string, range: ByteRange, size?: number) {
    const of = size === undefined ? '' : ` of a ${size}-byte blob`;
    super(`Range ${range.start}-${range.end} not satisfiable${of}: ${cid}`);
    this.name = 'BlobRangeError';
    this.cid = cid;
  }
}

/** Rejects ranges that no blob could satisfy, before any I/O. */
export function assertRangeShape(cid: string, range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new BlobRangeError(cid, range);
  }
}
