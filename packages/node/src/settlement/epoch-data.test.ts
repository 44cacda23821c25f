import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { delegationsForPlays, type EpochDataDelegation } from './epoch-data.ts';

const fan = '0x00000000000000000000000000000000000000c1';
const other = '0x00000000000000000000000000000000000000c2';
const keyA = 'aa'.repeat(32);
const keyB = 'bb'.repeat(32);

const delegation = (
  sessionKey: string,
  issuedAt: number,
  expiresAt: number,
  address = fan,
): EpochDataDelegation => ({
  domain: 'node.example',
  address,
  sessionKey,
  chainId: 31337,
  issuedAt,
  expiresAt,
  signature: `0x${issuedAt}`,
});
const play = (listener: string, ...reports: [string, number][]) => ({
  listener,
  reports: reports.map(([sessionKey, endedAt], i) => ({
    id: `report-${i}`,
    sessionKey,
    segments: [[0, 1000]] as [number, number][],
    startedAt: endedAt - 1000,
    endedAt,
    source: 'api',
    appId: null,
    signature: '',
  })),
});

describe('delegationsForPlays', () => {
  it('gives each report the earliest delegation that covers it, each once, sorted', () => {
    const first = delegation(keyA, 1000, 5000);
    const renewal = delegation(keyA, 4000, 9000);
    const b = delegation(keyB, 0, 10_000);
    const chosen = delegationsForPlays(
      [play(fan, [keyB, 2000], [keyA, 2000], [keyA, 4500]), play(fan, [keyA, 6000])],
      [b, renewal, first, delegation(keyA, 9000, 12_000)],
    );
    assert.deepEqual(chosen, [first, renewal, b]);
  });

  it('falls back to the key’s latest delegation by the listener, and never takes another wallet’s', () => {
    const early = delegation(keyA, 1000, 2000);
    const late = delegation(keyA, 3000, 4000);
    assert.deepEqual(delegationsForPlays([play(fan, [keyA, 9000])], [late, early]), [late]);
    assert.deepEqual(delegationsForPlays([play(fan, [keyA, 1500])], [delegation(keyA, 0, 9000, other)]), []);
  });
});
