import { describe, expect, it } from 'vitest';
import {
  axisLabel,
  bucketLabel,
  describeTimeline,
  labelledIndexes,
  layoutChart,
  niceScale,
} from './chart.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const JULY_3 = Date.UTC(2025, 6, 3);

describe('niceScale', () => {
  it('rounds the top up to a whole step of 1, 2 or 5 × 10^k', () => {
    expect(niceScale(7)).toEqual({ max: 8, step: 2, ticks: [0, 2, 4, 6, 8] });
    expect(niceScale(10)).toEqual({ max: 10, step: 5, ticks: [0, 5, 10] });
    expect(niceScale(93)).toEqual({ max: 100, step: 50, ticks: [0, 50, 100] });
    expect(niceScale(1234).max).toBe(1500);
  });

  it('never uses fractional steps for counts, and has an axis for nothing', () => {
    expect(niceScale(1)).toEqual({ max: 1, step: 1, ticks: [0, 1] });
    expect(niceScale(3)).toEqual({ max: 3, step: 1, ticks: [0, 1, 2, 3] });
    expect(niceScale(0)).toEqual({ max: 1, step: 1, ticks: [0, 1] });
  });
});

describe('time buckets', () => {
  it('labels buckets in UTC, as the node aligns them', () => {
    expect(bucketLabel(JULY_3, 'day')).toBe('3 Jul');
    expect(bucketLabel(JULY_3 + 14 * HOUR, 'hour')).toBe('3 Jul 14:00');
    expect(axisLabel(JULY_3 + 14 * HOUR, 'hour')).toBe('14:00');
    expect(axisLabel(JULY_3, 'hour')).toBe('3 Jul');
  });

  it('labels about six buckets, always the latest', () => {
    expect(labelledIndexes(30)).toEqual([4, 9, 14, 19, 24, 29]);
    expect(labelledIndexes(3)).toEqual([0, 1, 2]);
    expect(labelledIndexes(48)).toContain(47);
    expect(labelledIndexes(0)).toEqual([]);
  });
});

describe('layoutChart', () => {
  const points = [0, 1, 2, 3].map((i) => ({
    at: JULY_3 + i * DAY,
    plays: [0, 4, 2, 8][i]!,
    listeners: [0, 2, 1, 3][i],
  }));

  it('draws each bucket as a bar whose height is its share of the axis', () => {
    const chart = layoutChart(points, 400, 200);
    expect(chart.scale.max).toBe(8);
    const full = chart.plot.bottom - chart.plot.top;
    expect(chart.bars.map((bar) => bar.height)).toEqual([0, full / 2, full / 4, full]);
    expect(chart.bars[3]!.y).toBe(chart.plot.top);
    // Bars are in order and inside the plot.
    for (const [i, bar] of chart.bars.entries()) {
      expect(bar.x).toBeGreaterThanOrEqual(chart.plot.left);
      expect(bar.x + bar.width).toBeLessThanOrEqual(chart.plot.right);
      if (i > 0) expect(bar.x).toBeGreaterThan(chart.bars[i - 1]!.x);
    }
  });

  it('adds the listeners line only when the node reports listeners', () => {
    expect(layoutChart(points, 400, 200).listenersLine.split(' ')).toHaveLength(4);
    expect(
      layoutChart(
        points.map(({ at, plays }) => ({ at, plays })),
        400,
        200,
      ).listenersLine,
    ).toBe('');
  });
});

describe('describeTimeline', () => {
  it('says the total and the busiest bucket', () => {
    const points = [
      { at: JULY_3, plays: 1 },
      { at: JULY_3 + DAY, plays: 5 },
    ];
    expect(describeTimeline(points, 'day')).toBe(
      '6 counted plays per day from 3 Jul to 4 Jul (UTC); the busiest day was 4 Jul with 5.',
    );
    expect(describeTimeline([{ at: JULY_3, plays: 0 }], 'hour')).toBe(
      'No counted plays per hour from 3 Jul 00:00 to 3 Jul 00:00 (UTC).',
    );
  });
});
