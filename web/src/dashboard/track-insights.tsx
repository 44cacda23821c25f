import type { Track } from '@fairstream/sdk';
import { useState } from 'react';
import { api, unwrap } from '../api.ts';
import type { Insights } from '../explorer/types.ts';
import { shortAddress } from '../lib/format.ts';
import { Link } from '../router.tsx';
import type { Bucket } from './chart.ts';
import { PlaysChart } from './plays-chart.tsx';
import { LiveBadge, useEventStream } from './use-live.tsx';
import { useLoad } from './use-load.ts';

const SOURCE_LABELS: Record<string, string> = {
  web: 'Web app',
  cli: 'Command line',
  api: 'API',
  app: 'Apps',
};

/** One track's counted plays and listeners over time, top fans and sources, updated live as epochs are judged. */
export function TrackInsights({ track }: { track: Track }) {
  const [bucket, setBucket] = useState<Bucket>('day');
  const [live, setLive] = useState<Insights>();
  const key = `${track.id}:${bucket}`;
  const loaded = useLoad(key, () =>
    api
      .GET('/api/v1/tracks/{id}/insights', { params: { path: { id: track.id }, query: { bucket } } })
      .then(unwrap),
  );
  const stream = useEventStream(
    `/api/v1/tracks/${encodeURIComponent(track.id)}/insights/live?bucket=${bucket}`,
    'insights',
    (data) => {
      const figures = data as Insights;
      if (figures.trackId === track.id && figures.bucket === bucket) setLive(figures);
    },
  );
  // The stream's figures win once they are newer than what was loaded.
  const figures =
    live &&
    live.trackId === track.id &&
    live.bucket === bucket &&
    live.throughEpoch >= (loaded.data?.throughEpoch ?? -1)
      ? live
      : loaded.data;

  return (
    <section className="card insights" aria-labelledby={`insights-${track.id}`}>
      <div className="row insights-head">
        <h3 id={`insights-${track.id}`}>
          <Link href={`/t/${track.id}`}>{track.title}</Link>
        </h3>
        <LiveBadge state={stream} />
        <fieldset className="bucket-choice">
          <legend className="visually-hidden">Plays per</legend>
          {(['hour', 'day'] as const).map((choice) => (
            <label key={choice}>
              <input
                type="radio"
                name={`bucket-${track.id}`}
                value={choice}
                checked={bucket === choice}
                onChange={() => setBucket(choice)}
              />
              {choice === 'hour' ? 'Last 48 hours' : 'Last 30 days'}
            </label>
          ))}
        </fieldset>
      </div>
      {loaded.error && !figures && <p role="alert">Could not load the insights: {loaded.error}</p>}
      {!figures ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <dl className="figures" aria-live="polite">
            <div>
              <dt>Counted plays, all time</dt>
              <dd>{figures.countedPlays.toLocaleString('en')}</dd>
            </div>
            <div>
              <dt>In this range</dt>
              <dd>{figures.plays.toLocaleString('en')}</dd>
            </div>
            <div>
              <dt>Unique listeners</dt>
              <dd>{figures.uniqueListeners.toLocaleString('en')}</dd>
            </div>
          </dl>
          <PlaysChart
            points={figures.timeline}
            bucket={bucket}
            title={`Counted plays of ${track.title} per ${bucket}`}
          />
          {bucket === 'hour' && (
            <p className="muted small">
              Listeners are counted per UTC day: choose “Last 30 days” to see them over time.
            </p>
          )}
          <div className="insights-lists">
            <div>
              <h4>Top fans</h4>
              {figures.topFans.length === 0 ? (
                <p className="muted">No counted plays in this range yet.</p>
              ) : (
                <ol className="top-fans">
                  {figures.topFans.map((fan) => (
                    <li key={fan.rank}>
                      {fan.address ? (
                        <Link href={`/u/${fan.address}`} className="mono" title={fan.address}>
                          {shortAddress(fan.address)}
                        </Link>
                      ) : (
                        <span className="muted">A fan who chose not to be named</span>
                      )}{' '}
                      — {fan.plays} {fan.plays === 1 ? 'play' : 'plays'}
                    </li>
                  ))}
                </ol>
              )}
            </div>
            <div>
              <h4>Where plays came from</h4>
              <SourceBars sources={figures.bySource} />
            </div>
          </div>
          <p className="muted small">
            Counted plays as of epoch{' '}
            {figures.throughEpoch < 0 ? '— (none judged yet)' : figures.throughEpoch}. A play counts once a
            listener has heard min(30 s, half the track).
          </p>
        </>
      )}
    </section>
  );
}

function SourceBars({ sources }: { sources: Insights['bySource'] }) {
  const total = sources.reduce((sum, source) => sum + source.plays, 0);
  return (
    <ul className="plain sources">
      {sources.map((source) => {
        const share = total === 0 ? 0 : source.plays / total;
        return (
          <li key={source.source}>
            <span className="source-label">{SOURCE_LABELS[source.source] ?? source.source}</span>
            <span className="source-bar" aria-hidden="true">
              <span style={{ width: `${Math.round(share * 100)}%` }} />
            </span>
            <span className="number">
              {source.plays}
              {total > 0 && <span className="muted"> ({Math.round(share * 100)}%)</span>}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
