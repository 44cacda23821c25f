import type { AuditProgress } from '@fairstream/cli/verify';
import { useEffect, useRef, useState } from 'react';
import { useSession } from '../session/session.tsx';
import { progressFraction, summarize, type VerificationSummary } from './summarize.ts';
import type { Verification } from './verify-client.ts';

type State =
  | { kind: 'idle' }
  | { kind: 'running'; progress: AuditProgress | undefined; started: number }
  | { kind: 'done'; summary: VerificationSummary; seconds: number }
  | { kind: 'failed'; message: string };

/**
 * The Verify button of an epoch: recomputes it in this browser from public data (the node's API and
 * the chain's JSON-RPC) with the same audit as `fairstream verify`, and says whether it matches.
 */
export function VerifyPanel({ epoch }: { epoch: number }) {
  const { chain } = useSession();
  const [state, setState] = useState<State>({ kind: 'idle' });
  const running = useRef<Verification | undefined>(undefined);
  const result = useRef<HTMLDivElement>(null);

  useEffect(() => () => running.current?.cancel(), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new epoch starts from scratch.
  useEffect(() => {
    running.current?.cancel();
    setState({ kind: 'idle' });
  }, [epoch]);

  const verify = async () => {
    if (!chain) {
      setState({
        kind: 'failed',
        message: 'The node did not say which chain it uses (GET /api/v1/chain). Reload and try again.',
      });
      return;
    }
    const started = performance.now();
    setState({ kind: 'running', progress: undefined, started });
    try {
      const { startVerification } = await import('./verify-client.ts');
      const verification = startVerification(
        {
          api: window.location.origin,
          rpcUrl: chain.rpcUrl,
          chainId: chain.chainId,
          contracts: chain.contracts,
          epoch,
        },
        (progress) => setState({ kind: 'running', progress, started }),
      );
      running.current = verification;
      const audits = await verification.result;
      setState({
        kind: 'done',
        summary: summarize(epoch, audits),
        seconds: Math.max(0.1, Math.round((performance.now() - started) / 100) / 10),
      });
      requestAnimationFrame(() => result.current?.focus());
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') setState({ kind: 'idle' });
      else
        setState({
          kind: 'failed',
          message: `${error instanceof Error ? error.message : String(error)}. Check that the node and its chain are reachable, then verify again.`,
        });
    } finally {
      running.current = undefined;
    }
  };

  return (
    <section className="card verify-panel" aria-labelledby="verify-heading">
      <h2 id="verify-heading">Verify epoch {epoch}</h2>
      <p className="muted">
        Recomputes this epoch here, in your browser, from public data only: the published epoch data, the
        tracks’ splits in TrackRegistry and the roots on the PayoutDistributor. The code is the same as
        <code> fairstream verify</code>’s. Nothing is taken on the node’s word.
      </p>
      <div className="row">
        <button type="button" onClick={verify} disabled={state.kind === 'running'}>
          {state.kind === 'done' || state.kind === 'failed' ? 'Verify again' : 'Verify'}
        </button>
        {state.kind === 'running' && (
          <button type="button" className="secondary" onClick={() => running.current?.cancel()}>
            Stop
          </button>
        )}
      </div>
      {state.kind === 'running' && (
        <div className="verify-progress">
          <label htmlFor={`verify-progress-${epoch}`}>Verifying…</label>
          <progress
            id={`verify-progress-${epoch}`}
            max={100}
            value={Math.round(progressFraction(state.progress, epoch) * 100)}
          />
          <p role="status" aria-live="polite">
            {state.progress ? describeProgress(state.progress) : 'Loading the verifier…'}
          </p>
        </div>
      )}
      {state.kind === 'failed' && (
        <p role="alert" className="error-text">
          Could not verify: {state.message}
        </p>
      )}
      {state.kind === 'done' && (
        <VerifyResult summary={state.summary} seconds={state.seconds} focusRef={result} />
      )}
    </section>
  );
}

function describeProgress(progress: AuditProgress): string {
  const count = progress.total ? ` (${progress.done ?? 0} of ${progress.total})` : '';
  return `${progress.message}${count}`;
}

function VerifyResult({
  summary,
  seconds,
  focusRef,
}: {
  summary: VerificationSummary;
  seconds: number;
  focusRef: React.RefObject<HTMLDivElement | null>;
}) {
  return (
    <div className={`verify-result verify-${summary.verdict}`} ref={focusRef} tabIndex={-1}>
      <p role="status" className="verify-headline">
        <span aria-hidden="true">
          {summary.verdict === 'match' ? '✓ ' : summary.verdict === 'mismatch' ? '✗ ' : 'ℹ '}
        </span>
        {summary.headline}
      </p>
      {summary.checks.length > 0 && (
        <ul className="verify-checks" aria-label="Checks">
          {summary.checks.map((check) => (
            <li key={check.id} className={check.ok ? 'check-ok' : 'check-failed'}>
              <span aria-hidden="true" className="check-mark">
                {check.ok ? '✓' : '✗'}
              </span>
              <span>
                <strong>{check.label}</strong>
                <span className="visually-hidden">{check.ok ? ': passed' : ': FAILED'}</span>
                {check.detail && <span className="muted"> — {check.detail}</span>}
                {check.problems.length > 0 && <Differences problems={check.problems} />}
                {check.problems.length > 0 && (check.id === 'amounts' || check.id === 'totals') && (
                  <span className="muted small">Amounts in base units of their token.</span>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      {summary.earlier.map((audit) => (
        <div key={audit.epoch}>
          <p>Earlier epoch {audit.epoch}, whose cumulative leaves this one builds on, did not check out:</p>
          <Differences problems={audit.problems} />
        </div>
      ))}
      {summary.notes.map((note) => (
        <p key={note} className="muted">
          Note: {note}.
        </p>
      ))}
      <p className="muted">Took {seconds} s in this browser.</p>
    </div>
  );
}

function Differences({ problems }: { problems: VerificationSummary['checks'][number]['problems'] }) {
  return (
    <div className="table-scroll">
      <table className="differences">
        <caption className="visually-hidden">Differences</caption>
        <thead>
          <tr>
            <th scope="col">What</th>
            <th scope="col">Published / on chain</th>
            <th scope="col">Recomputed</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((problem, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the same `what` can differ twice; the list never reorders.
            <tr key={i}>
              <th scope="row">{problem.what}</th>
              <td className="mono">{problem.published}</td>
              <td className="mono">{problem.recomputed}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
