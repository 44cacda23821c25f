import { useEffect, useId, useRef, useState } from 'react';
import {
  axisLabel,
  type Bucket,
  bucketLabel,
  describeTimeline,
  labelledIndexes,
  layoutChart,
  type TimelinePoint,
} from './chart.ts';

const HEIGHT = 220;

/** The element's width in CSS pixels, followed as it changes: the chart is drawn at its real size, so its text stays legible on a phone. */
function useWidth<T extends HTMLElement>(fallback: number): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const next = Math.round(entry?.contentRect.width ?? 0);
      if (next > 0) setWidth(next);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/**
 * Counted plays per bucket as bars (and distinct listeners as a line when the node reports them),
 * hand-drawn SVG: a sentence describes it for screen readers, and the same figures are a table a
 * click away.
 */
export function PlaysChart({
  points,
  bucket,
  title,
}: {
  points: TimelinePoint[];
  bucket: Bucket;
  title: string;
}) {
  const id = useId();
  const [ref, width] = useWidth<HTMLElement>(640);
  const chart = layoutChart(points, width, HEIGHT);
  const labelled = new Set(labelledIndexes(points.length, Math.max(2, Math.floor(width / 90))));
  const hasListeners = chart.listenersLine !== '';
  const description = describeTimeline(points, bucket);
  return (
    <figure className="plays-chart" ref={ref}>
      <svg
        viewBox={`0 0 ${width} ${HEIGHT}`}
        width={width}
        height={HEIGHT}
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {chart.scale.ticks.map((tick) => (
          <g key={tick} className="chart-grid">
            <line x1={chart.plot.left} x2={chart.plot.right} y1={chart.yOf(tick)} y2={chart.yOf(tick)} />
            <text x={chart.plot.left - 6} y={chart.yOf(tick)} dy="0.32em" textAnchor="end">
              {tick}
            </text>
          </g>
        ))}
        {chart.bars.map((bar, i) => (
          <g key={bar.at}>
            <rect
              className="chart-bar"
              x={bar.x}
              y={bar.y}
              width={bar.width}
              height={Math.max(bar.height, 0)}
            >
              <title>{`${bucketLabel(bar.at, bucket)} UTC: ${bar.plays} counted ${bar.plays === 1 ? 'play' : 'plays'}${
                hasListeners ? `, ${points[i]?.listeners ?? 0} listeners` : ''
              }`}</title>
            </rect>
            {labelled.has(i) && (
              <text className="chart-axis" x={bar.x + bar.width / 2} y={HEIGHT - 6} textAnchor="middle">
                {axisLabel(bar.at, bucket)}
              </text>
            )}
          </g>
        ))}
        {hasListeners && <polyline className="chart-line" points={chart.listenersLine} />}
      </svg>
      <figcaption className="chart-legend">
        <span>
          <span className="legend-bar" aria-hidden="true" /> Counted plays per {bucket}
        </span>
        {hasListeners && (
          <span>
            <span className="legend-line" aria-hidden="true" /> Unique listeners per {bucket}
          </span>
        )}
        <span className="muted">Times in UTC</span>
      </figcaption>
      <details className="chart-table">
        <summary>Show the figures as a table</summary>
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{bucket === 'hour' ? 'Hour (UTC)' : 'Day (UTC)'}</th>
                <th scope="col">Counted plays</th>
                {hasListeners && <th scope="col">Unique listeners</th>}
              </tr>
            </thead>
            <tbody>
              {points.map((point) => (
                <tr key={point.at}>
                  <th scope="row">{bucketLabel(point.at, bucket)}</th>
                  <td className="number">{point.plays}</td>
                  {hasListeners && <td className="number">{point.listeners ?? 0}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
