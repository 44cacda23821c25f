import { describe, expect, it } from 'vitest';
import { notPromotableReason, parseDays, promotionCost, promotionWindow } from './promotion.ts';

const DAY = 86_400_000;
const FAIR = 10n ** 18n;

describe('parseDays', () => {
  it('takes whole days from 1 to the longest promotion', () => {
    expect(parseDays('1')).toEqual({ days: 1 });
    expect(parseDays(' 7 ')).toEqual({ days: 7 });
    expect(parseDays('90')).toEqual({ days: 90 });
    expect(parseDays('30', 30)).toEqual({ days: 30 });
  });
  it('refuses zero, too many, fractions and words, saying what to enter', () => {
    expect(parseDays('0')).toEqual({
      error: 'A promotion lasts at least 1 day: enter a whole number of days from 1 to 90.',
    });
    expect(parseDays('91')).toEqual({
      error: 'A promotion lasts at most 90 days: enter a whole number of days from 1 to 90.',
    });
    expect(parseDays('2.5')).toEqual({ error: '“2.5” is not a whole number of days from 1 to 90.' });
    expect(parseDays('')).toEqual({ error: 'Enter a whole number of days from 1 to 90.' });
    expect(parseDays('-3')).toHaveProperty('error');
    expect(parseDays('1e1')).toHaveProperty('error');
    expect(parseDays('1000')).toHaveProperty('error');
  });
});

describe('promotionCost', () => {
  it('is the price per day times the days, in exact base units', () => {
    expect(promotionCost(10n * FAIR, 3)).toBe(30n * FAIR);
    expect(promotionCost(1n, 90)).toBe(90n);
    expect(promotionCost(123_456_789_012_345_678_901n, 7)).toBe(864_197_523_086_419_752_307n);
  });
});

describe('promotionWindow', () => {
  const now = Date.UTC(2030, 0, 1);
  it('starts now when no promotion runs', () => {
    expect(promotionWindow(0n, 3, now)).toEqual({ startsAt: now, endsAt: now + 3 * DAY });
    expect(promotionWindow(BigInt(now / 1000 - 60), 1, now)).toEqual({ startsAt: now, endsAt: now + DAY });
  });
  it('extends a running promotion from its end', () => {
    const running = now + 2 * DAY;
    expect(promotionWindow(BigInt(running / 1000), 5, now)).toEqual({
      startsAt: running,
      endsAt: running + 5 * DAY,
    });
  });
  it('refuses an end more than 90 days from now, as the contract does', () => {
    expect(promotionWindow(0n, 90, now)).toBeDefined();
    expect(promotionWindow(BigInt((now + DAY) / 1000), 90, now)).toBeUndefined();
  });
});

describe('notPromotableReason', () => {
  it('says why a track not on the ledger cannot be promoted yet', () => {
    expect(notPromotableReason({ state: 'processing', ledger: null })).toMatch(/still being processed/);
    expect(notPromotableReason({ state: 'failed', ledger: null })).toMatch(/processing failed/);
    expect(notPromotableReason({ state: 'ready', ledger: null })).toMatch(/not registered on the ledger yet/);
    expect(notPromotableReason({ state: 'ready', ledger: { trackId: '0xab' } as never })).toBeUndefined();
  });
});
