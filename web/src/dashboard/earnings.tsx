import { useEffect, useState } from 'react';
import type { Earnings } from '../explorer/types.ts';
import { Link } from '../router.tsx';
import { perPlay } from './explain.ts';
import { PayoutExplanation } from './explanation.tsx';
import { money, type TokenInfo } from './tokens.ts';

/** Earnings per epoch and track, newest first, each with the explanation of how it was computed. */
export function EarningsTable({
  earnings,
  token,
  fairAddress,
}: {
  earnings: Earnings;
  token: (address: string) => TokenInfo;
  fairAddress: string | undefined;
}) {
  const [open, setOpen] = useState<string>();
  useEffect(() => {
    if (open)
      document.getElementById('payout-explanation')?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [open]);
  if (earnings.items.length === 0)
    return (
      <p className="muted">
        Nothing earned in a settled epoch yet. Earnings appear here, live, as soon as an epoch with counted
        plays of your tracks settles (about a minute on a local node).
      </p>
    );
  const items = [...earnings.items].sort((a, b) => b.epoch - a.epoch || a.trackId.localeCompare(b.trackId));
  const fair = fairAddress ? token(fairAddress) : { symbol: 'FAIR', decimals: 18 };
  const explained = items.find((item) => `${item.epoch}:${item.trackId}:${item.token}` === open);
  return (
    <>
      <section className="table-scroll earnings stack-on-phone" aria-label="Earnings by epoch and track">
        <table>
          <thead>
            <tr>
              <th scope="col">Epoch</th>
              <th scope="col">Track</th>
              <th scope="col" className="number">
                Counted plays
              </th>
              <th scope="col" className="number">
                You earned
              </th>
              <th scope="col">Status</th>
              <th scope="col" className="number">
                Pro-rata would pay
              </th>
              <th scope="col" className="number">
                Per play
              </th>
              <th scope="col">
                <span className="visually-hidden">How</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => {
              const key = `${item.epoch}:${item.trackId}:${item.token}`;
              const info = token(item.token);
              const isFair =
                fairAddress !== undefined && item.token.toLowerCase() === fairAddress.toLowerCase();
              const expanded = open === key;
              const title = item.title ?? item.trackId;
              return (
                <tr key={key}>
                  <td data-label="Epoch">
                    <Link
                      href={`/explorer/epochs/${item.epoch}`}
                      aria-label={`Epoch ${item.epoch} in the ledger`}
                    >
                      {item.epoch}
                    </Link>
                  </td>
                  <td>
                    <Link href={`/t/${item.trackId}`}>{title}</Link>
                    {isFair && <span className="badge">FAIR reward</span>}
                  </td>
                  <td className="number" data-label="Counted plays">
                    {item.countedPlays}
                  </td>
                  <td className="number" data-label="You earned">
                    <strong>{money(item.amount, info)}</strong>
                  </td>
                  <td>
                    <span className={`badge status-${item.status}`}>
                      {item.status === 'paid' ? 'Paid to wallet' : 'Pending'}
                    </span>
                  </td>
                  <td className="number" data-label="Pro-rata would pay">
                    {item.proRata === null ? '—' : money(item.proRata, info)}
                  </td>
                  <td className="number" data-label="Per play">
                    {perPlay(item.amount, item.countedPlays, info)}
                  </td>
                  <td>
                    {!isFair && (
                      <button
                        type="button"
                        className="link-button"
                        aria-expanded={expanded}
                        aria-controls="payout-explanation"
                        onClick={() => setOpen(expanded ? undefined : key)}
                      >
                        {expanded ? 'Hide' : 'Explain'}
                        <span className="visually-hidden">
                          {' '}
                          the payout of {title} in epoch {item.epoch}
                        </span>
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      {explained && (
        <section
          id="payout-explanation"
          className="card explanation-card"
          aria-labelledby="explanation-heading"
        >
          <div className="row">
            <h3 id="explanation-heading">
              How {explained.title ?? explained.trackId} paid you in epoch {explained.epoch}
            </h3>
            <button type="button" className="secondary" onClick={() => setOpen(undefined)}>
              Close
            </button>
          </div>
          <PayoutExplanation
            epoch={explained.epoch}
            trackId={explained.trackId}
            account={earnings.address}
            coin={token(explained.token)}
            fair={fair}
            published={explained.amount}
          />
        </section>
      )}
    </>
  );
}

/** Totals per token: earned, paid, pending, and what pro-rata would have paid. */
export function EarningsTotals({
  earnings,
  token,
}: {
  earnings: Earnings;
  token: (address: string) => TokenInfo;
}) {
  if (earnings.totals.length === 0) return null;
  return (
    <ul className="plain summary-cards">
      {earnings.totals.map((total) => {
        const info = token(total.token);
        return (
          <li key={total.token} className="card">
            <p className="muted">Earned in {info.symbol}</p>
            <p className="big-figure">{money(total.amount, info)}</p>
            <p className="muted">
              Paid {money(total.paid, info)} · pending {money(total.pending, info)}
              {info.symbol !== 'FAIR' && <> · pro-rata would have paid {money(total.proRata, info)}</>}
            </p>
          </li>
        );
      })}
    </ul>
  );
}
