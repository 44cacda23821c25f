import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  assertCid,
  cidFromSha256,
  HashingPassThrough,
  hashFile,
  parseCid,
  writeStreamHashed,
} from './cid.ts';

const EMPTY_CID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
// Published IPFS example: `ipfs add --cid-version 1 --raw-leaves` of the 11 bytes "hello world".
const HELLO_WORLD_CID = 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e';

// Written from RFC 4648 and the CID spec rather than with multiformats, so the vectors are not
// only checked against the library under test.
function referenceCid(bytes: Uint8Array): string {
  const digest = createHash('sha256').update(bytes).digest();
  const binary = Buffer.concat([Buffer.from([0x01, 0x55, 0x12, 0x20]), digest]);
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let bits = 0;
  let value = 0;
  let out = 'b';
  for (const byte of binary) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fairstream-cid-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cidFromSha256', () => {
  it('gives the well-known CID of empty input', () => {
    assert.equal(cidFromSha256(createHash('sha256').digest()), EMPTY_CID);
    assert.equal(referenceCid(new Uint8Array()), EMPTY_CID);
  });

  it('gives the published CID of "hello world"', () => {
    assert.equal(cidFromSha256(createHash('sha256').update('hello world').digest()), HELLO_WORLD_CID);
  });

  it('matches an independent encoding for "hello world\\n"', () => {
    const bytes = Buffer.from('hello world\n');
    const digest = createHash('sha256').update(bytes).digest();
    assert.equal(digest.toString('hex'), 'a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447');
    assert.equal(cidFromSha256(digest), referenceCid(bytes));
  });

  it('rejects a digest of the wrong length', () => {
    assert.throws(() => cidFromSha256(new Uint8Array(31)), /32 bytes/);
  });
});

describe('hashFile', () => {
  it('hashes an empty file to the empty CID', async () => {
    const path = join(dir, 'empty');
    await writeFile(path, '');
    assert.deepEqual(await hashFile(path), { cid: EMPTY_CID, size: 0 });
  });

  it('hashes a multi-chunk file like a one-shot sha256', async () => {
    const path = join(dir, 'big');
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    await writeFile(path, content);
    assert.deepEqual(await hashFile(path), { cid: referenceCid(content), size: content.length });
  });

  it('rejects for a missing file', async () => {
    await assert.rejects(hashFile(join(dir, 'missing')), { code: 'ENOENT' });
  });
});

describe('HashingPassThrough', () => {
  it('writes a stream to disk once and knows its CID when it ends', async () => {
    const src = join(dir, 'upload-src');
    const dest = join(dir, 'upload-dest');
    const content = Buffer.from('hello world\n'.repeat(10_000));
    await writeFile(src, content);
    const info = await writeStreamHashed(createReadStream(src, { highWaterMark: 1000 }), dest);
    assert.deepEqual(info, { cid: referenceCid(content), size: content.length });
    assert.deepEqual(await readFile(dest), content);
  });

  it('refuses to name a stream that has not ended', () => {
    const hasher = new HashingPassThrough();
    hasher.write(Buffer.from('partial'));
    assert.equal(hasher.bytesSeen, 7);
    assert.throws(() => hasher.result(), /before the stream ended/);
    hasher.destroy();
  });
});

describe('parseCid', () => {
  it('accepts a canonical CIDv1 raw sha2-256', () => {
    assert.equal(parseCid(HELLO_WORLD_CID), HELLO_WORLD_CID);
    assert.equal(assertCid(EMPTY_CID), EMPTY_CID);
  });

  it('rejects other CIDs, encodings and junk', () => {
    const rejected: unknown[] = [
      undefined,
      42,
      '',
      '../../etc/passwd',
      HELLO_WORLD_CID.toUpperCase(),
      `${HELLO_WORLD_CID}a`,
      HELLO_WORLD_CID.slice(0, -1),
      // CIDv0 (dag-pb), CIDv1 dag-pb, and raw with blake2b-256: valid CIDs, wrong kind.
      'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG',
      'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
      'bafk2bzacedx5ukyitwfgjc3jpaa5hk5sgb5kdtmq3yfvp6t5d7jbv3qe7s6ce',
      // Right shape, but the last character carries non-zero padding bits: not canonical.
      `${EMPTY_CID.slice(0, -1)}z`,
      `${HELLO_WORLD_CID}/../x`,
    ];
    for (const text of rejected) {
      assert.equal(parseCid(text), undefined, String(text));
      assert.throws(() => assertCid(text), { name: 'InvalidCidError' }, String(text));
    }
  });

  it('explains what it expected', () => {
    assert.throws(() => assertCid('nope'), /CIDv1 raw sha2-256/);
  });
});
