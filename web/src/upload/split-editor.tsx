import { ppmToPercent, type Split } from '@fairstream/protocol';
import { useEffect, useId, useState } from 'react';
import { api, FairstreamApiError, unwrap } from '../api.ts';
import { formatUnits, shortAddress } from '../lib/format.ts';
import { formatPeriod } from '../wallet/amounts.ts';
import {
  checkSplit,
  type PayoutPreview,
  previewPayout,
  type SplitCheck,
  type SplitRowInput,
} from './splits.ts';

export interface SplitRow extends SplitRowInput {
  /** Who the recipient is, once resolved: "@handle · Name". */
  who?: string | undefined;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export function initialRows(owner: string): SplitRow[] {
  return [{ key: 'owner', recipient: owner, address: owner.toLowerCase(), percent: '100', who: 'you' }];
}

export function useSplitCheck(rows: SplitRow[]): SplitCheck {
  return checkSplit(rows);
}

/** Resolves what was typed (an address or a handle) into an address and who it is. */
async function resolveRecipient(
  text: string,
  owner: string,
): Promise<Pick<SplitRow, 'address' | 'recipientError' | 'who'>> {
  const trimmed = text.trim();
  if (trimmed === '')
    return { address: undefined, recipientError: 'Enter a wallet address (0x…) or a handle' };
  if (trimmed.startsWith('0x') && !ADDRESS.test(trimmed)) {
    return { address: undefined, recipientError: 'A wallet address is 0x followed by 40 hex digits' };
  }
  const key = trimmed.replace(/^@/, '');
  try {
    const user = unwrap(
      await api.GET('/api/v1/users/{handleOrAddress}', {
        params: { path: { handleOrAddress: key }, query: { limit: 1 } },
      }),
    );
    const who =
      user.address === owner.toLowerCase()
        ? 'you'
        : [user.handle && `@${user.handle}`, user.displayName].filter(Boolean).join(' · ') || undefined;
    return { address: user.address, recipientError: undefined, who };
  } catch (error) {
    if (ADDRESS.test(trimmed))
      return { address: trimmed.toLowerCase(), recipientError: undefined, who: undefined };
    if (error instanceof FairstreamApiError && error.status === 404) {
      return {
        address: undefined,
        recipientError: `No account has the handle “${key}”. Check it, or enter their wallet address.`,
      };
    }
    if (error instanceof FairstreamApiError) return { address: undefined, recipientError: error.message };
    return {
      address: undefined,
      recipientError: 'The handle could not be looked up; check your connection.',
    };
  }
}

/**
 * Collaborators and their shares: addresses or handles (resolved to show who they are), exact
 * percentages that must add up to 100%, and a live preview of who receives what.
 */
export function SplitEditor(props: {
  owner: string;
  rows: SplitRow[];
  onChange: (update: (rows: SplitRow[]) => SplitRow[]) => void;
  check: SplitCheck;
}) {
  const { owner, rows, onChange, check } = props;
  const id = useId();
  const [nextKey, setNextKey] = useState(1);

  const update = (key: string, patch: Partial<SplitRow>) =>
    onChange((current) => current.map((row) => (row.key === key ? { ...row, ...patch } : row)));

  const setRecipient = (key: string, text: string) => {
    update(key, { recipient: text, address: undefined, who: undefined, recipientError: 'Looking it up…' });
    void resolveRecipient(text, owner).then((resolved) =>
      onChange((current) =>
        current.map((row) => (row.key === key && row.recipient === text ? { ...row, ...resolved } : row)),
      ),
    );
  };

  return (
    <fieldset className="split-editor" aria-describedby={`${id}-total`}>
      <legend>Revenue split</legend>
      <p className="muted help">
        Who receives this track’s earnings and tips, fixed on the ledger at upload. Add collaborators by
        wallet address or handle; shares may have up to four decimals and must add up to exactly 100%.
      </p>
      <ul className="split-rows">
        {rows.map((row, index) => {
          const error = check.rowErrors.get(row.key);
          const recipientId = `${id}-recipient-${row.key}`;
          const percentId = `${id}-percent-${row.key}`;
          const helpId = `${id}-help-${row.key}`;
          return (
            <li key={row.key} className="split-row">
              <div className="split-recipient">
                <label htmlFor={recipientId}>Recipient {index + 1}</label>
                <input
                  id={recipientId}
                  value={row.recipient}
                  placeholder="0x… or handle"
                  autoComplete="off"
                  spellCheck={false}
                  onChange={(event) => setRecipient(row.key, event.target.value)}
                  aria-invalid={error !== undefined}
                  aria-describedby={helpId}
                />
              </div>
              <div className="split-percent">
                <label htmlFor={percentId}>Share (%)</label>
                <input
                  id={percentId}
                  inputMode="decimal"
                  autoComplete="off"
                  value={row.percent}
                  onChange={(event) => update(row.key, { percent: event.target.value })}
                  aria-invalid={error !== undefined}
                  aria-describedby={helpId}
                />
              </div>
              <button
                type="button"
                className="secondary split-remove"
                onClick={() => onChange((current) => current.filter((other) => other.key !== row.key))}
                aria-label={`Remove recipient ${index + 1}`}
              >
                Remove
              </button>
              <p
                id={helpId}
                className={
                  error && error !== 'Looking it up…' ? 'error-text help split-help' : 'muted help split-help'
                }
              >
                {error ?? (row.address ? `${row.who ? `${row.who} · ` : ''}${row.address}` : '')}
              </p>
            </li>
          );
        })}
      </ul>
      <div className="row">
        <button
          type="button"
          className="secondary"
          disabled={rows.length >= 100}
          onClick={() => {
            onChange((current) => [
              ...current,
              {
                key: `r${nextKey}`,
                recipient: '',
                address: undefined,
                percent: '',
                recipientError: 'Enter a wallet address (0x…) or a handle',
              },
            ]);
            setNextKey((n) => n + 1);
          }}
        >
          Add collaborator
        </button>
        <p
          id={`${id}-total`}
          className={check.problem ? 'error-text' : 'muted'}
          role="status"
          aria-live="polite"
        >
          Total: {ppmToPercent(check.totalPpm)}%{check.problem ? ` — ${check.problem}` : ' ✓'}
        </p>
      </div>
      {check.splits && <SplitPreview splits={check.splits} owner={owner} rows={rows} />}
    </fieldset>
  );
}

interface PreviewTerms {
  price: bigint;
  symbol: string;
  decimals: number;
  periodSeconds: number;
  feePpm: number;
}

function usePreviewTerms(): { terms: PreviewTerms | undefined; error: string | undefined } {
  const [state, setState] = useState<{ terms: PreviewTerms | undefined; error: string | undefined }>({
    terms: undefined,
    error: undefined,
  });
  useEffect(() => {
    let live = true;
    Promise.all([
      api.GET('/api/v1/subscriptions/terms').then(unwrap),
      api.GET('/api/v1/rules').then(unwrap),
    ]).then(
      ([terms, rules]) =>
        live &&
        setState({
          terms: {
            price: BigInt(terms.pricePerPeriod),
            symbol: terms.token.symbol,
            decimals: terms.token.decimals,
            periodSeconds: terms.periodSeconds,
            feePpm: rules.payouts.platformFeePpm,
          },
          error: undefined,
        }),
      () =>
        live &&
        setState({
          terms: undefined,
          error: 'The subscription price could not be read, so there is no preview.',
        }),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}

function SplitPreview({ splits, owner, rows }: { splits: Split[]; owner: string; rows: SplitRow[] }) {
  const id = useId();
  const { terms, error } = usePreviewTerms();
  const [playsText, setPlaysText] = useState('100');
  if (error) return <p className="muted">{error}</p>;
  if (!terms) return null;
  const plays = /^\d{1,6}$/.test(playsText) ? Number(playsText) : Number.NaN;
  const playsOk = plays >= 1 && plays <= 100_000;
  const month = previewPayout(splits, {
    price: terms.price,
    feePpm: terms.feePpm,
    playsOfThisTrack: 1,
    totalPlays: 1,
  });
  const perPlay = playsOk
    ? previewPayout(splits, {
        price: terms.price,
        feePpm: terms.feePpm,
        playsOfThisTrack: 1,
        totalPlays: plays,
      })
    : undefined;
  const money = (amount: bigint) => `${formatUnits(amount, terms.decimals)} ${terms.symbol}`;
  const who = (address: string) => {
    if (address === owner.toLowerCase()) return 'you';
    const row = rows.find((r) => r.address === address);
    return row?.who ?? shortAddress(address);
  };
  const period = formatPeriod(terms.periodSeconds);
  const table = (preview: PayoutPreview, caption: string) => (
    <table className="amounts">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Recipient</th>
          <th scope="col">Share</th>
          <th scope="col">Receives</th>
        </tr>
      </thead>
      <tbody>
        {preview.lines.map((line) => (
          <tr key={line.address}>
            <td title={line.address}>{who(line.address)}</td>
            <td>{ppmToPercent(line.ppm)}%</td>
            <td>{money(line.amount)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <section className="split-preview" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Who receives what</h3>
      <p className="muted help">
        Computed with the settlement’s own rules: a subscriber pays {money(terms.price)} per {period}; the
        platform fee ({ppmToPercent(terms.feePpm)}%, {money(month.fee)}) goes to stakers; the rest is divided
        among the tracks that subscriber played, by counted plays, and each track’s part by its split (any
        indivisible remainder to the first recipient, as the ledger orders them).
      </p>
      {table(
        month,
        `From one subscriber’s ${period}, if they listen only to this track: ${money(month.trackAmount)}`,
      )}
      <div className="amount-form">
        <div>
          <label htmlFor={`${id}-plays`}>Counted plays in that subscriber’s {period}</label>
          <input
            id={`${id}-plays`}
            type="number"
            min={1}
            max={100000}
            value={playsText}
            onChange={(event) => setPlaysText(event.target.value)}
            aria-invalid={!playsOk}
          />
        </div>
      </div>
      {perPlay ? (
        table(
          perPlay,
          `From one play, if it is one of ${plays} counted plays of that subscriber’s ${period}: ${money(perPlay.trackAmount)}`,
        )
      ) : (
        <p className="error-text">Enter a whole number of plays from 1 to 100,000.</p>
      )}
      <p className="muted help">
        Settlement runs epoch by epoch and adds up all subscribers before dividing a track’s part, so real
        payouts can differ from these by a base unit.
      </p>
    </section>
  );
}
