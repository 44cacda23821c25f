import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { assertSameBytes, blobStoreContract, makeSourceDir, removeDir } from './blob-store.contract.ts';
import { BlobNotFoundError } from './blob-store.ts';
import { hashFile } from './cid.ts';
import { FsBlobStore } from './fs-blob-store.ts';

blobStoreContract('fs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'fairstream-fs-blobs-'));
  const sourceDir = await makeSourceDir();
  return {
    store: new FsBlobStore(root),
    sourceDir,
    cleanup: async () => {
      await removeDir(root);
      await removeDir(sourceDir);
    },
  };
});

describe('FsBlobStore', () => {
  let root: string;
  let store: FsBlobStore;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fairstream-fs-store-'));
    store = new FsBlobStore(join(root, 'blobs'));
  });
  after(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  async function putBytes(content: Buffer): Promise<string> {
    const path = await store.createTempPath();
    await writeFile(path, content);
    return (await store.putFile(path)).cid;
  }

  it('lays blobs out as <root>/<last two cid chars>/<cid> and leaves no temp file', async () => {
    const cid = await putBytes(Buffer.from('layout'));
    assert.deepEqual(await readFile(join(root, 'blobs', cid.slice(-2), cid), 'utf8'), 'layout');
    assert.equal(store.pathFor(cid), join(root, 'blobs', cid.slice(-2), cid));
    assert.deepEqual(await readdir(await store.tmpDir()), []);
  });

  it('copies a source from another file system (EXDEV) and still consumes it', async (t) => {
    const shm = '/dev/shm';
    const shmDev = await stat(shm).then(
      (s) => s.dev,
      () => undefined,
    );
    if (shmDev === undefined || shmDev === (await stat(root)).dev) {
      t.skip('no second file system available');
      return;
    }
    const source = join(await mkdtemp(join(shm, 'fairstream-')), 'src');
    const content = randomBytes(70_000);
    await writeFile(source, content);
    const { cid } = await store.putFile(source);
    assertSameBytes(await readFile(store.pathFor(cid)), content);
    await assert.rejects(stat(source), { code: 'ENOENT' });
    await rm(join(source, '..'), { recursive: true, force: true });
  });

  it('readRange serves ranges from cached handles and clamps the end', async () => {
    const content = randomBytes(1024 * 1024);
    const cid = await putBytes(content);
    const chunk = 256 * 1024;
    for (let start = 0; start < content.length; start += chunk) {
      assertSameBytes(
        await store.readRange(cid, start, start + chunk - 1),
        content.subarray(start, start + chunk),
      );
    }
    assertSameBytes(
      await store.readRange(cid, content.length - 5, content.length + 100),
      content.subarray(-5),
    );
    await assert.rejects(store.readRange(cid, content.length, content.length + 1), {
      name: 'BlobRangeError',
    });
  });

  it('readRange stops serving a blob once it is deleted', async () => {
    const cid = await putBytes(Buffer.from('short-lived'));
    assert.equal((await store.readRange(cid, 0, 4)).toString(), 'short');
    await store.delete(cid);
    await assert.rejects(store.readRange(cid, 0, 4), BlobNotFoundError);
    // A miss must not be cached: the same content put again is readable at once.
    await putBytes(Buffer.from('short-lived'));
    assert.equal((await store.readRange(cid, 6, 10)).toString(), 'lived');
  });

  it('keeps at most maxOpenFiles handles open, even under concurrent reads', async () => {
    const small = new FsBlobStore(join(root, 'lru'), { maxOpenFiles: 2 });
    const cids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const path = await small.createTempPath();
      await writeFile(path, `blob number ${i}`);
      cids.push((await small.putFile(path)).cid);
    }
    const reads = cids.flatMap((cid) => [0, 1, 2].map(() => small.readRange(cid, 0, 12).then(String)));
    const texts = await Promise.all(reads);
    assert.deepEqual(
      texts,
      cids.flatMap((_, i) => [0, 1, 2].map(() => `blob number ${i}`)),
    );
    assert.ok(small.openFileCount <= 2);
    await small.close();
    assert.equal(small.openFileCount, 0);
    await assert.rejects(small.readRange(cids[0]!, 0, 1), /closed/);
  });

  it('sweepTemp removes only temp files older than the cutoff', async () => {
    const old = await store.createTempPath();
    const fresh = await store.createTempPath();
    await writeFile(old, 'orphan');
    await writeFile(fresh, 'in progress');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(old, anHourAgo, anHourAgo);
    assert.equal(await store.sweepTemp(60_000), 1);
    assert.deepEqual(await readdir(await store.tmpDir()), [fresh.split('/').pop()]);
    await rm(fresh);
  });

  it('never leaves a partial blob under a CID name when killed mid-put', async () => {
    const crashRoot = join(root, 'crash');
    const sources = await makeSourceDir();
    const payload = randomBytes(8 * 1024 * 1024);
    for (let i = 0; i < 4; i++) {
      payload[0] = i;
      await writeFile(join(sources, `src-${i}`), payload);
    }
    // Copies (keepSource) take long enough for the kill to land mid-write now and then; the
    // invariant is checked whatever the timing.
    const script = join(sources, 'put.ts');
    await writeFile(
      script,
      `import { FsBlobStore } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'fs-blob-store.ts')).href)};
const store = new FsBlobStore(${JSON.stringify(crashRoot)});
process.send?.('ready');
for (;;) for (let i = 0; i < 4; i++) {
  const { cid } = await store.putFile(${JSON.stringify(sources)} + '/src-' + i, undefined, { keepSource: true });
  await store.delete(cid);
}
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await new Promise((resolve) => child.once('message', resolve));
    await sleep(150);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const crashed = new FsBlobStore(crashRoot);
    for (const shard of await readdir(crashRoot)) {
      if (shard === '.tmp') continue;
      for (const name of await readdir(join(crashRoot, shard))) {
        assert.equal((await hashFile(join(crashRoot, shard, name))).cid, name);
      }
    }
    await crashed.sweepTemp(-1);
    assert.deepEqual(await readdir(await crashed.tmpDir()), []);
    await crashed.close();
    await removeDir(sources);
  });
});
