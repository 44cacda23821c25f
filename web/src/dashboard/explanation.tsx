import type { EpochData } from '@fairstream/cli/verify';
import { api, unwrap } from '../api.ts';
import { shortAddress } from '../lib/format.ts';
import { Link } from '../router.tsx';
import { explainPayout, ppmPercent } from './explain.ts';
import { money, type TokenInfo } from './tokens.ts';
import { useLoad } from './use-load.ts';

/**
 * How a payout was computed, from the epoch's published data: each subscriber's money and the fee,
 * the part their plays gave the track, the split, and the pro-rata counterfactual beside it.
 */
export function PayoutExplanation({
  epoch,
  trackId,
  account,
  coin,
  fair,
  published,
}: {
  epoch: number;
  trackId: string;
  account: string;
  coin: TokenInfo;
  fair: TokenInfo;
  /** What the node says the account earned from the track (stablecoin), to compare. */
  published: string | undefined;
}) {
  const loaded = useLoad(`explain:${epoch}:${trackId}:${account}`, async () => {
    const [data, track] = await Promise.all([
      api
        .GET('/api/v1/epochs/{n}/data', { params: { path: { n: epoch } } })
        .then(unwrap)
        .then((json) => json as EpochData),
      api.GET('/api/v1/tracks/{id}', { params: { path: { id: trackId } } }).then(unwrap),
    ]);
    return explainPayout(data, trackId, track.splits, account);
  });
  if (loaded.error) return <p role="alert">Could not explain this payout: {loaded.error}</p>;
  const x = loaded.data;
  if (!x)
    return (
      <p className="muted" aria-live="polite">
        Reading epoch {epoch}’s published data…
      </p>
    );
  const agrees = published === undefined || BigInt(published) === x.yours;
  const difference = x.yours - x.proRata.yours;
  return (
    <div className="explanation">
      <h4>1. Subscribers who played it ({x.subscribers.length})</h4>
      {x.subscribers.length === 0 ? (
        <p className="muted">
          No subscriber played this track in epoch {epoch}: its plays came from listeners without a
          subscription, which pay nothing (they still count for FAIR rewards).
        </p>
      ) : (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">Each subscriber’s money to this track</caption>
            <thead>
              <tr>
                <th scope="col">Subscriber</th>
                <th scope="col" className="number">
                  Their money
                </th>
                <th scope="col" className="number">
                  Fee ({ppmPercent(x.feePpm)}%)
                </th>
                <th scope="col" className="number">
                  Their plays of it
                </th>
                <th scope="col" className="number">
                  To this track
                </th>
              </tr>
            </thead>
            <tbody>
              {x.subscribers.map((s) => (
                <tr key={s.address}>
                  <th scope="row" className="mono">
                    {shortAddress(s.address)}
                  </th>
                  <td className="number">{money(s.funds, coin)}</td>
                  <td className="number">−{money(s.fee, coin)}</td>
                  <td className="number">
                    {s.playsOfTrack} of {s.plays}
                  </td>
                  <td className="number">{money(s.toTrack, coin)}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={4}>
                  The track’s total this epoch
                </th>
                <td className="number">{money(x.trackTotal, coin)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      <p className="muted">
        Each subscriber’s money, less the {ppmPercent(x.feePpm)}% platform fee, goes only to the tracks they
        played, in proportion to their counted plays (largest remainder, to the base unit).
      </p>
      <h4>2. The split</h4>
      <ul className="plain">
        {x.split.map((part) => (
          <li key={part.address}>
            <span className="mono">{shortAddress(part.address)}</span>
            {part.address === account.toLowerCase() && <strong> (you)</strong>}: {ppmPercent(part.ppm)}% ={' '}
            {money(part.amount, coin)}
          </li>
        ))}
      </ul>
      <p className={agrees ? 'check-ok' : 'check-failed'}>
        <span aria-hidden="true">{agrees ? '✓ ' : '✗ '}</span>
        Your part: <strong>{money(x.yours, coin)}</strong>
        {published !== undefined &&
          (agrees ? ', exactly what the node paid.' : `, but the node says ${money(published, coin)}.`)}
      </p>
      <h4>3. Beside pro-rata</h4>
      <p>
        A pro-rata pool would have pooled every subscriber’s money ({money(x.proRata.pool, coin)} after the
        fee) and divided it by all {x.proRata.plays} counted plays of the epoch: this track’s{' '}
        {x.proRata.trackPlays} would have earned {money(x.proRata.trackTotal, coin)}, and you{' '}
        <strong>{money(x.proRata.yours, coin)}</strong>. User-centric paid you{' '}
        {difference === 0n
          ? 'the same'
          : `${money(difference < 0n ? -difference : difference, coin)} ${difference > 0n ? 'more' : 'less'}`}
        .
      </p>
      {x.rewards.trackTotal > 0n && (
        <>
          <h4>4. FAIR rewards</h4>
          <p>
            {money(x.rewards.available, fair)} were shared equally among the epoch’s {x.rewards.listeners}{' '}
            active listeners, each listener’s share by their plays; {x.rewards.listenersOfTrack} of them
            played this track, giving it {money(x.rewards.trackTotal, fair)}, of which your split share is{' '}
            <strong>{money(x.rewards.yours, fair)}</strong>.
          </p>
        </>
      )}
      <p>
        <Link href={`/explorer/epochs/${epoch}`}>Epoch {epoch} in the ledger</Link>: its published data,
        roots, and a Verify button that recomputes all of it in your browser.
      </p>
    </div>
  );
}
