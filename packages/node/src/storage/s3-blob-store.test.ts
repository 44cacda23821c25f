import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import S3rver from 's3rver';
import { assertSameBytes, blobStoreContract, makeSourceDir, removeDir } from './blob-store.contract.ts';
import { hashFile } from './cid.ts';
import { parseStorageUrl, S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.ts';

const BUCKET = 'fairstream-test';

// s3rver is an in-process fake S3 speaking the real wire protocol, so the driver is exercised
// through the AWS SDK exactly as against a real service.
async function startS3(): Promise<{ options: S3BlobStoreOptions; stop(): Promise<void> }> {
  const directory = await mkdtemp(join(tmpdir(), 'fairstream-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const { port } = await server.run();
  return {
    options: {
      bucket: BUCKET,
      prefix: 'blobs',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      partSize: 5 * 1024 * 1024,
    },
    stop: async () => {
      await server.close();
      await removeDir(directory);
    },
  };
}

blobStoreContract('s3', async () => {
  const s3 = await startS3();
  const sourceDir = await makeSourceDir();
  return {
    store: new S3BlobStore(s3.options),
    sourceDir,
    cleanup: async () => {
      await s3.stop();
      await removeDir(sourceDir);
    },
  };
});

describe('S3BlobStore', () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  let store: S3BlobStore;
  let sourceDir: string;

  before(async () => {
    s3 = await startS3();
    store = new S3BlobStore(s3.options);
    sourceDir = await makeSourceDir();
  });
  after(async () => {
    await store.close();
    await s3.stop();
    await removeDir(sourceDir);
  });

  it('uploads a file larger than one part as a multipart upload', async () => {
    const content = randomBytes(11 * 1024 * 1024 + 3);
    const path = join(sourceDir, 'master.flac');
    await writeFile(path, content);
    const expected = await hashFile(path);
    assert.deepEqual(await store.putFile(path), expected);
    assert.deepEqual(await store.stat(expected.cid), expected);
    const chunks: Buffer[] = [];
    for await (const chunk of await store.createReadStream(expected.cid, {
      start: 5_000_000,
      end: 6_000_000,
    })) {
      chunks.push(chunk as Buffer);
    }
    assertSameBytes(Buffer.concat(chunks), content.subarray(5_000_000, 6_000_001));
  });

  it('keys objects as <prefix>/<last two cid chars>/<cid>', () => {
    const cid = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
    assert.equal(store.keyFor(cid), `blobs/ku/${cid}`);
    assert.equal(new S3BlobStore({ bucket: BUCKET }).keyFor(cid), `ku/${cid}`);
  });
});

describe('parseStorageUrl', () => {
  it('reads bucket, prefix and endpoint options', () => {
    assert.deepEqual(
      parseStorageUrl(
        's3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&forcePathStyle=true',
      ),
      {
        bucket: 'bucket',
        prefix: 'prefix',
        endpoint: 'http://127.0.0.1:9000',
        region: 'us-east-1',
        forcePathStyle: true,
      },
    );
  });

  it('accepts a bare bucket and a nested prefix', () => {
    assert.deepEqual(parseStorageUrl('s3://my-bucket'), { bucket: 'my-bucket' });
    assert.deepEqual(parseStorageUrl('s3://my-bucket/a/b/'), { bucket: 'my-bucket', prefix: 'a/b' });
    assert.deepEqual(parseStorageUrl('s3://my-bucket/?forcePathStyle=false'), {
      bucket: 'my-bucket',
      forcePathStyle: false,
    });
  });

  it('rejects malformed URLs with a message naming the accepted form', () => {
    const cases: [string, RegExp][] = [
      ['not a url', /expected s3:\/\/bucket/],
      ['http://bucket/prefix', /must start with s3:\/\//],
      ['s3://Bad_Bucket', /Invalid S3 bucket name/],
      ['s3://b', /Invalid S3 bucket name/],
      ['s3://key:secret@bucket', /AWS_ACCESS_KEY_ID/],
      ['s3://bucket:9000', /endpoint/],
      ['s3://bucket?endpiont=http://x', /Unknown parameter "endpiont"/],
      ['s3://bucket?endpoint=ftp://x', /Invalid endpoint/],
      ['s3://bucket?endpoint=nohost', /Invalid endpoint/],
      ['s3://bucket?forcePathStyle=yes', /true or false/],
      ['s3://bucket?region=us east', /Invalid region/],
    ];
    for (const [text, message] of cases) assert.throws(() => parseStorageUrl(text), message, text);
  });
});
