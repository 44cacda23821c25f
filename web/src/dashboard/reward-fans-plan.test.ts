import { describe, expect, it } from 'vitest';
import {
  checkRewardAmount,
  defaultReason,
  parseClaimDays,
  parseSince,
  parseTopFans,
  planDrop,
  reasonError,
  type TopFan,
} from './reward-fans-plan.ts';

const FAIR = 10n ** 18n;
const a = '0x00000000000000000000000000000000000000a1';
const b = '0x00000000000000000000000000000000000000b2';
const c = '0x00000000000000000000000000000000000000c3';
const fan = (recipient: string, plays: number, named = true): TopFan => ({
  rank: 0,
  address: named ? recipient : null,
  plays,
  recipient,
});

describe('checkRewardAmount', () => {
  it('takes an exact amount of FAIR up to what the wallet holds', () => {
    expect(checkRewardAmount('2.5', 10n * FAIR)).toEqual({ amount: 2n * FAIR + FAIR / 2n });
    expect(checkRewardAmount('10', 10n * FAIR)).toEqual({ amount: 10n * FAIR });
    expect(checkRewardAmount('0.000000000000000001', undefined)).toEqual({ amount: 1n });
  });
  it('refuses zero and more than held, before anything is sent', () => {
    expect(checkRewardAmount('0', 10n * FAIR)).toEqual({ error: 'Enter more than 0 FAIR' });
    expect(checkRewardAmount('0.0', 10n * FAIR)).toEqual({ error: 'Enter more than 0 FAIR' });
    expect(checkRewardAmount('10.000000000000000001', 10n * FAIR)).toEqual({
      error: 'You hold 10 FAIR, less than the 10.000000000000000001 FAIR to reward. Nothing was sent.',
    });
    expect(checkRewardAmount('lots', 10n * FAIR)).toHaveProperty('error');
  });
});

describe('the other fields', () => {
  it('takes 1 to 10,000 top fans', () => {
    expect(parseTopFans('50')).toEqual({ top: 50 });
    expect(parseTopFans('10000')).toEqual({ top: 10_000 });
    for (const bad of ['0', '10001', '2.5', '', 'ten']) expect(parseTopFans(bad)).toHaveProperty('error');
  });
  it('takes a past UTC day or nothing for all time', () => {
    const now = Date.UTC(2030, 5, 15, 12);
    expect(parseSince('', now)).toEqual({ since: undefined });
    expect(parseSince('2030-01-01', now)).toEqual({ since: Date.UTC(2030, 0, 1) });
    expect(parseSince('2030-06-15', now)).toEqual({ since: Date.UTC(2030, 5, 15) });
    expect(parseSince('2030-06-16', now)).toEqual({
      error: '2030-06-16 is in the future: there are no plays to count yet.',
    });
    expect(parseSince('2030-02-30', now)).toHaveProperty('error');
    expect(parseSince('yesterday', now)).toHaveProperty('error');
  });
  it('takes a claim window of 1 to 365 days', () => {
    expect(parseClaimDays('90')).toEqual({ days: 90 });
    for (const bad of ['0', '366', '1.5', '']) expect(parseClaimDays(bad)).toHaveProperty('error');
  });
  it('keeps the reason within 256 bytes', () => {
    expect(reasonError('Thanks!')).toBeUndefined();
    expect(reasonError('é'.repeat(128))).toBeUndefined();
    expect(reasonError('é'.repeat(129))).toBe(
      'The reason is 258 bytes long; it may be at most 256 (about a sentence or two).',
    );
  });
});

describe('planDrop', () => {
  it('divides the amount by counted plays, exactly, most plays first', () => {
    const plan = planDrop(10n * FAIR, [fan(b, 1), fan(a, 3)], undefined, '');
    expect(plan).toEqual({
      shares: [
        {
          account: '0x00000000000000000000000000000000000000A1',
          named: true,
          plays: 3,
          amount: 7_500_000_000_000_000_000n,
        },
        {
          account: '0x00000000000000000000000000000000000000b2',
          named: true,
          plays: 1,
          amount: 2_500_000_000_000_000_000n,
        },
      ],
      total: 10n * FAIR,
      leftOut: 0,
      reason: 'Top 2 fans by counted plays (all time): thank you for listening',
    });
  });
  it('gives leftover base units by largest remainder, so the parts add up to the amount', () => {
    const plan = planDrop(10n, [fan(c, 1), fan(b, 1), fan(a, 1)], Date.UTC(2030, 0, 1), 'For you');
    if ('error' in plan) throw new Error(plan.error);
    expect(plan.shares.map((share) => share.amount)).toEqual([4n, 3n, 3n]);
    expect(plan.total).toBe(10n);
    expect(plan.reason).toBe('For you');
  });
  it('leaves out fans whose share is below one base unit, and keeps unnamed fans unnamed', () => {
    const plan = planDrop(2n, [fan(a, 1), fan(b, 1, false), fan(c, 1)], undefined, '');
    if ('error' in plan) throw new Error(plan.error);
    expect(plan.shares.map((share) => [share.account.toLowerCase(), share.named, share.amount])).toEqual([
      [a, true, 1n],
      [b, false, 1n],
    ]);
    expect(plan.leftOut).toBe(1);
    expect(plan.total).toBe(2n);
  });
  it('refuses no fans and too long a reason', () => {
    expect(planDrop(FAIR, [], Date.UTC(2030, 0, 1), '')).toEqual({
      error:
        'No listener has a counted play on your tracks (since 2030-01-01): there is no one to reward yet.',
    });
    expect(planDrop(FAIR, [fan(a, 1)], undefined, 'x'.repeat(257))).toHaveProperty('error');
  });
  it('names the period in the default reason', () => {
    expect(defaultReason(5, Date.UTC(2030, 0, 1))).toBe(
      'Top 5 fans by counted plays (since 2030-01-01): thank you for listening',
    );
  });
});
