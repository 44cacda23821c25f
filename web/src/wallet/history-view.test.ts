import { describe, expect, it } from 'vitest';
import {
  csvHref,
  type HistoryMovement,
  signedAmount,
  splitAtTitle,
  trackOf,
  untilIndexed,
} from './history-view.ts';

const fair = { address: '0xf0', symbol: 'FAIR', decimals: 18 };

describe('the wallet history view', () => {
  it('signs amounts exactly by direction', () => {
    expect(signedAmount({ amount: '1000000000000000000000', direction: 'in', token: fair })).toBe('+1,000');
    expect(signedAmount({ amount: '12345678901234567891', direction: 'out', token: fair })).toBe(
      '-12.345678901234567891',
    );
    expect(signedAmount({ amount: '5', direction: 'self', token: { ...fair, decimals: 0 } })).toBe('±5');
  });

  it('links the CSV of the same history', () => {
    expect(csvHref('0xABC', undefined)).toBe('/api/v1/accounts/0xabc/history.csv');
    expect(csvHref('0xabc', 'FAIR')).toBe('/api/v1/accounts/0xabc/history.csv?token=FAIR');
  });

  it('finds the one track a movement names', () => {
    const song = { id: 't1', title: 'Song' };
    const tip = { kind: 'tip_received', ledgerTrackId: '0x1', track: song, from: '0x2' } as const;
    expect(trackOf({ cause: tip })).toEqual(song);
    expect(trackOf({ cause: { ...tip, track: null } })).toBeUndefined();
    const part = (track: typeof song | null) =>
      ({ kind: 'track_payout', track, countedPlays: 1, amount: '1' }) as const;
    const payout = (parts: ReturnType<typeof part>[]): HistoryMovement['cause'] => ({
      kind: 'payout',
      epoch: 3,
      cumulativeAmount: '2',
      epochs: [{ epoch: 3, amount: '2', parts }],
    });
    expect(trackOf({ cause: payout([part(song), part(song)]) })).toEqual(song);
    expect(trackOf({ cause: payout([part(song), part({ id: 't2', title: 'Other' })]) })).toBeUndefined();
    expect(trackOf({ cause: { kind: 'faucet' } })).toBeUndefined();
  });

  it('cuts a description around the quoted title', () => {
    expect(splitAtTitle('Tip to “A, b”, split among 2 recipients', 'A, b')).toEqual([
      'Tip to “',
      'A, b',
      '”, split among 2 recipients',
    ]);
    expect(splitAtTitle('Dev faucet', 'A')).toBeUndefined();
  });

  it('reads again until the index holds the head, and no longer than it may', async () => {
    const blocks = [5, 6, 9, 12];
    let reads = 0;
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
    };
    const load = async () => ({ indexedBlock: blocks[reads++] ?? null });
    expect(await untilIndexed(load, 9, { sleep, delayMs: 100 })).toEqual({ indexedBlock: 9 });
    expect([reads, slept]).toEqual([3, [100, 100]]);

    reads = 0;
    expect(await untilIndexed(load, 99, { sleep, attempts: 2 })).toEqual({ indexedBlock: 6 });
    reads = 0;
    expect(await untilIndexed(load, undefined, { sleep })).toEqual({ indexedBlock: 5 });
    expect(reads).toBe(1);
  });
});
