import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createBlobStore, FsBlobStore, S3BlobStore } from './index.ts';

describe('createBlobStore', () => {
  const dataDir = '/var/lib/fairstream';

  it('defaults to a file system store in <dataDir>/blobs', () => {
    const store = createBlobStore('', dataDir);
    assert.ok(store instanceof FsBlobStore);
    assert.equal(store.rootDir, join(dataDir, 'blobs'));
  });

  it('takes absolute, data-dir-relative and file: paths as file system stores', () => {
    assert.equal((createBlobStore('/mnt/music', dataDir) as FsBlobStore).rootDir, '/mnt/music');
    assert.equal(
      (createBlobStore('media/blobs', dataDir) as FsBlobStore).rootDir,
      join(dataDir, 'media/blobs'),
    );
    assert.equal((createBlobStore('file:///mnt/music', dataDir) as FsBlobStore).rootDir, '/mnt/music');
  });

  it('takes s3:// URLs as S3 stores', async () => {
    const store = createBlobStore('s3://music/blobs?region=eu-west-1', dataDir);
    assert.ok(store instanceof S3BlobStore);
    assert.equal(store.kind, 's3');
    assert.equal(store.bucket, 'music');
    assert.equal(store.prefix, 'blobs');
    await store.close();
  });

  it('rejects unsupported schemes by listing the accepted forms', () => {
    for (const bad of ['gs://bucket', 'http://example.com/blobs', 'file://host/x', 's3://B', 'a\0b']) {
      assert.throws(() => createBlobStore(bad, dataDir), /accepted|expected/, bad);
    }
  });
});
