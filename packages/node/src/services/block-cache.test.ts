import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockCache } from './block-cache.ts';

/** A chain read that counts its calls and answers what `answer` says at that moment. */
function reader(answer: () => bigint) {
  const reads: bigint[] = [];
  return {
    reads,
    at: (block: bigint) => async () => {
      reads.push(block);
      return answer();
    },
  };
}

describe('BlockCache', () => {
  it('answers from the cache while the block is the same, and reads again at the next block', async () => {
    const cache = new BlockCache<string, bigint>({ maxEntries: 10 });
    let balance = 1000n;
    const read = reader(() => balance);
    assert.equal(await cache.get('fair:0xa', 7n, read.at(7n)), 1000n);
    balance = 0n;
    // The chain changed within block 7's answer: block 7 still says what it said.
    assert.equal(await cache.get('fair:0xa', 7n, read.at(7n)), 1000n);
    assert.equal(await cache.get('fair:0xa', 8n, read.at(8n)), 0n);
    assert.equal(await cache.get('fair:0xa', 8n, read.at(8n)), 0n);
    assert.deepEqual(read.reads, [7n, 8n]);
  });

  it('keeps one answer per key', async () => {
    const cache = new BlockCache<string, string>({ maxEntries: 10 });
    assert.equal(await cache.get('a', 1n, async () => 'a at 1'), 'a at 1');
    assert.equal(await cache.get('b', 1n, async () => 'b at 1'), 'b at 1');
    assert.equal(await cache.get('a', 1n, async () => 'read again'), 'a at 1');
    assert.equal(cache.size, 2);
  });

  it('shares one read among requests that miss the same key at the same block', async () => {
    const cache = new BlockCache<string, bigint>({ maxEntries: 10 });
    const read = reader(() => 5n);
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.get('k', 3n, read.at(3n))));
    assert.deepEqual(new Set(answers), new Set([5n]));
    assert.deepEqual(read.reads, [3n]);
  });

  it('answers a request with an older head without replacing the newer entry', async () => {
    const cache = new BlockCache<string, string>({ maxEntries: 10 });
    await cache.get('k', 9n, async () => 'at 9');
    assert.equal(await cache.get('k', 8n, async () => 'at 8'), 'at 8');
    assert.equal(await cache.get('k', 9n, async () => 'read again'), 'at 9');
  });

  it('forgets a failed read, so the next request reads again', async () => {
    const cache = new BlockCache<string, bigint>({ maxEntries: 10 });
    await assert.rejects(
      cache.get('k', 1n, async () => {
        throw new Error('RPC down');
      }),
      /RPC down/,
    );
    assert.equal(cache.size, 0);
    assert.equal(await cache.get('k', 1n, async () => 2n), 2n);
  });

  it('drops the entry written longest ago when full', async () => {
    const cache = new BlockCache<string, string>({ maxEntries: 2 });
    await cache.get('a', 1n, async () => 'a');
    await cache.get('b', 1n, async () => 'b');
    // Rewritten at a new block, 'a' becomes the newest entry.
    await cache.get('a', 2n, async () => 'a2');
    await cache.get('c', 2n, async () => 'c');
    assert.equal(cache.size, 2);
    assert.equal(await cache.get('a', 2n, async () => 'read again'), 'a2');
    assert.equal(await cache.get('b', 1n, async () => 'b read again'), 'b read again');
  });
});
