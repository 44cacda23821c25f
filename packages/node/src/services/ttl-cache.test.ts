import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TtlCache } from './ttl-cache.ts';

describe('TtlCache', () => {
  it('returns a value until its time is up', () => {
    let now = 1000;
    const cache = new TtlCache<string, number>({ ttlMs: 100, maxEntries: 10, now: () => now });
    cache.set('a', 1);
    now = 1099;
    assert.equal(cache.get('a'), 1);
    now = 1100;
    assert.equal(cache.get('a'), undefined);
  });
  it('evicts the oldest entry when full, and deletes entries by key', () => {
    const cache = new TtlCache<string, number>({ ttlMs: 1000, maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('c'), 3);
    cache.deleteWhere((key) => key === 'b');
    assert.equal(cache.get('b'), undefined);
  });
});
