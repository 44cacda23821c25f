import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  awardKey,
  DAY_MS,
  dayNumberOf,
  dayNumberOfString,
  dayString,
  FAN_REWARD_RULE_IDS,
  FAN_REWARD_RULES,
  FAN_REWARDS_POLICY,
  isoWeekOf,
  periodKey,
  weekStartOf,
} from './rules.ts';

describe('fan reward rules', () => {
  it('publishes each rule once, with an amount and caps that fit each other', () => {
    assert.deepEqual(
      FAN_REWARD_RULES.map((rule) => rule.id),
      [...FAN_REWARD_RULE_IDS],
    );
    for (const rule of FAN_REWARD_RULES) {
      assert.ok(rule.amount > 0n, rule.id);
      assert.ok(rule.maxAwardsPerEpoch > 0, rule.id);
      assert.ok(rule.maxAmountPerEpoch >= rule.amount, `${rule.id}: the cap admits at least one award`);
      assert.ok(rule.description.length > 20, rule.id);
    }
    assert.equal(FAN_REWARDS_POLICY.sharePpm, 100_000);
    assert.ok(Object.isFrozen(FAN_REWARD_RULES) && Object.isFrozen(FAN_REWARDS_POLICY));
  });

  it('numbers UTC days, with the day changing exactly at midnight UTC', () => {
    const midnight = Date.UTC(2025, 0, 7);
    assert.equal(dayNumberOf(midnight) - dayNumberOf(midnight - 1), 1);
    assert.equal(dayString(dayNumberOf(midnight - 1)), '2025-01-06');
    assert.equal(dayString(dayNumberOf(midnight)), '2025-01-07');
    assert.equal(dayNumberOfString('2025-01-07'), midnight / DAY_MS);
    for (const bad of ['2025-1-7', '2025-02-30', '', 'yesterday'])
      assert.throws(() => dayNumberOfString(bad), RangeError, bad);
  });

  it('names ISO weeks: Monday to Sunday, week 1 holding the year’s first Thursday', () => {
    const week = (y: number, m: number, d: number) => isoWeekOf(dayNumberOf(Date.UTC(y, m - 1, d)));
    assert.equal(week(2025, 1, 5), '2025-W01'); // Sunday
    assert.equal(week(2025, 1, 6), '2025-W02'); // Monday
    assert.equal(week(2024, 12, 30), '2025-W01'); // Monday of the week holding 2025-01-02
    assert.equal(week(2021, 1, 3), '2020-W53');
    assert.equal(week(2026, 12, 31), '2026-W53');
    assert.equal(week(1970, 1, 1), '1970-W01');
    const monday = dayNumberOf(Date.UTC(2025, 0, 6));
    for (let d = monday; d < monday + 7; d++) assert.equal(weekStartOf(d), monday);
  });

  it('keys awards by account (any case), rule and period', () => {
    assert.equal(periodKey('once'), 'once');
    assert.equal(periodKey('week', '2025-W02'), 'week:2025-W02');
    assert.equal(periodKey('track', 'trk_1'), 'track:trk_1');
    assert.throws(() => periodKey('track'), RangeError);
    assert.equal(awardKey('0xABC', 'tastemaker', 'track:t'), '0xabc|tastemaker|track:t');
  });
});
