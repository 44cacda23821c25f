import { useEffect, useState } from 'react';
import { api, errorMessage, unwrap } from '../api.ts';
import { money, useTokens } from '../dashboard/tokens.ts';
import { Link } from '../router.tsx';
import { EpochState, formatTime, ScrollTable } from './bits.tsx';
import type { EpochSummary } from './types.ts';

const PAGE = 20;
/** The newest page is read again this often, so new epochs appear as they settle. */
const REFRESH_MS = 5000;

/** Every epoch, newest first: state, counted plays, what it paid and its payout root. */
export function EpochList() {
  const token = useTokens();
  const [newest, setNewest] = useState<EpochSummary[]>();
  const [older, setOlder] = useState<EpochSummary[]>([]);
  const [cursor, setCursor] = useState<number | null>(null);
  const [error, setError] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    let live = true;
    const load = () =>
      api
        .GET('/api/v1/epochs', { params: { query: { limit: PAGE } } })
        .then(unwrap)
        .then((page) => {
          if (!live) return;
          setNewest(page.epochs);
          setError(undefined);
          setCursor((current) => current ?? page.nextCursor);
        })
        .catch((cause: unknown) => live && setError(errorMessage(cause)));
    void load();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);

  const more = async () => {
    if (cursor === null) return;
    setLoadingMore(true);
    try {
      const page = unwrap(await api.GET('/api/v1/epochs', { params: { query: { limit: PAGE, cursor } } }));
      setOlder((list) => [...list, ...page.epochs]);
      setCursor(page.nextCursor ?? -1);
    } catch (cause) {
      setError(errorMessage(cause));
    } finally {
      setLoadingMore(false);
    }
  };

  if (!newest)
    return error ? (
      <p role="alert">Could not load the epochs: {error}</p>
    ) : (
      <p className="muted" aria-live="polite">
        Loading epochs…
      </p>
    );
  // The refreshed first page and the pages below it can overlap as new epochs arrive.
  const seen = new Set(newest.map((epoch) => epoch.n));
  const epochs = [...newest, ...older.filter((epoch) => !seen.has(epoch.n))];
  if (epochs.length === 0)
    return (
      <p className="muted">No epochs yet. The node settles its first one a minute or so after it starts.</p>
    );
  return (
    <section aria-labelledby="epochs-heading">
      <h2 id="epochs-heading">Epochs</h2>
      {error && <p role="alert">Could not refresh: {error}</p>}
      <ScrollTable label="Epochs table">
        <table className="epochs">
          <thead>
            <tr>
              <th scope="col">Epoch</th>
              <th scope="col">State</th>
              <th scope="col">Ended</th>
              <th scope="col" className="number">
                Counted plays
              </th>
              <th scope="col">Paid (fee included)</th>
              <th scope="col">Payout root</th>
            </tr>
          </thead>
          <tbody>
            {epochs.map((epoch) => (
              <tr key={epoch.n}>
                <th scope="row">
                  <Link href={`/explorer/epochs/${epoch.n}`} aria-label={`Epoch ${epoch.n}`}>
                    {epoch.n}
                  </Link>
                </th>
                <td>
                  <EpochState state={epoch.state} />
                </td>
                <td>{formatTime(epoch.endsAt)}</td>
                <td className="number">{epoch.totals.countedPlays ?? '—'}</td>
                <td>
                  {epoch.paidByToken.length === 0
                    ? '—'
                    : epoch.paidByToken.map((paid) => (
                        <div key={paid.token}>{money(paid.amount, token(paid.token))}</div>
                      ))}
                </td>
                <td className="mono" title={epoch.payoutRoot ?? undefined}>
                  {epoch.payoutRoot ? `${epoch.payoutRoot.slice(0, 10)}…` : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollTable>
      {cursor !== null && cursor >= 0 && (
        <button type="button" className="secondary" onClick={more} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Show older epochs'}
        </button>
      )}
    </section>
  );
}
