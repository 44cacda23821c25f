// @fairstream/cli/verify: the audit behind `fairstream verify`, which reads only fetch and a viem
// public client, so the web app's ledger explorer runs the very same code in the browser.
export {
  AuditError,
  type AuditOptions,
  type AuditProgress,
  type AuditResult,
  auditEpochs,
  type EpochAudit,
  fetchEpochData,
  type ListedEpoch,
  listEpochs,
  NO_DELEGATIONS_NOTE,
  type PublishedEpoch,
  publishedEpochs,
} from './audit.ts';
export {
  type AuditTrack,
  checkAppRegistrations,
  checkDelegations,
  checkReportSignatures,
  countPlays,
  diffEpoch,
  type EpochData,
  leafMap,
  leavesOfData,
  type Problem,
  playsRootOf,
  type RecomputeContext,
  type Recomputed,
  recomputeEpoch,
} from './recompute.ts';
