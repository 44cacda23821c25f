import { describe, expect, it } from 'vitest';
import { bySharesDescending, splitPreview } from './split-preview.ts';

const A = '0x1000000000000000000000000000000000000001';
const B = '0x2000000000000000000000000000000000000002';
const C = '0x3000000000000000000000000000000000000003';

describe('splitPreview', () => {
  it('divides one FAIR and one stablecoin unit 60/25/15 exactly', () => {
    const rows = splitPreview(
      [
        { address: B, ppm: 250_000, percent: '25' },
        { address: A, ppm: 600_000, percent: '60' },
        { address: C, ppm: 150_000, percent: '15' },
      ],
      [10n ** 18n, 1_000_000n],
    );
    expect(rows.map((row) => row.amounts)).toEqual([
      [250_000_000_000_000_000n, 250_000n],
      [600_000_000_000_000_000n, 600_000n],
      [150_000_000_000_000_000n, 150_000n],
    ]);
  });

  it('gives the leftover base units to the lowest address, whatever the display order', () => {
    // Thirds of 100 units: 33 each, and the one left over goes to A, the first in registry order.
    const rows = splitPreview(
      [
        { address: C, ppm: 333_334, percent: '33.3334' },
        { address: A, ppm: 333_333, percent: '33.3333' },
        { address: B, ppm: 333_333, percent: '33.3333' },
      ],
      [100n],
    );
    expect(Object.fromEntries(rows.map((row) => [row.address, row.amounts[0]]))).toEqual({
      [A]: 34n,
      [B]: 33n,
      [C]: 33n,
    });
    expect(rows.reduce((sum, row) => sum + row.amounts[0]!, 0n)).toBe(100n);
  });

  it('always adds up to the amount', () => {
    const splits = [
      { address: A, ppm: 123_457, percent: '12.3457' },
      { address: B, ppm: 876_542, percent: '87.6542' },
      { address: C, ppm: 1, percent: '0.0001' },
    ];
    for (const amount of [0n, 1n, 7n, 999_999n, 10n ** 18n + 3n]) {
      const rows = splitPreview(splits, [amount]);
      expect(rows.reduce((sum, row) => sum + row.amounts[0]!, 0n)).toBe(amount);
    }
  });

  it('sorts rows by share, largest first', () => {
    const rows = bySharesDescending([
      { address: C, ppm: 150_000, percent: '15' },
      { address: B, ppm: 600_000, percent: '60' },
      { address: A, ppm: 250_000, percent: '25' },
    ]);
    expect(rows.map((row) => row.percent)).toEqual(['60', '25', '15']);
  });
});
