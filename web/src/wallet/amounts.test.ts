import { describe, expect, it } from 'vitest';
import { formatUnits } from '../lib/format.ts';
import { formatPeriod, parseAmount } from './amounts.ts';

describe('parseAmount', () => {
  it('parses decimals into exact base units', () => {
    expect(parseAmount('2.5', 18)).toEqual({ amount: 2_500_000_000_000_000_000n });
    expect(parseAmount('0.000001', 6)).toEqual({ amount: 1n });
    expect(parseAmount('1,234.56', 6)).toEqual({ amount: 1_234_560_000n });
    expect(parseAmount('.5', 6)).toEqual({ amount: 500_000n });
    expect(parseAmount('7.', 6)).toEqual({ amount: 7_000_000n });
    expect(parseAmount('123456789012345678.123456789012345678', 18)).toEqual({
      amount: 123456789012345678123456789012345678n,
    });
  });
  it('refuses what is not an exact positive amount', () => {
    expect(parseAmount('1.0000001', 6, 'tUSD')).toEqual({
      error: 'tUSD has 6 decimals: use at most 6 digits after the point',
    });
    expect(parseAmount('0', 18, 'FAIR')).toEqual({ error: 'Enter more than 0 FAIR' });
    expect(parseAmount('', 18, 'FAIR')).toEqual({ error: 'Enter an amount of FAIR' });
    expect(parseAmount('-1', 18)).toHaveProperty('error');
    expect(parseAmount('1e3', 18)).toHaveProperty('error');
    expect(parseAmount('.', 18)).toHaveProperty('error');
    expect(parseAmount('1.2.3', 18)).toHaveProperty('error');
    expect(parseAmount('1.5', 0, 'NFT')).toEqual({ error: 'NFT has no decimals: enter a whole number' });
  });
  it('round-trips through formatUnits', () => {
    for (const text of ['0.1', '12.345678', '1000000', '0.000000000000000001']) {
      const parsed = parseAmount(text, 18);
      expect('amount' in parsed && formatUnits(parsed.amount, 18).replaceAll(',', '')).toBe(text);
    }
  });
});

describe('formatPeriod', () => {
  it('names periods', () => {
    expect(formatPeriod(30 * 86_400)).toBe('30 days');
    expect(formatPeriod(86_400)).toBe('day');
    expect(formatPeriod(3600)).toBe('hour');
    expect(formatPeriod(600)).toBe('10 minutes');
    expect(formatPeriod(45)).toBe('45 seconds');
    expect(formatPeriod(60, 'one')).toBe('one minute');
  });
});
