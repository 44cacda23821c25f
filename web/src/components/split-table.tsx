import type { Track } from '@fairstream/sdk';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../api.ts';
import { formatUnits } from '../lib/format.ts';
import { bySharesDescending, FAIR_DECIMALS, splitPreview } from './split-preview.ts';
import { UserLink } from './user-link.tsx';

interface Stablecoin {
  symbol: string;
  decimals: number;
}

/** The dev chain's test stablecoin; the node's subscription terms name the real one. */
const FALLBACK_STABLECOIN: Stablecoin = { symbol: 'USD', decimals: 6 };

let stablecoinInfo: Promise<Stablecoin> | undefined;
function stablecoin(): Promise<Stablecoin> {
  stablecoinInfo ??= api
    .GET('/api/v1/subscriptions/terms')
    .then(unwrap)
    .then(
      (terms) => ({ symbol: terms.token.symbol, decimals: terms.token.decimals }),
      () => FALLBACK_STABLECOIN,
    );
  return stablecoinInfo;
}

/** At least two decimals, as money is read ("0.60", "1.00"), and never rounded. */
function money(value: bigint, decimals: number): string {
  const text = formatUnits(value, decimals);
  const [whole, fraction = ''] = text.split('.');
  return `${whole}.${fraction.padEnd(Math.min(2, decimals), '0')}`;
}

/**
 * The split shown as who gets what: each recipient with their share and exactly what they get of
 * one FAIR and of one stablecoin unit, divided to the base unit as the ledger divides every payout
 * and tip of this track.
 */
export function SplitTable({ track }: { track: Track }) {
  const [coin, setCoin] = useState<Stablecoin>();
  useEffect(() => {
    let live = true;
    void stablecoin().then((found) => live && setCoin(found));
    return () => {
      live = false;
    };
  }, []);
  const usd = coin ?? FALLBACK_STABLECOIN;
  const oneFair = 10n ** BigInt(FAIR_DECIMALS);
  const oneUnit = 10n ** BigInt(usd.decimals);
  const rows = bySharesDescending(splitPreview(track.splits, [oneFair, oneUnit]));
  return (
    <div className="split">
      <p className="muted small" id="split-explained">
        Every payout and tip to this track is divided this way, to the smallest unit; the ledger gives any
        leftover unit to the first recipient by address.
      </p>
      <div className="table-scroll">
        <table className="split-table" aria-describedby="split-explained">
          <caption className="visually-hidden">The split: who gets what</caption>
          <thead>
            <tr>
              <th scope="col">Recipient</th>
              <th scope="col" className="number">
                Share
              </th>
              <th scope="col" className="number">
                Of 1 FAIR
              </th>
              <th scope="col" className="number">
                Of 1.00 {usd.symbol}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.address}>
                <th scope="row">
                  <span className="recipient">
                    <UserLink address={row.address} prefer="handle" />
                    {row.address === track.owner && <span className="badge">artist</span>}
                  </span>
                </th>
                <td className="number">{row.percent}%</td>
                <td className="number">{money(row.amounts[0]!, FAIR_DECIMALS)}</td>
                <td className="number">{money(row.amounts[1]!, usd.decimals)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
