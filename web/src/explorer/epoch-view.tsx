import type { EpochData } from '@fairstream/cli/verify';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../api.ts';
import { money, type TokenInfo, useTokens } from '../dashboard/tokens.ts';
import { useLoad } from '../dashboard/use-load.ts';
import { formatDuration } from '../lib/format.ts';
import { Link } from '../router.tsx';
import { AccountLink, EpochState, formatTime, Hash, ScrollTable } from './bits.tsx';
import { totalsBalance } from './summarize.ts';
import type { EpochDetail } from './types.ts';
import { VerifyPanel } from './verify-panel.tsx';

const ROWS = 25;
/** Above this many counted plays the published data (every play with its reports) loads on request. */
const AUTO_LOAD_PLAYS = 2000;
/** An epoch still settling is read again this often. */
const SETTLING_REFRESH_MS = 3000;

/** One epoch: its roots, transactions, totals, published data (with links) and a Verify button. */
export function EpochView({ n }: { n: number }) {
  const token = useTokens();
  const epoch = useLoad(`epoch:${n}`, () =>
    api.GET('/api/v1/epochs/{n}', { params: { path: { n } } }).then(unwrap),
  );
  const [wanted, setWanted] = useState(false);
  const big = (epoch.data?.plays.counted ?? 0) > AUTO_LOAD_PLAYS;
  const dataKey = epoch.data?.dataCid && (wanted || !big) ? `data:${n}:${epoch.data.dataCid}` : undefined;
  const data = useLoad(dataKey, () =>
    api
      .GET('/api/v1/epochs/{n}/data', { params: { path: { n } } })
      .then(unwrap)
      .then((json) => json as EpochData),
  );

  const settling = epoch.data !== undefined && epoch.data.state !== 'done' && epoch.data.state !== 'empty';
  useEffect(() => {
    if (!settling) return;
    const timer = setInterval(epoch.reload, SETTLING_REFRESH_MS);
    return () => clearInterval(timer);
  }, [settling, epoch.reload]);

  if (epoch.error)
    return (
      <section>
        <h2>Epoch {n}</h2>
        <p role="alert">{epoch.error}</p>
        <p>
          <Link href="/explorer">See every epoch</Link>.
        </p>
      </section>
    );
  if (!epoch.data)
    return (
      <p className="muted" aria-live="polite">
        Loading epoch {n}…
      </p>
    );
  const e = epoch.data;
  const stablecoin = data.data?.tokens.stablecoin;
  const fair = data.data?.tokens.fair;
  const coin = stablecoin ? token(stablecoin) : e.paidByToken[0] ? token(e.paidByToken[0].token) : undefined;
  return (
    <div className="stack">
      <section aria-labelledby="epoch-heading">
        <div className="row">
          <h2 id="epoch-heading">Epoch {n}</h2>
          <EpochState state={e.state} />
          {settling && (
            <span className="muted small" aria-live="polite">
              Settling: this page follows it.
            </span>
          )}
        </div>
        <p className="muted">
          {formatTime(e.startsAt)} – {formatTime(e.endsAt)} (chain time) · {e.plays.counted} counted{' '}
          {e.plays.counted === 1 ? 'play' : 'plays'}, {e.plays.notCounted} not counted
        </p>
        {e.error && <p role="alert">The last settlement step failed and will be retried: {e.error}</p>}
        <dl className="facts">
          <dt>Payout root</dt>
          <dd>
            <Hash value={e.payoutRoot} label="Payout root" />
          </dd>
          <dt>Plays root</dt>
          <dd>
            <Hash value={e.playsRoot} label="Plays root" />
          </dd>
          <dt>Published data</dt>
          <dd>
            {e.dataCid ? (
              <>
                <Hash value={e.dataCid} label="Data CID" />{' '}
                <a href={`/api/v1/epochs/${n}/data`} type="application/json">
                  Epoch data (JSON)
                </a>{' '}
                · <a href={`/api/v1/blobs/${e.dataCid}`}>by its CID</a>
              </>
            ) : (
              <span className="muted">
                Nothing published{e.state === 'done' || e.state === 'empty' ? '' : ' yet'}
              </span>
            )}
          </dd>
          <dt>Release transaction</dt>
          <dd>
            <Hash value={e.releaseTx} />
          </dd>
          <dt>Publish transaction</dt>
          <dd>
            <Hash value={e.publishTx} />
          </dd>
          <dt>Claim transactions</dt>
          <dd>
            {e.claimTxs.length === 0 ? (
              <span className="muted">—</span>
            ) : (
              <ul className="plain">
                {e.claimTxs.map((tx) => (
                  <li key={tx}>
                    <Hash value={tx} />
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </dl>
      </section>

      <Totals epoch={e} coin={coin} fairToken={fair ? token(fair) : undefined} token={token} />

      {e.dataCid && <VerifyPanel epoch={n} />}

      {e.dataCid && big && !wanted && (
        <p>
          <button type="button" className="secondary" onClick={() => setWanted(true)}>
            Show the payouts and the {e.plays.counted.toLocaleString('en')} counted plays
          </button>{' '}
          <span className="muted">(downloads the whole published data)</span>
        </p>
      )}
      {data.error && <p role="alert">Could not load the published data: {data.error}</p>}
      {data.data && <Published data={data.data} token={token} />}
    </div>
  );
}

function Totals({
  epoch,
  coin,
  fairToken,
  token,
}: {
  epoch: EpochDetail;
  coin: TokenInfo | undefined;
  fairToken: TokenInfo | undefined;
  token: (address: string) => TokenInfo;
}) {
  const t = epoch.totals;
  if (Object.keys(t).length === 0) return null;
  const amount = (value: string | undefined, info = coin) =>
    value === undefined ? '—' : info ? money(value, info) : `${value} base units`;
  const balance = totalsBalance(t);
  const rows: [string, string][] = [
    ['Released by subscriptions', amount(t.released)],
    ['Carried in from earlier epochs', amount(t.carriedIn)],
    ['Paid (fee included)', amount(t.paid)],
    ['Platform fee (to stakers)', amount(t.fee)],
    ['Carried out (subscribers without plays)', amount(t.carriedOut)],
    ['FAIR rewards available', amount(t.rewardsAvailable, fairToken)],
    ['FAIR rewards paid', amount(t.rewards, fairToken)],
  ];
  const cumulative = Object.entries(t).filter(([key]) => key.startsWith('cumulative:'));
  return (
    <section aria-labelledby="totals-heading">
      <h2 id="totals-heading">Totals</h2>
      <table className="totals">
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className="number">{value}</td>
            </tr>
          ))}
          {cumulative.map(([key, value]) => (
            <tr key={key}>
              <th scope="row">Cumulative payouts in {token(key.slice('cumulative:'.length)).symbol}</th>
              <td className="number">{money(value, token(key.slice('cumulative:'.length)))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {balance && coin && (
        <p className={balance.balanced ? 'check-ok' : 'check-failed'}>
          <span aria-hidden="true">{balance.balanced ? '✓ ' : '✗ '}</span>
          Released + carried in ({money(balance.brought, coin)}) {balance.balanced ? '=' : '≠'} paid + carried
          out ({money(balance.accounted, coin)}):{' '}
          {balance.balanced ? 'no unit lost or created.' : 'the totals do not add up.'}
        </p>
      )}
    </section>
  );
}

function Published({ data, token }: { data: EpochData; token: (address: string) => TokenInfo }) {
  const [allPayouts, setAllPayouts] = useState(false);
  const [allPlays, setAllPlays] = useState(false);
  const payouts = [
    ...data.payouts.map((entry) => ({ ...entry, kind: 'Payout' })),
    ...data.rewards.map((entry) => ({ ...entry, kind: 'FAIR reward' })),
  ];
  const shownPayouts = allPayouts ? payouts : payouts.slice(0, ROWS);
  const shownPlays = allPlays ? data.plays : data.plays.slice(0, ROWS);
  return (
    <>
      <section aria-labelledby="payouts-heading">
        <h2 id="payouts-heading">Payouts ({payouts.length})</h2>
        {payouts.length === 0 ? (
          <p className="muted">This epoch paid nobody.</p>
        ) : (
          <>
            <ScrollTable label="Payouts table" stack>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col">Kind</th>
                    <th scope="col" className="number">
                      Amount
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shownPayouts.map((entry) => (
                    <tr key={`${entry.kind}:${entry.account}:${entry.token}`}>
                      <td data-label="Account">
                        <AccountLink address={entry.account} />
                      </td>
                      <td data-label="Kind">{entry.kind}</td>
                      <td className="number" data-label="Amount">
                        {money(entry.amount, token(entry.token))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollTable>
            {payouts.length > ROWS && (
              <button type="button" className="link-button" onClick={() => setAllPayouts((all) => !all)}>
                {allPayouts ? 'Show fewer' : `Show all ${payouts.length} payouts`}
              </button>
            )}
          </>
        )}
      </section>
      <section aria-labelledby="plays-heading">
        <h2 id="plays-heading">Counted plays ({data.plays.length})</h2>
        {data.plays.length === 0 ? (
          <p className="muted">No counted plays in this epoch.</p>
        ) : (
          <>
            <ScrollTable label="Counted plays table" stack>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Play</th>
                    <th scope="col">Listener</th>
                    <th scope="col">Track</th>
                    <th scope="col" className="number">
                      Heard
                    </th>
                    <th scope="col" className="number">
                      Signed reports
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shownPlays.map((play) => (
                    <tr key={play.playId}>
                      <td className="mono" title={play.playId} data-label="Play">
                        {play.playId.slice(0, 12)}…
                      </td>
                      <td data-label="Listener">
                        <AccountLink address={play.listener} />
                      </td>
                      <td data-label="Track">
                        <Link href={`/t/${play.trackId}`}>{play.trackId}</Link>
                      </td>
                      <td className="number" data-label="Heard">
                        {formatDuration(play.heardMs)}
                      </td>
                      <td className="number" data-label="Signed reports">
                        {play.reports.length}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollTable>
            {data.plays.length > ROWS && (
              <button type="button" className="link-button" onClick={() => setAllPlays((all) => !all)}>
                {allPlays ? 'Show fewer' : `Show all ${data.plays.length} counted plays`}
              </button>
            )}
          </>
        )}
      </section>
    </>
  );
}
