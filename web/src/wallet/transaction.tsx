import { useCallback, useRef, useState } from 'react';
import { shortAddress } from '../lib/format.ts';
import { type TransactionPhase, transactionErrorMessage } from './chain.ts';

export interface TransactionView {
  label: string;
  step: string | undefined;
  state: 'working' | 'signing' | 'pending' | 'confirmed' | 'failed';
  hash?: string;
  message?: string;
}

/** Reports each transaction of an action (approve, then stake…) as it moves. */
export type PhaseReporter = (step: string) => (phase: TransactionPhase) => void;

/**
 * One action at a time (a stake, a tip…), with its transactions' progress: waiting for the wallet,
 * pending with the hash, confirmed or failed with the contract's reason. `onSettled` runs after
 * either outcome, to re-read balances.
 */
export function useTransaction(onSettled?: () => void) {
  const [view, setView] = useState<TransactionView>();
  const settled = useRef(onSettled);
  settled.current = onSettled;
  const run = useCallback(
    async (
      label: string,
      action: (report: PhaseReporter) => Promise<string | undefined>,
    ): Promise<boolean> => {
      setView({ label, step: undefined, state: 'working' });
      const report: PhaseReporter = (step) => (phase) =>
        setView({
          label,
          step,
          state: phase.phase,
          ...(phase.phase !== 'signing' && { hash: phase.hash }),
          ...(phase.phase === 'confirmed' && { message: `confirmed in block ${phase.blockNumber}` }),
        });
      try {
        const message = await action(report);
        setView((current) => ({
          label,
          step: undefined,
          state: 'confirmed',
          ...(current?.hash && { hash: current.hash }),
          message: message ?? 'Done.',
        }));
        return true;
      } catch (error) {
        setView((current) => ({
          label,
          step: current?.step,
          state: 'failed',
          message: transactionErrorMessage(error),
        }));
        return false;
      } finally {
        settled.current?.();
      }
    },
    [],
  );
  const busy = view?.state === 'working' || view?.state === 'signing' || view?.state === 'pending';
  return { view, run, busy, clear: () => setView(undefined) };
}

export function TransactionStatus({ view }: { view: TransactionView | undefined }) {
  if (!view) return <p className="tx-status" role="status" aria-live="polite" />;
  const step = view.step ? ` (${view.step})` : '';
  if (view.state === 'failed') {
    return (
      <p className="tx-status failed" role="alert">
        {view.label} failed{step}: {view.message}
      </p>
    );
  }
  const text =
    view.state === 'working'
      ? `${view.label}: checking…`
      : view.state === 'signing'
        ? `${view.label}${step}: confirm in your wallet…`
        : view.state === 'pending'
          ? `${view.label}${step}: pending (transaction ${shortAddress(view.hash ?? '')})…`
          : view.step
            ? `${view.label}${step}: ${view.message}; continuing…`
            : `${view.label}: confirmed. ${view.message ?? ''}`;
  return (
    <p className={`tx-status ${view.state}`} role="status" aria-live="polite" title={view.hash}>
      {text}
    </p>
  );
}
