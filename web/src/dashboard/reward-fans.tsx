import { useEffect, useId, useState } from 'react';
import type { Address } from 'viem';
import { api, errorMessage, unwrap } from '../api.ts';
import { UserLink } from '../components/user-link.tsx';
import { formatUnits } from '../lib/format.ts';
import { useSession } from '../session/session.tsx';
import { tokenBalance } from '../wallet/chain.ts';
import { TransactionStatus, useTransaction } from '../wallet/transaction.tsx';
import { type DropRecord, forgetDropRecord, loadDropRecord, saveDropRecord } from './drop-record.ts';
import type { DropProgress } from './fan-drop-run.ts';
import {
  checkRewardAmount,
  DEFAULT_CLAIM_DAYS,
  type DropPlan,
  defaultReason,
  MAX_REASON_BYTES,
  parseClaimDays,
  parseSince,
  parseTopFans,
  periodText,
  planDrop,
} from './reward-fans-plan.ts';
import './reward-fans.css';

const fair = (amount: bigint | string) => `${formatUnits(amount, 18)} FAIR`;

const STAGES: { stage: DropProgress['stage']; label: string }[] = [
  { stage: 'fund', label: 'Fund the drop from your wallet (one permit, one transaction)' },
  { stage: 'publish', label: 'Publish it on the node, so every fan can find their proof' },
  { stage: 'push', label: 'Push every fan’s part to their wallet' },
];

interface Planned {
  plan: DropPlan;
  since: number | undefined;
  claimDays: number;
  held: bigint;
}

/**
 * Reward your top fans with FAIR in one Merkle drop, as `fairstream reward-fans` does: choose the
 * amount, how many fans and since when; preview each fan's exact part; then fund the drop from your
 * wallet, publish it and push every part, with progress. Refuses zero, more than you hold and no
 * fans before anything is sent; an interrupted drop can be finished later.
 */
export function RewardFans({ address }: { address: string }) {
  const { chain, wallet, busy: signingIn } = useSession();
  const id = useId();
  const [amountText, setAmountText] = useState('');
  const [topText, setTopText] = useState('10');
  const [sinceText, setSinceText] = useState('');
  const [reason, setReason] = useState('');
  const [claimText, setClaimText] = useState(String(DEFAULT_CLAIM_DAYS));
  const [held, setHeld] = useState<bigint>();
  const [problem, setProblem] = useState<string>();
  const [checking, setChecking] = useState(false);
  const [planned, setPlanned] = useState<Planned>();
  const [progress, setProgress] = useState<DropProgress>();
  const [done, setDone] = useState<string>();
  const [unfinished, setUnfinished] = useState<DropRecord>();
  const [generation, setGeneration] = useState(0);
  const transaction = useTransaction(() => setGeneration((n) => n + 1));
  const fairAddress = chain?.contracts.FairToken;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` re-reads the balance after a drop, and the end of signing in after the faucet's funding.
  useEffect(() => {
    if (!chain || !fairAddress || signingIn) return;
    let live = true;
    tokenBalance(chain.rpcUrl, fairAddress, address).then(
      (balance) => live && setHeld(balance),
      () => live && setHeld(undefined),
    );
    return () => {
      live = false;
    };
  }, [chain, fairAddress, address, generation, signingIn]);

  // A drop this wallet started and did not finish (a closed tab, a failed step): offer to finish it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` looks again after a run.
  useEffect(() => {
    if (!chain) return;
    setUnfinished(loadDropRecord(chain.chainId, address));
  }, [chain, address, generation]);

  const amount = checkRewardAmount(amountText, held);
  const top = parseTopFans(topText);
  const since = parseSince(sinceText);
  const claimDays = parseClaimDays(claimText);
  const busy = transaction.busy || checking;

  /** Checks everything and reads the fans: nothing is sent. */
  const preview = async () => {
    setDone(undefined);
    setProblem(undefined);
    transaction.clear();
    const failed = [amount, top, since, claimDays].find((parsed) => 'error' in parsed);
    if (failed && 'error' in failed) {
      setProblem(failed.error);
      return;
    }
    if (!('amount' in amount) || !('top' in top) || !('since' in since) || !('days' in claimDays)) return;
    if (!chain || !fairAddress) {
      setProblem('This node’s chain is not reachable right now. Try again in a moment.');
      return;
    }
    setChecking(true);
    try {
      // The balance now, not when the page loaded: the refusal must come before any transaction.
      const balance = await tokenBalance(chain.rpcUrl, fairAddress, address);
      setHeld(balance);
      const checked = checkRewardAmount(amountText, balance);
      if ('error' in checked) {
        setProblem(checked.error);
        return;
      }
      const answer = unwrap(
        await api.GET('/api/v1/me/top-fans', {
          params: { query: { limit: top.top, ...(since.since === undefined ? {} : { since: since.since }) } },
        }),
      );
      const plan = planDrop(checked.amount, answer.fans, since.since, reason);
      if ('error' in plan) {
        setProblem(plan.error);
        return;
      }
      setPlanned({ plan, since: since.since, claimDays: claimDays.days, held: balance });
    } catch (error) {
      setProblem(`Your top fans could not be read: ${errorMessage(error)}`);
    } finally {
      setChecking(false);
    }
  };

  /** Funds, publishes and pushes: a new plan, or the unfinished drop. */
  const send = (resume?: DropRecord) => {
    if (!wallet || !chain) return;
    const fans = resume ? resume.leaves.length : (planned?.plan.shares.length ?? 0);
    const total = resume ? BigInt(resume.total) : (planned?.plan.total ?? 0n);
    setDone(undefined);
    setProgress(undefined);
    void transaction
      .run(`Rewarding ${fans} ${fans === 1 ? 'fan' : 'fans'} with ${fair(total)}`, async (report) => {
        const [{ prepareDrop, runDrop }, { writeClient }] = await Promise.all([
          import('./fan-drop-run.ts'),
          import('../wallet/write-client.ts'),
        ]);
        const writer = writeClient(wallet, chain, report);
        let record = resume;
        if (!record) {
          if (!planned) throw new Error('Preview the drop first.');
          record = await prepareDrop(writer, {
            chainId: chain.chainId,
            creator: wallet.address as Address,
            plan: planned.plan,
            claimDays: planned.claimDays,
            since: planned.since,
          });
        }
        const result = await runDrop(writer, record, setProgress);
        setPlanned(undefined);
        setUnfinished(undefined);
        const message = `Rewarded ${record.leaves.length} ${record.leaves.length === 1 ? 'fan' : 'fans'} with ${fair(record.total)} in drop #${result.dropId}; pushed ${result.paid} ${result.paid === 1 ? 'part' : 'parts'} in ${result.transactions} ${result.transactions === 1 ? 'transaction' : 'transactions'}. Each fan sees it in their wallet, with your reason.`;
        setDone(message);
        return message;
      })
      .then((ok) => {
        // What was saved before sending stays: "Finish the drop" picks up from the step that failed.
        if (!ok) setPlanned(undefined);
      });
  };

  /**
   * Forgets a drop that was never funded. A funding transaction may have gone through even though the
   * page did not see it (a closed tab): the chain is asked first, so no drop is ever paid twice.
   */
  const discard = async (record: DropRecord) => {
    if (!chain) return;
    setProblem(undefined);
    if (wallet) {
      try {
        const [{ findDrop }, { writeClient }] = await Promise.all([
          import('./fan-drop-run.ts'),
          import('../wallet/write-client.ts'),
        ]);
        const found = await findDrop(writeClient(wallet, chain), record);
        if (found) {
          const funded = { ...record, dropId: found.dropId, transactionHash: found.transactionHash };
          saveDropRecord(funded);
          setUnfinished(funded);
          setProblem(
            `That drop was funded after all (drop #${found.dropId}): finish it so your fans are paid.`,
          );
          return;
        }
      } catch (error) {
        setProblem(`The chain could not be asked whether the drop was funded: ${errorMessage(error)}`);
        return;
      }
    }
    forgetDropRecord(chain.chainId, address);
    setUnfinished(undefined);
  };

  const period = 'since' in since ? periodText(since.since) : 'the period';
  return (
    <div className="reward-fans stack-small">
      <p>
        Send FAIR from your wallet to your top fans in one transaction (a Merkle drop), then push every fan’s
        part to their wallet. Each gets a share of the amount in proportion to their counted plays on all your
        tracks, exactly: the parts add up to the amount. Fans who chose not to be named are rewarded too,
        without showing who they are (the payment itself is public on the ledger).
      </p>
      {!wallet && (
        <p role="alert">
          Your wallet is not connected in this tab, so nothing can be sent from it. Sign out and sign in again
          to reward your fans.
        </p>
      )}
      {unfinished && !transaction.busy && (
        <section className="reward-unfinished stack-small" aria-label="Unfinished drop">
          <p>
            A drop of {fair(unfinished.total)} to {unfinished.leaves.length}{' '}
            {unfinished.leaves.length === 1 ? 'fan' : 'fans'} (“{unfinished.reason}”) was not finished
            {unfinished.dropId ? `: drop #${unfinished.dropId} is funded` : ''}.
          </p>
          <div className="row">
            <button type="button" disabled={!wallet || busy} onClick={() => send(unfinished)}>
              Finish the drop
            </button>
            {unfinished.dropId === null && (
              <button
                type="button"
                className="secondary"
                disabled={busy}
                onClick={() => void discard(unfinished)}
              >
                Discard it
              </button>
            )}
          </div>
        </section>
      )}
      {!planned ? (
        <form
          className="reward-form"
          aria-label="Reward your top fans"
          onSubmit={(event) => {
            event.preventDefault();
            void preview();
          }}
        >
          <div>
            <label htmlFor={`${id}-amount`}>Amount (FAIR)</label>
            <input
              id={`${id}-amount`}
              inputMode="decimal"
              autoComplete="off"
              value={amountText}
              onChange={(event) => setAmountText(event.target.value)}
              aria-invalid={amountText !== '' && 'error' in amount}
              aria-describedby={`${id}-amount-help`}
            />
            <p
              id={`${id}-amount-help`}
              className={amountText && 'error' in amount ? 'error-text help' : 'muted help'}
            >
              {amountText && 'error' in amount
                ? amount.error
                : held !== undefined
                  ? `You hold ${fair(held)}.`
                  : ' '}
            </p>
          </div>
          <div>
            <label htmlFor={`${id}-top`}>How many top fans</label>
            <input
              id={`${id}-top`}
              type="number"
              inputMode="numeric"
              min={1}
              max={10_000}
              step={1}
              value={topText}
              onChange={(event) => setTopText(event.target.value)}
              aria-invalid={'error' in top}
              aria-describedby={`${id}-top-help`}
            />
            <p id={`${id}-top-help`} className={'error' in top ? 'error-text help' : 'muted help'}>
              {'error' in top ? top.error : 'By counted plays, most first.'}
            </p>
          </div>
          <div>
            <label htmlFor={`${id}-since`}>Counting plays since (UTC day)</label>
            <input
              id={`${id}-since`}
              type="date"
              value={sinceText}
              onChange={(event) => setSinceText(event.target.value)}
              aria-invalid={'error' in since}
              aria-describedby={`${id}-since-help`}
            />
            <p id={`${id}-since-help`} className={'error' in since ? 'error-text help' : 'muted help'}>
              {'error' in since
                ? since.error
                : since.since === undefined
                  ? 'Empty: plays of all time.'
                  : `Counting plays ${period} (UTC).`}
            </p>
          </div>
          <div>
            <label htmlFor={`${id}-claim`}>Claim window (days)</label>
            <input
              id={`${id}-claim`}
              type="number"
              inputMode="numeric"
              min={1}
              max={365}
              step={1}
              value={claimText}
              onChange={(event) => setClaimText(event.target.value)}
              aria-invalid={'error' in claimDays}
              aria-describedby={`${id}-claim-help`}
            />
            <p id={`${id}-claim-help`} className={'error' in claimDays ? 'error-text help' : 'muted help'}>
              {'error' in claimDays
                ? claimDays.error
                : 'How long a fan the push missed can still claim; then you can take back what is left.'}
            </p>
          </div>
          <div className="reward-reason">
            <label htmlFor={`${id}-reason`}>Reason shown to your fans (optional)</label>
            <input
              id={`${id}-reason`}
              autoComplete="off"
              value={reason}
              placeholder={defaultReason(
                'top' in top ? top.top : 10,
                'since' in since ? since.since : undefined,
              )}
              onChange={(event) => setReason(event.target.value)}
              aria-describedby={`${id}-reason-help`}
            />
            <p id={`${id}-reason-help`} className="muted help">
              Written on the ledger with the drop, at most {MAX_REASON_BYTES} bytes. Empty: the text shown.
            </p>
          </div>
          <div className="reward-actions">
            <button type="submit" disabled={busy || !wallet}>
              {checking ? 'Checking…' : 'Preview the reward'}
            </button>
          </div>
        </form>
      ) : (
        <DropPreview
          planned={planned}
          busy={busy}
          sending={progress !== undefined || transaction.busy}
          onSend={() => send()}
          onChange={() => {
            setPlanned(undefined);
            transaction.clear();
            setProgress(undefined);
          }}
        />
      )}
      {problem && (
        <p role="alert" className="error-text">
          {problem}
        </p>
      )}
      {progress && (
        <Stages progress={progress} failed={transaction.view?.state === 'failed'} finished={!!done} />
      )}
      <TransactionStatus view={transaction.view} />
    </div>
  );
}

function DropPreview({
  planned,
  busy,
  sending,
  onSend,
  onChange,
}: {
  planned: Planned;
  busy: boolean;
  sending: boolean;
  onSend: () => void;
  onChange: () => void;
}) {
  const { plan } = planned;
  const count = plan.shares.length;
  return (
    <section className="stack-small" aria-label="Who gets what">
      <p>
        <strong>
          {count} {count === 1 ? 'fan receives' : 'fans receive'} {fair(plan.total)}
        </strong>{' '}
        in total, by their counted plays ({periodText(planned.since)}), with the reason “{plan.reason}”. You
        hold {fair(planned.held)}.
      </p>
      <div className="table-scroll">
        <table className="amounts">
          <caption className="visually-hidden">Each fan’s part of the reward</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Fan</th>
              <th scope="col">Counted plays</th>
              <th scope="col">Receives</th>
            </tr>
          </thead>
          <tbody>
            {plan.shares.map((share, i) => (
              <tr key={share.account}>
                <td>{i + 1}</td>
                <td>
                  {share.named ? (
                    <UserLink address={share.account.toLowerCase()} />
                  ) : (
                    'A fan who chose not to be named'
                  )}
                </td>
                <td>{share.plays.toLocaleString('en')}</td>
                <td>{fair(share.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {plan.leftOut > 0 && (
        <p className="muted">
          {plan.leftOut} {plan.leftOut === 1 ? 'fan' : 'fans'} with too small a share to receive a whole base
          unit {plan.leftOut === 1 ? 'is' : 'are'} left out; the others still add up to the amount.
        </p>
      )}
      <p className="muted help">
        Sent from your wallet: you sign a permit for exactly {fair(plan.total)}, then one transaction funds
        the drop; then the pushes, which your wallet also sends (it pays their gas). Fans can claim for{' '}
        {planned.claimDays} days whatever a push missed.
      </p>
      {!sending && (
        <div className="row">
          <button type="button" disabled={busy} onClick={onSend}>
            Send {fair(plan.total)} to {count} {count === 1 ? 'fan' : 'fans'}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={onChange}>
            Change
          </button>
        </div>
      )}
    </section>
  );
}

function Stages({
  progress,
  failed,
  finished,
}: {
  progress: DropProgress;
  failed: boolean;
  finished: boolean;
}) {
  const at = STAGES.findIndex((stage) => stage.stage === progress.stage);
  return (
    <ol className="drop-stages" aria-label="Progress of the drop">
      {STAGES.map((stage, i) => {
        const state = finished || i < at ? 'done' : i === at ? (failed ? 'failed' : 'running') : 'waiting';
        return (
          <li key={stage.stage} className={`drop-stage drop-stage-${state}`}>
            <span>{stage.label}</span>
            <span className="muted"> — {state}</span>
            {stage.stage === 'push' && progress.stage === 'push' && progress.total !== undefined && (
              <>
                {' '}
                <progress
                  max={progress.total}
                  value={finished ? progress.total : (progress.done ?? 0)}
                  aria-label={`Fans paid: ${finished ? progress.total : (progress.done ?? 0)} of ${progress.total}`}
                />{' '}
                <span>
                  {finished ? progress.total : (progress.done ?? 0)} of {progress.total} fans paid
                </span>
              </>
            )}
          </li>
        );
      })}
    </ol>
  );
}
