import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import * as Digest from 'multiformats/hashes/digest';

/** Multihash code of sha2-256 (multicodec table). */
export const SHA2_256_CODE = 0x12;
const SHA2_256_LENGTH = 32;

// A CIDv1 raw sha2-256 in base32 always has this exact shape: the 'b' multibase prefix,
// then the fixed header bytes (0x01 0x55 0x12 0x20) that encode to "afkrei", then 52 chars
// of digest. Checking the shape first rejects junk and path tricks before any decoding.
const CID_SHAPE = /^bafkrei[a-z2-7]{52}$/;

export interface ContentInfo {
  cid: string;
  size: number;
}

export class InvalidCidError extends Error {
  readonly code = 'INVALID_CID';

  constructor(reason: string) {
    super(`Invalid CID: ${reason}; expected a CIDv1 raw sha2-256 in base32 (bafkrei…)`);
    this.name = 'InvalidCidError';
  }
}

export function cidFromSha256(digest: Uint8Array): string {
  if (digest.length !== SHA2_256_LENGTH) {
    throw new Error(`sha2-256 digest must be ${SHA2_256_LENGTH} bytes, got ${digest.length}`);
  }
  return CID.createV1(raw.code, Digest.create(SHA2_256_CODE, digest)).toString();
}

/**
 * Validates an untrusted string (URL parameter, database row) as a canonical CIDv1 raw sha2-256.
 * Only the canonical lower-case base32 form is accepted, so that one blob never has two names
 * (the string is used as a file name and object key).
 */
export function assertCid(text: unknown): string {
  if (typeof text !== 'string') throw new InvalidCidError('not a string');
  if (!CID_SHAPE.test(text)) {
    throw new InvalidCidError(text.length > 100 ? 'malformed' : `malformed "${text}"`);
  }
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch (error) {
    throw new InvalidCidError(`undecodable "${text}" (${(error as Error).message})`);
  }
  if (cid.version !== 1) throw new InvalidCidError(`version ${cid.version}`);
  if (cid.code !== raw.code) throw new InvalidCidError(`codec 0x${cid.code.toString(16)} is not raw`);
  if (cid.multihash.code !== SHA2_256_CODE || cid.multihash.size !== SHA2_256_LENGTH) {
    throw new InvalidCidError(`multihash 0x${cid.multihash.code.toString(16)} is not sha2-256`);
  }
  if (cid.toString() !== text) throw new InvalidCidError(`non-canonical "${text}"`);
  return text;
}

/** Like assertCid, but answers undefined instead of throwing: for guards that turn junk into 400/404. */
export function parseCid(text: unknown): string | undefined {
  try {
    return assertCid(text);
  } catch (error) {
    if (error instanceof InvalidCidError) return undefined;
    throw error;
  }
}

/** Streams a file through sha256 so that multi-GB masters never sit in memory. */
export async function hashFile(path: string): Promise<ContentInfo> {
  const hasher = new HashingPassThrough();
  const source = createReadStream(path, { highWaterMark: 1024 * 1024 });
  await pipeline(source, hasher, async (chunks: AsyncIterable<Buffer>) => {
    for await (const _ of chunks);
  });
  return hasher.result();
}

/**
 * Pass-through that hashes and counts the bytes flowing to disk, so an upload is written once
 * and its CID is known the moment the write finishes, without reading the file back.
 */
export class HashingPassThrough extends Transform {
  #hash: Hash = createHash('sha256');
  #size = 0;
  #result: ContentInfo | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#result = { cid: cidFromSha256(this.#hash.digest()), size: this.#size };
    callback();
  }

  /** Bytes seen so far; useful to enforce an upload size limit while streaming. */
  get bytesSeen(): number {
    return this.#size;
  }

  /** Only meaningful once the source has ended; a truncated stream must not get a CID. */
  result(): ContentInfo {
    if (!this.#result) throw new Error('HashingPassThrough: result() called before the stream ended');
    return this.#result;
  }
}

/**
 * Writes a stream to `destPath` while hashing it. The file is not fsynced here: the blob
 * store does that when the file is moved under its CID, which is the point that must be durable.
 */
export async function writeStreamHashed(
  source: NodeJS.ReadableStream | AsyncIterable<Uint8Array>,
  destPath: string,
): Promise<ContentInfo> {
  const hasher = new HashingPassThrough();
  await pipeline(source, hasher, createWriteStream(destPath, { flags: 'wx' }));
  return hasher.result();
}
