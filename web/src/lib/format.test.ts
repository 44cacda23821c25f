import { describe, expect, it } from 'vitest';
import { formatDuration, formatUnits, shortAddress, timeAgo } from './format.ts';

describe('formatUnits', () => {
  it('prints base units exactly, without floating point', () => {
    expect(formatUnits(1_234_500n, 6)).toBe('1.2345');
    expect(formatUnits('123456789012345678901234567890', 18)).toBe('123,456,789,012.34567890123456789');
    expect(formatUnits(0n, 6)).toBe('0');
    expect(formatUnits(-5n, 2)).toBe('-0.05');
  });

  it('cuts the fraction to the digits asked for', () => {
    expect(formatUnits(1_999_999n, 6, 2)).toBe('1.99');
  });
});

describe('formatDuration', () => {
  it('prints minutes and seconds, and hours when there are some', () => {
    expect(formatDuration(61_000)).toBe('1:01');
    expect(formatDuration(3_600_000 + 5_000)).toBe('1:00:05');
    expect(formatDuration(-1)).toBe('0:00');
  });
});

describe('shortAddress and timeAgo', () => {
  it('shortens addresses and says how long ago', () => {
    expect(shortAddress('0x1234567890abcdef1234567890abcdef12345678')).toBe('0x1234…5678');
    expect(timeAgo(1_000_000, 1_000_000 + 120_000)).toBe('2 min ago');
    expect(timeAgo(0, 30 * 86_400_000)).toBe('1970-01-01');
  });
});
