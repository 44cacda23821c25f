import { allocateSplit } from '@fairstream/protocol';
import { describe, expect, it } from 'vitest';
import {
  checkSplit,
  describeTotal,
  parsePercent,
  previewPayout,
  type SplitRowInput,
  splitsField,
} from './splits.ts';

const A = '0x1111111111111111111111111111111111111111';
const B = '0x2222222222222222222222222222222222222222';
const C = '0x3333333333333333333333333333333333333333';

const row = (
  key: string,
  address: string | undefined,
  percent: string,
  recipient = address ?? '',
): SplitRowInput => ({
  key,
  recipient,
  address,
  percent,
});

describe('parsePercent', () => {
  it('turns exact decimals into parts per million', () => {
    expect(parsePercent('60')).toEqual({ ppm: 600_000 });
    expect(parsePercent('33.3333')).toEqual({ ppm: 333_333 });
    expect(parsePercent(' 12.5 % ')).toEqual({ ppm: 125_000 });
    expect(parsePercent('0.0001')).toEqual({ ppm: 1 });
    expect(parsePercent('100')).toEqual({ ppm: 1_000_000 });
  });
  it('refuses what the node would refuse', () => {
    expect(parsePercent('33.33333')).toHaveProperty('error');
    expect(parsePercent('-5')).toHaveProperty('error');
    expect(parsePercent('1e2')).toHaveProperty('error');
    expect(parsePercent('abc')).toHaveProperty('error');
    expect(parsePercent('')).toEqual({ error: 'Enter a percentage' });
    expect(parsePercent('0')).toEqual({ error: 'A share must be more than 0%' });
    expect(parsePercent('100.5')).toEqual({ error: 'A share cannot be more than 100%' });
  });
});

describe('checkSplit', () => {
  it('accepts 60/25/15 and sorts recipients as the ledger does', () => {
    const check = checkSplit([row('a', C, '60'), row('b', A, '25'), row('c', B, '15')]);
    expect(check.problem).toBeUndefined();
    expect(check.splits).toEqual([
      { address: A, ppm: 250_000 },
      { address: B, ppm: 150_000 },
      { address: C, ppm: 600_000 },
    ]);
  });
  it('says exactly how far a split is from 100%', () => {
    const short = checkSplit([row('a', A, '60'), row('b', B, '25'), row('c', C, '5')]);
    expect(short.totalPpm).toBe(900_000);
    expect(short.splits).toBeUndefined();
    expect(short.problem).toBe(
      'The shares add up to 90%: 10% is not assigned yet. They must add up to exactly 100%.',
    );
    const thirds = checkSplit([row('a', A, '33.3333'), row('b', B, '33.3333'), row('c', C, '33.3333')]);
    expect(thirds.problem).toContain('0.0001% is not assigned yet');
    const over = checkSplit([row('a', A, '60'), row('b', B, '50')]);
    expect(over.problem).toContain('110%: 10% too much');
    expect(describeTotal(1_000_000)).toBeUndefined();
  });
  it('refuses a recipient listed twice, whatever its case', () => {
    const check = checkSplit([row('a', A, '50'), row('b', A.toUpperCase().replace('0X', '0x'), '50')]);
    expect(check.splits).toBeUndefined();
    expect(check.rowErrors.get('b')).toMatch(/Already in the split/);
    expect(check.rowErrors.has('a')).toBe(false);
  });
  it('blocks rows whose recipient is unknown or still being looked up', () => {
    const check = checkSplit([
      row('a', A, '50'),
      {
        key: 'b',
        recipient: 'nobody',
        address: undefined,
        recipientError: 'No account has the handle “nobody”',
        percent: '50',
      },
    ]);
    expect(check.problem).toBe('One recipient needs fixing.');
    expect(check.rowErrors.get('b')).toBe('No account has the handle “nobody”');
  });
  it('needs at least one recipient', () => {
    expect(checkSplit([]).problem).toBe('Add at least one recipient.');
  });
});

describe('splitsField', () => {
  it('sends exact percentage strings in the form the node parses', () => {
    const check = checkSplit([row('a', A, '33.3334'), row('b', B, '33.3333'), row('c', C, '33.3333')]);
    expect(JSON.parse(splitsField(check.splits!))).toEqual([
      { address: A, percent: '33.3334' },
      { address: B, percent: '33.3333' },
      { address: C, percent: '33.3333' },
    ]);
  });
});

describe('previewPayout', () => {
  const splits = checkSplit([row('a', A, '60'), row('b', B, '25'), row('c', C, '15')]).splits!;

  it('divides a subscriber’s period less the fee by the split, exactly', () => {
    const preview = previewPayout(splits, {
      price: 5_000_000n,
      feePpm: 100_000,
      playsOfThisTrack: 1,
      totalPlays: 1,
    });
    expect(preview.fee).toBe(500_000n);
    expect(preview.trackAmount).toBe(4_500_000n);
    expect(preview.lines.map((line) => line.amount)).toEqual([2_700_000n, 1_125_000n, 675_000n]);
  });

  it('gives one play its largest-remainder part of the period, then the split (remainder to the first)', () => {
    const preview = previewPayout(splits, {
      price: 5_000_000n,
      feePpm: 100_000,
      playsOfThisTrack: 1,
      totalPlays: 7,
    });
    // 4,500,000 × 1/7 = 642,857.14…; the other tracks’ 6/7 has the larger remainder and takes the spare unit.
    expect(preview.trackAmount).toBe(642_857n);
    const parts = allocateSplit(642_857n, [600_000, 250_000, 150_000]);
    expect(preview.lines.map((line) => line.amount)).toEqual(parts);
    expect(parts.reduce((sum, part) => sum + part, 0n)).toBe(642_857n);
    // 0.6 × 642,857 = 385,714.2 → floor, 160,714.25 → floor, 96,428.55 → floor; remainder 1 to the first.
    expect(parts).toEqual([385_715n, 160_714n, 96_428n]);
  });

  it('refuses impossible play counts', () => {
    expect(() => previewPayout(splits, { price: 1n, feePpm: 0, playsOfThisTrack: 2, totalPlays: 1 })).toThrow(
      RangeError,
    );
  });
});
