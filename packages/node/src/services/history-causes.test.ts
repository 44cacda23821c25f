// The cause rules on hand-made transactions: batch claims, two tips in one transaction, faucets,
// mints and plain transfers; and the one-line descriptions people read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChainEvent } from '../repositories/chain-events.repository.ts';
import {
  BURN_ADDRESS,
  type CauseContext,
  describeCause,
  explainTransfers,
  type MovementCause,
  type Party,
  ZERO_ADDRESS,
} from './history-causes.ts';

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const fair = address(0xf0);
const usd = address(0xf1);
const distributor = address(0xd0);
const tipsContract = address(0xd1);
const staking = address(0xd2);
const vault = address(0xd3);
const emitter = address(0xd4);
const promotions = address(0xd5);
const fanDrops = address(0xd6);
const devFaucet = address(0xfa);
const [alice, bob, carol] = [address(0xa1), address(0xb2), address(0xc3)];
const track1 = `0x${'1'.repeat(64)}`;
const track2 = `0x${'2'.repeat(64)}`;

const context: CauseContext = {
  contracts: {
    PayoutDistributor: distributor,
    Tips: tipsContract,
    SubscriptionVault: vault,
    Staking: staking,
    RewardsEmitter: emitter,
    Promotions: promotions,
    FanDrops: fanDrops,
  },
  fair,
  stablecoin: usd,
  devFaucet,
};

/** A transaction's events, log indexes in the order given. */
function tx(...events: [contract: string, at: string, event: string, args: Record<string, unknown>][]) {
  return events.map(
    ([contract, at, event, args], logIndex): ChainEvent => ({
      chainId: 1,
      blockNumber: 7,
      logIndex,
      blockHash: `0x${'b'.repeat(64)}`,
      blockTime: 1_700_000_000_000,
      txHash: `0x${'e'.repeat(64)}`,
      txIndex: 0,
      contract,
      address: at,
      event,
      args,
    }),
  );
}
const transfer = (token: string, from: string, to: string, value: bigint) =>
  [
    token === fair ? 'FairToken' : 'TestStablecoin',
    token,
    'Transfer',
    { from, to, value: String(value) },
  ] as [string, string, string, Record<string, unknown>];

function causesOf(events: ChainEvent[]): MovementCause[] {
  const transfers = events.filter((event) => event.event === 'Transfer');
  const causes = explainTransfers(transfers, events, context);
  return transfers.map((event) => causes.get(event)!);
}

describe('the cause rules', () => {
  it('match each transfer of a batch claim to its own account’s Claimed, FAIR as a reward', () => {
    const events = tx(
      [
        'PayoutDistributor',
        distributor,
        'Claimed',
        { epoch: 4, account: alice, token: usd, amount: '10', cumulativeAmount: '30' },
      ],
      [
        'PayoutDistributor',
        distributor,
        'Claimed',
        { epoch: 4, account: bob, token: usd, amount: '10', cumulativeAmount: '10' },
      ],
      [
        'PayoutDistributor',
        distributor,
        'Claimed',
        { epoch: 4, account: bob, token: fair, amount: '99', cumulativeAmount: '99' },
      ],
      transfer(usd, distributor, alice, 10n),
      transfer(usd, distributor, bob, 10n),
      transfer(fair, distributor, bob, 99n),
    );
    assert.deepEqual(causesOf(events), [
      { kind: 'payout', epoch: 4, cumulativeAmount: '30', epochs: [] },
      { kind: 'payout', epoch: 4, cumulativeAmount: '10', epochs: [] },
      { kind: 'reward', epoch: 4, cumulativeAmount: '99', epochs: [] },
    ]);
  });

  it('tell two tips of one transaction apart, each with its own recipients', () => {
    const events = tx(
      transfer(fair, alice, tipsContract, 100n),
      ['Tips', tipsContract, 'Tipped', { trackId: track1, from: alice, token: fair, amount: '100' }],
      transfer(fair, tipsContract, bob, 60n),
      ['Tips', tipsContract, 'TipPaid', { trackId: track1, recipient: bob, token: fair, amount: '60' }],
      ['Tips', tipsContract, 'TipOwed', { trackId: track1, recipient: carol, token: fair, amount: '40' }],
      transfer(fair, alice, tipsContract, 100n),
      ['Tips', tipsContract, 'Tipped', { trackId: track2, from: alice, token: fair, amount: '100' }],
      transfer(fair, tipsContract, bob, 100n),
      ['Tips', tipsContract, 'TipPaid', { trackId: track2, recipient: bob, token: fair, amount: '100' }],
    );
    assert.deepEqual(causesOf(events), [
      {
        kind: 'tip_sent',
        ledgerTrackId: track1,
        track: null,
        recipients: [
          { address: bob, amount: '60' },
          { address: carol, amount: '40' },
        ],
      },
      { kind: 'tip_received', ledgerTrackId: track1, track: null, from: alice },
      { kind: 'tip_sent', ledgerTrackId: track2, track: null, recipients: [{ address: bob, amount: '100' }] },
      { kind: 'tip_received', ledgerTrackId: track2, track: null, from: alice },
    ]);
  });

  it('explain subscriptions, refunds, staking, fees, releases and emissions', () => {
    const events = tx(
      transfer(usd, alice, vault, 15n),
      [
        'SubscriptionVault',
        vault,
        'Subscribed',
        { subscriber: alice, periods: 3, amount: '15', start: '100', end: '400' },
      ],
      transfer(usd, vault, alice, 10n),
      ['SubscriptionVault', vault, 'Cancelled', { subscriber: alice, refund: '10', end: '200' }],
      transfer(fair, alice, staking, 8n),
      ['Staking', staking, 'Staked', { account: alice, amount: '8', stake: '18' }],
      ['Staking', staking, 'Withdrawn', { account: alice, amount: '3' }],
      transfer(fair, staking, alice, 3n),
      ['Staking', staking, 'RewardClaimed', { account: alice, token: usd, amount: '2' }],
      transfer(usd, staking, alice, 2n),
      [
        'Staking',
        staking,
        'FeeNotified',
        {
          token: usd,
          from: bob,
          amount: '5',
          distributed: '4',
          undistributed: '1',
          totalStaked: '18',
          rewardPerToken: '1',
        },
      ],
      transfer(usd, bob, staking, 5n),
      transfer(usd, vault, distributor, 50n),
      ['PayoutDistributor', distributor, 'Funded', { token: usd, from: vault, amount: '50' }],
      ['RewardsEmitter', emitter, 'Emitted', { fromEpoch: 2, toEpoch: 3, amount: '70' }],
      transfer(fair, emitter, distributor, 70n),
      ['PayoutDistributor', distributor, 'Funded', { token: fair, from: emitter, amount: '70' }],
    );
    assert.deepEqual(causesOf(events), [
      { kind: 'subscription', periods: 3, start: 100_000, end: 400_000 },
      { kind: 'subscription_refund', end: 200_000 },
      { kind: 'stake', stake: '18' },
      { kind: 'unstake' },
      { kind: 'staking_reward' },
      { kind: 'fee', distributed: '4', totalStaked: '18' },
      { kind: 'subscription_release' },
      { kind: 'rewards_emission', fromEpoch: 2, toEpoch: 3 },
    ]);
  });

  it('explain a promotion: the burned price, with its track and period; another burn is no promotion', () => {
    const period = { startsAt: '1700000000', endsAt: '1700172800' };
    const events = tx(
      ['Promotions', promotions, 'Promoted', { trackId: track1, promoter: alice, ...period, amount: '20' }],
      transfer(fair, alice, BURN_ADDRESS, 20n),
      transfer(fair, alice, BURN_ADDRESS, 5n),
      transfer(fair, bob, BURN_ADDRESS, 20n),
    );
    assert.deepEqual(causesOf(events), [
      {
        kind: 'promotion',
        ledgerTrackId: track1,
        track: null,
        startsAt: 1_700_000_000_000,
        endsAt: 1_700_172_800_000,
      },
      { kind: 'transfer' },
      { kind: 'transfer' },
    ]);
  });

  it('explain a fan drop: its funding by the creator, a fan’s claim and the creator’s reclaim', () => {
    const created = tx(
      [
        'FanDrops',
        fanDrops,
        'DropCreated',
        {
          dropId: '3',
          creator: alice,
          root: '0x01',
          total: '90',
          recipients: '2',
          reason: 'Top fans',
          expiresAt: '1',
        },
      ],
      transfer(fair, alice, fanDrops, 90n),
    );
    assert.deepEqual(causesOf(created), [
      { kind: 'fan_drop', action: 'funded', dropId: '3', from: alice, reason: 'Top fans' },
    ]);
    const claimed = tx(
      ['FanDrops', fanDrops, 'DropClaimed', { dropId: '3', account: bob, amount: '60' }],
      transfer(fair, fanDrops, bob, 60n),
      ['FanDrops', fanDrops, 'DropClaimed', { dropId: '3', account: carol, amount: '30' }],
      transfer(fair, fanDrops, carol, 30n),
      transfer(fair, fanDrops, carol, 31n),
    );
    assert.deepEqual(causesOf(claimed), [
      { kind: 'fan_drop', action: 'claimed', dropId: '3', from: ZERO_ADDRESS, reason: null },
      { kind: 'fan_drop', action: 'claimed', dropId: '3', from: ZERO_ADDRESS, reason: null },
      { kind: 'transfer' },
    ]);
    const reclaimed = tx(
      ['FanDrops', fanDrops, 'DropReclaimed', { dropId: '3', creator: alice, amount: '30' }],
      transfer(fair, fanDrops, alice, 30n),
    );
    assert.deepEqual(causesOf(reclaimed), [
      { kind: 'fan_drop', action: 'reclaimed', dropId: '3', from: alice, reason: null },
    ]);
  });

  it('tell faucets, mints, burns and plain transfers apart; an amount that differs is no match', () => {
    const events = tx(
      transfer(usd, ZERO_ADDRESS, alice, 1000n),
      ['TestStablecoin', usd, 'FaucetDrip', { recipient: alice, caller: devFaucet, amount: '1000' }],
      transfer(fair, devFaucet, alice, 5n),
      transfer(usd, ZERO_ADDRESS, bob, 7n),
      transfer(fair, alice, ZERO_ADDRESS, 1n),
      transfer(fair, alice, bob, 2n),
      // A Staked of another amount does not explain this transfer to Staking.
      transfer(fair, carol, staking, 9n),
      ['Staking', staking, 'Staked', { account: carol, amount: '8', stake: '8' }],
    );
    assert.deepEqual(
      causesOf(events).map((cause) => cause.kind),
      ['faucet', 'faucet', 'mint', 'burn', 'transfer', 'transfer'],
    );
    // Without a dev faucet (a public chain), the same FAIR transfer is a plain one.
    const transfers = events.filter((event) => event.event === 'Transfer');
    const publicChain = explainTransfers(transfers, events, { ...context, devFaucet: undefined });
    assert.equal(publicChain.get(transfers[1]!)?.kind, 'transfer');
  });
});

describe('descriptions', () => {
  const party = (at: string): Party => ({ address: at, name: null, handle: at === bob ? 'bob' : null });
  const facts = { direction: 'in' as const, counterparty: party(alice), party };
  const trackPart = (title: string | null, plays: number, amount: string) => ({
    kind: 'track_payout' as const,
    track: title === null ? null : { id: title, title },
    countedPlays: plays,
    amount,
  });

  it('say which epochs, tracks and plays a claim paid for', () => {
    assert.equal(
      describeCause(
        {
          kind: 'payout',
          epoch: 12,
          cumulativeAmount: '9',
          epochs: [{ epoch: 12, amount: '9', parts: [trackPart('Track X', 3, '9')] }],
        },
        facts,
      ),
      'Payout for epoch 12: 3 plays of “Track X”',
    );
    assert.equal(
      describeCause(
        {
          kind: 'reward',
          epoch: 12,
          cumulativeAmount: '20',
          epochs: [
            { epoch: 11, amount: '10', parts: [trackPart('A', 1, '4'), trackPart(null, 2, '6')] },
            {
              epoch: 12,
              amount: '10',
              parts: [trackPart('A', 2, '7'), { kind: 'unattributed', amount: '3' }],
            },
          ],
        },
        facts,
      ),
      'FAIR reward for epochs 11–12: 3 plays of “A”, 2 plays of a hidden track and an amount this node’s records do not break down',
    );
    assert.equal(
      describeCause(
        {
          kind: 'payout',
          epoch: 9,
          cumulativeAmount: '5',
          epochs: [
            { epoch: 3, amount: '1', parts: [trackPart('A', 1, '1')] },
            { epoch: 9, amount: '4', parts: [trackPart('B', 1, '3'), trackPart('C', 1, '1')] },
          ],
        },
        facts,
      ),
      'Payout for epochs 3 and 9: 1 play of “B”, 1 play of “A” and 1 play of “C”',
    );
    const many = ['A', 'B', 'C', 'D', 'E'].map((title, i) => trackPart(title, 1, String(10 - i)));
    assert.equal(
      describeCause(
        {
          kind: 'payout',
          epoch: 1,
          cumulativeAmount: '40',
          epochs: [{ epoch: 1, amount: '40', parts: many }],
        },
        facts,
      ),
      'Payout for epoch 1: 1 play of “A”, 1 play of “B”, 1 play of “C” and 2 more tracks',
    );
  });

  it('name tips, tippers by handle, and plain transfers by their other side', () => {
    assert.equal(
      describeCause(
        { kind: 'tip_received', ledgerTrackId: track1, track: { id: 't', title: 'Song' }, from: bob },
        facts,
      ),
      'Tip from @bob for “Song”',
    );
    assert.equal(
      describeCause({ kind: 'tip_received', ledgerTrackId: track1, track: null, from: carol }, facts),
      `Tip from 0x0000…00c3 for track 0x1111…1111`,
    );
    assert.equal(
      describeCause(
        {
          kind: 'tip_sent',
          ledgerTrackId: track1,
          track: { id: 't', title: 'Song' },
          recipients: [{ address: bob, amount: '1' }],
        },
        facts,
      ),
      'Tip to “Song”',
    );
    assert.equal(describeCause({ kind: 'transfer' }, facts), 'Transfer from 0x0000…00a1');
    assert.equal(
      describeCause(
        { kind: 'transfer' },
        { ...facts, direction: 'out', counterparty: { ...party(carol), name: 'Treasury' } },
      ),
      'Transfer to Treasury',
    );
    assert.equal(
      describeCause({ kind: 'transfer' }, { ...facts, direction: 'self' }),
      'Transfer to yourself',
    );
    assert.equal(
      describeCause({ kind: 'subscription', periods: 2, start: 0, end: Date.UTC(2030, 0, 31) }, facts),
      'Subscription: 2 periods, until 2030-01-31',
    );
  });

  it('name promotions and fan drops with their track, period, creator and reason', () => {
    assert.equal(
      describeCause(
        {
          kind: 'promotion',
          ledgerTrackId: track1,
          track: { id: 't', title: 'Song' },
          startsAt: Date.UTC(2030, 0, 1),
          endsAt: Date.UTC(2030, 0, 3),
        },
        facts,
      ),
      'Promotion of “Song”, 2030-01-01 to 2030-01-03',
    );
    assert.equal(
      describeCause(
        { kind: 'fan_drop', action: 'claimed', dropId: '3', from: bob, reason: 'Thanks\nfor listening' },
        facts,
      ),
      'Fan reward from @bob (drop #3): “Thanks for listening”',
    );
    assert.equal(
      describeCause(
        { kind: 'fan_drop', action: 'claimed', dropId: '3', from: ZERO_ADDRESS, reason: null },
        facts,
      ),
      'Fan reward (drop #3)',
    );
    assert.equal(
      describeCause(
        { kind: 'fan_drop', action: 'funded', dropId: '3', from: alice, reason: 'Top fans' },
        facts,
      ),
      'Fan reward drop #3 funded: “Top fans”',
    );
    assert.equal(
      describeCause({ kind: 'fan_drop', action: 'reclaimed', dropId: '3', from: alice, reason: null }, facts),
      'Unclaimed rest of fan reward drop #3 taken back',
    );
  });

  it('never start like a spreadsheet formula', () => {
    const causes: MovementCause[] = [
      { kind: 'tip_received', ledgerTrackId: track1, track: { id: 't', title: '=cmd()' }, from: bob },
      { kind: 'fan_drop', action: 'funded', dropId: '1', from: bob, reason: '=1+1' },
      { kind: 'transfer' },
    ];
    for (const cause of causes) assert.doesNotMatch(describeCause(cause, facts), /^[=+\-@]/);
  });
});
