/**
 * Settlement benchmark: the compute step of one big epoch, in the node's own code paths, against the
 * goals from the issue tracker.
 *
 *   npm run bench:settlement     (about a minute)
 *
 * Goal: an epoch of 1,000,000 counted plays from 100,000 listeners over 50,000 tracks with 3-way
 * splits: payouts and both trees in under 10 s and under 2 GB; on-chain, under 1 gas per counted play.
 *
 * The epoch is generated deterministically (mulberry32, BENCH_SEED), then the benchmark runs what
 * SettlementWorker#compute runs once the database has answered, phase by phase: one aggregation of
 * the plays shared by the next three, allocate (+ fee) and the exact sum check, the fan-reward rules
 * for every active listener (protocol's rewards/evaluate.ts: one pass over the plays, then the rules,
 * caps and budget, with the social facts the database would give), allocateRewards (the FAIR the fan
 * rewards did not spend), proRataCounterfactual, the cumulative leaves (accumulatePayouts),
 * buildPayoutTree and playsRootOf, which the worker hands to a worker thread first and awaits last
 * (playsRootOffThread), so the compute step's figure is its wall time on the main thread.
 * BENCH_FAN=0 BENCH_SHARED=0 BENCH_OFF_THREAD=0 runs it as it was before fan rewards, to compare. Judging 1,000,000 plays from raw reports
 * (SettlementWorker#judge without the database) is measured after it, separately.
 *
 * Peak memory is the kernel's high-water mark of the process's resident set (VmHWM in
 * /proc/self/status), reset before each phase (`echo 5 > /proc/self/clear_refs`), so each phase's
 * figure is exact even though the phases are synchronous (a 50 ms sampler could not run during
 * them). It includes everything resident at the time: the generated epoch, as the node holds the rows
 * it read from SQLite.
 *
 * Gas is not measured here: publishEpoch and the steady-state claimMany figures come from
 * bench/gas.ts (BENCH_PUBLISH_GAS, BENCH_CLAIM_GAS, BENCH_CLAIM_FIRST_GAS to override).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import {
  aggregateCountedPlays,
  allocate,
  allocateRewards,
  type CountedPlay,
  DEFAULT_FEE_PPM,
  evaluateFanRewards,
  type FanListenerFacts,
  fanRewardsBudget,
  fanTrackEvents,
  indexFanPlays,
  judgePlay,
  type PlaylistEvidence,
  type PlayReportFacts,
  type ProfileEvidence,
  playStartedAt,
  proRataCounterfactual,
  type RepostEvidence,
  type TrackSplit,
  utcDayOf,
} from '@fairstream/protocol';
import { type Address, formatUnits } from 'viem';
// Module paths rather than the package indexes (as gas.ts does): the pure settlement code only.
import { accumulatePayouts } from '../packages/chain/src/merkle/accumulate-payouts.ts';
import { payoutTotals } from '../packages/chain/src/merkle/payout-totals.ts';
import { buildPayoutTree } from '../packages/chain/src/merkle/payout-tree.ts';
import { proofOf } from '../packages/chain/src/merkle/standard-tree.ts';
import { playsRootOf } from '../packages/node/src/settlement/epoch-data.ts';
import { playsRootOffThread } from '../packages/node/src/settlement/plays-root-off-thread.ts';
import { prng } from '../packages/protocol/src/testing/prng.ts';
import { runBenchmark, table, verdict } from './lib.ts';

const PLAYS = Number(process.env.BENCH_PLAYS ?? 1_000_000);
const LISTENERS = Number(process.env.BENCH_LISTENERS ?? 100_000);
const TRACKS = Number(process.env.BENCH_TRACKS ?? 50_000);
const SEED = Number(process.env.BENCH_SEED ?? 20_251_125);
/** Zipf exponent of track popularity (rank r is played in proportion to 1 / r^s). */
const ZIPF_S = Number(process.env.BENCH_ZIPF ?? 1);
/** 0 skips the judge phase (1,000,000 plays from 2,000,000 synthetic reports). */
const JUDGE = process.env.BENCH_JUDGE !== '0';
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 900);
/**
 * The settlement as it was before fan rewards, for a comparison on the same machine in the same
 * conditions: BENCH_FAN=0 leaves the fan-reward rules out, BENCH_SHARED=0 lets allocate,
 * allocateRewards and proRataCounterfactual each aggregate the plays themselves.
 */
const FAN = process.env.BENCH_FAN !== '0';
const SHARED = process.env.BENCH_SHARED !== '0';
/** BENCH_OFF_THREAD=0 builds the plays tree on the main thread, after the money, as before. */
const OFF_THREAD = process.env.BENCH_OFF_THREAD !== '0';

// From bench/gas.ts (embedded EDR, prague): publishEpoch with 2 tokens (100,000-leaf tree, steady),
// claimMany per account, steady state (an account that claimed before) and first-ever claim.
const PUBLISH_GAS = Number(process.env.BENCH_PUBLISH_GAS ?? 77_937);
const CLAIM_GAS = Number(process.env.BENCH_CLAIM_GAS ?? 33_217);
const CLAIM_FIRST_GAS = Number(process.env.BENCH_CLAIM_FIRST_GAS ?? 67_396);

const GOAL_SECONDS = 10;
const GOAL_BYTES = 2 * 1024 ** 3;
const GOAL_GAS_PER_PLAY = 1;

/** FAIR to distribute as rewards this epoch (the distributor's available balance): 1,000,000 FAIR. */
const REWARDS_AVAILABLE = 1_000_000n * 10n ** 18n;
const STABLECOIN = address('token:tUSD');
const FAIR = address('token:FAIR');
const OPERATOR = address('operator');
/** A one-week epoch from Monday 2025-01-06 00:00 UTC (chain time, ms). */
const EPOCH_START = Date.UTC(2025, 0, 6);
const EPOCH_MS = 7 * 24 * 60 * 60 * 1000;

interface Phase {
  name: string;
  seconds: number;
  /**
   * CPU seconds of the process meanwhile (user + system, all threads): on a machine shared with
   * other work, wall time stretches while this stays close to what the phase costs.
   */
  cpuSeconds: number;
  peakBytes: number;
  heapBytes: number;
  note: string;
  /** Part of "payouts and both trees" (the goal's figure). */
  compute: boolean;
}

runBenchmark(async () => {
  const started = performance.now();
  // Phases are synchronous, so a timer in this thread could not stop them: a worker ends the process.
  const watchdog = new Worker(
    `setTimeout(() => { process.stderr.write('\\nsettlement benchmark: no result after ${TIMEOUT_S} s, stopping\\n'); process.kill(${process.pid}, 'SIGKILL'); }, ${TIMEOUT_S * 1000});`,
    { eval: true },
  );
  watchdog.unref();

  const phases: Phase[] = [];
  const phase = <T>(
    name: string,
    compute: boolean,
    work: () => T,
    note: (result: T) => string = () => '',
  ): T => {
    step(name);
    resetPeak();
    const clock = performance.now();
    const cpu = process.cpuUsage();
    const result = work();
    const seconds = (performance.now() - clock) / 1000;
    const used = process.cpuUsage(cpu);
    phases.push({
      name,
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      peakBytes: peakRss(),
      heapBytes: process.memoryUsage().heapUsed,
      note: note(result),
      compute,
    });
    return result;
  };
  /** The same for work that ends on another thread: the wall time is what the main thread waits. */
  const phaseAsync = async <T>(name: string, compute: boolean, work: () => Promise<T>): Promise<T> => {
    step(name);
    resetPeak();
    const clock = performance.now();
    const cpu = process.cpuUsage();
    const result = await work();
    const used = process.cpuUsage(cpu);
    phases.push({
      name,
      seconds: (performance.now() - clock) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
      peakBytes: peakRss(),
      heapBytes: process.memoryUsage().heapUsed,
      note: '',
      compute,
    });
    return result;
  };

  // -------------------------------------------------------------------------------------------
  // The epoch, as the compute step finds it in the database: released funds per subscriber, the
  // counted plays (with their leaf fields) and each played track's split.
  const epoch = phase(
    'generate the epoch (seeded)',
    false,
    () => generateEpoch(),
    (e) =>
      `${e.countedRows.length.toLocaleString('en')} plays, ${e.funds.size.toLocaleString('en')} subscribers, ${e.trackRows.size.toLocaleString('en')} tracks`,
  );
  const { funds: released, countedRows, trackRows } = epoch;

  // -------------------------------------------------------------------------------------------
  // SettlementWorker#compute, in order, without the database and the chain reads.
  const inputs = phase(
    'compute: plays and splits from the rows',
    true,
    () => {
      const funds = new Map<string, bigint>();
      for (const [account, amount] of released) funds.set(account, (funds.get(account) ?? 0n) + amount);
      const plays: CountedPlay[] = countedRows.map((play) => ({
        listener: play.listener,
        trackId: play.track_id,
      }));
      const played = new Set(plays.map((play) => play.trackId));
      const tracks = new Map<string, TrackSplit>();
      for (const trackId of played) {
        const splits = trackRows.get(trackId)!;
        tracks.set(trackId, {
          recipients: splits.map((split) => split.address),
          sharesPpm: splits.map((split) => split.ppm),
        });
      }
      return { funds, plays, tracks };
    },
    (r) => `${r.tracks.size.toLocaleString('en')} tracks played`,
  );
  const { funds, plays, tracks } = inputs;

  // SettlementWorker#compute hands the plays root to a worker thread first: it needs nothing the
  // money needs, and it is the biggest part (playsRootOffThread).
  const playsLeaves = () =>
    countedRows.map((play) => ({
      playId: play.play_id,
      listener: play.listener,
      trackId: play.track_id,
      heardMs: play.heard_ms,
      firstStartedAt: play.first_started_at,
    }));
  const pendingRoot = OFF_THREAD
    ? phase(
        'plays tree: handed to a worker thread (playsRootOffThread)',
        true,
        () => playsRootOffThread(countedRows, { minPlays: 0 }),
        () => `${countedRows.length.toLocaleString('en')} leaves, packed`,
      )
    : undefined;

  const aggregate = SHARED
    ? phase(
        'aggregate the plays once (shared by the next three)',
        true,
        () => aggregateCountedPlays(plays, tracks),
        (a) => `${a.pairs.length.toLocaleString('en')} (listener, track) pairs`,
      )
    : undefined;

  const allocation = phase(
    'allocate (user-centric, 10% fee) + sum check',
    true,
    () => {
      const result = allocate({
        subscribers: [...funds].map(([address, amount]) => ({ address, amount })),
        plays: aggregate ?? plays,
        tracks,
        feePpm: DEFAULT_FEE_PPM,
        feeRecipient: OPERATOR,
      });
      const releasedSum = sum([...funds.values()]);
      const paidSum = sum([...result.byRecipient.values()]);
      const carriedOutSum = sum(result.carried.map((entry) => entry.amount));
      if (paidSum !== result.total || paidSum + carriedOutSum !== releasedSum) {
        throw new Error(
          `the epoch does not add up: paid ${paidSum} + carried ${carriedOutSum} ≠ ${releasedSum}`,
        );
      }
      return result;
    },
    (r) => `${r.byRecipient.size.toLocaleString('en')} recipients paid in tUSD`,
  );

  // Fan rewards: every rule for every active listener, from the epoch's plays (one pass) and the
  // facts the database answers (the first epoch: no earlier plays or awards; the social facts below).
  const noFan = {
    events: undefined,
    result: { spent: 0n, awards: [] as { account: string; amount: bigint }[] },
  };
  const fan = !FAN
    ? noFan
    : phase(
        `fan rewards: every rule for ${LISTENERS.toLocaleString('en')} accounts`,
        true,
        () => {
          const fanPlays = countedRows.map((play) => ({
            playId: play.play_id,
            listener: play.listener,
            trackId: play.track_id,
            firstStartedAt: play.first_started_at,
          }));
          // The plays as integers from the shared aggregate (the same rows in the same order).
          const index = indexFanPlays(fanPlays, {}, aggregate?.pairs.interned);
          const trackFacts = {
            trending: new Map(),
            milestones: new Map(),
            trackFirstPlays: new Map(),
            trackDayPlays: new Map(),
          };
          const events = fanTrackEvents(0, index, trackFacts);
          return {
            events,
            result: evaluateFanRewards({
              budget: fanRewardsBudget(REWARDS_AVAILABLE),
              index,
              trackFacts,
              events,
              facts: epoch.fanFacts,
            }),
          };
        },
        ({ result, events }) =>
          `${result.awards.length.toLocaleString('en')} awards, ${result.heldBack.length.toLocaleString('en')} held back, ` +
          `${result.botAccounts.length} bots; ${events.trending.size.toLocaleString('en')} tracks entered trending, ` +
          `${events.milestones.size.toLocaleString('en')} reached 100 plays`,
      );

  const rewards = phase(
    FAN
      ? 'allocateRewards (FAIR less fan rewards, equal per listener)'
      : 'allocateRewards (FAIR, equal per listener)',
    true,
    () => allocateRewards(REWARDS_AVAILABLE - fan.result.spent, aggregate ?? plays, tracks),
    (r) => `${r.byRecipient.size.toLocaleString('en')} recipients paid in FAIR`,
  );

  const leaves = phase(
    'cumulative leaves (accumulatePayouts)',
    true,
    () => {
      const amounts = [
        ...[...allocation.byRecipient].map(([account, amount]) => ({
          account: account as Address,
          token: STABLECOIN,
          amount,
        })),
        ...[...rewards.byRecipient].map(([account, amount]) => ({
          account: account as Address,
          token: FAIR,
          amount,
        })),
        ...fan.result.awards.map((award) => ({
          account: award.account as Address,
          token: FAIR,
          amount: award.amount,
        })),
      ];
      // The first epoch: no previous leaves (a later epoch also carries every earlier leaf).
      return accumulatePayouts([], amounts);
    },
    (r) => `${r.length.toLocaleString('en')} leaves (account, token)`,
  );

  const payoutTree = phase(
    'payout tree (buildPayoutTree)',
    true,
    () => buildPayoutTree(leaves),
    (t) => `${t.leaves.length.toLocaleString('en')} leaves, depth ${proofOf(t.tree, 0).length}`,
  );

  const playsRoot = pendingRoot
    ? await phaseAsync('plays tree: waiting for its worker thread', true, () => pendingRoot.root)
    : phase(
        'plays tree (playsRootOf)',
        true,
        () => playsRootOf(playsLeaves()),
        () => `${countedRows.length.toLocaleString('en')} leaves`,
      );

  const proRata = phase(
    'proRataCounterfactual',
    true,
    () => proRataCounterfactual(allocation.total - allocation.fee, aggregate ?? plays, tracks),
    (r) => `${r.byRecipient.size.toLocaleString('en')} recipients`,
  );

  const totals = phase('payoutTotals', true, () => payoutTotals(leaves));

  const payoutRoot = payoutTree.root;
  const payoutDepth = proofOf(payoutTree.tree, 0).length;
  const playsCount = countedRows.length;
  const leafCount = leaves.length;
  const stablecoinLeaves = leaves.filter((leaf) => leaf.token.toLowerCase() === STABLECOIN).length;
  const checks = {
    paid: allocation.total,
    fee: allocation.fee,
    carried: sum(allocation.carried.map((entry) => entry.amount)),
    rewards: rewards.total,
    fanRewards: fan.result.spent,
    fanAwards: fan.result.awards.length,
    proRata: proRata.total,
    totals: totals.map(({ token, total }) => `${token}:${total}`),
  };

  // -------------------------------------------------------------------------------------------
  // SettlementWorker#judge without the database: group reports by play, order by first start,
  // judge each play with its daily cap. Run last, after the compute's data is released.
  let judged: { counted: number; reports: number } | undefined;
  if (JUDGE) {
    const trackFacts = new Map(
      [...trackRows].map(([trackId, splits]) => [
        trackId,
        {
          durationMs: epoch.durations.get(trackId)!,
          owner: splits[0]!.address,
          splits,
        },
      ]),
    );
    const reportRows = phase(
      'judge: synthetic reports (2 per play)',
      false,
      () => reportsOf(countedRows, epoch.durations),
      (r) => `${r.length.toLocaleString('en')} report rows, segments as JSON text`,
    );
    releaseForGc(
      epoch,
      countedRows,
      released,
      trackRows,
      inputs,
      funds,
      plays,
      tracks,
      allocation,
      aggregate ?? {},
      fan,
      rewards,
      leaves,
      payoutTree,
      proRata,
    );
    judged = phase(
      `judge ${PLAYS.toLocaleString('en')} plays (judgePlay, daily cap)`,
      false,
      () => judgeAll(reportRows, trackFacts),
      (r) => `${r.counted.toLocaleString('en')} counted`,
    );
  }

  // -------------------------------------------------------------------------------------------
  const computePhases = phases.filter((p) => p.compute);
  const computeSeconds = computePhases.reduce((total, p) => total + p.seconds, 0);
  const computeCpuSeconds = computePhases.reduce((total, p) => total + p.cpuSeconds, 0);
  const computePeak = Math.max(...computePhases.map((p) => p.peakBytes));
  // On the main thread: the whole tree, or handing it over plus waiting for the worker at the end.
  const playsTreeSeconds = phases
    .filter((p) => p.name.startsWith('plays tree'))
    .reduce((total, p) => total + p.seconds, 0);
  const fanSeconds = phases.find((p) => p.name.startsWith('fan rewards'))?.seconds ?? 0;
  const payoutTreeSeconds = phases.find((p) => p.name.startsWith('payout tree'))!.seconds;
  const claimsGas = leafCount * CLAIM_GAS;
  const gasPublishPerPlay = PUBLISH_GAS / PLAYS;
  const gasAllPerPlay = (PUBLISH_GAS + claimsGas) / PLAYS;
  const gasAllFirstPerPlay = (PUBLISH_GAS + leafCount * CLAIM_FIRST_GAS) / PLAYS;
  const goals = {
    computeSeconds: {
      goal: `< ${GOAL_SECONDS}`,
      value: round(computeSeconds, 2),
      met: computeSeconds < GOAL_SECONDS,
    },
    computePeakMiB: {
      goal: `< ${GOAL_BYTES / 2 ** 20}`,
      value: Math.round(computePeak / 2 ** 20),
      met: computePeak < GOAL_BYTES,
    },
    gasPerPlayPublish: {
      goal: `< ${GOAL_GAS_PER_PLAY}`,
      value: round(gasPublishPerPlay, 4),
      met: gasPublishPerPlay < GOAL_GAS_PER_PLAY,
    },
    gasPerPlayPublishAndClaims: {
      goal: `< ${GOAL_GAS_PER_PLAY}`,
      value: round(gasAllPerPlay, 3),
      met: gasAllPerPlay < GOAL_GAS_PER_PLAY,
    },
  };

  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  process.stdout.write(
    `\n${table(
      ['phase', 's', 'CPU s', 'peak RSS MiB', 'heap after MiB', ''],
      [
        ...phases.map((p) => [
          `${p.compute ? '' : '('}${p.name}${p.compute ? '' : ')'}`,
          p.seconds.toFixed(2),
          p.cpuSeconds.toFixed(2),
          mib(p.peakBytes),
          mib(p.heapBytes),
          p.note,
        ]),
        [
          'payouts and both trees (the compute step)',
          computeSeconds.toFixed(2),
          computeCpuSeconds.toFixed(2),
          mib(computePeak),
          '',
          '',
        ],
        [
          '  of which fan-reward rules',
          fanSeconds.toFixed(2),
          (phases.find((p) => p.name.startsWith('fan rewards'))?.cpuSeconds ?? 0).toFixed(2),
          '',
          '',
          `${checks.fanAwards.toLocaleString('en')} awards, ${formatUnits(checks.fanRewards, 18)} FAIR`,
        ],
        [
          OFF_THREAD ? "  without the plays tree's main-thread part" : '  without the plays tree',
          (computeSeconds - playsTreeSeconds).toFixed(2),
          '',
          '',
          '',
          `trees: payout ${payoutTreeSeconds.toFixed(1)} s, plays ${playsTreeSeconds.toFixed(1)} s`,
        ],
      ],
    )}\n`,
  );
  process.stdout.write(
    `Phases in parentheses are not part of the goal's figure. Peak RSS is VmHWM, reset per phase. CPU s: the\nprocess's CPU time in the phase (all threads, the plays tree's worker thread included when it runs\nmeanwhile); on a busy machine the wall time stretches, this less.\n`,
  );
  process.stdout.write(`payout root ${payoutRoot}, plays root ${playsRoot}\n\n`);

  const g = (value: number) => Math.round(value).toLocaleString('en');
  process.stdout.write(
    `${table(
      ['on-chain cost of settling the epoch', 'gas', 'per counted play', 'goal', ''],
      [
        [
          'publishEpoch (2 tokens; bench/gas.ts)',
          g(PUBLISH_GAS),
          gasPublishPerPlay.toFixed(4),
          '< 1',
          verdict(goals.gasPerPlayPublish.met),
        ],
        [
          `claims, ${g(leafCount)} leaves x ${g(CLAIM_GAS)} (claimMany, steady)`,
          g(claimsGas),
          (claimsGas / PLAYS).toFixed(3),
          '',
          '',
        ],
        [
          'publish + all claims, steady state',
          g(PUBLISH_GAS + claimsGas),
          gasAllPerPlay.toFixed(3),
          '< 1',
          verdict(goals.gasPerPlayPublishAndClaims.met),
        ],
        [
          `publish + all claims, first-ever (${g(CLAIM_FIRST_GAS)} per leaf)`,
          g(PUBLISH_GAS + leafCount * CLAIM_FIRST_GAS),
          gasAllFirstPerPlay.toFixed(3),
          '',
          '',
        ],
      ],
    )}\n`,
  );
  process.stdout.write(
    `Claims: one per leaf with something due (${g(stablecoinLeaves)} tUSD, ${g(leafCount - stablecoinLeaves)} FAIR); the per-account figure is from a 100,000-leaf tree (17-hash proofs), this tree's proofs are about ${payoutDepth} hashes, so each claim here costs a little more calldata.\n\n`,
  );

  for (const [name, { goal, value, met }] of Object.entries(goals)) {
    process.stdout.write(
      `${`${name}:`.padEnd(30)} ${String(value).padStart(10)} (goal ${goal}) -> ${verdict(met)}\n`,
    );
  }
  process.stdout.write(`Done in ${Math.round((performance.now() - started) / 1000)} s.\n\n`);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'settlement',
      date: new Date().toISOString(),
      node: process.version,
      epoch: { plays: PLAYS, listeners: LISTENERS, tracks: TRACKS, splits: 3, zipf: ZIPF_S, seed: SEED },
      variant: { fanRewards: FAN, sharedAggregate: SHARED, playsTreeOffThread: OFF_THREAD },
      leaves: { payout: leafCount, plays: playsCount },
      seconds: Object.fromEntries(phases.map((p) => [p.name, round(p.seconds, 3)])),
      cpuSeconds: Object.fromEntries(phases.map((p) => [p.name, round(p.cpuSeconds, 3)])),
      computeCpuSeconds: round(computeCpuSeconds, 2),
      fanRewardSeconds: round(fanSeconds, 3),
      peakRssMiB: Object.fromEntries(phases.map((p) => [p.name, Math.round(p.peakBytes / 2 ** 20)])),
      judged: judged ?? null,
      gas: {
        publish: PUBLISH_GAS,
        claimPerLeaf: CLAIM_GAS,
        claims: claimsGas,
        perPlayPublish: round(gasPublishPerPlay, 4),
        perPlayAll: round(gasAllPerPlay, 3),
        perPlayAllFirst: round(gasAllFirstPerPlay, 3),
      },
      roots: { payout: payoutRoot, plays: playsRoot },
      checks: {
        ...checks,
        paid: String(checks.paid),
        fee: String(checks.fee),
        carried: String(checks.carried),
        rewards: String(checks.rewards),
        fanRewards: String(checks.fanRewards),
        proRata: String(checks.proRata),
      },
      goals,
    })}\n`,
  );
  return 0;
});

// ---------------------------------------------------------------------------------------------
// The generated epoch

interface SettledPlay {
  play_id: string;
  listener: string;
  track_id: string;
  heard_ms: number;
  first_started_at: number;
}

/**
 * The text as one flat string, as strings read from the database are: a template literal leaves a
 * rope, and the first measured phase to read it would pay to flatten it.
 */
function flat(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
}

function generateEpoch() {
  const random = prng(SEED);
  const hex = (n: number) =>
    Array.from({ length: n }, () => Math.floor(random.next() * 16).toString(16)).join('');
  // Tracks: ids as the node makes them (free-form text), a duration, 3 distinct recipients sorted
  // ascending (150,000 recipients in all) with random shares summing to 1,000,000 ppm.
  const trackIds: string[] = [];
  const trackRows = new Map<string, { address: string; ppm: number }[]>();
  const durations = new Map<string, number>();
  for (let t = 0; t < TRACKS; t++) {
    const trackId = flat(`trk_${hex(20)}`);
    trackIds.push(trackId);
    const recipients = [0, 1, 2].map((i) => address(`artist-${t}-${i}`)).sort();
    const cuts = [random.int(1, 1000), random.int(1, 1000), random.int(1, 1000)];
    const total = cuts[0]! + cuts[1]! + cuts[2]!;
    const ppm = cuts.map((cut) => Math.max(1, Math.floor((cut * 1_000_000) / total)));
    ppm[0]! += 1_000_000 - ppm.reduce((a, b) => a + b, 0);
    trackRows.set(
      trackId,
      recipients.map((address, i) => ({ address, ppm: ppm[i]! })),
    );
    durations.set(trackId, random.int(90_000, 360_000));
  }
  // Popularity: Zipf over a random ranking of the tracks.
  const ranked = random.shuffle(trackIds);
  const cdf = new Float64Array(TRACKS);
  let acc = 0;
  for (let r = 0; r < TRACKS; r++) cdf[r] = acc += 1 / (r + 1) ** ZIPF_S;
  const pickTrack = () => {
    const x = random.next() * acc;
    let lo = 0;
    let hi = TRACKS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return ranked[lo]!;
  };
  // Listeners are all subscribers; released this epoch: 1 to 10 tUSD (6 decimals).
  const listeners = Array.from({ length: LISTENERS }, (_, i) => address(`listener-${i}`));
  const funds = new Map<string, bigint>();
  for (const listener of listeners) funds.set(listener, BigInt(random.int(1_000_000, 10_000_000)));
  // Every listener plays at least once; the rest of the plays go mostly to the more active ones.
  const countedRows: SettledPlay[] = [];
  for (let p = 0; p < PLAYS; p++) {
    const listener = listeners[p < LISTENERS ? p : Math.floor(random.next() ** 2 * LISTENERS)]!;
    const trackId = pickTrack();
    const duration = durations.get(trackId)!;
    countedRows.push({
      play_id: flat(`${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`),
      listener,
      track_id: trackId,
      heard_ms: random.int(Math.min(30_000, Math.ceil(duration / 2)), duration),
      first_started_at: EPOCH_START + Math.floor(random.next() * (EPOCH_MS - 3_600_000)),
    });
  }
  // The node reads an epoch's counted plays in (first_started_at, play_id) order.
  countedRows.sort((a, b) => a.first_started_at - b.first_started_at || (a.play_id < b.play_id ? -1 : 1));
  return {
    funds,
    countedRows,
    trackRows,
    durations,
    fanFacts: fanFactsOf(random, listeners, trackRows, pickTrack),
  };
}

/**
 * The facts the node's database gives the fan-reward rules for this (first) epoch: no earlier plays
 * or awards; a complete profile for a fifth of the listeners, a qualifying playlist for a tenth, and
 * 30,000 reposts of (mostly popular) tracks, a third of them before the epoch began.
 */
function fanFactsOf(
  random: ReturnType<typeof prng>,
  listeners: readonly string[],
  trackRows: ReadonlyMap<string, { address: string }[]>,
  pickTrack: () => string,
): FanListenerFacts {
  const profiles = new Map<string, ProfileEvidence>();
  const playlists = new Map<string, PlaylistEvidence>();
  const reposts = new Map<string, RepostEvidence[]>();
  const recipients = new Map<string, string[]>();
  for (const [i, listener] of listeners.entries()) {
    if (random.next() < 0.2)
      profiles.set(listener, {
        handle: `fan${i}`,
        displayName: `Fan ${i}`,
        avatar: `bafy${i}`,
        bioLength: 20,
      });
    if (random.next() < 0.1)
      playlists.set(listener, { playlistId: `pl${i}`, tracks: random.int(3, 30), createdAt: EPOCH_START });
  }
  for (let r = 0; r < 30_000; r++) {
    const listener = listeners[random.int(0, listeners.length - 1)]!;
    const trackId = pickTrack();
    const list = reposts.get(listener) ?? [];
    list.push({ trackId, repostedAt: EPOCH_START + Math.floor((random.next() * 1.5 - 0.5) * EPOCH_MS) });
    reposts.set(listener, list);
    recipients.set(
      trackId,
      trackRows.get(trackId)!.map((split) => split.address),
    );
  }
  return {
    listenerHistory: new Map(),
    awarded: new Set(),
    played: new Set(),
    recipients,
    profiles,
    playlists,
    reposts,
  };
}

/** Report rows as SQLite gives them (segments as JSON text): each play in two reports, heard in full. */
function reportsOf(rows: readonly SettledPlay[], durations: ReadonlyMap<string, number>) {
  const reports: {
    play_id: string;
    track_id: string;
    listener: string;
    segments: string;
    started_at: number;
    ended_at: number;
  }[] = [];
  for (const play of rows) {
    const half = Math.floor(play.heard_ms / 2);
    const start = play.first_started_at;
    const base = { play_id: play.play_id, track_id: play.track_id, listener: play.listener };
    reports.push(
      { ...base, segments: JSON.stringify([[0, half]]), started_at: start, ended_at: start + half + 500 },
      {
        ...base,
        segments: JSON.stringify([[half, play.heard_ms]]),
        started_at: start + half + 500,
        ended_at: start + play.heard_ms + 1_000,
      },
    );
  }
  void durations;
  return reports;
}

/** SettlementWorker#judge's loop, with the day counts starting from zero and no rows written. */
function judgeAll(
  reports: ReturnType<typeof reportsOf>,
  facts: ReadonlyMap<string, { durationMs: number; owner: string; splits: { address: string }[] }>,
) {
  const byPlay = new Map<string, typeof reports>();
  for (const report of reports) {
    const group = byPlay.get(report.play_id);
    if (group) group.push(report);
    else byPlay.set(report.play_id, [report]);
  }
  const plays = [...byPlay.values()].map((group) => ({
    group,
    first: playStartedAt(group.map((report) => ({ startedAt: report.started_at }))),
  }));
  plays.sort(
    (a, b) =>
      a.first - b.first ||
      (a.group[0]!.play_id < b.group[0]!.play_id ? -1 : a.group[0]!.play_id > b.group[0]!.play_id ? 1 : 0),
  );
  const counted = new Map<string, number>();
  let countedPlays = 0;
  for (const { group, first } of plays) {
    const head = group[0]!;
    const track = facts.get(head.track_id)!;
    const listener = head.listener.toLowerCase();
    const key = `${listener}:${head.track_id}:${utcDayOf(first)}`;
    const verdict = judgePlay({
      reports: group.map(
        (report): PlayReportFacts => ({
          playId: report.play_id,
          trackId: report.track_id,
          listener: report.listener,
          segments: JSON.parse(report.segments),
          startedAt: report.started_at,
          endedAt: report.ended_at,
        }),
      ),
      track: {
        durationMs: track.durationMs,
        owner: track.owner,
        collaborators: track.splits.map((split) => split.address),
      },
      anonymous: false,
      countedToday: counted.get(key) ?? 0,
    });
    if (verdict.verdict === 'counted') {
      counted.set(key, (counted.get(key) ?? 0) + 1);
      countedPlays++;
    }
  }
  return { counted: countedPlays, reports: reports.length };
}

// ---------------------------------------------------------------------------------------------

function step(message: string): void {
  process.stdout.write(`· ${message}\n`);
}

/** A deterministic, distinct lower-case address per label, from a native hash. */
function address(label: string): Address {
  return flat(
    `0x${createHash('sha256').update(`fairstream-bench:${label}`).digest('hex').slice(0, 40)}`,
  ) as Address;
}

function sum(values: readonly bigint[]): bigint {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** Resets the kernel's high-water mark of resident memory to the current RSS (Linux ≥ 4.0). */
function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Without it the figure is the process's peak so far, which is still an upper bound.
  }
}

/** The high-water mark of resident memory since the last reset, bytes (VmHWM). */
function peakRss(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.memoryUsage().rss;
}

/** Drops the compute's data and runs a full GC, so the judge phase's peak is its own. */
function releaseForGc(...objects: object[]): void {
  for (const object of objects) {
    if (Array.isArray(object)) object.length = 0;
    else if (object instanceof Map) object.clear();
    else for (const key of Object.keys(object)) Reflect.set(object, key, undefined);
  }
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
