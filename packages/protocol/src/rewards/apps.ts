/**
 * App developer rewards. An app built on Fairstream registers once: its owner's wallet signs (EIP-191
 * personal_sign) a registration naming the app id, its name and the owner, and the app then puts its
 * id in the playback reports its listeners' session keys sign. A published share of each epoch's
 * FAIR rewards (APP_REWARDS_POLICY.sharePpm of what was available) is divided among apps by the
 * counted plays they delivered, user-centrically:
 *
 * 1. The budget is divided among the epoch's active listeners by the subscription money each put into
 *    the epoch (released plus carried in, the same funds the payouts divide), largest remainder, ties
 *    to the lower address. A listener who paid nothing weighs nothing: a farm of free accounts earns
 *    its app nothing, and more plays by one listener never weigh more than that listener's money.
 * 2. Each listener's part is divided by their counted plays: per app that delivered some of them, and
 *    one more share for the plays no app delivered (Fairstream's own clients). Largest remainder, apps
 *    by id, the "no app" share last.
 * 3. What the "no app" shares hold is not spent: it goes to the artists with the rest of the FAIR
 *    rewards, so an epoch's FAIR still adds up exactly: artists + fans + apps = available.
 *
 * A play's app is the appId of its first report (by startedAt, then report id) when that app is
 * registered; a play without one, or naming an app that is not registered, counts as "no app".
 * Pure and deterministic: the node's settlement, `fairstream verify` and browsers share it.
 */
import { getAddress, type Hex, isHex, verifyMessage } from 'viem';
import type { InternedPlays } from '../payouts/allocate.ts';
import { largestRemainder } from '../payouts/largest-remainder.ts';
import { APP_ID_PATTERN } from '../plays/report.ts';

export const APP_REWARDS_POLICY = Object.freeze({
  /** Bumped whenever the division or a number here changes meaning; published with each epoch. */
  version: 1,
  /** Parts per million of each epoch's FAIR rewards reserved for apps (10%). */
  sharePpm: 100_000,
});

/** What GET /rules says of app rewards. */
export const APP_REWARDS_SUMMARY =
  'Apps built on Fairstream register (POST /api/v1/apps, signed by the owner wallet) and name their app id in ' +
  "the playback reports their listeners sign. Each epoch, 10% of the FAIR rewards is divided among the epoch's " +
  'active listeners by what each paid for their subscription, and each listener part among the apps that ' +
  "delivered that listener's counted plays, by counted plays (largest remainder); the part for plays no app " +
  'delivered, and every part of a listener who paid nothing, goes to the artists. So an app earns by the paying ' +
  'listeners it serves: more plays or free accounts earn it nothing more. Recomputed by `fairstream verify` ' +
  "from the published plays, subscribers' money and the owners' signed registrations.";

export const APP_REGISTRATION_VERSION = 'fairstream-app/1';
/** A name is 1–64 characters once trimmed, with no control characters. */
export const MAX_APP_NAME_LENGTH = 64;

export class AppRewardsError extends Error {
  override name = 'AppRewardsError';
}

/** What an app's owner signs. */
export interface AppRegistration {
  appId: string;
  name: string;
  /** The owner's wallet address, lower case: the app's rewards are paid to it. */
  owner: string;
  chainId: number;
  /** Unix ms. */
  registeredAt: number;
}

export interface SignedAppRegistration extends AppRegistration {
  /** The owner's EIP-191 personal_sign signature of appRegistrationMessage(fields), 0x hex. */
  signature: string;
}

export type AppRegistrationCheck =
  | { ok: true; registration: SignedAppRegistration }
  | { ok: false; reason: string };

const ADDRESS = /^0x[0-9a-f]{40}$/;
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;
/** What an app's name may not hold: line breaks and control characters (it is one line of the message). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
export const APP_NAME_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** The largest time a JavaScript Date holds: beyond it toISOString throws. */
const MAX_DATE_MS = 8.64e15;

/**
 * Checks a registration's fields (not its signature): a copy holding only the known fields, or the
 * reason to give back. The name must already be trimmed, so that what was signed is what is shown.
 */
export function validateAppRegistration(value: unknown): AppRegistrationCheck {
  const fail = (reason: string): AppRegistrationCheck => ({ ok: false, reason });
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail('An app registration must be a JSON object');
  const r = value as Record<string, unknown>;
  if (typeof r.appId !== 'string' || !APP_ID_PATTERN.test(r.appId))
    return fail('appId must be 1–64 characters of A-Z a-z 0-9 _ . : - (a reverse domain name will do)');
  if (typeof r.name !== 'string' || r.name.trim() !== r.name || r.name.length === 0)
    return fail('name must be a non-empty string without leading or trailing spaces');
  if ([...r.name].length > MAX_APP_NAME_LENGTH)
    return fail(`name must be at most ${MAX_APP_NAME_LENGTH} characters`);
  if (APP_NAME_FORBIDDEN.test(r.name)) return fail('name must not hold line breaks or control characters');
  if (typeof r.owner !== 'string' || !ADDRESS.test(r.owner))
    return fail('owner must be a lower-case 0x address (0x and 40 hex digits)');
  if (typeof r.chainId !== 'number' || !Number.isSafeInteger(r.chainId) || r.chainId <= 0)
    return fail('chainId must be a positive integer');
  if (
    typeof r.registeredAt !== 'number' ||
    !Number.isSafeInteger(r.registeredAt) ||
    r.registeredAt < 0 ||
    r.registeredAt > MAX_DATE_MS
  )
    return fail('registeredAt must be Unix milliseconds');
  if (typeof r.signature !== 'string' || !SIGNATURE.test(r.signature))
    return fail("signature must be the owner wallet's personal_sign signature (0x and 130 hex digits)");
  return {
    ok: true,
    registration: {
      appId: r.appId,
      name: r.name,
      owner: r.owner,
      chainId: r.chainId,
      registeredAt: r.registeredAt,
      signature: r.signature,
    },
  };
}

/**
 * The text the owner's wallet signs, lines joined by "\n", no trailing newline:
 *
 * ```
 * Register a Fairstream app.
 *
 * Its share of the FAIR rewards is paid to the owner below.
 *
 * App ID: {appId}
 * Name: {name}
 * Owner: {EIP-55 address}
 * Chain ID: {chainId}
 * Issued At: {registeredAt as ISO 8601 UTC, ms precision}
 * Version: fairstream-app/1
 * ```
 */
export function appRegistrationMessage(registration: AppRegistration): string {
  const check = validateAppRegistration({ ...registration, signature: `0x${'0'.repeat(130)}` });
  if (!check.ok) throw new AppRewardsError(check.reason);
  return [
    'Register a Fairstream app.',
    '',
    'Its share of the FAIR rewards is paid to the owner below.',
    '',
    `App ID: ${registration.appId}`,
    `Name: ${registration.name}`,
    `Owner: ${getAddress(registration.owner)}`,
    `Chain ID: ${registration.chainId}`,
    `Issued At: ${new Date(registration.registeredAt).toISOString()}`,
    `Version: ${APP_REGISTRATION_VERSION}`,
  ].join('\n');
}

/**
 * True when `signature` is the owner wallet's personal_sign signature of the message rebuilt from
 * the registration's fields; false, never an exception, for malformed fields.
 */
export async function verifyAppRegistration(registration: SignedAppRegistration): Promise<boolean> {
  let message: string;
  try {
    message = appRegistrationMessage(registration);
  } catch {
    return false;
  }
  if (typeof registration.signature !== 'string' || !isHex(registration.signature)) return false;
  return verifyMessage({
    address: getAddress(registration.owner),
    message,
    signature: registration.signature as Hex,
  }).catch(() => false);
}

/** The app budget of an epoch: sharePpm of the FAIR rewards available, rounded down. */
export function appRewardsBudget(available: bigint, sharePpm: number = APP_REWARDS_POLICY.sharePpm): bigint {
  if (available < 0n) throw new AppRewardsError(`available must be non-negative, not ${available}`);
  if (!Number.isSafeInteger(sharePpm) || sharePpm < 0 || sharePpm > 1_000_000)
    throw new AppRewardsError(`sharePpm must be a whole number from 0 to 1,000,000, not ${sharePpm}`);
  return (available * BigInt(sharePpm)) / 1_000_000n;
}

/** A report as much as the app of its play depends on. */
export interface AppReport {
  id: string;
  startedAt: number;
  appId: string | null;
}

/** The app that delivered a play: its first report's appId (by startedAt, then id), or null. */
export function appOfPlay(reports: readonly AppReport[]): string | null {
  let first: AppReport | undefined;
  for (const report of reports)
    if (
      !first ||
      report.startedAt < first.startedAt ||
      (report.startedAt === first.startedAt && report.id < first.id)
    )
      first = report;
  return first?.appId ?? null;
}

/** A counted play, as much of it as app rewards read. */
export interface AppPlay {
  listener: string;
  /** appOfPlay of its reports. */
  appId: string | null;
}

export interface AppRewardsInput {
  budget: bigint;
  /** Each subscriber's money in the epoch (released + carried in), by lower-case address. */
  funds: ReadonlyMap<string, bigint>;
  plays: readonly AppPlay[];
  /** Registered apps: appId → owner (lower case). A play naming another app counts as no app. */
  owners: ReadonlyMap<string, string>;
}

export interface AppEarning {
  appId: string;
  owner: string;
  /** Counted plays the app delivered this epoch (every one, whether its listener paid or not). */
  countedPlays: number;
  /** Distinct listeners of those plays. */
  listeners: number;
  amount: bigint;
}

export interface AppRewardsResult {
  budget: bigint;
  /** Σ amounts; the rest of the budget goes to the artists. */
  spent: bigint;
  /** Every app that delivered a counted play, by appId. */
  byApp: AppEarning[];
  /** Σ amounts per owner, by owner; no zeros. */
  byOwner: Map<string, bigint>;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The division in the module comment. Listener addresses are lower case (as reports require), so
 * they are compared as given. Throws AppRewardsError on a negative budget or fund. Interns listeners
 * and apps as numbers: an epoch passes a million plays through here.
 */
export function allocateAppRewards(
  input: AppRewardsInput,
  interned?: Pick<InternedPlays, 'listenerOf' | 'listeners'>,
): AppRewardsResult {
  const { budget, funds, plays, owners } = input;
  if (typeof budget !== 'bigint' || budget < 0n)
    throw new AppRewardsError(`budget must be a non-negative bigint, not ${budget}`);
  if (interned && interned.listenerOf.length !== plays.length)
    throw new AppRewardsError('The interned listeners are not those of these plays');
  // Registered apps by index, in appId order (the order their shares are divided in).
  const appIds = [...owners.keys()].sort(compare);
  const appIndex = new Map(appIds.map((appId, i) => [appId, i]));
  const apps = appIds.length;
  // Per listener: counted plays in all, and per (listener, app) the plays the app delivered. The
  // settlement passes its aggregation's listener of each play, which saves a lookup per play.
  const listenerIndex = new Map<string, number>();
  const listeners: string[] = interned ? [...interned.listeners] : [];
  const totals: number[] = new Array<number>(listeners.length).fill(0);
  const delivered = new Map<number, number>();
  for (let i = 0; i < plays.length; i++) {
    const play = plays[i]!;
    let l = interned?.listenerOf[i] ?? listenerIndex.get(play.listener);
    if (l === undefined) {
      l = listeners.length;
      listenerIndex.set(play.listener, l);
      listeners.push(play.listener);
      totals.push(0);
    }
    totals[l]!++;
    const a = play.appId === null ? undefined : appIndex.get(play.appId);
    if (a !== undefined) delivered.set(l * apps + a, (delivered.get(l * apps + a) ?? 0) + 1);
  }
  // The budget by each listener's money (listeners in address order).
  const order = listeners
    .map((_, l) => l)
    .filter((l) => totals[l]! > 0)
    .sort((x, y) => compare(listeners[x]!, listeners[y]!));
  const weights = order.map((l) => {
    const amount = funds.get(listeners[l]!) ?? 0n;
    if (amount < 0n) throw new AppRewardsError(`${listeners[l]} has negative funds ${amount}`);
    return amount;
  });
  const partOf = new Array<bigint>(listeners.length).fill(0n);
  if (weights.some((weight) => weight > 0n)) {
    const parts = largestRemainder(budget, weights);
    order.forEach((l, rank) => {
      partOf[l] = parts[rank]!;
    });
  }
  // Then each listener's part by their plays: (listener, app) keys in order group each listener's
  // apps in app order, the "no app" share last.
  const earned = new Array<bigint>(apps).fill(0n);
  const appPlays = new Array<number>(apps).fill(0);
  const appListeners = new Array<number>(apps).fill(0);
  const keys = Float64Array.from(delivered.keys()).sort();
  const groupApps: number[] = [];
  const groupCounts: number[] = [];
  for (let i = 0; i < keys.length; ) {
    const l = Math.floor(keys[i]! / apps);
    groupApps.length = 0;
    groupCounts.length = 0;
    let appsPlays = 0;
    for (; i < keys.length && Math.floor(keys[i]! / apps) === l; i++) {
      const a = keys[i]! - l * apps;
      const count = delivered.get(keys[i]!)!;
      groupApps.push(a);
      groupCounts.push(count);
      appsPlays += count;
      appPlays[a]! += count;
      appListeners[a]!++;
    }
    if (partOf[l] === 0n) continue;
    groupCounts.push(totals[l]! - appsPlays);
    const shares = divideByCounts(partOf[l]!, groupCounts);
    groupApps.forEach((a, j) => {
      earned[a] = earned[a]! + shares[j]!;
    });
  }
  const byApp: AppEarning[] = [];
  const byOwner = new Map<string, bigint>();
  let spent = 0n;
  appIds.forEach((appId, a) => {
    if (appPlays[a] === 0) return;
    const owner = owners.get(appId)!.toLowerCase();
    byApp.push({ appId, owner, countedPlays: appPlays[a]!, listeners: appListeners[a]!, amount: earned[a]! });
    spent += earned[a]!;
    if (earned[a]! > 0n) byOwner.set(owner, (byOwner.get(owner) ?? 0n) + earned[a]!);
  });
  return { budget, spent, byApp, byOwner: new Map([...byOwner].sort(([x], [y]) => compare(x, y))) };
}

/**
 * largestRemainder(amount, counts) for small whole counts, faster: with amount = q·Σ + r, each part
 * is q·count + ⌊r·count/Σ⌋ and its remainder (r·count) mod Σ, where r < Σ keeps the rest in doubles.
 * Leftover units go to the largest remainders, ties to the lower index, exactly as largestRemainder.
 */
export function divideByCounts(amount: bigint, counts: readonly number[]): bigint[] {
  let total = 0;
  for (const count of counts) total += count;
  if (total === 0 || total * total > Number.MAX_SAFE_INTEGER) return largestRemainder(amount, counts);
  const sum = BigInt(total);
  const q = amount / sum;
  const r = Number(amount - q * sum);
  const parts = counts.map((count) => q * BigInt(count) + BigInt(Math.floor((r * count) / total)));
  const remainders = counts.map((count) => (r * count) % total);
  let leftover = r - counts.reduce((given, count) => given + Math.floor((r * count) / total), 0);
  if (leftover > 0) {
    const ranked = counts.map((_, i) => i).sort((x, y) => remainders[y]! - remainders[x]! || x - y);
    for (const i of ranked) {
      if (leftover === 0) break;
      parts[i] = parts[i]! + 1n;
      leftover--;
    }
  }
  return parts;
}
