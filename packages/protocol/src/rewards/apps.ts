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
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
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
  if (CONTROL.test(r.name)) return fail('name must not hold line breaks or control characters');
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

/** The division in the module comment. Throws AppRewardsError on a negative budget or fund. */
export function allocateAppRewards(input: AppRewardsInput): AppRewardsResult {
  const { budget, funds, plays, owners } = input;
  if (typeof budget !== 'bigint' || budget < 0n)
    throw new AppRewardsError(`budget must be a non-negative bigint, not ${budget}`);
  // Per listener: counted plays per registered app, and plays no app delivered.
  const perListener = new Map<string, { apps: Map<string, number>; none: number }>();
  const delivered = new Map<string, { plays: number; listeners: Set<string> }>();
  for (const play of plays) {
    const listener = play.listener.toLowerCase();
    let entry = perListener.get(listener);
    if (!entry) {
      entry = { apps: new Map(), none: 0 };
      perListener.set(listener, entry);
    }
    const appId = play.appId !== null && owners.has(play.appId) ? play.appId : null;
    if (appId === null) {
      entry.none++;
      continue;
    }
    entry.apps.set(appId, (entry.apps.get(appId) ?? 0) + 1);
    let app = delivered.get(appId);
    if (!app) {
      app = { plays: 0, listeners: new Set() };
      delivered.set(appId, app);
    }
    app.plays++;
    app.listeners.add(listener);
  }
  const listeners = [...perListener.keys()].sort(compare);
  const weights = listeners.map((listener) => {
    const amount = funds.get(listener) ?? 0n;
    if (amount < 0n) throw new AppRewardsError(`${listener} has negative funds ${amount}`);
    return amount;
  });
  const earned = new Map<string, bigint>();
  if (weights.some((weight) => weight > 0n)) {
    const parts = largestRemainder(budget, weights);
    listeners.forEach((listener, i) => {
      const part = parts[i]!;
      const entry = perListener.get(listener)!;
      if (part === 0n || entry.apps.size === 0) return;
      const appIds = [...entry.apps.keys()].sort(compare);
      const shares = largestRemainder(part, [...appIds.map((appId) => entry.apps.get(appId)!), entry.none]);
      appIds.forEach((appId, j) => {
        earned.set(appId, (earned.get(appId) ?? 0n) + shares[j]!);
      });
    });
  }
  const byApp: AppEarning[] = [...delivered.keys()].sort(compare).map((appId) => ({
    appId,
    owner: owners.get(appId)!.toLowerCase(),
    countedPlays: delivered.get(appId)!.plays,
    listeners: delivered.get(appId)!.listeners.size,
    amount: earned.get(appId) ?? 0n,
  }));
  const byOwner = new Map<string, bigint>();
  let spent = 0n;
  for (const app of byApp) {
    spent += app.amount;
    if (app.amount > 0n) byOwner.set(app.owner, (byOwner.get(app.owner) ?? 0n) + app.amount);
  }
  return {
    budget,
    spent,
    byApp,
    byOwner: new Map([...byOwner].sort(([a], [b]) => compare(a, b))),
  };
}
