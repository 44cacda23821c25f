import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { bytesToHex, keccak256, stringToBytes } from 'viem';
import {
  compareHashes,
  doubleKeccakMany,
  hashInnerNodes,
  keccak256Bytes,
  keccak256Into,
  keccak256Utf8Into,
} from './keccak.ts';

const HASH = 32;
const viemKeccak = (data: Uint8Array): Uint8Array => keccak256(data, 'bytes');

/** doubleKeccakMany in plain JavaScript over viem's keccak256. */
function referenceDoubleMany(messages: Uint8Array, width: number, count: number): Uint8Array {
  const out = new Uint8Array(count * HASH);
  for (let i = 0; i < count; i++) {
    out.set(viemKeccak(viemKeccak(messages.subarray(i * width, (i + 1) * width))), i * HASH);
  }
  return out;
}

/** hashInnerNodes in plain JavaScript over viem's keccak256. */
function referenceInnerNodes(nodes: Uint8Array, leafCount: number): void {
  for (let i = 2 * leafCount - 2 - leafCount; i >= 0; i--) {
    const a = nodes.slice((2 * i + 1) * HASH, (2 * i + 2) * HASH);
    const b = nodes.slice((2 * i + 2) * HASH, (2 * i + 3) * HASH);
    const [low, high] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
    const pair = new Uint8Array(2 * HASH);
    pair.set(low, 0);
    pair.set(high, HASH);
    nodes.set(viemKeccak(pair), i * HASH);
  }
}

describe('keccak (WebAssembly)', () => {
  it("hashes like viem's keccak256 around the 136-byte block boundaries", () => {
    for (const length of [0, 1, 31, 32, 33, 64, 135, 136, 137, 271, 272, 273, 1000]) {
      const patterned = new Uint8Array(length).map((_, i) => (i * 7 + length) & 0xff);
      for (const data of [patterned, new Uint8Array(randomBytes(length))]) {
        assert.equal(bytesToHex(keccak256Bytes(data)), keccak256(data), `${length} bytes`);
      }
    }
    // Ethereum's keccak256, not SHA3-256 (whose padding starts with 0x06).
    assert.equal(
      bytesToHex(keccak256Bytes(new Uint8Array())),
      '0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    );
  });

  it('hashes random inputs of random lengths, including views into larger buffers', () => {
    for (let round = 0; round < 200; round++) {
      const buffer = new Uint8Array(randomBytes(2_100));
      const start = buffer[0]! % 50;
      const length = (buffer[1]! * 256 + buffer[2]!) % 2_000;
      const data = buffer.subarray(start, start + length);
      assert.equal(bytesToHex(keccak256Bytes(data)), keccak256(data), `${length} bytes`);
    }
  });

  it('returns a fresh array each time and writes into another at an offset', () => {
    const first = keccak256Bytes(new Uint8Array([1]));
    const second = keccak256Bytes(new Uint8Array([2]));
    assert.equal(bytesToHex(first), keccak256(new Uint8Array([1])));
    assert.equal(bytesToHex(second), keccak256(new Uint8Array([2])));
    const out = new Uint8Array(100).fill(0xaa);
    keccak256Into(new Uint8Array([3]), out, 40);
    assert.equal(bytesToHex(out.subarray(40, 72)), keccak256(new Uint8Array([3])));
    assert.ok(out.subarray(0, 40).every((byte) => byte === 0xaa));
    assert.ok(out.subarray(72).every((byte) => byte === 0xaa));
  });

  it('grows its memory for a large input and still hashes small ones afterwards', () => {
    const large = new Uint8Array(randomBytes(3 * 1024 * 1024 + 5));
    assert.equal(bytesToHex(keccak256Bytes(large)), keccak256(large));
    const small = new Uint8Array(randomBytes(40));
    assert.equal(bytesToHex(keccak256Bytes(small)), keccak256(small));
  });

  it("hashes strings' UTF-8 in place, short, multi-byte and longer than its first memory", () => {
    for (const text of ['', 'play-1', 'é€😀 mixed', 'x'.repeat(5000), '€'.repeat(70_000)]) {
      const out = new Uint8Array(40);
      keccak256Utf8Into(text, out, 8);
      assert.equal(bytesToHex(out.subarray(8)), keccak256(stringToBytes(text)), `length ${text.length}`);
    }
  });

  it('double-hashes fixed-width messages like viem', () => {
    for (const width of [0, 1, 32, 64, 96, 135, 136, 137, 160, 300]) {
      for (const count of [0, 1, 2, 3, 7, 64, 101]) {
        const messages = new Uint8Array(randomBytes(width * count));
        assert.deepEqual(
          doubleKeccakMany(messages, width, count),
          referenceDoubleMany(messages, width, count),
          `${count} × ${width} bytes`,
        );
      }
    }
    assert.throws(() => doubleKeccakMany(new Uint8Array(10), 3, 3), /Expected 3 encodings of 3 bytes/);
  });

  it('double-hashes more messages than fit in one chunk of its memory', () => {
    // 1 MiB chunks: 7,000 × 160 bytes take two, the second partly filled.
    const width = 160;
    const count = 7_001;
    const messages = new Uint8Array(randomBytes(width * count));
    assert.deepEqual(doubleKeccakMany(messages, width, count), referenceDoubleMany(messages, width, count));
  });

  it('fills the inner nodes like a plain JavaScript tree over viem', () => {
    for (const leafCount of [1, 2, 3, 4, 5, 7, 8, 9, 33, 100, 1_001]) {
      const length = 2 * leafCount - 1;
      const nodes = new Uint8Array(length * HASH);
      nodes.set(randomBytes(leafCount * HASH), (length - leafCount) * HASH);
      // Equal leaves and leaves sharing long prefixes take the comparison past the first bytes.
      if (leafCount >= 4) {
        const last = (length - 1) * HASH;
        nodes.copyWithin(last - HASH, last, last + HASH);
        nodes.copyWithin(last - 2 * HASH, last, last + 31);
      }
      const expected = nodes.slice();
      referenceInnerNodes(expected, leafCount);
      const leaves = nodes.slice((length - leafCount) * HASH);
      hashInnerNodes(nodes, leafCount);
      assert.deepEqual(nodes, expected, `${leafCount} leaves`);
      assert.deepEqual(nodes.subarray((length - leafCount) * HASH), leaves, 'the leaves are untouched');
    }
    assert.throws(() => hashInnerNodes(new Uint8Array(64), 2), /Expected 3 nodes for 2 leaves/);
  });

  it('compares hashes bytewise', () => {
    const a = new Uint8Array(64);
    a[31] = 1;
    a[32 + 31] = 2;
    assert.ok(compareHashes(a, 0, a, 32) < 0);
    assert.ok(compareHashes(a, 32, a, 0) > 0);
    assert.equal(compareHashes(a, 0, a.slice(), 0), 0);
  });
});
