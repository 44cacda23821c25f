import { describe, expect, it } from 'vitest';
import {
  awardPeriodLabel,
  capLabel,
  fairAmount,
  periodLabel,
  progressByRule,
  progressLabel,
} from './rewards-view.ts';

describe('the rewards page’s wording', () => {
  it('shows FAIR amounts exactly', () => {
    expect(fairAmount('5000000000000000000')).toBe('5 FAIR');
    expect(fairAmount(2_500_000_000_000_000_001n)).toBe('2.500000000000000001 FAIR');
  });
  it('says how often each rule pays and its caps per epoch', () => {
    expect(periodLabel('once')).toBe('Once ever');
    expect(periodLabel('week')).toBe('Once a week (ISO week, Monday to Sunday, UTC)');
    expect(periodLabel('track')).toBe('Once per track');
    expect(capLabel({ maxAwardsPerEpoch: 2000, maxAmountPerEpoch: '10000000000000000000000' })).toBe(
      'At most 2,000 awards and 10,000 FAIR per epoch',
    );
    expect(capLabel({ maxAwardsPerEpoch: 1, maxAmountPerEpoch: '1' })).toBe(
      'At most 1 award and 0.000000000000000001 FAIR per epoch',
    );
  });
  it('names an award’s period', () => {
    expect(awardPeriodLabel('once')).toBe('once');
    expect(awardPeriodLabel('week:2030-W01')).toBe('week 2030-W01');
    expect(awardPeriodLabel('track:0xabc')).toBe('a track');
  });
  it('shows progress and finds it by rule', () => {
    expect(progressLabel({ current: 3, target: 7 })).toBe('3 of 7');
    const byRule = progressByRule({
      address: '0x1',
      note: '',
      rules: [
        {
          rule: 'listening_streak',
          title: 'Listening streak',
          amount: '1',
          period: 'week',
          currentPeriod: '2030-W01',
          earned: false,
          awards: 0,
          progress: { current: 2, target: 7 },
          detail: '',
        },
      ],
    });
    expect(byRule.get('listening_streak')?.progress).toEqual({ current: 2, target: 7 });
    expect(progressByRule(undefined).size).toBe(0);
  });
});
