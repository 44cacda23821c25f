import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesToHex, sha256 } from 'viem';
import { cidDigest, digestOf } from './cid-digest.ts';

describe('cidDigest', () => {
  it('takes the 32-byte digest (or its sha2-256 multihash) and nothing else', () => {
    const data = new TextEncoder().encode('epoch data');
    const digest = digestOf(data);
    assert.equal(digest, sha256(data));
    assert.equal(cidDigest(digest), digest);
    const bytes = new Uint8Array(32).fill(7);
    assert.equal(cidDigest(bytes), bytesToHex(bytes));
    assert.equal(cidDigest(new Uint8Array([0x12, 0x20, ...bytes])), bytesToHex(bytes));
    assert.throws(() => cidDigest(new Uint8Array(31)), /not 31 bytes/);
    assert.throws(() => cidDigest(new Uint8Array([0x01, 0x55, 0x12, 0x20, ...bytes])), /not 36 bytes/);
  });
});
