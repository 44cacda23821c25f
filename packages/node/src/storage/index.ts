import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsBlobStore } from './fs-blob-store.ts';
import { parseStorageUrl, S3BlobStore } from './s3-blob-store.ts';

export type { BlobInfo, BlobStore, ByteRange, PutFileOptions } from './blob-store.ts';
export { BlobNotFoundError, BlobRangeError } from './blob-store.ts';
export type { ContentInfo } from './cid.ts';
export {
  assertCid,
  cidFromSha256,
  HashingPassThrough,
  hashFile,
  InvalidCidError,
  parseCid,
  writeStreamHashed,
} from './cid.ts';
export type { FsBlobStoreOptions } from './fs-blob-store.ts';
export { FsBlobStore } from './fs-blob-store.ts';
export type { S3BlobStoreOptions } from './s3-blob-store.ts';
export { parseStorageUrl, S3BlobStore } from './s3-blob-store.ts';

const ACCEPTED_FORMS =
  'accepted: empty (<dataDir>/blobs), a directory path (relative paths are inside the data dir), ' +
  'file:///abs/dir, or s3://bucket[/prefix][?endpoint=…&region=…&forcePathStyle=true]';

/**
 * Picks the blob store from the storage setting. The concrete type is returned so the caller can
 * use fs-only fast paths (readRange) when it got a FsBlobStore.
 */
export function createBlobStore(storageSetting: string, dataDir: string): FsBlobStore | S3BlobStore {
  const setting = storageSetting.trim();
  if (setting === '') return new FsBlobStore(join(dataDir, 'blobs'));
  if (setting.includes('\0')) throw new Error(`Invalid storage setting (contains NUL); ${ACCEPTED_FORMS}`);
  if (setting.startsWith('s3://')) return new S3BlobStore(parseStorageUrl(setting));
  if (setting.startsWith('file://')) {
    let path: string;
    try {
      path = fileURLToPath(setting);
    } catch (error) {
      throw new Error(
        `Invalid storage setting "${setting}" (${(error as Error).message}); ${ACCEPTED_FORMS}`,
      );
    }
    return new FsBlobStore(path);
  }
  // Anything else that looks like a URL is a scheme we do not support, not a relative directory.
  if (/^[a-z][a-z0-9+.-]*:/i.test(setting)) {
    throw new Error(`Unsupported storage setting "${setting}"; ${ACCEPTED_FORMS}`);
  }
  return new FsBlobStore(isAbsolute(setting) ? setting : resolve(dataDir, setting));
}
