import { createHash, randomBytes } from 'node:crypto';
import { getAddress, isHex, verifyMessage } from 'viem';
import { generateSiweNonce, parseSiweMessage, validateSiweMessage } from 'viem/siwe';
import { badRequest, unauthorized } from '../errors.ts';
import type { AuthRepository } from '../repositories/auth.repository.ts';

const NONCE_TTL_MS = 10 * 60 * 1000;
const MAX_MESSAGE_LENGTH = 4096;

export interface AuthServiceOptions {
  /** Host (and port) clients reach the node at; a SIWE message for another domain is refused. */
  domain: string;
  chainId: number;
  sessionTtlMs: number;
  now?: () => number;
}

export interface LoginResult {
  token: string;
  address: string;
  expiresAt: number;
}

/** Sign-In with Ethereum (EIP-4361): single-use nonces, signed messages, hashed session tokens. */
export class AuthService {
  readonly #repository: AuthRepository;
  readonly #options: AuthServiceOptions;
  readonly #now: () => number;

  constructor(repository: AuthRepository, options: AuthServiceOptions) {
    this.#repository = repository;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get domain(): string {
    return this.#options.domain;
  }

  get chainId(): number {
    return this.#options.chainId;
  }

  async issueNonce(): Promise<{ nonce: string; expiresAt: number }> {
    const now = this.#now();
    const nonce = generateSiweNonce();
    await this.#repository.deleteExpiredNonces(now);
    await this.#repository.createNonce(nonce, now, now + NONCE_TTL_MS);
    return { nonce, expiresAt: now + NONCE_TTL_MS };
  }

  async login(message: string, signature: string): Promise<LoginResult> {
    if (message.length > MAX_MESSAGE_LENGTH) {
      throw badRequest(
        'invalid_siwe_message',
        `The sign-in message is longer than ${MAX_MESSAGE_LENGTH} characters`,
      );
    }
    if (!isHex(signature) || signature.length < 132) {
      throw badRequest(
        'invalid_signature',
        'The signature must be the 0x-prefixed hex signature of the message',
      );
    }
    const fields = parseSiweMessage(message);
    if (!fields.address || !fields.nonce || !fields.domain || !fields.chainId) {
      throw badRequest(
        'invalid_siwe_message',
        'The message is not an EIP-4361 sign-in message (it needs a domain, address, chain id and nonce)',
      );
    }
    const now = this.#now();
    if (fields.domain !== this.#options.domain) {
      throw unauthorized(
        `The message signs in to ${fields.domain}, but this node is ${this.#options.domain}`,
      );
    }
    if (fields.chainId !== this.#options.chainId) {
      throw unauthorized(
        `The message is for chain ${fields.chainId}; this node uses chain ${this.#options.chainId}`,
      );
    }
    if (!validateSiweMessage({ message: fields, time: new Date(now) })) {
      throw unauthorized(
        'The sign-in message has expired or is not valid yet; request a new nonce and sign again',
      );
    }
    const address = getAddress(fields.address);
    const valid = await verifyMessage({ address, message, signature }).catch(() => false);
    if (!valid)
      throw unauthorized('The signature does not match the message and address; sign the message again');
    // Consume the nonce only after the signature checks out, so a forged attempt cannot burn a nonce.
    if (!(await this.#repository.consumeNonce(fields.nonce, now))) {
      throw unauthorized(
        'The nonce was already used or has expired; request a new one from /api/v1/auth/nonce',
      );
    }
    const lowerAddress = address.toLowerCase();
    await this.#repository.ensureAccount(lowerAddress, now);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = Math.min(
      now + this.#options.sessionTtlMs,
      fields.expirationTime ? fields.expirationTime.getTime() : Number.MAX_SAFE_INTEGER,
    );
    await this.#repository.createSession(hashToken(token), lowerAddress, now, expiresAt);
    return { token, address: lowerAddress, expiresAt };
  }

  /** The signed-in address for a session token, or undefined. */
  async authenticate(token: string): Promise<string | undefined> {
    if (token.length > 100) return undefined;
    return (await this.#repository.findSession(hashToken(token), this.#now()))?.address;
  }

  async logout(token: string): Promise<void> {
    await this.#repository.revokeSession(hashToken(token), this.#now());
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
