/**
 * Why a token moved. Every ERC-20 Transfer of FAIR or the stablecoin is explained by the other
 * events of its transaction (a PayoutDistributor claim, a tip, a subscription, a stake…): the rules
 * below match one of them to the transfer, and the history service then adds what the node itself
 * knows (which tracks and counted plays an epoch's payout was for, track titles).
 *
 * Adding a cause is one case in each place: the `MovementCause` union, a `RULES` entry (or a
 * payout part), `describeCause`, and the response schema in http/routes/history.routes.ts (a type
 * check there fails until it is added).
 */
import type { ChainEvent } from '../repositories/chain-events.repository.ts';

/** A track a movement names: only listed (public) tracks are named in a public history. */
export interface TrackRef {
  id: string;
  title: string;
}

/** What part of an epoch's payout to an account was for. */
export type PayoutPart =
  /** The account's share (by the track's split) of what listeners paid for their counted plays of the track. */
  | { kind: 'track_payout'; track: TrackRef | null; countedPlays: number; amount: string }
  /** The account's share of the epoch's FAIR rewards (RewardsEmitter) earned by the track's counted plays. */
  | { kind: 'track_reward'; track: TrackRef | null; countedPlays: number; amount: string }
  /** The platform fee (to the node operator, who passes it to the stakers). */
  | { kind: 'platform_fee'; amount: string }
  /** What the node's own records do not break down (another node's epochs, or records it lacks). */
  | { kind: 'unattributed'; amount: string }
  /** A fan reward rule's award (listening streak, tastemaker…), with its reason. */
  | { kind: 'fan_reward'; rule: string; reason: string; amount: string }
  /** An app's share of the epoch's FAIR rewards for the counted plays it delivered (to its owner). */
  | { kind: 'app_reward'; appId: string; name: string | null; countedPlays: number; amount: string };

/** One epoch's share of a claim, with what it was for; the parts add up exactly to `amount`. */
export interface EpochShare {
  epoch: number;
  amount: string;
  parts: PayoutPart[];
}

export type MovementCause =
  /**
   * A PayoutDistributor claim in the stablecoin against the root of `epoch`: what listeners'
   * subscriptions paid (and the fee). `epochs` are the epochs it paid for (usually just `epoch`;
   * more when earlier ones were not claimed), oldest first; `cumulativeAmount` is the claimed leaf.
   */
  | { kind: 'payout'; epoch: number; cumulativeAmount: string; epochs: EpochShare[] }
  /** A PayoutDistributor claim in FAIR: the epochs' FAIR rewards (as `payout`). */
  | { kind: 'reward'; epoch: number; cumulativeAmount: string; epochs: EpochShare[] }
  /** An owed payout (a push that had failed) withdrawn from the PayoutDistributor. */
  | { kind: 'payout_withdrawal' }
  /** A tip's part paid to one recipient of the track's split. */
  | { kind: 'tip_received'; ledgerTrackId: string; track: TrackRef | null; from: string }
  /** A tip paid to a track, split among `recipients` at once. */
  | {
      kind: 'tip_sent';
      ledgerTrackId: string;
      track: TrackRef | null;
      recipients: { address: string; amount: string }[];
    }
  /** Tips owed after a failed push, withdrawn from the Tips contract. */
  | { kind: 'tip_withdrawal' }
  /** A subscription paid to the SubscriptionVault; start and end in Unix ms. */
  | { kind: 'subscription'; periods: number; start: number; end: number }
  /** The refund of a cancelled subscription's periods not started yet; it runs until `end` (Unix ms). */
  | { kind: 'subscription_refund'; end: number }
  /** FAIR staked; `stake` is the account's stake afterwards. */
  | { kind: 'stake'; stake: string }
  /** Cooled-down stake withdrawn from Staking. */
  | { kind: 'unstake' }
  /** A staking reward (the stakers' share of platform fees) claimed. */
  | { kind: 'staking_reward' }
  /** A platform fee passed to the stakers. */
  | { kind: 'fee'; distributed: string; totalStaked: string }
  /** Subscription money released from the vault into the PayoutDistributor for an epoch. */
  | { kind: 'subscription_release' }
  /** FAIR emitted by the RewardsEmitter into the PayoutDistributor for these emission epochs. */
  | { kind: 'rewards_emission'; fromEpoch: number; toEpoch: number }
  /** A dev chain's faucet. */
  | { kind: 'faucet' }
  | { kind: 'mint' }
  | { kind: 'burn' }
  /** A plain transfer: nothing else in the transaction explains it. */
  | { kind: 'transfer' }
  /**
   * FAIR an artist burned (Promotions sends it to its burn address) to promote a track in the
   * labeled slot of trending and search; the promotion runs from `startsAt` to `endsAt` (Unix ms).
   */
  | { kind: 'promotion'; ledgerTrackId: string; track: TrackRef | null; startsAt: number; endsAt: number }
  /**
   * An artist's reward drop to their fans (FanDrops), with the reason the artist gave: `funded`, the
   * creator paid the drop in; `claimed`, a fan was paid by it; `reclaimed`, the creator took back
   * what was left unclaimed after it expired. `from` is the drop's creator.
   */
  | {
      kind: 'fan_drop';
      action: 'funded' | 'claimed' | 'reclaimed';
      dropId: string;
      from: string;
      /** The drop's reason as created on-chain; null when this node has not indexed it. */
      reason: string | null;
    };

export type CauseKind = MovementCause['kind'];

/** A Transfer event, addresses lower-case, value in base units. */
export interface Transfer {
  token: string;
  from: string;
  to: string;
  value: string;
}

/** The addresses the rules compare with, lower-case. */
export interface CauseContext {
  contracts: Partial<
    Record<
      | 'PayoutDistributor'
      | 'Tips'
      | 'SubscriptionVault'
      | 'Staking'
      | 'RewardsEmitter'
      | 'Promotions'
      | 'FanDrops',
      string
    >
  >;
  fair: string;
  stablecoin: string | undefined;
  /** Dev chains: the account holding FAIR's faucet allocation. */
  devFaucet: string | undefined;
}

export const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
/** Where Promotions sends the FAIR a promotion costs (its BURN_ADDRESS): FAIR cannot go to zero. */
export const BURN_ADDRESS = '0x000000000000000000000000000000000000dead';

/** Events a rule needs that do not name the account whose history is read (see eventsOfTransactions). */
export const UNNAMED_CAUSE_EVENTS = ['Tipped', 'TipPaid', 'TipOwed', 'Emitted'] as const;

export function transferOf(event: ChainEvent): Transfer {
  return {
    token: event.address.toLowerCase(),
    from: lower(event.args.from),
    to: lower(event.args.to),
    value: String(event.args.value),
  };
}

interface Rule {
  contract: keyof CauseContext['contracts'] | 'token';
  event: string;
  /** Whether `event` (of `contract`) in the transfer's transaction is what caused it. */
  matches(transfer: Transfer, event: ChainEvent, context: CauseContext): boolean;
  cause(
    transfer: Transfer,
    event: ChainEvent,
    tx: readonly ChainEvent[],
    context: CauseContext,
  ): MovementCause;
}

const RULES: Rule[] = [
  {
    contract: 'PayoutDistributor',
    event: 'Claimed',
    matches: (t, e, c) =>
      t.from === c.contracts.PayoutDistributor &&
      lower(e.args.account) === t.to &&
      lower(e.args.token) === t.token &&
      String(e.args.amount) === t.value,
    // The epochs and parts are filled in by the history service from the node's records.
    cause: (t, e, _tx, c) => ({
      kind: t.token === c.fair ? 'reward' : 'payout',
      epoch: Number(e.args.epoch),
      cumulativeAmount: String(e.args.cumulativeAmount),
      epochs: [],
    }),
  },
  {
    contract: 'PayoutDistributor',
    event: 'Withdrawn',
    matches: (t, e, c) =>
      t.from === c.contracts.PayoutDistributor &&
      lower(e.args.account) === t.to &&
      lower(e.args.token) === t.token &&
      String(e.args.amount) === t.value,
    cause: () => ({ kind: 'payout_withdrawal' }),
  },
  {
    contract: 'Tips',
    event: 'TipPaid',
    matches: (t, e, c) =>
      t.from === c.contracts.Tips &&
      lower(e.args.recipient) === t.to &&
      lower(e.args.token) === t.token &&
      String(e.args.amount) === t.value,
    cause: (t, e, tx) => {
      const trackId = lower(e.args.trackId);
      const tipped = nearest(
        tx.filter(
          (other) =>
            other.contract === 'Tips' &&
            other.event === 'Tipped' &&
            lower(other.args.trackId) === trackId &&
            lower(other.args.token) === t.token &&
            other.logIndex < e.logIndex,
        ),
        e.logIndex,
      );
      return {
        kind: 'tip_received',
        ledgerTrackId: trackId,
        track: null,
        from: tipped ? lower(tipped.args.from) : ZERO_ADDRESS,
      };
    },
  },
  {
    contract: 'Tips',
    event: 'Withdrawn',
    matches: (t, e, c) =>
      t.from === c.contracts.Tips &&
      lower(e.args.to) === t.to &&
      lower(e.args.token) === t.token &&
      String(e.args.amount) === t.value,
    cause: () => ({ kind: 'tip_withdrawal' }),
  },
  {
    contract: 'Tips',
    event: 'Tipped',
    matches: (t, e, c) =>
      t.to === c.contracts.Tips &&
      lower(e.args.from) === t.from &&
      lower(e.args.token) === t.token &&
      String(e.args.amount) === t.value,
    cause: (t, e, tx) => {
      const trackId = lower(e.args.trackId);
      // The tip's parts follow its Tipped event, up to the next tip of the transaction.
      const next = tx.find(
        (other) => other.contract === 'Tips' && other.event === 'Tipped' && other.logIndex > e.logIndex,
      );
      const recipients = tx
        .filter(
          (other) =>
            other.contract === 'Tips' &&
            (other.event === 'TipPaid' || other.event === 'TipOwed') &&
            other.logIndex > e.logIndex &&
            (!next || other.logIndex < next.logIndex) &&
            lower(other.args.trackId) === trackId &&
            lower(other.args.token) === t.token,
        )
        .map((other) => ({ address: lower(other.args.recipient), amount: String(other.args.amount) }));
      return { kind: 'tip_sent', ledgerTrackId: trackId, track: null, recipients };
    },
  },
  {
    contract: 'SubscriptionVault',
    event: 'Subscribed',
    matches: (t, e, c) =>
      t.to === c.contracts.SubscriptionVault &&
      lower(e.args.subscriber) === t.from &&
      String(e.args.amount) === t.value,
    cause: (_t, e) => ({
      kind: 'subscription',
      periods: Number(e.args.periods),
      start: Number(e.args.start) * 1000,
      end: Number(e.args.end) * 1000,
    }),
  },
  {
    contract: 'SubscriptionVault',
    event: 'Cancelled',
    matches: (t, e, c) =>
      t.from === c.contracts.SubscriptionVault &&
      lower(e.args.subscriber) === t.to &&
      String(e.args.refund) === t.value,
    cause: (_t, e) => ({ kind: 'subscription_refund', end: Number(e.args.end) * 1000 }),
  },
  {
    contract: 'Staking',
    event: 'Staked',
    matches: (t, e, c) =>
      t.to === c.contracts.Staking && lower(e.args.account) === t.from && String(e.args.amount) === t.value,
    cause: (_t, e) => ({ kind: 'stake', stake: String(e.args.stake) }),
  },
  {
    contract: 'Staking',
    event: 'Withdrawn',
    matches: (t, e, c) =>
      t.from === c.contracts.Staking && lower(e.args.account) === t.to && String(e.args.amount) === t.value,
    cause: () => ({ kind: 'unstake' }),
  },
  {
    contract: 'Staking',
    event: 'RewardClaimed',
    matches: (t, e, c) =>
      t.from === c.contracts.Staking &&
      lower(e.args.account) === t.to &&
      lower(e.args.token) === t.token &&
      String(e.args.amount) === t.value,
    cause: () => ({ kind: 'staking_reward' }),
  },
  {
    contract: 'Staking',
    event: 'FeeNotified',
    matches: (t, e, c) =>
      t.to === c.contracts.Staking &&
      lower(e.args.from) === t.from &&
      lower(e.args.token) === t.token &&
      String(e.args.amount) === t.value,
    cause: (_t, e) => ({
      kind: 'fee',
      distributed: String(e.args.distributed),
      totalStaked: String(e.args.totalStaked),
    }),
  },
  {
    contract: 'PayoutDistributor',
    event: 'Funded',
    matches: (t, e, c) =>
      t.to === c.contracts.PayoutDistributor &&
      t.from === c.contracts.SubscriptionVault &&
      lower(e.args.from) === t.from &&
      lower(e.args.token) === t.token &&
      String(e.args.amount) === t.value,
    cause: () => ({ kind: 'subscription_release' }),
  },
  {
    contract: 'RewardsEmitter',
    event: 'Emitted',
    matches: (t, e, c) =>
      t.to === c.contracts.PayoutDistributor &&
      t.from === c.contracts.RewardsEmitter &&
      String(e.args.amount) === t.value,
    cause: (_t, e) => ({
      kind: 'rewards_emission',
      fromEpoch: Number(e.args.fromEpoch),
      toEpoch: Number(e.args.toEpoch),
    }),
  },
  {
    // Promotions moves the price from the promoter straight to its burn address.
    contract: 'Promotions',
    event: 'Promoted',
    matches: (t, e, c) =>
      t.token === c.fair &&
      t.to === BURN_ADDRESS &&
      lower(e.args.promoter) === t.from &&
      String(e.args.amount) === t.value,
    cause: (_t, e) => ({
      kind: 'promotion',
      ledgerTrackId: lower(e.args.trackId),
      track: null,
      startsAt: Number(e.args.startsAt) * 1000,
      endsAt: Number(e.args.endsAt) * 1000,
    }),
  },
  {
    contract: 'FanDrops',
    event: 'DropCreated',
    matches: (t, e, c) =>
      t.token === c.fair &&
      t.to === c.contracts.FanDrops &&
      lower(e.args.creator) === t.from &&
      String(e.args.total) === t.value,
    cause: (_t, e) => ({
      kind: 'fan_drop',
      action: 'funded',
      dropId: String(e.args.dropId),
      from: lower(e.args.creator),
      reason: String(e.args.reason ?? ''),
    }),
  },
  {
    contract: 'FanDrops',
    event: 'DropClaimed',
    matches: (t, e, c) =>
      t.token === c.fair &&
      t.from === c.contracts.FanDrops &&
      lower(e.args.account) === t.to &&
      String(e.args.amount) === t.value,
    // The creator and reason are the drop's (its DropCreated, earlier): the history service adds them.
    cause: (_t, e) => ({
      kind: 'fan_drop',
      action: 'claimed',
      dropId: String(e.args.dropId),
      from: ZERO_ADDRESS,
      reason: null,
    }),
  },
  {
    contract: 'FanDrops',
    event: 'DropReclaimed',
    matches: (t, e, c) =>
      t.token === c.fair &&
      t.from === c.contracts.FanDrops &&
      lower(e.args.creator) === t.to &&
      String(e.args.amount) === t.value,
    cause: (_t, e) => ({
      kind: 'fan_drop',
      action: 'reclaimed',
      dropId: String(e.args.dropId),
      from: lower(e.args.creator),
      reason: null,
    }),
  },
  {
    contract: 'token',
    event: 'FaucetDrip',
    matches: (t, e) =>
      t.from === ZERO_ADDRESS &&
      e.address === t.token &&
      lower(e.args.recipient) === t.to &&
      String(e.args.amount) === t.value,
    cause: () => ({ kind: 'faucet' }),
  },
];

/**
 * The causes of a transaction's transfers: each transfer is matched to the nearest event of its
 * transaction that a rule accepts and that no other transfer of the transaction was matched to
 * (a batch claim pays many accounts; a transaction may tip twice). `transfers` must belong to `tx`.
 */
export function explainTransfers(
  transfers: readonly ChainEvent[],
  tx: readonly ChainEvent[],
  context: CauseContext,
): Map<ChainEvent, MovementCause> {
  const used = new Set<ChainEvent>();
  const causes = new Map<ChainEvent, MovementCause>();
  for (const event of transfers) {
    const transfer = transferOf(event);
    causes.set(event, explainOne(transfer, event, tx, used, context));
  }
  return causes;
}

function explainOne(
  transfer: Transfer,
  at: ChainEvent,
  tx: readonly ChainEvent[],
  used: Set<ChainEvent>,
  context: CauseContext,
): MovementCause {
  for (const rule of RULES) {
    const candidates = tx.filter(
      (event) =>
        !used.has(event) &&
        event.event === rule.event &&
        (rule.contract === 'token' ? true : event.contract === rule.contract) &&
        rule.matches(transfer, event, context),
    );
    const event = nearest(candidates, at.logIndex);
    if (event) {
      used.add(event);
      return rule.cause(transfer, event, tx, context);
    }
  }
  if (context.devFaucet && transfer.from === context.devFaucet && transfer.token === context.fair) {
    return { kind: 'faucet' };
  }
  if (transfer.from === ZERO_ADDRESS) return { kind: 'mint' };
  if (transfer.to === ZERO_ADDRESS) return { kind: 'burn' };
  return { kind: 'transfer' };
}

/** The event closest to `logIndex` (the earlier one on a tie). */
function nearest(events: readonly ChainEvent[], logIndex: number): ChainEvent | undefined {
  let best: ChainEvent | undefined;
  for (const event of events) {
    const distance = Math.abs(event.logIndex - logIndex);
    const bestDistance = best ? Math.abs(best.logIndex - logIndex) : Number.POSITIVE_INFINITY;
    if (distance < bestDistance || (distance === bestDistance && best && event.logIndex < best.logIndex)) {
      best = event;
    }
  }
  return best;
}

function lower(value: unknown): string {
  return String(value ?? '').toLowerCase();
}

export interface TokenInfo {
  /** Lower-case contract address. */
  address: string;
  symbol: string;
  decimals: number;
}

/** The other side of a movement, or an address a cause names. */
export interface Party {
  address: string;
  /** A contract or role of the deployment ("Payout distributor", "Dev faucet"); null for others. */
  name: string | null;
  /** The account's profile handle, when it has one. */
  handle: string | null;
}

export interface DescribeFacts {
  direction: 'in' | 'out' | 'self';
  counterparty: Party;
  /** Names and handles of the addresses a cause names (a tip's sender), by lower-case address. */
  party: (address: string) => Party;
}

/**
 * One line saying why a token moved, for people: "Payout for epoch 12: 3 plays of “Track X”". It
 * never starts with a character a spreadsheet would read as a formula (=, +, -, @): the CSV export
 * carries it as it is.
 */
export function describeCause(cause: MovementCause, facts: DescribeFacts): string {
  switch (cause.kind) {
    case 'payout':
      return `Payout for ${epochsText(cause)}: ${partsText(cause.epochs)}`;
    case 'reward':
      return `FAIR reward for ${epochsText(cause)}: ${partsText(cause.epochs)}`;
    case 'payout_withdrawal':
      return 'Owed payout withdrawn from the payout distributor';
    case 'tip_received':
      return `Tip from ${partyText(facts.party(cause.from))} for ${trackText(cause.track, cause.ledgerTrackId)}`;
    case 'tip_sent':
      return `Tip to ${trackText(cause.track, cause.ledgerTrackId)}${
        cause.recipients.length > 1 ? `, split among ${cause.recipients.length} recipients` : ''
      }`;
    case 'tip_withdrawal':
      return 'Owed tips withdrawn from the tips contract';
    case 'subscription':
      return `Subscription: ${plural(cause.periods, 'period')}, until ${day(cause.end)}`;
    case 'subscription_refund':
      return `Subscription refund: cancelled, runs until ${day(cause.end)}`;
    case 'stake':
      return 'Staked';
    case 'unstake':
      return 'Unstaked: withdrawn after the cooldown';
    case 'staking_reward':
      return 'Staking reward claimed';
    case 'fee':
      return 'Platform fee passed to the stakers';
    case 'subscription_release':
      return 'Subscription money released to the payout distributor';
    case 'rewards_emission':
      return cause.fromEpoch === cause.toEpoch
        ? `FAIR rewards emitted for emission epoch ${cause.fromEpoch}`
        : `FAIR rewards emitted for emission epochs ${cause.fromEpoch}–${cause.toEpoch}`;
    case 'faucet':
      return 'Dev faucet';
    case 'mint':
      return 'Minted';
    case 'burn':
      return 'Burned';
    case 'transfer':
      if (facts.direction === 'self') return 'Transfer to yourself';
      return `Transfer ${facts.direction === 'in' ? 'from' : 'to'} ${partyText(facts.counterparty)}`;
    case 'promotion':
      return `Promotion of ${trackText(cause.track, cause.ledgerTrackId)}, ${day(cause.startsAt)} to ${day(cause.endsAt)}`;
    case 'fan_drop': {
      const reason = cause.reason ? `: ${quoted(cause.reason)}` : '';
      switch (cause.action) {
        case 'funded':
          return `Fan reward drop #${cause.dropId} funded${reason}`;
        case 'claimed':
          return cause.from === ZERO_ADDRESS
            ? `Fan reward (drop #${cause.dropId})${reason}`
            : `Fan reward from ${partyText(facts.party(cause.from))} (drop #${cause.dropId})${reason}`;
        case 'reclaimed':
          return `Unclaimed rest of fan reward drop #${cause.dropId} taken back${reason}`;
        default:
          return unreachableAction(cause.action);
      }
    }
    default:
      return unreachable(cause);
  }
}

function unreachableAction(action: never): never {
  throw new Error(`no description for fan drop action ${String(action)}`);
}

/** An artist's free text in a description: one line, bounded, quoted (so never read as a formula). */
function quoted(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return `“${line.length > 140 ? `${line.slice(0, 139)}…` : line}”`;
}

function unreachable(cause: never): never {
  throw new Error(`no description for cause ${JSON.stringify(cause)}`);
}

function epochsText(cause: { epoch: number; epochs: EpochShare[] }): string {
  const epochs = cause.epochs.map((share) => share.epoch).sort((a, b) => a - b);
  if (epochs.length <= 1) return `epoch ${epochs[0] ?? cause.epoch}`;
  const contiguous = epochs.every((n, i) => i === 0 || n === epochs[i - 1]! + 1);
  if (contiguous) return `epochs ${epochs[0]}–${epochs.at(-1)}`;
  return `epochs ${epochs.slice(0, -1).join(', ')} and ${epochs.at(-1)}`;
}

/** The parts of a claim, tracks summed over its epochs: "3 plays of “A”, 1 play of “B”". */
function partsText(epochs: readonly EpochShare[]): string {
  const tracks = new Map<string, { title: string | null; plays: number; amount: bigint }>();
  const others: string[] = [];
  for (const share of epochs) {
    for (const part of share.parts) {
      switch (part.kind) {
        case 'track_payout':
        case 'track_reward': {
          const key = part.track?.id ?? '';
          const entry = tracks.get(key) ?? { title: part.track?.title ?? null, plays: 0, amount: 0n };
          entry.plays += part.countedPlays;
          entry.amount += BigInt(part.amount);
          tracks.set(key, entry);
          break;
        }
        case 'platform_fee':
          others.push('the platform fee');
          break;
        case 'unattributed':
          others.push('an amount this node’s records do not break down');
          break;
        case 'fan_reward':
          others.push(`fan reward “${part.rule}” (${part.reason})`);
          break;
        case 'app_reward':
          others.push(`app reward for ${part.name ?? part.appId}`);
          break;
        default:
          unreachablePart(part);
      }
    }
  }
  const named = [...tracks.values()]
    .sort((a, b) => (a.amount === b.amount ? b.plays - a.plays : a.amount > b.amount ? -1 : 1))
    .map(
      (track) =>
        `${plural(track.plays, 'play')} of ${track.title === null ? 'a hidden track' : `“${track.title}”`}`,
    );
  const shown = named.length > 3 ? [...named.slice(0, 3), `${named.length - 3} more tracks`] : named;
  const all = [...shown, ...new Set(others)];
  if (all.length === 0) return 'nothing broken down';
  return all.length === 1 ? all[0]! : `${all.slice(0, -1).join(', ')} and ${all.at(-1)}`;
}

function unreachablePart(part: never): never {
  throw new Error(`no description for payout part ${JSON.stringify(part)}`);
}

function trackText(track: TrackRef | null, ledgerTrackId: string): string {
  return track ? `“${track.title}”` : `track ${short(ledgerTrackId)}`;
}

export function partyText(party: Party): string {
  if (party.handle) return `@${party.handle}`;
  return party.name ?? short(party.address);
}

function short(hex: string): string {
  return hex.length > 12 ? `${hex.slice(0, 6)}…${hex.slice(-4)}` : hex;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A UTC calendar day, 2025-03-01. */
function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
