/**
 * The audit of a node's settled epochs from public data alone, as `fairstream verify` runs it and as
 * the web app's ledger explorer runs it in the browser: the chain's published epochs (PayoutDistributor
 * events), each epoch's data from the node's API (its sha2-256 checked against the chain), the tracks'
 * splits and owners from TrackRegistry, then the recomputation (recompute.ts) compared with the data
 * and with the chain. Its I/O is fetch and a viem public client only, so it runs in Node and in a
 * browser (or a Web Worker) alike; how the results are shown is the caller's business.
 */
import { type PayoutLeaf, payoutTotals } from '@fairstream/chain/merkle';
import { getSplit, getTrack, payoutDistributorAbi } from '@fairstream/chain/reads';
import { FanRewardsHistory } from '@fairstream/protocol';
import { type Address, type Hex, keccak256, type PublicClient, sha256, toBytes } from 'viem';
import {
  type AuditTrack,
  checkAppRegistrations,
  checkDelegations,
  checkReportSignatures,
  countPlays,
  diffEpoch,
  type EpochData,
  leavesOfData,
  type Problem,
  recomputeEpoch,
} from './recompute.ts';

/** An epoch as GET /api/v1/epochs lists it. */
export interface ListedEpoch {
  n: number;
  state: string;
  dataCid: string | null;
  payoutRoot: string | null;
}

/** What the chain holds for an epoch: the latest EpochPublished, and whether it was voided. */
export interface PublishedEpoch {
  payoutRoot: Hex;
  playsRoot: Hex;
  dataDigest: Hex;
  tokens: readonly Address[];
  cumulativeTotals: readonly bigint[];
  transactionHash: Hex;
  voided: boolean;
}

/** What the audit found for one epoch. */
export interface EpochAudit {
  epoch: number;
  ok: boolean;
  /**
   * verified: recomputed and compared; mismatch: something differs (see problems); unpublished:
   * settled with nothing to publish; not-on-chain: data listed but its root not on-chain yet.
   */
  outcome: 'verified' | 'mismatch' | 'unpublished' | 'not-on-chain';
  /** The epoch's settlement state as the node lists it (when it lists it). */
  state?: string;
  /** The CID of its published data, when the node lists one. */
  dataCid?: string;
  problems: Problem[];
  notes: string[];
  /** The figures checked, for an epoch whose data was recomputed. */
  checked?: {
    plays: number;
    reports: number;
    /** Undefined when the data carries no delegations. */
    delegations: number | undefined;
    payouts: number;
    rewards: number;
    /** Fan rewards recomputed (undefined when the data has none: published before fan rewards). */
    fanRewards?: number | undefined;
    leaves: number;
    dataDigest: { onChain: Hex; ofData: Hex };
    payoutRoot: { onChain: Hex; published: string; recomputed: Hex };
    playsRoot: { onChain: Hex; published: string; recomputed: Hex };
    /** Per token: the chain's cumulative total and the recomputed leaves' sum. */
    totals: { token: string; onChain: string | undefined; recomputed: string | undefined }[];
  };
}

/** Where the audit is, for a progress display. `done`/`total` count the step's items when it has some. */
export interface AuditProgress {
  epoch?: number;
  step: 'events' | 'list' | 'data' | 'tracks' | 'signatures' | 'delegations' | 'recompute' | 'compare';
  message: string;
  done?: number;
  total?: number;
}

export interface AuditOptions {
  /** The node's base URL (its API is under /api/v1). */
  api: string;
  /** The chain id the node's epochs must carry. */
  chainId: number;
  /** Contract addresses (GET /api/v1/chain): PayoutDistributor and TrackRegistry are read. */
  contracts: Record<string, string | undefined>;
  client: PublicClient;
  /** Verify epoch `only` alone (earlier epochs are still read, for their cumulative leaves and play counts). */
  only?: number | undefined;
  /** Replace where the epoch list and data come from (tests serve altered data this way). */
  listEpochs?: (() => Promise<ListedEpoch[]>) | undefined;
  fetchEpochData?: ((epoch: ListedEpoch) => Promise<Uint8Array>) | undefined;
  /** Each epoch's result as soon as it is known, in the order of the final list. */
  onEpoch?: (audit: EpochAudit) => void;
  onProgress?: (progress: AuditProgress) => void;
}

export interface AuditResult {
  ok: boolean;
  epochs: EpochAudit[];
  /** The cumulative leaves of the last epoch read (everyone's payouts so far). */
  leaves: PayoutLeaf[];
}

/** Thrown when the audit cannot start (no distributor, the node does not list epochs…). */
export class AuditError extends Error {
  override name = 'AuditError';
}

export const NO_DELEGATIONS_NOTE =
  'the data carries no session-key delegations: report signatures checked, delegations not';

export async function auditEpochs(options: AuditOptions): Promise<AuditResult> {
  const { api, client, only } = options;
  const progress = options.onProgress ?? (() => {});
  const contracts = options.contracts as Record<string, Address | undefined>;
  const distributor = contracts.PayoutDistributor;
  if (!distributor)
    throw new AuditError('The node’s deployment has no PayoutDistributor; nothing to verify.');
  const deployment = { contracts } as Parameters<typeof getTrack>[1]['deployment'];

  progress({ step: 'list', message: 'Reading the epochs the node lists' });
  const listed = (await (options.listEpochs ?? (() => listEpochs(api)))()).sort((a, b) => a.n - b.n);
  const fetchData = options.fetchEpochData ?? ((epoch: ListedEpoch) => fetchEpochData(api, epoch.n));

  progress({ step: 'events', message: 'Reading the roots the PayoutDistributor holds' });
  const onChain = await publishedEpochs(client, distributor);

  const epochs: EpochAudit[] = [];
  const record = (audit: EpochAudit) => {
    epochs.push(audit);
    options.onEpoch?.(audit);
  };
  const fail = (epoch: number, problems: Problem[], notes: string[] = [], extra: Partial<EpochAudit> = {}) =>
    record({ epoch, ok: false, outcome: 'mismatch', problems, notes, ...extra });

  // Every epoch the chain holds must be one the node lists with its data.
  const listedNs = new Set(listed.filter((e) => e.dataCid).map((e) => e.n));
  for (const n of [...onChain.keys()].sort((a, b) => a - b)) {
    if (only !== undefined && n !== only) continue;
    if (!listedNs.has(n)) {
      fail(n, [
        { what: 'epoch data', published: 'a root on-chain', recomputed: 'the node lists no data for it' },
      ]);
    }
  }

  const tracks = new Map<string, AuditTrack>();
  const trackFacts = async (trackId: string): Promise<AuditTrack | undefined> => {
    const known = tracks.get(trackId);
    if (known) return known;
    const chainId = keccak256(toBytes(trackId));
    const [onChainTrack, split, listing] = await Promise.all([
      getTrack(client, { deployment, trackId: chainId }),
      getSplit(client, { deployment, trackId: chainId }),
      fetch(`${api}/api/v1/tracks/${encodeURIComponent(trackId)}`).then((r) =>
        r.ok ? (r.json() as Promise<{ durationMs: number }>) : undefined,
      ),
    ]);
    if (!onChainTrack || !split || !listing) return undefined;
    const facts: AuditTrack = {
      durationMs: listing.durationMs,
      owner: onChainTrack.owner,
      split: { recipients: split.recipients.map((r) => r.toLowerCase()), sharesPpm: split.shares },
    };
    tracks.set(trackId, facts);
    return facts;
  };
  const feeRecipients = new Map<Hex, Address>();
  let previousLeaves: PayoutLeaf[] = [];
  const countedByDay = new Map<string, number>();
  const fanHistory = new FanRewardsHistory();
  /** The first epoch whose data carried delegations: later data without them is a downgrade. */
  let delegationsSince: number | undefined;

  for (const epoch of listed) {
    if (only !== undefined && epoch.n > only) break;
    const full = only === undefined || epoch.n === only;
    const n = epoch.n;
    const published = onChain.get(n);
    if (!epoch.dataCid) {
      if (published) continue; // reported above
      if (full)
        record({
          epoch: n,
          ok: true,
          outcome: 'unpublished',
          state: epoch.state,
          problems: [],
          notes: [epoch.state],
        });
      continue;
    }
    if (!published) {
      if (full)
        record({
          epoch: n,
          ok: true,
          outcome: 'not-on-chain',
          state: epoch.state,
          dataCid: epoch.dataCid,
          problems: [],
          notes: ['not published on-chain yet'],
        });
      continue;
    }
    progress({
      epoch: n,
      step: 'data',
      message: full ? `Downloading the data of epoch ${n}` : `Reading epoch ${n} for its cumulative leaves`,
    });
    const bytes = await fetchData(epoch);
    const digest = sha256(bytes);
    const problems: Problem[] = [];
    const notes: string[] = [];
    if (digest.toLowerCase() !== published.dataDigest.toLowerCase()) {
      problems.push({
        what: 'data sha2-256',
        published: published.dataDigest,
        recomputed: `${digest} (of the bytes served)`,
      });
    }
    if (published.voided)
      problems.push({ what: 'epoch', published: 'on-chain', recomputed: 'voided by the guardian' });
    let data: EpochData;
    try {
      data = JSON.parse(new TextDecoder().decode(bytes)) as EpochData;
    } catch (error) {
      fail(n, [
        ...problems,
        { what: 'epoch data', published: epoch.dataCid, recomputed: `not JSON: ${(error as Error).message}` },
      ]);
      continue;
    }
    if (data.epoch !== n)
      problems.push({ what: 'data.epoch', published: String(data.epoch), recomputed: String(n) });
    if (data.chainId !== options.chainId)
      problems.push({
        what: 'data.chainId',
        published: String(data.chainId),
        recomputed: String(options.chainId),
      });

    if (!full) {
      // Before `only`: read for the per-day play counts and the leaves only (digest checked).
      if (problems.length > 0) fail(n, problems, [], { state: epoch.state });
      if (Array.isArray(data.delegations)) delegationsSince ??= n;
      countPlays(data, countedByDay, fanHistory);
      previousLeaves = leavesOfData(data);
      continue;
    }

    const trackIds = new Set(data.plays.map((play) => play.trackId));
    const read = new Set<string>();
    for (const play of data.plays) {
      if (!read.has(play.trackId))
        progress({
          epoch: n,
          step: 'tracks',
          message: 'Reading the tracks’ splits from TrackRegistry',
          done: read.size,
          total: trackIds.size,
        });
      read.add(play.trackId);
      if (!(await trackFacts(play.trackId)))
        problems.push({
          what: `track ${play.trackId}`,
          published: 'has counted plays',
          recomputed: 'unknown to TrackRegistry or the node',
        });
    }
    // Tastemaker awards are checked against the reposted track's split (its recipients earn none).
    for (const award of data.fanRewards?.awards ?? []) {
      const evidence = award.evidence as { kind?: string; trackId?: string } | undefined;
      if (evidence?.kind !== 'tastemaker' || typeof evidence.trackId !== 'string') continue;
      if (!(await trackFacts(evidence.trackId)))
        problems.push({
          what: `track ${evidence.trackId}`,
          published: `named by the tastemaker award of ${award.account}`,
          recomputed: 'unknown to TrackRegistry or the node',
        });
    }
    let feeRecipient = feeRecipients.get(published.transactionHash);
    if (!feeRecipient) {
      // The data does not name the fee recipient: it is the operator, who publishes the epoch.
      feeRecipient = (await client.getTransaction({ hash: published.transactionHash })).from;
      feeRecipients.set(published.transactionHash, feeRecipient);
    }
    const reports = data.plays.reduce((count, play) => count + play.reports.length, 0);
    progress({
      epoch: n,
      step: 'signatures',
      message: 'Checking every report’s signature',
      done: 0,
      total: reports,
    });
    problems.push(
      ...(await checkReportSignatures(data, (done) =>
        progress({
          epoch: n,
          step: 'signatures',
          message: 'Checking every report’s signature',
          done,
          total: reports,
        }),
      )),
    );
    problems.push(...(await checkAppRegistrations(data)));
    progress({ epoch: n, step: 'delegations', message: 'Checking the session-key delegations' });
    const delegations = await checkDelegations(data);
    if (delegations === undefined && delegationsSince !== undefined) {
      problems.push({
        what: 'delegations',
        published: '(none)',
        recomputed: `required: the data of epoch ${delegationsSince} already carried them`,
      });
    } else if (delegations === undefined) {
      // Data from a node that did not publish delegations yet: readable, but that link is unchecked.
      notes.push(NO_DELEGATIONS_NOTE);
    } else {
      delegationsSince ??= n;
      problems.push(...delegations);
    }

    progress({ epoch: n, step: 'recompute', message: 'Recomputing verdicts, payouts and both roots' });
    const { result, problems: verdictProblems } = recomputeEpoch(data, {
      tracks,
      previousLeaves,
      countedByDay,
      feeRecipient,
      fanHistory,
    });
    progress({ epoch: n, step: 'compare', message: 'Comparing with the data and the chain' });
    problems.push(...verdictProblems, ...diffEpoch(data, result));
    // The chain: both roots and the cumulative total per token.
    const same = (what: string, chain: string, value: string) => {
      if (chain.toLowerCase() !== value.toLowerCase())
        problems.push({ what: `${what} (on-chain)`, published: chain, recomputed: value });
    };
    same('payoutRoot', published.payoutRoot, result.payoutRoot);
    same('playsRoot', published.playsRoot, result.playsRoot);
    const chainTotals = new Map(
      published.tokens.map((t, i) => [t.toLowerCase(), published.cumulativeTotals[i] ?? 0n]),
    );
    const ourTotals = new Map(payoutTotals(result.leaves).map((t) => [t.token.toLowerCase(), t.total]));
    const totals: NonNullable<EpochAudit['checked']>['totals'] = [];
    for (const token of new Set([...chainTotals.keys(), ...ourTotals.keys()])) {
      const a = chainTotals.get(token);
      const b = ourTotals.get(token);
      totals.push({
        token,
        onChain: a === undefined ? undefined : String(a),
        recomputed: b === undefined ? undefined : String(b),
      });
      if (a !== b)
        problems.push({
          what: `cumulative total of ${token} (on-chain)`,
          published: String(a ?? '(none)'),
          recomputed: String(b ?? '(none)'),
        });
    }

    const checked: EpochAudit['checked'] = {
      plays: data.plays.length,
      reports,
      delegations: Array.isArray(data.delegations) ? data.delegations.length : undefined,
      payouts: result.payouts.size,
      rewards: result.rewards.size,
      fanRewards: data.fanRewards ? result.fanAwards.size : undefined,
      leaves: result.leaves.length,
      dataDigest: { onChain: published.dataDigest, ofData: digest },
      payoutRoot: {
        onChain: published.payoutRoot,
        published: data.payoutRoot,
        recomputed: result.payoutRoot,
      },
      playsRoot: { onChain: published.playsRoot, published: data.playsRoot, recomputed: result.playsRoot },
      totals,
    };
    if (problems.length > 0) fail(n, problems, notes, { state: epoch.state, checked });
    else record({ epoch: n, ok: true, outcome: 'verified', state: epoch.state, problems, notes, checked });
    previousLeaves = leavesOfData(data);
  }

  if (only !== undefined && !epochs.some((entry) => entry.epoch === only)) {
    fail(only, [
      { what: `epoch ${only}`, published: '(not listed by the node)', recomputed: 'nothing to verify' },
    ]);
  }
  return { ok: epochs.every((entry) => entry.ok), epochs, leaves: previousLeaves };
}

/** Every EpochPublished (the latest per epoch) and every EpochVoided the distributor emitted. */
export async function publishedEpochs(
  client: PublicClient,
  distributor: Address,
): Promise<Map<number, PublishedEpoch>> {
  const onChain = new Map<number, PublishedEpoch>();
  const publishedLogs = await client.getContractEvents({
    address: distributor,
    abi: payoutDistributorAbi,
    eventName: 'EpochPublished',
    fromBlock: 0n,
    toBlock: 'latest',
  });
  for (const log of publishedLogs) {
    const a = log.args as Record<string, unknown>;
    onChain.set(Number(a.epoch), {
      payoutRoot: a.payoutRoot as Hex,
      playsRoot: a.playsRoot as Hex,
      dataDigest: a.dataDigest as Hex,
      tokens: a.tokens as Address[],
      cumulativeTotals: a.cumulativeTotals as bigint[],
      transactionHash: log.transactionHash as Hex,
      voided: false,
    });
  }
  const voidedLogs = await client.getContractEvents({
    address: distributor,
    abi: payoutDistributorAbi,
    eventName: 'EpochVoided',
    fromBlock: 0n,
    toBlock: 'latest',
  });
  for (const log of voidedLogs) {
    const published = onChain.get(Number((log.args as { epoch: bigint }).epoch));
    if (published) published.voided = true;
  }
  return onChain;
}

/** Every epoch the node lists (GET /api/v1/epochs, newest first, paged by nextCursor). */
export async function listEpochs(api: string): Promise<ListedEpoch[]> {
  const all: ListedEpoch[] = [];
  let cursor: number | null = null;
  for (;;) {
    const query = cursor === null ? '?limit=200' : `?limit=200&cursor=${cursor}`;
    const response = await fetch(`${api}/api/v1/epochs${query}`);
    if (response.status === 404)
      throw new AuditError('This node does not list its epochs (GET /api/v1/epochs).');
    if (!response.ok) throw new AuditError(`GET /api/v1/epochs answered ${response.status}`);
    const body = (await response.json()) as
      | { epochs?: ListedEpoch[]; items?: ListedEpoch[]; nextCursor?: number | null }
      | ListedEpoch[];
    if (Array.isArray(body)) return body;
    all.push(...(body.epochs ?? body.items ?? []));
    if (body.nextCursor === undefined || body.nextCursor === null || body.nextCursor === cursor) return all;
    cursor = body.nextCursor;
  }
}

/** The published epoch data, byte for byte (its sha2-256 is what the chain holds). */
export async function fetchEpochData(api: string, n: number): Promise<Uint8Array> {
  const response = await fetch(`${api}/api/v1/epochs/${n}/data`);
  if (!response.ok) throw new AuditError(`GET /api/v1/epochs/${n}/data answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
