/**
 * Pure recomputation of a published epoch (`fairstream verify`): from the epoch's published JSON,
 * the facts of its tracks and the previous epoch's cumulative leaves, recompute what the node
 * computed (verdicts, allocation with the fee, rewards, the pro-rata counterfactual, the cumulative
 * leaves and both roots) with the same protocol and chain functions, and list every difference;
 * and check the evidence behind each counted play: every report's Ed25519 signature, and the wallet
 * delegation of the session key that signed it (WebCrypto and viem through @fairstream/protocol). No
 * I/O and no node: modules here, so the web app runs it in the browser too: audit.ts fetches the
 * inputs and compares the result with the chain.
 */
import { accumulatePayouts, buildPayoutTree, type PayoutLeaf, payoutTotals } from '@fairstream/chain/merkle';
// The node's own published-format module (pure, like these chain and protocol subsets).
import { type EpochData, type EpochDataFanAward, playsRootOf } from '@fairstream/node/epoch-data';
import {
  APP_REWARDS_POLICY,
  allocate,
  allocateAppRewards,
  allocateRewards,
  appOfPlay,
  appRewardsBudget,
  type CountedPlay,
  evaluateFanEpoch,
  FAN_REWARDS_POLICY,
  type FanAwardEvidence,
  type FanPlay,
  type FanRewardsHistory,
  fanRewardsBudget,
  judgePlay,
  type PlaylistEvidence,
  type ProfileEvidence,
  playStartedAt,
  proRataCounterfactual,
  type ReportSource,
  type RepostEvidence,
  type SignedSessionKeyDelegation,
  sessionKeyCoverage,
  sessionKeyDelegationMessage,
  type TrackSplit,
  utcDayOf,
  verifyAppRegistration,
  verifyReportSignature,
  verifySessionKeyDelegation,
} from '@fairstream/protocol';
import { type Address, getAddress, type Hex, zeroHash } from 'viem';

export { type EpochData, playsRootOf };

/** What an auditor knows about a track: its split and owner (TrackRegistry) and its audio length. */
export interface AuditTrack {
  durationMs: number;
  owner: string;
  split: TrackSplit;
}

export interface RecomputeContext {
  tracks: ReadonlyMap<string, AuditTrack>;
  /** The cumulative leaves of the last published epoch before this one ([] for the first). */
  previousLeaves: readonly PayoutLeaf[];
  /**
   * Counted plays per `listener|trackId|day` in earlier epochs (mutated: this epoch's counted plays
   * are added, so the next epoch sees them).
   */
  countedByDay: Map<string, number>;
  /** Receives the platform fee (the operator, who publishes the epoch). */
  feeRecipient: string;
  /**
   * The fan-reward history of the epochs before this one (mutated: this epoch's plays and published
   * fan-reward outcome are added, so the next epoch sees them). Without it, fan rewards are not checked.
   */
  fanHistory?: FanRewardsHistory;
}

export interface Recomputed {
  playsRoot: Hex;
  payoutRoot: Hex;
  leaves: PayoutLeaf[];
  payouts: Map<string, bigint>;
  byTrack: Map<string, bigint>;
  rewards: Map<string, bigint>;
  proRata: Map<string, bigint>;
  carriedOut: Map<string, bigint>;
  /** Fan rewards by `account|rule|period` (when the data has them). */
  fanAwards: Map<string, bigint>;
  /** App rewards by appId (when the data has them). */
  appEarnings: Map<string, bigint>;
  totals: Record<string, string>;
}

export interface Problem {
  /** Where: "play abc", "payout 0x…", "payoutRoot", … */
  what: string;
  published: string;
  recomputed: string;
}

const dayKey = (listener: string, trackId: string, day: string) =>
  `${listener.toLowerCase()}|${trackId}|${day}`;

/**
 * Every report signature, checked with the session key it names over the play it belongs to.
 * `onProgress` hears how many reports were checked, now and then (a large epoch takes a while).
 */
export async function checkReportSignatures(
  data: EpochData,
  onProgress?: (checked: number) => void,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  let checked = 0;
  for (const play of data.plays) {
    if (play.reports.length === 0) {
      problems.push({
        what: `play ${play.playId}`,
        published: 'counted',
        recomputed: 'has no signed reports',
      });
    }
    for (const report of play.reports) {
      const ok = await verifyReportSignature({
        id: report.id,
        playId: play.playId,
        trackId: play.trackId,
        listener: play.listener,
        sessionKey: report.sessionKey,
        segments: report.segments,
        startedAt: report.startedAt,
        endedAt: report.endedAt,
        source: report.source as ReportSource,
        appId: report.appId,
        signature: report.signature,
      });
      if (!ok) {
        problems.push({
          what: `report ${report.id} of play ${play.playId}`,
          published: `signature by session key ${short(report.sessionKey)}`,
          recomputed: 'the signature does not verify',
        });
      }
      if (++checked % 100 === 0) onProgress?.(checked);
    }
  }
  onProgress?.(checked);
  return problems;
}

const short = (sessionKey: string) => `${String(sessionKey).slice(0, 16)}…`;
const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

/**
 * The session-key delegations (listener → session key). Each published delegation: the wallet's
 * EIP-191 signature of the message rebuilt from its fields, and the epoch's chain. Then each report:
 * a delegation of its session key by the play's listener, with a valid signature, in force when the
 * report was signed (sessionKeyCoverage: issuedAt <= endedAt < expiresAt). Answers `undefined` when
 * the data carries no delegations at all (published by a node before they were included), so the
 * caller can say that this part was not checked.
 */
export async function checkDelegations(data: EpochData): Promise<Problem[] | undefined> {
  const published: unknown = data.delegations;
  if (published === undefined) return undefined;
  if (!Array.isArray(published)) {
    return [{ what: 'delegations', published: typeof published, recomputed: 'must be a list' }];
  }
  const problems: Problem[] = [];
  /** Valid delegations by session key. */
  const valid = new Map<string, SignedSessionKeyDelegation[]>();
  const invalid = new Set<string>();
  for (const d of published as SignedSessionKeyDelegation[]) {
    const what = `delegation of session key ${short(d?.sessionKey)} by ${d?.address}`;
    let reason: string | undefined;
    try {
      sessionKeyDelegationMessage(d);
    } catch (error) {
      reason = `not a delegation the protocol accepts: ${(error as Error).message}`;
    }
    if (!reason && !(await verifySessionKeyDelegation(d))) {
      reason = 'the wallet signature does not verify (EIP-191, over the message rebuilt from these fields)';
    }
    if (!reason && d.chainId !== data.chainId) {
      reason = `it is for chain ${d.chainId}, not this epoch's chain ${data.chainId}`;
    }
    if (reason) {
      problems.push({
        what,
        published: `signature ${String(d?.signature).slice(0, 18)}…`,
        recomputed: reason,
      });
      invalid.add(String(d?.sessionKey));
      continue;
    }
    const list = valid.get(d.sessionKey);
    if (list) list.push(d);
    else valid.set(d.sessionKey, [d]);
  }
  for (const play of data.plays) {
    const listener = play.listener.toLowerCase();
    for (const report of play.reports) {
      const fail = (recomputed: string) =>
        problems.push({
          what: `report ${report.id} of play ${play.playId}`,
          published: `signed by session key ${short(report.sessionKey)} for ${listener}, ended ${iso(report.endedAt)}`,
          recomputed,
        });
      const all = valid.get(report.sessionKey) ?? [];
      const mine = all.filter((d) => d.address.toLowerCase() === listener);
      if (mine.length === 0) {
        if (all.length > 0) {
          const others = [...new Set(all.map((d) => d.address.toLowerCase()))].join(', ');
          fail(`the session key is delegated by ${others}, not by the play's listener`);
        } else if (invalid.has(report.sessionKey)) {
          fail('no valid delegation of the session key (its delegation in the data does not verify)');
        } else {
          fail('no delegation of the session key in the data');
        }
        continue;
      }
      const coverage = mine.map((d) => sessionKeyCoverage(d, report));
      if (coverage.includes('covered')) continue;
      if (coverage.every((c) => c === 'expired')) {
        const last = Math.max(...mine.map((d) => d.expiresAt));
        fail(`the delegation expired at ${iso(last)}, before the report ended`);
      } else if (coverage.every((c) => c === 'not_yet_valid')) {
        const first = Math.min(...mine.map((d) => d.issuedAt));
        fail(`the delegation was issued at ${iso(first)}, after the report ended (not yet valid)`);
      } else {
        const spans = mine.map((d) => `${iso(d.issuedAt)}–${iso(d.expiresAt)}`).join(', ');
        fail(`no delegation was in force when the report ended (delegated ${spans})`);
      }
    }
  }
  return problems;
}

/** Recomputes the epoch from its data; verdict problems (a play that would not count) are returned too. */
export function recomputeEpoch(
  data: EpochData,
  context: RecomputeContext,
): { result: Recomputed; problems: Problem[] } {
  const problems: Problem[] = [];
  const stablecoin = data.tokens.stablecoin.toLowerCase();
  const fair = data.tokens.fair.toLowerCase();

  // Verdicts, in the node's order (earlier plays of a day count first).
  const ordered = data.plays
    .map((play) => ({ play, first: playStartedAt(play.reports.map((r) => ({ startedAt: r.startedAt }))) }))
    .sort(
      (a, b) =>
        a.first - b.first || (a.play.playId < b.play.playId ? -1 : a.play.playId > b.play.playId ? 1 : 0),
    );
  const plays: CountedPlay[] = [];
  for (const { play, first } of ordered) {
    const track = context.tracks.get(play.trackId);
    const key = dayKey(play.listener, play.trackId, utcDayOf(first));
    const verdict =
      track && track.durationMs > 0
        ? judgePlay({
            reports: play.reports.map((r) => ({
              playId: play.playId,
              trackId: play.trackId,
              listener: play.listener,
              segments: r.segments,
              startedAt: r.startedAt,
              endedAt: r.endedAt,
            })),
            track: {
              durationMs: track.durationMs,
              owner: track.owner,
              collaborators: track.split.recipients,
            },
            anonymous: false,
            countedToday: context.countedByDay.get(key) ?? 0,
          })
        : { verdict: 'not_counted' as const, reason: 'unknown track' as const, heardMs: 0, wallMs: 0 };
    const what = `play ${play.playId}`;
    if (verdict.verdict !== 'counted') {
      problems.push({ what, published: 'counted', recomputed: `not counted (${verdict.reason})` });
    } else {
      context.countedByDay.set(key, (context.countedByDay.get(key) ?? 0) + 1);
    }
    if (verdict.heardMs !== play.heardMs)
      problems.push({
        what: `${what} heardMs`,
        published: String(play.heardMs),
        recomputed: String(verdict.heardMs),
      });
    if (verdict.wallMs !== play.wallMs)
      problems.push({
        what: `${what} wallMs`,
        published: String(play.wallMs),
        recomputed: String(verdict.wallMs),
      });
    if (first !== play.firstStartedAt)
      problems.push({
        what: `${what} firstStartedAt`,
        published: String(play.firstStartedAt),
        recomputed: String(first),
      });
    // Money follows the published counted set; a play that should not count is a problem above.
    plays.push({ listener: play.listener, trackId: play.trackId });
  }

  const splits = new Map<string, TrackSplit>();
  for (const play of data.plays) {
    const track = context.tracks.get(play.trackId);
    if (track) splits.set(play.trackId, track.split);
  }

  // Each subscriber's money: released this epoch plus what they carried in.
  const funds = new Map<string, bigint>();
  for (const entry of [...data.released, ...data.carriedIn]) {
    const account = entry.account.toLowerCase();
    funds.set(account, (funds.get(account) ?? 0n) + BigInt(entry.amount));
  }
  const allocation = allocate({
    subscribers: [...funds].map(([address, amount]) => ({ address, amount })),
    plays,
    tracks: splits,
    feePpm: data.feePpm,
    feeRecipient: context.feeRecipient,
  });
  const available = BigInt(data.totals.rewardsAvailable ?? '0');
  // Fan rewards first: what they spend of the FAIR rewards, the artists do not get.
  const fan = recomputeFanRewards(data, context, plays.length > 0 ? available : 0n);
  problems.push(...fan.problems);
  // App rewards likewise: the apps' share of the FAIR, weighted by each subscriber's money.
  const apps = recomputeAppRewards(data, funds, plays.length > 0 ? available : 0n);
  problems.push(...apps.problems);
  const rewards =
    plays.length > 0 ? allocateRewards(available - fan.spent - apps.spent, plays, splits) : undefined;
  const proRata = proRataCounterfactual(allocation.total - allocation.fee, plays, splits);

  const amounts = [
    ...[...allocation.byRecipient].map(([account, amount]) => ({
      account: getAddress(account),
      token: getAddress(stablecoin),
      amount,
    })),
    ...[...(rewards?.byRecipient ?? [])].map(([account, amount]) => ({
      account: getAddress(account),
      token: getAddress(fair),
      amount,
    })),
    ...fan.awards.map((award) => ({
      account: getAddress(award.account),
      token: getAddress(fair),
      amount: award.amount,
    })),
    ...[...apps.byOwner].map(([account, amount]) => ({
      account: getAddress(account),
      token: getAddress(fair),
      amount,
    })),
  ];
  const leaves = accumulatePayouts(context.previousLeaves, amounts);
  const sum = (values: Iterable<bigint>) => [...values].reduce((a, b) => a + b, 0n);
  const totals: Record<string, string> = {
    released: String(sum(data.released.map((e) => BigInt(e.amount)))),
    carriedIn: String(sum(data.carriedIn.map((e) => BigInt(e.amount)))),
    carriedOut: String(sum(allocation.carried.map((e) => e.amount))),
    paid: String(allocation.total),
    fee: String(allocation.fee),
    rewardsAvailable: String(available),
    rewards: String(rewards?.total ?? 0n),
    ...(data.fanRewards ? { fanRewardsBudget: String(fan.budget), fanRewards: String(fan.spent) } : {}),
    ...(data.appRewards ? { appRewardsBudget: String(apps.budget), appRewards: String(apps.spent) } : {}),
    countedPlays: String(plays.length),
  };
  for (const { token, total } of payoutTotals(leaves))
    totals[`cumulative:${token.toLowerCase()}`] = String(total);

  return {
    problems,
    result: {
      playsRoot: playsRootOf(data.plays),
      payoutRoot: leaves.length === 0 ? zeroHash : (buildPayoutTree(leaves).root as Hex),
      leaves,
      payouts: lowerKeys(allocation.byRecipient),
      byTrack: new Map(allocation.byTrack),
      rewards: lowerKeys(rewards?.byRecipient ?? new Map()),
      proRata: lowerKeys(proRata.byRecipient),
      carriedOut: new Map(
        allocation.carried.filter((e) => e.amount !== 0n).map((e) => [e.address.toLowerCase(), e.amount]),
      ),
      fanAwards: new Map(fan.awards.map((award) => [fanKey(award), award.amount])),
      appEarnings: new Map(
        apps.byApp.filter((app) => app.amount !== 0n).map((app) => [app.appId, app.amount]),
      ),
      totals,
    },
  };
}

function lowerKeys(map: ReadonlyMap<string, bigint>): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [key, value] of map)
    if (value !== 0n) out.set(key.toLowerCase(), (out.get(key.toLowerCase()) ?? 0n) + value);
  return out;
}

/** Published amounts as a map (account or trackId → amount), zeros dropped. */
function publishedMap(entries: EpochData['payouts'], by: 'account' | 'trackId'): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const entry of entries) {
    const key = by === 'trackId' ? (entry.trackId ?? '') : entry.account.toLowerCase();
    const amount = BigInt(entry.amount);
    if (amount !== 0n) out.set(key, (out.get(key) ?? 0n) + amount);
  }
  return out;
}

function diffMaps(label: string, published: Map<string, bigint>, recomputed: Map<string, bigint>): Problem[] {
  const problems: Problem[] = [];
  for (const key of [...new Set([...published.keys(), ...recomputed.keys()])].sort()) {
    const a = published.get(key);
    const b = recomputed.get(key);
    if (a !== b)
      problems.push({
        what: `${label} ${key}`,
        published: a === undefined ? '(none)' : String(a),
        recomputed: b === undefined ? '(none)' : String(b),
      });
  }
  return problems;
}

export function leafMap(
  leaves: readonly { account: string; token: string; cumulativeAmount: bigint | string }[],
) {
  return new Map(
    leaves.map((leaf) => [
      `${leaf.account.toLowerCase()} ${leaf.token.toLowerCase()}`,
      BigInt(leaf.cumulativeAmount),
    ]),
  );
}

/** Every difference between what the data says and what was recomputed. */
export function diffEpoch(data: EpochData, recomputed: Recomputed): Problem[] {
  const problems: Problem[] = [];
  const same = (what: string, published: string, value: string) => {
    if (published.toLowerCase() !== value.toLowerCase())
      problems.push({ what, published, recomputed: value });
  };
  same('playsRoot', data.playsRoot, recomputed.playsRoot);
  same('payoutRoot', data.payoutRoot, recomputed.payoutRoot);
  problems.push(
    ...diffMaps('payout', publishedMap(data.payouts, 'account'), recomputed.payouts),
    ...diffMaps('track', publishedMap(data.byTrack, 'trackId'), recomputed.byTrack),
    ...diffMaps('reward', publishedMap(data.rewards, 'account'), recomputed.rewards),
    ...diffMaps('pro-rata', publishedMap(data.proRata, 'account'), recomputed.proRata),
    ...diffMaps('carried out', publishedMap(data.carriedOut, 'account'), recomputed.carriedOut),
    ...(data.fanRewards
      ? diffMaps(
          'fan reward',
          new Map(data.fanRewards.awards.map((award) => [fanKey(award), BigInt(award.amount)])),
          recomputed.fanAwards,
        )
      : []),
    ...(data.appRewards
      ? diffMaps(
          'app reward',
          new Map(
            data.appRewards.byApp
              .filter((app) => app.amount !== '0')
              .map((app) => [app.appId, BigInt(app.amount)]),
          ),
          recomputed.appEarnings,
        )
      : []),
    ...diffMaps(
      'leaf',
      leafMap(data.leaves.map((l) => ({ ...l, cumulativeAmount: BigInt(l.cumulativeAmount) }))),
      leafMap(recomputed.leaves),
    ),
  );
  for (const key of [...new Set([...Object.keys(data.totals), ...Object.keys(recomputed.totals)])].sort()) {
    const a = data.totals[key];
    const b = recomputed.totals[key];
    if (a !== b)
      problems.push({ what: `totals.${key}`, published: a ?? '(none)', recomputed: b ?? '(none)' });
  }
  return problems;
}

/** The published leaves as PayoutLeaf (the base of the next epoch). */
export function leavesOfData(data: EpochData): PayoutLeaf[] {
  return data.leaves.map((leaf) => ({
    account: getAddress(leaf.account) as Address,
    token: getAddress(leaf.token) as Address,
    cumulativeAmount: BigInt(leaf.cumulativeAmount),
  }));
}

/**
 * Adds an epoch's counted plays to the per-day counts without judging them (epochs before --epoch),
 * and its plays and published fan-reward outcome to the fan-reward history.
 */
export function countPlays(
  data: EpochData,
  countedByDay: Map<string, number>,
  fanHistory?: FanRewardsHistory,
): void {
  for (const play of data.plays) {
    const key = dayKey(play.listener, play.trackId, utcDayOf(play.firstStartedAt));
    countedByDay.set(key, (countedByDay.get(key) ?? 0) + 1);
  }
  if (fanHistory) addFanEpoch(data, fanHistory);
}

// --- Fan rewards -----------------------------------------------------------------------------------

const fanKey = (award: { account: string; rule: string; period: string }) =>
  `${award.account.toLowerCase()}|${award.rule}|${award.period}`;

const fanPlays = (data: EpochData): FanPlay[] =>
  data.plays.map((play) => ({
    playId: play.playId,
    listener: play.listener.toLowerCase(),
    trackId: play.trackId,
    firstStartedAt: play.firstStartedAt,
  }));

/** Adds an epoch to the history as it was published (its plays, events and awards). */
function addFanEpoch(data: EpochData, history: FanRewardsHistory): void {
  history.addEpoch(fanPlays(data), {
    trending: data.fanRewards?.trending ?? [],
    milestones: data.fanRewards?.milestones ?? [],
    awards: data.fanRewards?.awards ?? [],
  });
}

/**
 * Fan rewards of an epoch, recomputed: the budget from the published share of the available FAIR;
 * trending entries, milestones, streaks and bot exclusions from the published plays of this and
 * earlier epochs (the history); the rules resting on the node's facts (tastemaker, playlist,
 * profile) from each award's published evidence, which must satisfy its rule; caps and budget over
 * all of them. Answers the recomputed awards (what the leaves get) and every difference.
 */
export function recomputeFanRewards(
  data: EpochData,
  context: RecomputeContext,
  available: bigint,
): {
  budget: bigint;
  spent: bigint;
  awards: { account: string; rule: string; period: string; amount: bigint }[];
  problems: Problem[];
} {
  const section = data.fanRewards;
  const history = context.fanHistory;
  if (!section || !history) {
    if (history) addFanEpoch(data, history);
    return { budget: 0n, spent: 0n, awards: [], problems: [] };
  }
  const problems: Problem[] = [];
  const same = comparer(problems);
  const budget = checkedBudget(problems, 'fanRewards', section, FAN_REWARDS_POLICY, (ppm) =>
    fanRewardsBudget(available, ppm),
  );

  // The node's facts, from the published evidence of the rules that rest on them.
  const profiles = new Map<string, ProfileEvidence>();
  const playlists = new Map<string, PlaylistEvidence>();
  const reposts = new Map<string, RepostEvidence[]>();
  const recipients = new Map<string, string[]>();
  for (const award of section.awards) {
    const account = award.account.toLowerCase();
    const evidence = award.evidence as FanAwardEvidence | undefined;
    if (award.rule === 'complete_profile' && evidence?.kind === 'profile') {
      const { kind: _, ...profile } = evidence;
      profiles.set(account, profile);
    } else if (award.rule === 'first_playlist' && evidence?.kind === 'playlist') {
      const { kind: _, ...playlist } = evidence;
      playlists.set(account, playlist);
    } else if (award.rule === 'tastemaker' && evidence?.kind === 'tastemaker') {
      const list = reposts.get(account) ?? [];
      list.push({ trackId: evidence.trackId, repostedAt: evidence.repostedAt });
      reposts.set(account, list);
      const track = context.tracks.get(evidence.trackId);
      if (track)
        recipients.set(
          evidence.trackId,
          track.split.recipients.map((r) => r.toLowerCase()),
        );
    }
  }
  const { events, result } = evaluateFanEpoch(history, {
    epoch: data.epoch,
    plays: fanPlays(data),
    budget,
    social: { profiles, playlists, reposts, recipients },
  });
  same('fanRewards.budget', section.budget, String(budget));
  same('fanRewards.spent', section.spent, String(result.spent));
  same('fanRewards.botAccounts', section.botAccounts, result.botAccounts);
  same('fanRewards.trending', section.trending, [...events.trending.values()]);
  same('fanRewards.milestones', section.milestones, [...events.milestones.values()]);
  const recomputed = new Map(result.awards.map((award) => [fanKey(award), award]));
  for (const award of section.awards) {
    const mine = recomputed.get(fanKey(award));
    if (!mine) {
      problems.push({
        what: `fan reward ${fanKey(award)}`,
        published: award.reason,
        recomputed: whyNot(award, events.trending, context),
      });
      continue;
    }
    same(`fan reward ${fanKey(award)} evidence`, award.evidence, mine.evidence);
  }
  addFanEpoch(data, history);
  return { budget, spent: result.spent, awards: result.awards, problems };
}

/**
 * App rewards of an epoch, recomputed from the published plays (each play's app from its signed
 * reports), the subscribers' money and the published registrations (their signatures are checked by
 * checkAppRegistrations). An app id the registrations do not list counts as no app.
 */
export function recomputeAppRewards(
  data: EpochData,
  funds: ReadonlyMap<string, bigint>,
  available: bigint,
): {
  budget: bigint;
  spent: bigint;
  byApp: { appId: string; owner: string; countedPlays: number; listeners: number; amount: bigint }[];
  byOwner: Map<string, bigint>;
  problems: Problem[];
} {
  const section = data.appRewards;
  if (!section) return { budget: 0n, spent: 0n, byApp: [], byOwner: new Map(), problems: [] };
  const problems: Problem[] = [];
  const same = comparer(problems);
  const budget = checkedBudget(problems, 'appRewards', section, APP_REWARDS_POLICY, (ppm) =>
    appRewardsBudget(available, ppm),
  );
  const owners = new Map(section.apps.map((app) => [app.appId, app.owner.toLowerCase()]));
  const result = allocateAppRewards({
    budget,
    funds,
    plays: data.plays.map((play) => ({ listener: play.listener, appId: appOfPlay(play.reports) })),
    owners,
  });
  same('appRewards.budget', section.budget, String(budget));
  same('appRewards.spent', section.spent, String(result.spent));
  same(
    'appRewards.byApp',
    section.byApp,
    result.byApp.map((app) => ({ ...app, amount: String(app.amount) })),
  );
  return { ...result, problems };
}

/** Every app registration in the data, checked against its owner's signature. */
export async function checkAppRegistrations(data: EpochData): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const app of data.appRewards?.apps ?? []) {
    if (!(await verifyAppRegistration(app)))
      problems.push({
        what: `app ${app.appId}`,
        published: `registered by ${app.owner}`,
        recomputed: "the registration's signature is not the owner's",
      });
  }
  return problems;
}

/** Why a published award was not recomputed, in the terms of its rule. */
function whyNot(
  award: EpochDataFanAward,
  trendingNow: ReadonlyMap<string, { at: number }>,
  context: RecomputeContext,
): string {
  const evidence = award.evidence as FanAwardEvidence | undefined;
  const history = context.fanHistory;
  switch (evidence?.kind) {
    case 'tastemaker': {
      const entry = trendingNow.get(evidence.trackId) ?? history?.trending.get(evidence.trackId);
      if (!entry) return `track ${evidence.trackId} has not entered trending in the published plays`;
      if (!(evidence.repostedAt < entry.at))
        return `the repost (${new Date(evidence.repostedAt).toISOString()}) is not before the trending entry (${new Date(entry.at).toISOString()})`;
      const track = context.tracks.get(evidence.trackId);
      if (!track) return `track ${evidence.trackId} is unknown to TrackRegistry or the node`;
      if (track.split.recipients.some((r) => r.toLowerCase() === award.account.toLowerCase()))
        return 'the account is a recipient of the track';
      return 'not earned: no counted play of the track, a bot pattern, or held back by a cap or the budget';
    }
    case 'playlist':
      return evidence.tracks < FAN_REWARDS_POLICY.playlistMinTracks
        ? `the playlist has ${evidence.tracks} tracks; the rule needs ${FAN_REWARDS_POLICY.playlistMinTracks}`
        : 'not earned: no counted play this epoch, a bot pattern, an earlier award, or held back by a cap or the budget';
    case 'profile':
      return !evidence.handle || !evidence.displayName || !evidence.avatar || !(evidence.bioLength > 0)
        ? 'the profile evidence lacks a handle, a display name, an avatar or a bio'
        : 'not earned: no counted play this epoch, a bot pattern, an earlier award, or held back by a cap or the budget';
    default:
      return 'not earned by the published plays (or held back by a cap or the budget)';
  }
}

/** Adds a problem for each published value whose canonical JSON differs from the recomputed one. */
function comparer(problems: Problem[]) {
  return (what: string, published: unknown, recomputed: unknown) => {
    const [a, b] = [canonical(published), canonical(recomputed)];
    if (a !== b) problems.push({ what, published: a, recomputed: b });
  };
}

/** A reward section's budget from its published share, after checking its version and share. */
function checkedBudget(
  problems: Problem[],
  name: string,
  section: { version: number; sharePpm: number },
  policy: { version: number; sharePpm: number },
  budgetOf: (sharePpm: number) => bigint,
): bigint {
  const same = comparer(problems);
  same(`${name}.version`, section.version, policy.version);
  same(`${name}.sharePpm`, section.sharePpm, policy.sharePpm);
  try {
    return budgetOf(section.sharePpm);
  } catch (error) {
    problems.push({
      what: `${name}.sharePpm`,
      published: String(section.sharePpm),
      recomputed: (error as Error).message,
    });
    return 0n;
  }
}

/** JSON with sorted keys and bigints as strings, to compare published and recomputed values. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_, v) => {
      if (typeof v === 'bigint') return String(v);
      if (v && typeof v === 'object' && !Array.isArray(v))
        return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      return v;
    }) ?? 'undefined'
  );
}
