import {
  APP_REWARDS_POLICY,
  appRegistrationMessage,
  type SignedAppRegistration,
  validateAppRegistration,
  verifyAppRegistration,
} from '@fairstream/protocol';
import { badRequest, conflict, forbidden, notFound } from '../errors.ts';
import type { AppRow, AppsRepository } from '../repositories/apps.repository.ts';

/** A registration signed longer ago than this, or this far ahead of the node's clock, is refused. */
export const REGISTRATION_FRESHNESS_MS = 10 * 60 * 1000;
/** Epochs an app's page lists. */
export const APP_EPOCHS_SHOWN = 52;

export interface AppEpoch {
  epoch: number;
  countedPlays: number;
  listeners: number;
  /** FAIR base units, decimal. */
  amount: string;
}

export interface AppView {
  appId: string;
  name: string;
  owner: string;
  chainId: number;
  registeredAt: number;
  signature: string;
  /** The message the owner signed, as the wallet showed it. */
  message: string;
}

export interface AppDashboard extends AppView {
  policy: { version: number; sharePpm: number };
  /** Over the epochs listed. */
  countedPlays: number;
  earned: string;
  /** Published epochs in which the app delivered a counted play, newest first. */
  epochs: AppEpoch[];
}

/**
 * Apps built on Fairstream: registration by the owner's signature, their public pages, and the check
 * ingestion makes on the app id a report names. Earnings only come from settlement.
 */
export class AppsService {
  readonly #repo: AppsRepository;
  readonly #chainId: number;
  readonly #now: () => number;

  constructor(repo: AppsRepository, options: { chainId: number; now?: () => number }) {
    this.#repo = repo;
    this.#chainId = options.chainId;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Registers an app for the signed-in owner. The same registration again is answered as it was
   * (created false); another registration of a taken app id is a conflict.
   */
  async register(account: string, body: unknown): Promise<{ created: boolean; app: AppView }> {
    const check = validateAppRegistration(body);
    if (!check.ok) throw badRequest('invalid_app', check.reason);
    const registration = check.registration;
    if (registration.owner !== account)
      throw forbidden(
        `You are signed in as ${account}; an app is registered by its owner (${registration.owner}). Sign in with that wallet.`,
        'not_owner',
      );
    if (registration.chainId !== this.#chainId)
      throw badRequest(
        'wrong_chain',
        `The registration names chain ${registration.chainId}; this node settles on chain ${this.#chainId}`,
      );
    const now = this.#now();
    if (Math.abs(now - registration.registeredAt) > REGISTRATION_FRESHNESS_MS)
      throw badRequest(
        'stale_registration',
        `registeredAt must be within 10 minutes of now (${new Date(now).toISOString()}); sign a fresh registration`,
      );
    if (!(await verifyAppRegistration(registration)))
      throw badRequest(
        'bad_signature',
        "The signature is not the owner's personal_sign signature of the registration message built from these fields",
      );
    if (await this.#repo.insert(registration, now)) return { created: true, app: view(registration) };
    const existing = await this.#repo.find(registration.appId);
    if (existing && existing.owner === registration.owner && existing.name === registration.name)
      return { created: false, app: viewOf(existing) };
    throw conflict('app_id_taken', `App id ${registration.appId} is registered already; choose another`);
  }

  /** An app's public page: its registration and what it delivered and earned per published epoch. */
  async dashboard(appId: string): Promise<AppDashboard> {
    const app = await this.#repo.find(appId);
    if (!app) throw notFound(`App ${appId}`);
    const rows = await this.#repo.rewardsOfApp(appId, APP_EPOCHS_SHOWN);
    let countedPlays = 0;
    let earned = 0n;
    const epochs = rows.map((row) => {
      countedPlays += row.counted_plays;
      earned += BigInt(row.amount);
      return {
        epoch: Number(row.epoch),
        countedPlays: row.counted_plays,
        listeners: row.listeners,
        amount: row.amount,
      };
    });
    return {
      ...viewOf(app),
      policy: { version: APP_REWARDS_POLICY.version, sharePpm: APP_REWARDS_POLICY.sharePpm },
      countedPlays,
      earned: String(earned),
      epochs,
    };
  }

  async ofOwner(address: string): Promise<AppView[]> {
    return (await this.#repo.ofOwner(address.toLowerCase())).map(viewOf);
  }

  /** The ids among these that are registered apps. */
  async registered(appIds: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(appIds)];
    return new Set((await this.#repo.findMany(unique)).map((app) => app.app_id));
  }
}

function view(registration: SignedAppRegistration): AppView {
  return { ...registration, message: appRegistrationMessage(registration) };
}

function viewOf(row: AppRow): AppView {
  return view({
    appId: row.app_id,
    name: row.name,
    owner: row.owner,
    chainId: row.chain_id,
    registeredAt: Number(row.registered_at),
    signature: row.signature,
  });
}
