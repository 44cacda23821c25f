import { shortAddress } from '../lib/format.ts';
import { Link } from '../router.tsx';

/** A hash or address in full (it wraps), monospaced so it can be compared by eye. */
export function Hash({ value }: { value: string | null | undefined; label?: string }) {
  if (!value) return <span className="muted">—</span>;
  return <code className="hash">{value}</code>;
}

/** An account, linked to its page in the explorer. */
export function AccountLink({ address, full = false }: { address: string; full?: boolean }) {
  return (
    <Link href={`/explorer/accounts/${address.toLowerCase()}`} className="mono" title={address}>
      {full ? address : shortAddress(address)}
    </Link>
  );
}

/** "12 Mar, 14:05:10": a moment in the reader's own time zone. */
export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

const STATE_LABELS: Record<string, string> = {
  judge: 'Judging plays',
  release: 'Releasing subscriptions',
  compute: 'Computing payouts',
  publish: 'Publishing the root',
  claim: 'Paying out',
  done: 'Settled',
  empty: 'Nothing to settle',
};

export function EpochState({ state }: { state: string }) {
  return <span className={`badge state-${state}`}>{STATE_LABELS[state] ?? state}</span>;
}

/**
 * A table that scrolls sideways on a narrow screen; focusable, so keyboard users can scroll it too.
 */
export function ScrollTable({
  label,
  stack = false,
  children,
}: {
  label: string;
  /** On a phone, one labelled block per row (cells need data-label) instead of scrolling. */
  stack?: boolean;
  children: React.ReactNode;
}) {
  const className = stack ? 'table-scroll stack-on-phone' : 'table-scroll';
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
    <section className={className} tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
