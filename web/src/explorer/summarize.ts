/**
 * What the in-browser verification of an epoch found, in words: one verdict, the checks a person
 * cares about (the data is what the chain committed to, the roots, the totals, the signatures and
 * delegations, the verdicts) each passed or failed, and every difference grouped under its check.
 */
import type { AuditProgress, EpochAudit, Problem } from '@fairstream/cli/verify';

export type CheckId =
  | 'data'
  | 'payoutRoot'
  | 'playsRoot'
  | 'totals'
  | 'amounts'
  | 'signatures'
  | 'delegations'
  | 'verdicts'
  | 'other';

export interface Check {
  id: CheckId;
  label: string;
  ok: boolean;
  /** What was compared, when it passed or failed. */
  detail: string;
  problems: Problem[];
}

export interface VerificationSummary {
  verdict: 'match' | 'mismatch' | 'not-verifiable';
  headline: string;
  checks: Check[];
  /** Earlier epochs that did not check out (their data is read for the cumulative leaves). */
  earlier: EpochAudit[];
  notes: string[];
}

const LABELS: Record<CheckId, string> = {
  data: 'Published data is what the chain committed to (sha2-256)',
  payoutRoot: 'Payout root: on chain = recomputed',
  playsRoot: 'Plays root: on chain = recomputed',
  totals: 'Totals add up',
  amounts: 'Every payout, reward and leaf recomputed',
  signatures: 'Every report signature valid',
  delegations: 'Every session key delegated by its listener’s wallet',
  verdicts: 'Every counted play counts under the published rule',
  other: 'Other checks',
};

/** Which check a difference belongs to, from the audit's `what`. */
export function checkOf(problem: Problem): CheckId {
  const what = problem.what;
  if (what === 'data sha2-256' || what === 'epoch data' || what.startsWith('data.') || what === 'epoch')
    return 'data';
  if (what.startsWith('payoutRoot')) return 'payoutRoot';
  if (what.startsWith('playsRoot')) return 'playsRoot';
  if (what.startsWith('totals.') || what.startsWith('cumulative total')) return 'totals';
  if (/^(payout|track|reward|pro-rata|carried out|leaf) /.test(what)) {
    // "track X: has counted plays / unknown to TrackRegistry" is about the inputs, not an amount.
    return problem.recomputed.startsWith('unknown to') ? 'other' : 'amounts';
  }
  if (what.startsWith('delegation')) return 'delegations';
  if (what.startsWith('report '))
    return problem.recomputed === 'the signature does not verify' ? 'signatures' : 'delegations';
  if (what.startsWith('play '))
    return problem.recomputed === 'has no signed reports' ? 'signatures' : 'verdicts';
  return 'other';
}

const short = (hex: string) => (hex.length > 20 ? `${hex.slice(0, 10)}…${hex.slice(-8)}` : hex);
const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** The summary of verifying `epoch`, from every epoch result the audit returned. */
export function summarize(epoch: number, audits: readonly EpochAudit[]): VerificationSummary {
  const audit = audits.find((entry) => entry.epoch === epoch);
  const earlier = audits.filter((entry) => entry.epoch < epoch && !entry.ok);
  if (!audit || audit.outcome === 'unpublished' || audit.outcome === 'not-on-chain') {
    const why =
      audit?.outcome === 'unpublished'
        ? `Epoch ${epoch} published nothing (${audit.state ?? 'no payouts'}): there is nothing to verify.`
        : audit?.outcome === 'not-on-chain'
          ? `Epoch ${epoch}’s data is not on the chain yet. Try again once it is published.`
          : `Epoch ${epoch} is not one the node lists.`;
    return { verdict: 'not-verifiable', headline: why, checks: [], earlier, notes: audit?.notes ?? [] };
  }

  const grouped = new Map<CheckId, Problem[]>();
  for (const problem of audit.problems) {
    const id = checkOf(problem);
    grouped.set(id, [...(grouped.get(id) ?? []), problem]);
  }
  const c = audit.checked;
  const details: Record<CheckId, string> = {
    data: c ? `on chain ${short(c.dataDigest.onChain)}, served data ${short(c.dataDigest.ofData)}` : '',
    payoutRoot: c
      ? `on chain ${short(c.payoutRoot.onChain)}, recomputed ${short(c.payoutRoot.recomputed)}`
      : '',
    playsRoot: c ? `on chain ${short(c.playsRoot.onChain)}, recomputed ${short(c.playsRoot.recomputed)}` : '',
    totals: c
      ? `${plural(c.totals.length, 'token')}: cumulative totals on chain = sum of the recomputed leaves`
      : '',
    amounts: c
      ? `${plural(c.payouts, 'payout')}, ${plural(c.rewards, 'reward')}, ${plural(c.leaves, 'cumulative leaf', 'cumulative leaves')}`
      : '',
    signatures: c ? `${plural(c.reports, 'signed report')} of ${plural(c.plays, 'counted play')}` : '',
    delegations:
      c?.delegations === undefined
        ? 'not checked: the data carries no delegations'
        : `${plural(c.delegations, 'wallet delegation')}`,
    verdicts: c ? `${plural(c.plays, 'counted play')} judged again` : '',
    other: '',
  };
  const order: CheckId[] = [
    'data',
    'payoutRoot',
    'playsRoot',
    'totals',
    'amounts',
    'signatures',
    'delegations',
    'verdicts',
    'other',
  ];
  const checks: Check[] = [];
  for (const id of order) {
    const problems = grouped.get(id) ?? [];
    if (id === 'other' && problems.length === 0) continue;
    if (!c && problems.length === 0) continue;
    checks.push({ id, label: LABELS[id], ok: problems.length === 0, detail: details[id], problems });
  }
  const failed = checks.filter((check) => !check.ok);
  const verdict = audit.ok && earlier.length === 0 ? 'match' : 'mismatch';
  const headline =
    verdict === 'match'
      ? `Epoch ${epoch} matches the chain: recomputed in this browser from public data, every check passed.`
      : `Epoch ${epoch} does NOT match: ${plural(audit.problems.length, 'difference')} in ${plural(failed.length, 'check')}${
          earlier.length > 0 ? `, and ${plural(earlier.length, 'earlier epoch')} failed` : ''
        }.`;
  return { verdict, headline, checks, earlier, notes: audit.notes };
}

const STEPS: AuditProgress['step'][] = [
  'list',
  'events',
  'data',
  'tracks',
  'signatures',
  'delegations',
  'recompute',
  'compare',
];

/** Progress as a fraction (0–1) for a progress bar: the step's place, refined by its item count. */
export function progressFraction(progress: AuditProgress | undefined, epoch: number): number {
  if (!progress) return 0;
  // Earlier epochs are read during 'data' before the verified one: that is the first third of it.
  const index = STEPS.indexOf(progress.step);
  let within = progress.total ? (progress.done ?? 0) / progress.total : 0;
  if (progress.step === 'data' && progress.epoch !== undefined && progress.epoch < epoch)
    within = (progress.epoch / Math.max(1, epoch)) * 0.9;
  return Math.min(1, (index + within) / STEPS.length);
}

/**
 * The epoch's money balance from its recorded totals: what subscribers brought (released this epoch
 * plus carried in) equals what was paid (fee included) plus what was carried out. Undefined when the
 * totals lack a figure (an epoch that was not computed).
 */
export function totalsBalance(
  totals: Record<string, string | undefined>,
): { brought: bigint; accounted: bigint; balanced: boolean } | undefined {
  const { released, carriedIn, paid, carriedOut } = totals;
  if (released === undefined || paid === undefined) return undefined;
  const brought = BigInt(released) + BigInt(carriedIn ?? '0');
  const accounted = BigInt(paid) + BigInt(carriedOut ?? '0');
  return { brought, accounted, balanced: brought === accounted };
}
