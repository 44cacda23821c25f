import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  SESSION_KEY_MAX_LIFETIME_MS,
  SessionKeyError,
  sessionKeyDelegationMessage,
} from '@fairstream/protocol';
import { getAddress, isHex, verifyMessage } from 'viem';
import { AppError, badRequest, conflict, notFound } from '../errors.ts';
import type { SessionKeyFacts, SessionKeysRepository } from '../repositories/session-keys.repository.ts';
import { TtlCache } from './ttl-cache.ts';

/** Clock skew tolerated on a delegation's "Issued At". */
const ISSUED_AT_SKEW_MS = 5 * 60 * 1000;

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface SessionKeysServiceOptions {
  domain: string;
  chainId: number;
  now?: () => number;
}

export interface DelegationInput {
  address: string;
  sessionKey: string;
  issuedAt: number;
  expiresAt: number;
  signature: string;
}

export interface SessionKeyView {
  sessionKey: string;
  address: string;
  expiresAt: number;
  createdAt: number;
  message: string;
}

/**
 * Session keys: Ed25519 keys a wallet delegates (by signing a plain-text message) to sign its
 * playback reports, so a player reports without asking the wallet each time. Lookups for report
 * checks are cached briefly; a revocation clears this process's cache at once and reaches the
 * node's other HTTP processes within the cache's lifetime (2 s).
 */
export class SessionKeysService {
  readonly #repository: SessionKeysRepository;
  readonly #options: SessionKeysServiceOptions;
  readonly #now: () => number;
  readonly #facts = new TtlCache<string, SessionKeyFacts>({ ttlMs: 2000, maxEntries: 100_000 });
  readonly #keyObjects = new Map<string, KeyObject>();

  constructor(repository: SessionKeysRepository, options: SessionKeysServiceOptions) {
    this.#repository = repository;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The text the wallet signs for this delegation. */
  message(input: Omit<DelegationInput, 'signature'>): string {
    return sessionKeyDelegationMessage({
      domain: this.#options.domain,
      address: getAddress(input.address),
      sessionKey: input.sessionKey,
      chainId: this.#options.chainId,
      issuedAt: input.issuedAt,
      expiresAt: input.expiresAt,
    });
  }

  async delegate(input: DelegationInput): Promise<SessionKeyView> {
    const now = this.#now();
    const sessionKey = input.sessionKey;
    if (!/^[0-9a-fA-F]*$/.test(sessionKey)) {
      throw badRequest('invalid_session_key', 'sessionKey must be hex: the 32-byte Ed25519 public key');
    }
    if (sessionKey.length !== 64) {
      throw badRequest(
        'invalid_session_key',
        `sessionKey must be 64 hex characters (a 32-byte Ed25519 public key), not ${sessionKey.length}`,
      );
    }
    if (sessionKey !== sessionKey.toLowerCase()) {
      throw badRequest('invalid_session_key', 'sessionKey must be lower-case hex, without 0x');
    }
    if (!this.keyObject(sessionKey)) {
      throw badRequest('invalid_session_key', 'sessionKey is not a valid Ed25519 public key');
    }
    if (input.expiresAt <= now) {
      throw badRequest('invalid_expiry', 'expiresAt is in the past; pick a time in the next 30 days');
    }
    if (input.expiresAt > now + SESSION_KEY_MAX_LIFETIME_MS) {
      throw badRequest('invalid_expiry', 'expiresAt is more than 30 days ahead; a delegation lasts 30 days');
    }
    if (input.issuedAt > now + ISSUED_AT_SKEW_MS || input.issuedAt >= input.expiresAt) {
      throw badRequest(
        'invalid_issued_at',
        'issuedAt must be the time the message was signed: not in the future, before expiresAt',
      );
    }
    if (!isHex(input.signature) || input.signature.length < 132) {
      throw badRequest(
        'invalid_signature',
        'signature must be the 0x-prefixed hex personal_sign signature of the delegation message',
      );
    }
    let message: string;
    try {
      message = this.message(input);
    } catch (error) {
      if (error instanceof SessionKeyError) throw badRequest('invalid_delegation', error.message, error);
      throw error;
    }
    const valid = await verifyMessage({
      address: getAddress(input.address),
      message,
      signature: input.signature,
    }).catch(() => false);
    if (!valid) {
      throw new AppError(
        401,
        'invalid_signature',
        'The signature is not the signed-in wallet’s signature of the delegation message; sign the exact ' +
          'message for this domain, chain, key and times with the wallet you are signed in with',
      );
    }
    const row = await this.#repository.upsert(
      {
        public_key: sessionKey,
        address: input.address,
        expires_at: input.expiresAt,
        delegation_message: message,
        delegation_signature: input.signature,
        created_at: now,
        revoked_at: null,
      },
      {
        public_key: sessionKey,
        address: input.address,
        domain: this.#options.domain,
        chain_id: this.#options.chainId,
        issued_at: input.issuedAt,
        expires_at: input.expiresAt,
        signature: input.signature,
        created_at: now,
      },
    );
    if (row.address !== input.address) {
      throw conflict(
        'session_key_taken',
        'This session key is already delegated by another wallet; generate a new key pair',
      );
    }
    if (row.revoked_at !== null) {
      throw conflict('session_key_revoked', 'This session key was revoked; generate a new key pair');
    }
    this.#facts.delete(sessionKey);
    return {
      sessionKey,
      address: row.address,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
      message: row.delegation_message,
    };
  }

  async revoke(sessionKey: string, address: string): Promise<void> {
    const key = sessionKey.toLowerCase();
    if (!(await this.#repository.revoke(key, address, this.#now()))) {
      throw notFound(`A live session key ${key} of ${address}`);
    }
    this.#facts.delete(key);
  }

  /** What report checks need about each key (null: never delegated), from cache or one query. */
  async lookup(keys: Iterable<string>): Promise<Map<string, SessionKeyFacts | null>> {
    const found = new Map<string, SessionKeyFacts | null>();
    const missing: string[] = [];
    for (const key of keys) {
      if (found.has(key)) continue;
      const cached = this.#facts.get(key);
      if (cached) found.set(key, cached);
      else {
        found.set(key, null);
        missing.push(key);
      }
    }
    // Unknown keys are not cached: a key delegated through another HTTP process works at once.
    if (missing.length > 0) {
      for (const row of await this.#repository.findMany(missing)) {
        found.set(row.public_key, row);
        this.#facts.set(row.public_key, row);
      }
    }
    return found;
  }

  /** The key as a KeyObject for node:crypto's verify, built once per key; undefined if malformed. */
  keyObject(hex: string): KeyObject | undefined {
    let key = this.#keyObjects.get(hex);
    if (key) return key;
    try {
      key = createPublicKey({
        key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]),
        format: 'der',
        type: 'spki',
      });
    } catch {
      return undefined;
    }
    if (this.#keyObjects.size >= 100_000) this.#keyObjects.delete(this.#keyObjects.keys().next().value!);
    this.#keyObjects.set(hex, key);
    return key;
  }
}
