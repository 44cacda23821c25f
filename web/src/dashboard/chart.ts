/**
 * The arithmetic of the plays chart, kept apart from the SVG so it is unit-tested: a "nice" value
 * axis, bucket labels and the bars' geometry. Buckets come from the node aligned to UTC hours and
 * days, so they are labelled in UTC: a local-time label would put a day's plays under the wrong date.
 */

export type Bucket = 'hour' | 'day';

export const BUCKET_MS: Record<Bucket, number> = { hour: 3_600_000, day: 86_400_000 };

export interface TimelinePoint {
  /** Start of the bucket, Unix ms (UTC-aligned). */
  at: number;
  plays: number;
  /** Distinct listeners in the bucket, when the node reports them (day buckets). */
  listeners?: number | null | undefined;
}

/**
 * An axis from 0 to a round maximum at or above `max`, with at most `maxTicks` + 1 evenly spaced
 * whole-number ticks (steps of 1, 2 or 5 × 10^k). Counts are whole, so the step is at least 1.
 */
export function niceScale(max: number, maxTicks = 4): { max: number; step: number; ticks: number[] } {
  const top = Math.max(0, Math.ceil(max));
  if (top === 0) return { max: 1, step: 1, ticks: [0, 1] };
  const rough = top / maxTicks;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  let step = magnitude;
  for (const factor of [1, 2, 5, 10]) {
    step = factor * magnitude;
    if (step >= rough) break;
  }
  step = Math.max(1, Math.round(step));
  const niceMax = Math.ceil(top / step) * step;
  const ticks: number[] = [];
  for (let tick = 0; tick <= niceMax; tick += step) ticks.push(tick);
  return { max: niceMax, step, ticks };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "3 Jul" for a day, "3 Jul 14:00" for an hour; UTC. */
export function bucketLabel(at: number, bucket: Bucket): string {
  const date = new Date(at);
  const day = `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}`;
  if (bucket === 'day') return day;
  return `${day} ${String(date.getUTCHours()).padStart(2, '0')}:00`;
}

/** Short tick label for the time axis: the date for days; the hour, and the date at midnight, for hours. */
export function axisLabel(at: number, bucket: Bucket): string {
  const date = new Date(at);
  if (bucket === 'day' || date.getUTCHours() === 0)
    return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}`;
  return `${String(date.getUTCHours()).padStart(2, '0')}:00`;
}

/**
 * Which buckets get a time-axis label: about `wanted` of them, evenly spaced, always the last one
 * (the most recent is the one people look for).
 */
export function labelledIndexes(count: number, wanted = 6): number[] {
  if (count <= 0) return [];
  const every = Math.max(1, Math.ceil(count / wanted));
  const indexes: number[] = [];
  for (let i = (count - 1) % every; i < count; i += every) indexes.push(i);
  return indexes;
}

export interface ChartBar {
  at: number;
  plays: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartLayout {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  scale: { max: number; ticks: number[] };
  /** y of a value on the axis. */
  yOf(value: number): number;
  bars: ChartBar[];
  /** Polyline points of the listeners series ("x,y x,y"), empty when there is none. */
  listenersLine: string;
}

/** Bars for plays (and a line for listeners) laid out in a `width` × `height` viewBox. */
export function layoutChart(points: readonly TimelinePoint[], width: number, height: number): ChartLayout {
  const plot = { left: 36, top: 8, right: width - 8, bottom: height - 24 };
  const highest = Math.max(0, ...points.map((p) => Math.max(p.plays, p.listeners ?? 0)));
  const scale = niceScale(highest);
  const plotHeight = plot.bottom - plot.top;
  const yOf = (value: number) => plot.bottom - (value / scale.max) * plotHeight;
  const slot = points.length === 0 ? 0 : (plot.right - plot.left) / points.length;
  const barWidth = Math.max(1, slot * 0.7);
  const bars = points.map((point, i) => {
    const y = yOf(point.plays);
    return {
      at: point.at,
      plays: point.plays,
      x: plot.left + i * slot + (slot - barWidth) / 2,
      y,
      width: barWidth,
      height: plot.bottom - y,
    };
  });
  const withListeners = points.some((p) => typeof p.listeners === 'number');
  const listenersLine = withListeners
    ? points
        .map((p, i) => `${round(plot.left + i * slot + slot / 2)},${round(yOf(p.listeners ?? 0))}`)
        .join(' ')
    : '';
  return { width, height, plot, scale, yOf, bars, listenersLine };
}

const round = (value: number) => Math.round(value * 10) / 10;

/** A sentence for screen readers that says what the chart shows. */
export function describeTimeline(points: readonly TimelinePoint[], bucket: Bucket): string {
  if (points.length === 0) return 'No data in this range.';
  const total = points.reduce((sum, p) => sum + p.plays, 0);
  const busiest = points.reduce((best, p) => (p.plays > best.plays ? p : best), points[0]!);
  const unit = bucket === 'hour' ? 'hour' : 'day';
  const range = `${bucketLabel(points[0]!.at, bucket)} to ${bucketLabel(points[points.length - 1]!.at, bucket)} (UTC)`;
  if (total === 0) return `No counted plays per ${unit} from ${range}.`;
  return `${total} counted ${total === 1 ? 'play' : 'plays'} per ${unit} from ${range}; the busiest ${unit} was ${bucketLabel(busiest.at, bucket)} with ${busiest.plays}.`;
}
