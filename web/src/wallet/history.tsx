import { useCallback, useId, useRef, useState } from 'react';
import { api, unwrap } from '../api.ts';
import { LoadMore } from '../components/load-more.tsx';
import { usePaged } from '../components/use-paged.ts';
import { shortAddress } from '../lib/format.ts';
import { Link } from '../router.tsx';
import { rpc } from '../session/wallet.ts';
import {
  csvHref,
  type HistoryMovement,
  type HistoryPage,
  signedAmount,
  splitAtTitle,
  trackOf,
  untilIndexed,
} from './history-view.ts';
import './history.css';

const PAGE_SIZE = 25;

/**
 * The table's roles, spelled out: on phones its rows are laid out as blocks (history.css), which
 * makes some browsers drop a table's semantics unless the roles are explicit.
 */
const TABLE_ROLES = {
  table: { role: 'table' },
  rowgroup: { role: 'rowgroup' },
  row: { role: 'row' },
  columnheader: { role: 'columnheader' },
  cell: { role: 'cell' },
} as const;

export interface WalletHistoryProps {
  address: string;
  /** Changes after each transaction of the page: the history is read again. */
  generation: number;
  chain?: { rpcUrl: string } | undefined;
  tokens?: { stable?: { symbol: string } | undefined } | undefined;
}

/**
 * The wallet's history: every FAIR and stablecoin movement, newest first, each with its cause (a
 * payout for the plays of a track in an epoch, a tip, a subscription…), a page at a time, with the
 * same history as a CSV download.
 */
export function WalletHistory({ address, generation, chain, tokens }: WalletHistoryProps) {
  const id = useId();
  const [token, setToken] = useState<string>('');
  const [indexedBlock, setIndexedBlock] = useState<number | null>(null);
  const seenGeneration = useRef(generation);

  const load = useCallback(
    async (cursor: string | undefined): Promise<HistoryPage> => {
      const read = async () =>
        unwrap(
          await api.GET('/api/v1/accounts/{address}/history', {
            params: {
              path: { address },
              query: { limit: PAGE_SIZE, ...(token ? { token } : {}), ...(cursor ? { cursor } : {}) },
            },
          }),
        );
      // After a transaction, wait for the node to index the chain's head so the new row shows.
      let page: HistoryPage;
      if (!cursor && generation !== seenGeneration.current && chain) {
        seenGeneration.current = generation;
        const head = await rpc(chain.rpcUrl, 'eth_blockNumber', [])
          .then((hex) => Number(hex))
          .catch(() => undefined);
        page = await untilIndexed(read, head);
      } else {
        page = await read();
      }
      if (!cursor) setIndexedBlock(page.indexedBlock);
      return page;
    },
    [address, token, generation, chain],
  );
  const paged = usePaged<HistoryMovement>(`${address}|${token}|${generation}`, load);
  const stable = tokens?.stable?.symbol ?? 'USD';

  return (
    <section className="card stack-small wallet-history" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>History</h2>
      <p className="muted">
        Every token that came in or went out, and why: payouts for your tracks’ plays, rewards, tips,
        subscriptions, staking. It is all on the public ledger.
      </p>
      <div className="history-tools">
        <div>
          <label htmlFor={`${id}-token`}>Token</label>
          <select id={`${id}-token`} value={token} onChange={(event) => setToken(event.target.value)}>
            <option value="">All tokens</option>
            <option value="FAIR">FAIR</option>
            <option value="USD">{stable}</option>
          </select>
        </div>
        <a className="button secondary" href={csvHref(address, token || undefined)} download>
          Download CSV
        </a>
      </div>
      {paged.loading && <p className="muted">Loading the history…</p>}
      {!paged.loading && !paged.error && paged.items.length === 0 && (
        <p>No token movements{token ? ` in ${token === 'USD' ? stable : token}` : ''} yet.</p>
      )}
      {paged.items.length > 0 && (
        <table className="history-table" {...TABLE_ROLES.table}>
          <caption className="visually-hidden">Token movements, newest first</caption>
          <thead {...TABLE_ROLES.rowgroup}>
            <tr {...TABLE_ROLES.row}>
              {['Date', 'What', 'Amount', 'Token'].map((name) => (
                <th key={name} scope="col" {...TABLE_ROLES.columnheader}>
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody {...TABLE_ROLES.rowgroup}>
            {paged.items.map((movement) => (
              <Row key={movement.id} movement={movement} />
            ))}
          </tbody>
        </table>
      )}
      <LoadMore paged={paged} what="movements" />
      {indexedBlock !== null && paged.items.length > 0 && (
        <p className="muted help">Up to block {indexedBlock.toLocaleString()}.</p>
      )}
    </section>
  );
}

function Row({ movement }: { movement: HistoryMovement }) {
  const track = trackOf(movement);
  const parts = track ? splitAtTitle(movement.description, track.title) : undefined;
  const when = new Date(movement.time);
  return (
    <tr className={`history-${movement.direction}`} {...TABLE_ROLES.row}>
      <td data-label="Date" {...TABLE_ROLES.cell}>
        <time
          dateTime={when.toISOString()}
          title={`Block ${movement.blockNumber}, transaction ${movement.txHash}, with ${shortAddress(movement.counterparty.address)}`}
        >
          {when.toLocaleString()}
        </time>
      </td>
      <td data-label="What" {...TABLE_ROLES.cell}>
        {/* One element, so the phone layout keeps the sentence together. */}
        <span>
          {parts && track ? (
            <>
              {parts[0]}
              <Link href={`/t/${track.id}`}>{parts[1]}</Link>
              {parts[2]}
            </>
          ) : (
            movement.description
          )}
        </span>
      </td>
      <td data-label="Amount" className="history-amount" {...TABLE_ROLES.cell}>
        {signedAmount(movement)}
      </td>
      <td data-label="Token" {...TABLE_ROLES.cell}>
        {movement.token.symbol}
      </td>
    </tr>
  );
}
