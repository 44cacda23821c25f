import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { BlobStore } from './blob-store.ts';
import { BlobNotFoundError, BlobRangeError } from './blob-store.ts';
import { cidFromSha256, hashFile } from './cid.ts';

export interface ContractSubject {
  store: BlobStore;
  /** Directory for the source files handed to putFile. */
  sourceDir: string;
  cleanup(): Promise<void>;
}

async function readAll(stream: Readable | NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/**
 * Byte comparison with a short failure message: assert.deepEqual on large buffers spends minutes
 * building a diff, which looks like a hung test.
 */
export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  assert.ok(Buffer.from(actual).equals(Buffer.from(expected)), `${what}: content differs`);
}

export async function makeSourceDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'fairstream-blob-src-'));
}

/** The behaviour every BlobStore driver must share; each driver's test calls this once. */
export function blobStoreContract(name: string, factory: () => Promise<ContractSubject>): void {
  describe(`${name} BlobStore contract`, () => {
    let subject: ContractSubject;
    let counter = 0;

    async function sourceFile(content: Buffer): Promise<string> {
      const path = join(subject.sourceDir, `src-${counter++}`);
      await writeFile(path, content);
      return path;
    }

    before(async () => {
      subject = await factory();
    });
    after(async () => {
      await subject.store.close();
      await subject.cleanup();
    });

    it('stores, ranges, re-puts idempotently and deletes a blob', async () => {
      const { store } = subject;
      const content = randomBytes(300_000);
      const expected = await hashFile(await sourceFile(content));

      const put = await store.putFile(await sourceFile(content));
      assert.deepEqual(put, expected);
      assert.deepEqual(await store.stat(expected.cid), expected);

      assertSameBytes(await readAll(await store.createReadStream(expected.cid)), content);
      const first = await readAll(await store.createReadStream(expected.cid, { start: 0, end: 0 }));
      assertSameBytes(first, content.subarray(0, 1));
      const lastIndex = content.length - 1;
      const last = await readAll(
        await store.createReadStream(expected.cid, { start: lastIndex, end: lastIndex }),
      );
      assertSameBytes(last, content.subarray(lastIndex));
      const middle = await readAll(await store.createReadStream(expected.cid, { start: 1000, end: 263_143 }));
      assertSameBytes(middle, content.subarray(1000, 263_144));

      const again = await store.putFile(await sourceFile(content), expected);
      assert.deepEqual(again, expected);
      const againHashed = await store.putFile(await sourceFile(content));
      assert.deepEqual(againHashed, expected);
      assertSameBytes(await readAll(await store.createReadStream(expected.cid)), content);

      await store.delete(expected.cid);
      assert.equal(await store.stat(expected.cid), undefined);
      await assert.rejects(store.createReadStream(expected.cid), BlobNotFoundError);
      await assert.rejects(store.createReadStream(expected.cid, { start: 0, end: 10 }), BlobNotFoundError);
      await store.delete(expected.cid);
    });

    it('consumes the source file unless keepSource is set', async () => {
      const { store } = subject;
      const moved = await sourceFile(Buffer.from('consumed'));
      const info = await store.putFile(moved);
      await assert.rejects(stat(moved), { code: 'ENOENT' });

      const kept = await sourceFile(Buffer.from('kept'));
      await store.putFile(kept, undefined, { keepSource: true });
      assert.equal((await stat(kept)).size, 4);
      await store.delete(info.cid);
    });

    it('clamps a range end past the blob and rejects a start past it', async () => {
      const { store } = subject;
      const content = Buffer.from('0123456789');
      const { cid } = await store.putFile(await sourceFile(content));
      const tail = await readAll(await store.createReadStream(cid, { start: 7, end: 1_000 }));
      assertSameBytes(tail, Buffer.from('789'));
      await assert.rejects(store.createReadStream(cid, { start: 10, end: 20 }), BlobRangeError);
      await assert.rejects(store.createReadStream(cid, { start: 5, end: 4 }), BlobRangeError);
      await store.delete(cid);
    });

    it('stores an empty blob under the well-known empty CID', async () => {
      const { store } = subject;
      const info = await store.putFile(await sourceFile(Buffer.alloc(0)));
      assert.deepEqual(info, { cid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku', size: 0 });
      assert.deepEqual(await store.stat(info.cid), info);
      assert.equal((await readAll(await store.createReadStream(info.cid))).length, 0);
      await store.delete(info.cid);
    });

    it('rejects a known CID whose size does not match the file', async () => {
      const { store } = subject;
      const path = await sourceFile(Buffer.from('twelve bytes'));
      const wrong = { cid: cidFromSha256(new Uint8Array(32)), size: 11 };
      await assert.rejects(store.putFile(path, wrong), /12 bytes/);
      assert.equal((await stat(path)).size, 12);
      assert.equal(await store.stat(wrong.cid), undefined);
    });

    it('refuses a malformed CID instead of touching the backend', async () => {
      const { store } = subject;
      await assert.rejects(store.stat('../../etc/passwd'), { name: 'InvalidCidError' });
      await assert.rejects(store.createReadStream('bafkrei'), { name: 'InvalidCidError' });
      await assert.rejects(store.delete('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'), {
        name: 'InvalidCidError',
      });
    });
  });
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
