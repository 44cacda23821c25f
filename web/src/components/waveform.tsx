import { type KeyboardEvent, type MouseEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { api, unwrap } from '../api.ts';
import { formatDuration } from '../lib/format.ts';
import {
  type MomentComment,
  momentAt,
  parseWaveform,
  placeMarkers,
  scalePeaks,
  seekByKey,
} from './waveform-math.ts';

/** Bars to draw: about one per 4 px, within bounds that keep the picture readable and the SVG light. */
function barsFor(width: number): number {
  return Math.max(48, Math.min(240, Math.floor(width / 4)));
}

/** The waveform's loudness points, through the API's blob endpoint (the URL ends in the blob's CID). */
async function loadPeaks(url: string): Promise<number[] | undefined> {
  const parsed = new URL(url, window.location.origin);
  const cid = /\/blobs\/([^/?]+)$/.exec(parsed.pathname)?.[1];
  if (!cid) return undefined;
  const share = parsed.searchParams.get('share') ?? undefined;
  const json = await api
    .GET('/api/v1/blobs/{cid}', { params: { path: { cid }, query: { share } }, parseAs: 'json' })
    .then(unwrap);
  return parseWaveform(json);
}

export interface WaveformProps {
  title: string;
  durationMs: number;
  waveformUrl: string | null;
  /** Where playback is, when this track is the one playing; undefined otherwise. */
  positionMs: number | undefined;
  comments: readonly (MomentComment & { text?: string | null })[];
  onSeek(ms: number): void;
  onMarker?(ids: string[]): void;
}

/**
 * The track's waveform with its playhead: a slider (click, or arrows ±5 s, Page Up/Down ±30 s,
 * Home/End) that seeks, and comment markers at their moments below it.
 */
export function Waveform({
  title,
  durationMs,
  waveformUrl,
  positionMs,
  comments,
  onSeek,
  onMarker,
}: WaveformProps) {
  const [points, setPoints] = useState<number[]>();
  const [width, setWidth] = useState(720);
  const box = useRef<HTMLDivElement>(null);
  const clipId = useId();

  useEffect(() => {
    let live = true;
    setPoints(undefined);
    if (waveformUrl) {
      loadPeaks(waveformUrl).then(
        (found) => live && setPoints(found ?? []),
        () => live && setPoints([]),
      );
    }
    return () => {
      live = false;
    };
  }, [waveformUrl]);

  useEffect(() => {
    const element = box.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.max(1, Math.round(entry.contentRect.width)));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const bars = barsFor(width);
  const heights = useMemo(() => scalePeaks(points ?? [], bars), [points, bars]);
  const markers = useMemo(() => placeMarkers(comments, durationMs, width), [comments, durationMs, width]);
  const position = Math.min(durationMs, Math.max(0, positionMs ?? 0));
  const fraction = durationMs > 0 ? position / durationMs : 0;

  const click = (event: MouseEvent<HTMLDivElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    onSeek(momentAt(event.clientX, rect.left, rect.width, durationMs));
  };
  const key = (event: KeyboardEvent<HTMLDivElement>) => {
    const to = seekByKey(event.key, position, durationMs);
    if (to === undefined) return;
    event.preventDefault();
    onSeek(to);
  };
  const textOf = (ids: string[]) => {
    const first = comments.find((comment) => comment.id === ids[0]);
    const more = ids.length > 1 ? ` (+${ids.length - 1} more)` : '';
    return `${first?.text ?? ''}${more}`;
  };

  return (
    <div className="waveform">
      <div
        ref={box}
        role="slider"
        tabIndex={0}
        className="waveform-slider"
        aria-label={`Seek in ${title}`}
        aria-valuemin={0}
        aria-valuemax={Math.round(durationMs / 1000)}
        aria-valuenow={Math.round(position / 1000)}
        aria-valuetext={`${formatDuration(position)} of ${formatDuration(durationMs)}`}
        aria-busy={waveformUrl !== null && points === undefined}
        onClick={click}
        onKeyDown={key}
      >
        <svg viewBox={`0 0 ${bars} 100`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
          <defs>
            <clipPath id={clipId}>
              <rect x="0" y="0" width={bars * fraction} height="100" />
            </clipPath>
          </defs>
          <g className="wave-rest">
            {heights.map((height, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: bars are positions, fixed by their index.
              <rect key={i} x={i + 0.15} width={0.7} y={50 - height * 48} height={height * 96} />
            ))}
          </g>
          <g className="wave-played" clipPath={`url(#${clipId})`}>
            {heights.map((height, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: as above.
              <rect key={i} x={i + 0.15} width={0.7} y={50 - height * 48} height={height * 96} />
            ))}
          </g>
        </svg>
        {positionMs !== undefined && (
          <span className="playhead" style={{ left: `${fraction * 100}%` }} aria-hidden="true" />
        )}
      </div>
      {markers.length > 0 && (
        <div className="waveform-markers" aria-hidden="true">
          {markers.map((marker) => (
            <button
              key={marker.ids[0]}
              type="button"
              tabIndex={-1}
              className="marker"
              style={{ left: `${marker.at * 100}%` }}
              title={`${formatDuration(marker.atMs)}: ${textOf(marker.ids)}`}
              onClick={() => {
                onSeek(marker.atMs);
                onMarker?.(marker.ids);
              }}
            >
              {marker.ids.length > 1 ? marker.ids.length : ''}
            </button>
          ))}
        </div>
      )}
      <div className="waveform-times" aria-hidden="true">
        <span>{formatDuration(position)}</span>
        <span>{formatDuration(durationMs)}</span>
      </div>
    </div>
  );
}
