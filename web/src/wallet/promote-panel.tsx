import { getPromotion, promoteTrack } from '@fairstream/chain/writes';
import type { Track } from '@fairstream/sdk';
import { useEffect, useId, useState } from 'react';
import { createPublicClient, type Hex, http } from 'viem';
import { errorMessage } from '../api.ts';
import { formatUnits, shortAddress } from '../lib/format.ts';
import { useSession } from '../session/session.tsx';
import { TransactionError, tokenBalance } from './chain.ts';
import { explainChainError } from './chain-errors.ts';
import {
  MAX_PROMOTION_DAYS,
  notPromotableReason,
  parseDays,
  promotionCost,
  promotionWindow,
} from './promotion.ts';
import { TransactionStatus, useTransaction } from './transaction.tsx';
import { writeClient } from './write-client.ts';
import './wallet.css';

const FAIR_DECIMALS = 18;
const fair = (amount: bigint) => `${formatUnits(amount, FAIR_DECIMALS)} FAIR`;
/** Where Promotions sends every FAIR paid: an address nobody controls. */
const BURN_ADDRESS = '0x000000000000000000000000000000000000dEaD';

interface Terms {
  pricePerDay: bigint;
  maxDays: number;
  promotedUntil: bigint;
  promoted: boolean;
  balance: bigint;
}

/**
 * Promote one of your tracks: whole days at the published price per day, paid in FAIR from your
 * wallet and burned, through the same chain action as `fairstream promote` (one permit signature
 * and one transaction). Shows the price and total exactly before anything is sent, then the
 * transaction's progress, and the promotion's end.
 */
export default function PromotePanel({
  track,
  defaultOpen = false,
  buttonLabel = 'Promote',
  onPromoted,
}: {
  track: Track;
  defaultOpen?: boolean;
  /** The closed panel's button: "Promote" beside a track, or naming the track in a list. */
  buttonLabel?: string;
  onPromoted?: () => void;
}) {
  const session = useSession();
  const id = useId();
  const [open, setOpen] = useState(defaultOpen);
  const [text, setText] = useState('7');
  const [terms, setTerms] = useState<Terms>();
  const [loadError, setLoadError] = useState<string>();
  const [generation, setGeneration] = useState(0);
  const transaction = useTransaction(() => setGeneration((n) => n + 1));
  const ledgerId = track.ledger?.trackId as Hex | undefined;
  const blocked = notPromotableReason(track);
  const { chain, address } = session;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` re-reads after a promotion.
  useEffect(() => {
    if (!open || blocked || !ledgerId || !chain || !address) return;
    let live = true;
    const client = createPublicClient({ transport: http(chain.rpcUrl) });
    const deployment = { contracts: chain.contracts as { FairToken: Hex } };
    Promise.all([
      getPromotion(client, { deployment, trackId: ledgerId }),
      tokenBalance(chain.rpcUrl, chain.contracts.FairToken ?? '', address),
    ]).then(
      ([promotion, balance]) => {
        if (!live) return;
        setLoadError(undefined);
        setTerms({
          pricePerDay: promotion.pricePerDay,
          maxDays: Number(promotion.maxDays),
          promotedUntil: promotion.promotedUntil,
          promoted: promotion.promoted,
          balance,
        });
      },
      (error: unknown) =>
        live &&
        setLoadError(
          /Promotions/.test(errorMessage(error))
            ? 'This node’s chain has no Promotions contract: ask its operator to add it.'
            : `The price could not be read from the chain: ${errorMessage(error)}`,
        ),
    );
    return () => {
      live = false;
    };
  }, [open, blocked, ledgerId, chain, address, generation]);

  if (!open) {
    return (
      <button type="button" className="secondary" aria-expanded={false} onClick={() => setOpen(true)}>
        {buttonLabel}
      </button>
    );
  }

  const maxDays = terms?.maxDays ?? MAX_PROMOTION_DAYS;
  const parsed = parseDays(text, maxDays);
  const days = 'days' in parsed ? parsed.days : undefined;
  const cost = terms && days !== undefined ? promotionCost(terms.pricePerDay, days) : undefined;
  const short = terms !== undefined && cost !== undefined && cost > terms.balance;
  const planned =
    terms && days !== undefined ? promotionWindow(terms.promotedUntil, days, Date.now(), maxDays) : undefined;
  const tooFar = terms !== undefined && days !== undefined && planned === undefined;
  const running = terms?.promoted ? Number(terms.promotedUntil) * 1000 : undefined;

  const promote = () => {
    const { wallet } = session;
    if (!wallet || !chain || !ledgerId || days === undefined || cost === undefined) return;
    void transaction
      .run(`Promoting “${track.title}” for ${days} ${days === 1 ? 'day' : 'days'}`, async (report) => {
        const { client, deployment, step } = writeClient(wallet, chain, report);
        step('promote');
        try {
          const result = await promoteTrack(client, {
            deployment,
            trackId: ledgerId,
            days,
            maxAmount: cost,
            authorize: 'permit',
          });
          const end = Number(result.endsAt) * 1000;
          return `Paid ${fair(result.amount)}, burned. “${track.title}” is promoted until ${new Date(end).toLocaleString()}.`;
        } catch (error) {
          throw new TransactionError(explainChainError(error, 'promote'));
        }
      })
      .then((ok) => ok && onPromoted?.());
  };

  return (
    <section className="tip-panel card promote-panel" aria-labelledby={`${id}-heading`}>
      <div className="row tip-head">
        <h2 id={`${id}-heading`}>Promote “{track.title}”</h2>
        <button type="button" className="link-button" aria-expanded onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
      <p className="muted">
        A promoted track is shown first in trending and in matching searches, always labeled “Promoted”. It
        never changes counted plays or payouts.
      </p>
      {blocked ? (
        <p role="alert">This track cannot be promoted yet: {blocked}</p>
      ) : !address ? (
        <p>Sign in with the track’s wallet to promote it.</p>
      ) : !session.wallet ? (
        <p role="alert">
          Your wallet is not connected in this tab: sign out and sign in again to promote this track.
        </p>
      ) : loadError ? (
        <p role="alert">{loadError}</p>
      ) : !terms ? (
        <p className="muted">Reading the price from the chain…</p>
      ) : (
        <form
          className="stack-small"
          onSubmit={(event) => {
            event.preventDefault();
            if (!short && !tooFar) promote();
          }}
        >
          <p>
            {running !== undefined ? (
              <strong>Promoted until {new Date(running).toLocaleString()}.</strong>
            ) : (
              'Not promoted now.'
            )}{' '}
            The price is <strong>{fair(terms.pricePerDay)}</strong> a day, for 1 to {terms.maxDays} whole days
            {running !== undefined ? '; more days extend the running promotion from its end' : ''}.
          </p>
          <div className="amount-form">
            <div>
              <label htmlFor={`${id}-days`}>Days (1 to {terms.maxDays})</label>
              <input
                id={`${id}-days`}
                type="number"
                inputMode="numeric"
                min={1}
                max={terms.maxDays}
                step={1}
                value={text}
                onChange={(event) => setText(event.target.value)}
                aria-invalid={days === undefined || short || tooFar}
                aria-describedby={`${id}-cost`}
              />
            </div>
            <button type="submit" disabled={days === undefined || short || tooFar || transaction.busy}>
              {days === undefined ? 'Promote' : `Promote for ${days} ${days === 1 ? 'day' : 'days'}`}
            </button>
          </div>
          <p
            id={`${id}-cost`}
            className={'error' in parsed || short || tooFar ? 'error-text help' : 'help'}
            aria-live="polite"
          >
            {'error' in parsed
              ? parsed.error
              : cost === undefined
                ? ''
                : short
                  ? `Not enough FAIR: ${days} ${days === 1 ? 'day' : 'days'} cost ${fair(cost)} and your wallet holds ${fair(terms.balance)}. Choose fewer days or get more FAIR.`
                  : tooFar
                    ? `A promotion may end at most ${terms.maxDays} days from now, and the running one already ends ${new Date(running ?? 0).toLocaleString()}: choose fewer days.`
                    : `Total ${fair(cost)} (${days} × ${fair(terms.pricePerDay)}), from your ${fair(terms.balance)}.`}
          </p>
          <p className="muted help">
            The FAIR is burned: sent to <span title={BURN_ADDRESS}>{shortAddress(BURN_ADDRESS)}</span>, an
            address nobody controls, so no one receives it. You sign a permit for exactly the total, then one
            transaction
            {planned
              ? `; the promotion would run until about ${new Date(planned.endsAt).toLocaleString()}`
              : ''}
            .
          </p>
        </form>
      )}
      <TransactionStatus view={transaction.view} />
    </section>
  );
}
