import { allocateSplit } from '@fairstream/protocol';
import type { Track } from '@fairstream/sdk';
import { useEffect, useId, useState } from 'react';
import { decodeEventLog, encodeFunctionData, type Hex } from 'viem';
import { shortAddress } from '../lib/format.ts';
import { useSession } from '../session/session.tsx';
import { parseAmount } from './amounts.ts';
import {
  approveIfNeeded,
  contract,
  formatToken,
  sendTransaction,
  type TokenInfo,
  tipsAbi,
  tokenBalance,
} from './chain.ts';
import { rememberTippedTrack } from './tips-history.ts';
import { usePlatformTokens } from './tokens.ts';
import { TransactionStatus, useTransaction } from './transaction.tsx';
import './wallet.css';

/** A track's split in registry order (ascending addresses): the order the Tips contract pays in. */
function registryOrder(track: Pick<Track, 'splits'>) {
  return [...track.splits].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** Who receives what from a tip of `amount`: exactly what Tips (SplitLib.allocate) pays. */
export function tipShares(track: Pick<Track, 'splits'>, amount: bigint) {
  const splits = registryOrder(track);
  const parts = allocateSplit(
    amount,
    splits.map((split) => split.ppm),
  );
  return splits.map((split, i) => ({ address: split.address, percent: split.percent, amount: parts[i]! }));
}

/**
 * Tip a track in FAIR or the stablecoin: the Tips contract splits it at once to the track's
 * recipients. Shows who receives what before anything is sent, then the transactions' progress.
 */
export function TipButton({
  track,
  defaultOpen = false,
  onTipped,
}: {
  track: Track;
  /** Show the form at once (the wallet page), rather than behind a Tip button (the track page). */
  defaultOpen?: boolean;
  /** Runs after a tip is confirmed, e.g. to re-read balances. */
  onTipped?: () => void;
}) {
  const session = useSession();
  const id = useId();
  const [open, setOpen] = useState(defaultOpen);
  const [which, setWhich] = useState<'fair' | 'stable'>('fair');
  const [text, setText] = useState('');
  const [reviewing, setReviewing] = useState(false);
  const [balance, setBalance] = useState<bigint>();
  const [generation, setGeneration] = useState(0);
  const tokens = usePlatformTokens(session.chain);
  const transaction = useTransaction(() => setGeneration((n) => n + 1));
  const token: TokenInfo | undefined = which === 'fair' ? tokens.fair : tokens.stable;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` re-reads the balance after a tip.
  useEffect(() => {
    if (!open || !token || !session.chain || !session.address) return;
    let live = true;
    tokenBalance(session.chain.rpcUrl, token.address, session.address).then(
      (value) => live && setBalance(value),
      () => live && setBalance(undefined),
    );
    return () => {
      live = false;
    };
  }, [open, token, session.chain, session.address, generation]);

  if (!track.ledger || track.state !== 'ready') return null;
  const parsed = token ? parseAmount(text, token.decimals, token.symbol) : undefined;
  const amount = parsed && 'amount' in parsed ? parsed.amount : undefined;
  const tooMuch = amount !== undefined && balance !== undefined && amount > balance;
  const own = session.address?.toLowerCase();

  const send = async () => {
    const { wallet, chain } = session;
    if (!wallet || !chain || !token || amount === undefined) return;
    const tips = contract(chain, 'Tips');
    const ok = await transaction.run(`Tipping ${formatToken(amount, token)}`, async (report) => {
      await approveIfNeeded(wallet, chain, token.address, tips, amount, report(`approve ${token.symbol}`));
      const receipt = await sendTransaction(
        wallet,
        chain,
        {
          to: tips,
          data: encodeFunctionData({
            abi: tipsAbi,
            functionName: 'tip',
            args: [track.ledger!.trackId as Hex, token.address as Hex, amount],
          }),
        },
        report('tip'),
      );
      rememberTippedTrack(track.ledger!.trackId, { id: track.id, title: track.title });
      const paid = receipt.logs.flatMap((log) => {
        try {
          const event = decodeEventLog({ abi: tipsAbi, data: log.data, topics: log.topics });
          return event.eventName === 'TipPaid' || event.eventName === 'TipOwed' ? [event.args] : [];
        } catch {
          return [];
        }
      });
      return `Paid ${paid
        .map((part) => `${shortAddress(part.recipient)} ${formatToken(part.amount, token)}`)
        .join(', ')}.`;
    });
    if (ok) {
      setReviewing(false);
      setText('');
      onTipped?.();
    }
  };

  if (!open) {
    return (
      <button type="button" className="secondary" aria-expanded={false} onClick={() => setOpen(true)}>
        Tip
      </button>
    );
  }
  return (
    <section className="tip-panel card" aria-labelledby={`${id}-heading`}>
      <div className="row tip-head">
        <h2 id={`${id}-heading`}>Tip “{track.title}”</h2>
        <button type="button" className="link-button" aria-expanded onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
      {!session.address || !session.wallet ? (
        <p>
          {session.address
            ? 'Your wallet is not connected in this tab: sign out and sign in again to tip.'
            : 'Sign in to tip this track.'}
        </p>
      ) : tokens.error ? (
        <p role="alert">{tokens.error}</p>
      ) : !reviewing ? (
        <form
          className="stack-small"
          onSubmit={(event) => {
            event.preventDefault();
            if (amount !== undefined && !tooMuch) setReviewing(true);
          }}
        >
          <fieldset className="row">
            <legend>Token</legend>
            {(['fair', 'stable'] as const).map((key) => {
              const info = key === 'fair' ? tokens.fair : tokens.stable;
              if (!info) return null;
              return (
                <label key={key} className="inline">
                  <input
                    type="radio"
                    name={`${id}-token`}
                    checked={which === key}
                    onChange={() => setWhich(key)}
                  />{' '}
                  {info.symbol}
                </label>
              );
            })}
          </fieldset>
          <div>
            <label htmlFor={`${id}-amount`}>Amount{token ? ` (${token.symbol})` : ''}</label>
            <input
              id={`${id}-amount`}
              inputMode="decimal"
              autoComplete="off"
              value={text}
              onChange={(event) => setText(event.target.value)}
              aria-invalid={text !== '' && (amount === undefined || tooMuch)}
              aria-describedby={`${id}-amount-help`}
            />
            <p id={`${id}-amount-help`} className={text && (!amount || tooMuch) ? 'error-text' : 'muted'}>
              {text && parsed && 'error' in parsed
                ? parsed.error
                : tooMuch && token && balance !== undefined
                  ? `You have ${formatToken(balance, token)}; tip at most that.`
                  : token && balance !== undefined
                    ? `You have ${formatToken(balance, token)}.`
                    : ' '}
            </p>
          </div>
          <button type="submit" disabled={amount === undefined || tooMuch || !token}>
            Review tip
          </button>
        </form>
      ) : (
        token &&
        amount !== undefined && (
          <div className="stack-small">
            <p>
              Your tip of <strong>{formatToken(amount, token)}</strong> is split at once by the track’s
              shares:
            </p>
            <table className="amounts">
              <caption className="visually-hidden">Who receives what</caption>
              <thead>
                <tr>
                  <th scope="col">Recipient</th>
                  <th scope="col">Share</th>
                  <th scope="col">Receives</th>
                </tr>
              </thead>
              <tbody>
                {tipShares(track, amount).map((line) => (
                  <tr key={line.address}>
                    <td title={line.address}>
                      {shortAddress(line.address)}
                      {line.address === own ? ' (you)' : ''}
                    </td>
                    <td>{line.percent}%</td>
                    <td>{formatToken(line.amount, token)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted">
              Sent from your wallet; it may ask you to approve {token.symbol} for the Tips contract first.
            </p>
            <div className="row">
              <button type="button" disabled={transaction.busy} onClick={() => void send()}>
                Send tip
              </button>
              <button
                type="button"
                className="secondary"
                disabled={transaction.busy}
                onClick={() => setReviewing(false)}
              >
                Change
              </button>
            </div>
          </div>
        )
      )}
      <TransactionStatus view={transaction.view} />
    </section>
  );
}
