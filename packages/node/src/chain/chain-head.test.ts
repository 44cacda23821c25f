import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainHead } from './chain-head.ts';

describe('ChainHead', () => {
  it('reads the head at most once per max age, however many ask', async () => {
    let now = 1000;
    let head = 10n;
    let reads = 0;
    const chain = new ChainHead(
      async () => {
        reads += 1;
        return head;
      },
      { maxAgeMs: 200, now: () => now },
    );
    assert.deepEqual(await Promise.all([chain.current(), chain.current(), chain.current()]), [10n, 10n, 10n]);
    assert.equal(reads, 1);
    head = 11n;
    now = 1199;
    assert.equal(await chain.current(), 10n);
    assert.equal(reads, 1);
    now = 1200;
    assert.equal(await chain.current(), 11n);
    assert.equal(reads, 2);
  });

  it('reads afresh after this process changed the chain', async () => {
    let head = 4n;
    const chain = new ChainHead(async () => head, { maxAgeMs: 60_000 });
    assert.equal(await chain.current(), 4n);
    head = 6n;
    assert.equal(await chain.current(), 4n);
    chain.invalidate();
    assert.equal(await chain.current(), 6n);
  });

  it('does not remember a failed read', async () => {
    let fail = true;
    const chain = new ChainHead(
      async () => {
        if (fail) throw new Error('RPC down');
        return 3n;
      },
      { maxAgeMs: 1000 },
    );
    await assert.rejects(chain.current(), /RPC down/);
    fail = false;
    assert.equal(await chain.current(), 3n);
  });
});
