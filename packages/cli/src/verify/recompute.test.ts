import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  evaluateFanEpoch,
  FAN_REWARDS_POLICY,
  FanRewardsHistory,
  fanRewardsBudget,
  reportSigningBytes,
  sessionKeyDelegationMessage,
} from '@fairstream/protocol';
import { privateKeyToAccount } from 'viem/accounts';
import {
  type AuditTrack,
  checkDelegations,
  checkReportSignatures,
  countPlays,
  diffEpoch,
  type EpochData,
  leavesOfData,
  recomputeEpoch,
} from './recompute.ts';

const stablecoin = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const fair = '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512';
const operator = '0x00000000000000000000000000000000000000aa';
const owner = '0x00000000000000000000000000000000000000b1';
const producer = '0x00000000000000000000000000000000000000b2';
// Well-known test keys (Hardhat's first two accounts): never hold anything real.
const fanWallet = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const otherWallet = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f8603b6b78690d');
const fan = fanWallet.address.toLowerCase();
const HOUR = 3600_000;

const tracks = new Map<string, AuditTrack>([
  [
    'track-1',
    { durationMs: 5000, owner, split: { recipients: [owner, producer], sharesPpm: [600_000, 400_000] } },
  ],
]);

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { hex: der.subarray(der.length - 32).toString('hex'), privateKey };
}

/** A delegation of `sessionKey` signed by `wallet` (the fan's by default), in force at 1_700_000_000_000. */
async function delegation(
  sessionKey: string,
  wallet = fanWallet,
  times: { issuedAt?: number; expiresAt?: number; chainId?: number } = {},
) {
  const fields = {
    domain: '127.0.0.1:4000',
    address: wallet.address.toLowerCase(),
    sessionKey,
    chainId: times.chainId ?? 31337,
    issuedAt: times.issuedAt ?? 1_700_000_000_000 - HOUR,
    expiresAt: times.expiresAt ?? 1_700_000_000_000 + 23 * HOUR,
  };
  return { ...fields, signature: await wallet.signMessage({ message: sessionKeyDelegationMessage(fields) }) };
}

/** A self-consistent epoch: one fan's counted play, 1,000 units released, published as the node would. */
async function epoch(): Promise<EpochData> {
  const key = keyPair();
  const play = { playId: 'play-0001', listener: fan, trackId: 'track-1' };
  const unsigned = {
    id: 'report-0001',
    ...play,
    sessionKey: key.hex,
    segments: [[0, 3000]] as [number, number][],
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_003_000,
    source: 'cli' as const,
    appId: null,
  };
  const signature = sign(null, reportSigningBytes(unsigned), key.privateKey).toString('hex');
  const data: EpochData = {
    format: 'fairstream-epoch/1',
    chainId: 31337,
    epoch: 0,
    startsAt: 0,
    endsAt: 10_000,
    rule: { version: 1 },
    feePpm: 100_000,
    tokens: { stablecoin, fair },
    plays: [
      {
        ...play,
        heardMs: 3000,
        wallMs: 3000,
        firstStartedAt: unsigned.startedAt,
        reports: [
          {
            id: unsigned.id,
            sessionKey: key.hex,
            segments: unsigned.segments,
            startedAt: unsigned.startedAt,
            endedAt: unsigned.endedAt,
            source: 'cli',
            appId: null,
            signature,
          },
        ],
      },
    ],
    delegations: [await delegation(key.hex)],
    playsRoot: '0x',
    released: [{ account: fan, token: stablecoin, amount: '1000' }],
    carriedIn: [],
    carriedOut: [],
    payouts: [],
    byTrack: [],
    rewards: [],
    proRata: [],
    leaves: [],
    payoutRoot: '0x',
    totals: { rewardsAvailable: '0' },
  };
  // Fill in what the node would have published.
  const { result } = recomputeEpoch(data, context());
  const list = (map: Map<string, bigint>, token = stablecoin) =>
    [...map].map(([account, amount]) => ({ account, token, amount: String(amount) }));
  return {
    ...data,
    playsRoot: result.playsRoot,
    payouts: list(result.payouts),
    byTrack: [...result.byTrack].map(([trackId, amount]) => ({
      account: '',
      token: stablecoin,
      trackId,
      amount: String(amount),
    })),
    rewards: list(result.rewards, fair),
    proRata: list(result.proRata),
    leaves: result.leaves.map((leaf) => ({
      account: leaf.account.toLowerCase(),
      token: leaf.token.toLowerCase(),
      cumulativeAmount: String(leaf.cumulativeAmount),
    })),
    payoutRoot: result.payoutRoot,
    totals: result.totals,
  };
}

const context = () => ({ tracks, previousLeaves: [], countedByDay: new Map(), feeRecipient: operator });

describe('verify: recomputing an epoch from its data', () => {
  it('matches a consistent epoch: fee to the operator, the rest by the split', async () => {
    const data = await epoch();
    assert.deepEqual(
      data.payouts.map((p) => [p.account, p.amount]).sort(),
      [
        [operator, '100'],
        [owner, '540'],
        [producer, '360'],
      ].sort(),
    );
    const { result, problems } = recomputeEpoch(data, context());
    assert.deepEqual(problems, []);
    assert.deepEqual(diffEpoch(data, result), []);
    assert.deepEqual(await checkReportSignatures(data), []);
    assert.deepEqual(await checkDelegations(data), []);
  });

  it('names a changed leaf, amount and total', async () => {
    const data = await epoch();
    data.leaves[0]!.cumulativeAmount = String(BigInt(data.leaves[0]!.cumulativeAmount) + 1n);
    const { result } = recomputeEpoch(data, context());
    const what = diffEpoch(data, result).map((p) => p.what);
    assert.ok(
      what.some((w) => w.startsWith('leaf ')),
      what.join(),
    );
  });

  it('refuses a report whose signed fields were changed', async () => {
    const data = await epoch();
    data.plays[0]!.reports[0]!.segments = [[0, 4000]];
    const problems = await checkReportSignatures(data);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.recomputed, /does not verify/);
  });

  it('flags a published play that the counting rule does not count', async () => {
    const data = await epoch();
    data.plays[0]!.listener = owner; // the owner's own play never counts
    const { problems } = recomputeEpoch(data, context());
    assert.ok(problems.some((p) => /not counted \(owner_or_collaborator\)/.test(p.recomputed)));
  });
});

describe('verify: the session-key delegations', () => {
  const problemsOf = async (data: EpochData) => {
    const problems = await checkDelegations(data);
    assert.ok(problems);
    return problems.map((p) => `${p.what}: ${p.published} → ${p.recomputed}`);
  };
  const sessionKeyOf = (data: EpochData) => data.plays[0]!.reports[0]!.sessionKey;

  it('reads data published before delegations were included, and says they were not checked', async () => {
    const { delegations: _, ...older } = await epoch();
    assert.equal(await checkDelegations(older), undefined);
  });

  it('names a delegation whose wallet signature does not verify, and the report it leaves bare', async () => {
    const data = await epoch();
    data.delegations![0]!.expiresAt += HOUR; // not what the wallet signed
    const problems = await problemsOf(data);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(
      problems[0]!,
      /^delegation of session key [0-9a-f]{16}… by 0x[0-9a-f]{40}: .* the wallet signature does not verify/,
    );
    assert.match(
      problems[1]!,
      /^report report-0001 of play play-0001: .*no valid delegation of the session key/,
    );
  });

  it('names a report whose session key another wallet delegated', async () => {
    const data = await epoch();
    data.delegations = [await delegation(sessionKeyOf(data), otherWallet)];
    const problems = await problemsOf(data);
    assert.deepEqual(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0]!,
      new RegExp(
        `report-0001 .*delegated by ${otherWallet.address.toLowerCase()}, not by the play's listener`,
      ),
    );
  });

  it('names a report whose session key has no delegation in the data', async () => {
    const data = await epoch();
    data.delegations = [];
    assert.match(
      (await problemsOf(data)).join('\n'),
      /report-0001 .*no delegation of the session key in the data/,
    );
  });

  it('names a report signed after its delegation expired, or before it was issued', async () => {
    const data = await epoch();
    const { endedAt } = data.plays[0]!.reports[0]!;
    data.delegations = [
      await delegation(sessionKeyOf(data), fanWallet, { issuedAt: endedAt - HOUR, expiresAt: endedAt }),
    ];
    assert.match(
      (await problemsOf(data)).join('\n'),
      new RegExp(`report-0001 .*expired at ${new Date(endedAt).toISOString()}, before the report ended`),
    );
    data.delegations = [
      await delegation(sessionKeyOf(data), fanWallet, { issuedAt: endedAt + 1, expiresAt: endedAt + HOUR }),
    ];
    assert.match(
      (await problemsOf(data)).join('\n'),
      /report-0001 .*after the report ended \(not yet valid\)/,
    );
  });

  it('accepts a report covered by one of several delegations of its key (a renewal)', async () => {
    const data = await epoch();
    const { endedAt } = data.plays[0]!.reports[0]!;
    data.delegations = [
      await delegation(sessionKeyOf(data), fanWallet, {
        issuedAt: endedAt - HOUR,
        expiresAt: endedAt + HOUR,
      }),
      await delegation(sessionKeyOf(data), fanWallet, {
        issuedAt: endedAt + HOUR,
        expiresAt: endedAt + 9 * HOUR,
      }),
    ];
    assert.deepEqual(await problemsOf(data), []);
  });

  it('refuses a delegation for another chain', async () => {
    const data = await epoch();
    data.delegations = [await delegation(sessionKeyOf(data), fanWallet, { chainId: 1 })];
    const problems = await problemsOf(data);
    assert.match(problems[0]!, /for chain 1, not this epoch's chain 31337/);
    assert.match(problems[1]!, /report-0001 .*no valid delegation/);
  });
});

describe('verify: fan rewards from the published plays', () => {
  const DAY = 86_400_000;
  const monday = Date.UTC(2025, 0, 6);
  const available = 10n ** 24n;

  /** Seven daily epochs of one counted play each by the fan, published as a node publishes them. */
  function week(): EpochData[] {
    const history = new FanRewardsHistory();
    /** The same history again, for recomputeEpoch to fill in the money (it adds each epoch itself). */
    const filling = new FanRewardsHistory();
    const epochs: EpochData[] = [];
    let previousLeaves: EpochData['leaves'] = [];
    for (let n = 0; n < 7; n++) {
      const startedAt = monday + n * DAY + 12 * HOUR;
      const play = {
        playId: `play-${n}`,
        listener: fan,
        trackId: 'track-1',
        heardMs: 3000,
        wallMs: 3000,
        firstStartedAt: startedAt,
        reports: [
          {
            id: `report-${n}`,
            sessionKey: 'ab'.repeat(32),
            segments: [[0, 3000]] as [number, number][],
            startedAt,
            endedAt: startedAt + 3000,
            source: 'cli',
            appId: null,
            signature: '00',
          },
        ],
      };
      const plays = [{ playId: play.playId, listener: fan, trackId: 'track-1', firstStartedAt: startedAt }];
      const budget = fanRewardsBudget(available);
      const { events, result } = evaluateFanEpoch(history, { epoch: n, plays, budget });
      history.addEpoch(plays, {
        trending: events.trending.values(),
        milestones: events.milestones.values(),
        awards: result.awards,
      });
      const data: EpochData = {
        format: 'fairstream-epoch/1',
        chainId: 31337,
        epoch: n,
        startsAt: monday + n * DAY,
        endsAt: monday + (n + 1) * DAY,
        rule: { version: 1 },
        feePpm: 100_000,
        tokens: { stablecoin, fair },
        plays: [play],
        playsRoot: '0x',
        released: [],
        carriedIn: [],
        carriedOut: [],
        payouts: [],
        byTrack: [],
        rewards: [],
        proRata: [],
        fanRewards: {
          version: FAN_REWARDS_POLICY.version,
          sharePpm: FAN_REWARDS_POLICY.sharePpm,
          budget: String(budget),
          spent: String(result.spent),
          awards: result.awards.map((award) => ({ ...award, amount: String(award.amount) })),
          trending: [...events.trending.values()],
          milestones: [...events.milestones.values()],
          botAccounts: result.botAccounts,
        },
        leaves: [],
        payoutRoot: '0x',
        totals: { rewardsAvailable: String(available) },
      };
      // The rest as the node computes it (recompute is checked against the node elsewhere).
      const { result: money } = recomputeEpoch(data, {
        ...context(),
        previousLeaves: previousLeaves.map((leaf) => ({
          account: leaf.account as `0x${string}`,
          token: leaf.token as `0x${string}`,
          cumulativeAmount: BigInt(leaf.cumulativeAmount),
        })),
        fanHistory: filling,
      });
      data.rewards = [...money.rewards].map(([account, amount]) => ({
        account,
        token: fair,
        amount: String(amount),
      }));
      data.leaves = money.leaves.map((leaf) => ({
        account: leaf.account.toLowerCase(),
        token: leaf.token.toLowerCase(),
        cumulativeAmount: String(leaf.cumulativeAmount),
      }));
      data.playsRoot = money.playsRoot;
      data.payoutRoot = money.payoutRoot;
      data.totals = { ...money.totals, fanRewards: String(result.spent) };
      previousLeaves = data.leaves;
      epochs.push(data);
    }
    return epochs;
  }

  /** verify's loop: every epoch recomputed in order against the history of the ones before. */
  function audit(epochs: EpochData[], only?: number) {
    const fanHistory = new FanRewardsHistory();
    const countedByDay = new Map<string, number>();
    let previousLeaves: ReturnType<typeof leavesOfData> = [];
    const problems: string[] = [];
    for (const data of epochs) {
      if (only !== undefined && data.epoch < only) {
        countPlays(data, countedByDay, fanHistory);
      } else {
        const { result, problems: found } = recomputeEpoch(data, {
          tracks,
          previousLeaves,
          countedByDay,
          feeRecipient: operator,
          fanHistory,
        });
        problems.push(
          ...[...found, ...diffEpoch(data, result)].map(
            (p) => `epoch ${data.epoch} ${p.what}: ${p.published} / ${p.recomputed}`,
          ),
        );
      }
      previousLeaves = leavesOfData(data);
    }
    return problems;
  }

  it('recomputes a seven-day streak awarded on the seventh day, also when verifying that epoch alone', () => {
    const epochs = week();
    const seventh = epochs[6]!.fanRewards!;
    assert.deepEqual(
      seventh.awards.map((award) => [award.account, award.rule, award.period]),
      [[fan, 'listening_streak', 'week:2025-W02']],
    );
    assert.ok(
      epochs.slice(0, 6).every((data) => data.fanRewards!.awards.length === 0),
      'six days earn nothing',
    );
    assert.deepEqual(audit(epochs), []);
    assert.deepEqual(audit(epochs, 6), []);
    // The FAIR adds up: artists' rewards and the fan's award are exactly what was available.
    const totals = epochs[6]!.totals;
    assert.equal(BigInt(totals.rewards!) + BigInt(totals.fanRewards!), available);
  });

  it('names a streak award the plays do not earn, and one left out', () => {
    const early = week();
    early[5]!.fanRewards!.awards.push({ ...early[6]!.fanRewards!.awards[0]! });
    const problems = audit(early);
    assert.ok(
      problems.some((p) => p.startsWith(`epoch 5 fan reward ${fan}|listening_streak|week:2025-W02: `)),
      problems.join('\n'),
    );
    const missing = week();
    missing[6]!.fanRewards!.awards = [];
    assert.ok(
      audit(missing).some(
        (p) => p === `epoch 6 fan reward ${fan}|listening_streak|week:2025-W02: (none) / 5000000000000000000`,
      ),
    );
  });

  it('reads data published before fan rewards without asking for them', () => {
    const epochs = week();
    for (const data of epochs) {
      delete data.fanRewards;
      delete data.totals.fanRewards;
      delete data.totals.fanRewardsBudget;
    }
    // Without fan rewards the artists got everything: the published leaves no longer match...
    const problems = audit(epochs);
    assert.ok(problems.some((p) => p.includes('totals.rewards')));
    // ...and nothing asks for a fan-reward section that was never published.
    assert.ok(!problems.some((p) => p.includes('fanRewards') || p.includes('fan reward')));
  });
});
