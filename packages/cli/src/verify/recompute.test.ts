import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { reportSigningBytes } from '@fairstream/protocol';
import {
  type AuditTrack,
  checkDelegations,
  checkReportSignatures,
  diffEpoch,
  type EpochData,
  recomputeEpoch,
} from './recompute.ts';

const stablecoin = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const fair = '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512';
const operator = '0x00000000000000000000000000000000000000aa';
const owner = '0x00000000000000000000000000000000000000b1';
const producer = '0x00000000000000000000000000000000000000b2';
const fan = '0x00000000000000000000000000000000000000c1';

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

/** A self-consistent epoch: one fan's counted play, 1,000 units released, published as the node would. */
function epoch(): EpochData {
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
    const data = epoch();
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
    assert.deepEqual(checkReportSignatures(data), []);
    assert.equal(await checkDelegations(data), undefined, 'fairstream-epoch/1 carries no delegations');
  });

  it('names a changed leaf, amount and total', () => {
    const data = epoch();
    data.leaves[0]!.cumulativeAmount = String(BigInt(data.leaves[0]!.cumulativeAmount) + 1n);
    const { result } = recomputeEpoch(data, context());
    const what = diffEpoch(data, result).map((p) => p.what);
    assert.ok(
      what.some((w) => w.startsWith('leaf ')),
      what.join(),
    );
  });

  it('refuses a report whose signed fields were changed', () => {
    const data = epoch();
    data.plays[0]!.reports[0]!.segments = [[0, 4000]];
    const problems = checkReportSignatures(data);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.recomputed, /does not verify/);
  });

  it('flags a published play that the counting rule does not count', () => {
    const data = epoch();
    data.plays[0]!.listener = owner; // the owner's own play never counts
    const { problems } = recomputeEpoch(data, context());
    assert.ok(problems.some((p) => /not counted \(owner_or_collaborator\)/.test(p.recomputed)));
  });
});
