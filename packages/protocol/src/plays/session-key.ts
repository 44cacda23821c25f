/**
 * Session keys. At sign-in the listener's wallet signs (EIP-191 personal_sign) a delegation message
 * that names an Ed25519 key made by the client; that key then signs playback reports, so a listener
 * is not asked to approve a wallet prompt every few seconds. The node verifies the wallet signature
 * with viem against the message rebuilt from the fields (never against text the client sends), so
 * the message must be byte-for-byte the same everywhere: that is what this module fixes.
 */
import { getAddress, type Hex, isHex, verifyMessage } from 'viem';

/** A key may be delegated for at most 30 days: a lost device stops counting plays within a month. */
export const SESSION_KEY_MAX_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
export const SESSION_KEY_DELEGATION_VERSION = 'fairstream-session/1';

export interface SessionKeyDelegation {
  /** Host (and port) of the node, as in its sign-in (EIP-4361) messages, e.g. "127.0.0.1:4000". */
  domain: string;
  /** The listener's wallet address; any case (the message shows it EIP-55 checksummed). */
  address: string;
  /** Ed25519 public key, 64 lower-case hex characters, without 0x. */
  sessionKey: string;
  chainId: number;
  /** Unix ms. */
  issuedAt: number;
  /** Unix ms, after issuedAt and at most SESSION_KEY_MAX_LIFETIME_MS later. */
  expiresAt: number;
}

/** A delegation with the wallet's signature of its message: what proves that a session key is the listener's. */
export interface SignedSessionKeyDelegation extends SessionKeyDelegation {
  /** The wallet's EIP-191 personal_sign signature of sessionKeyDelegationMessage(fields), 0x hex. */
  signature: string;
}

export class SessionKeyError extends Error {
  override name = 'SessionKeyError';
}

const DOMAIN = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const SESSION_KEY = /^[0-9a-f]{64}$/;
/** The largest time a JavaScript Date holds: beyond it toISOString throws. */
const MAX_DATE_MS = 8.64e15;

const isDateMs = (value: number): boolean =>
  Number.isSafeInteger(value) && value >= 0 && value <= MAX_DATE_MS;

/**
 * The text the wallet signs, lines joined by "\n", no trailing newline:
 *
 * ```
 * {domain} asks you to delegate a Fairstream session key.
 *
 * This key signs your playback reports so that your plays count. It cannot move funds, sign
 * transactions or act for you anywhere else.       <- one line in the message
 *
 * Address: {EIP-55 address}
 * Session key: {64 hex}
 * Chain ID: {chainId}
 * Issued At: {issuedAt as ISO 8601 UTC, ms precision}
 * Expiration Time: {expiresAt as ISO 8601 UTC, ms precision}
 * Version: fairstream-session/1
 * ```
 *
 * The first line names the domain (as EIP-4361 does) so a key delegated to one node is useless on a
 * phishing copy; the second says plainly what the key can and cannot do, because that is what a
 * listener should read before signing. Throws SessionKeyError on fields the node would refuse.
 */
export function sessionKeyDelegationMessage(delegation: SessionKeyDelegation): string {
  const { domain, address, sessionKey, chainId, issuedAt, expiresAt } = delegation;
  if (typeof domain !== 'string' || !DOMAIN.test(domain)) {
    throw new SessionKeyError('domain must be a host name, optionally with :port (no scheme, no path)');
  }
  if (typeof address !== 'string' || !ADDRESS.test(address)) {
    throw new SessionKeyError('address must be a wallet address (0x and 40 hex digits)');
  }
  if (typeof sessionKey !== 'string' || !SESSION_KEY.test(sessionKey)) {
    throw new SessionKeyError('sessionKey must be an Ed25519 public key as 64 lower-case hex characters');
  }
  if (!Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new SessionKeyError('chainId must be a positive integer');
  }
  if (!isDateMs(issuedAt) || !isDateMs(expiresAt)) {
    throw new SessionKeyError('issuedAt and expiresAt must be Unix milliseconds');
  }
  if (expiresAt <= issuedAt) throw new SessionKeyError('expiresAt must be after issuedAt');
  if (expiresAt - issuedAt > SESSION_KEY_MAX_LIFETIME_MS) {
    throw new SessionKeyError('A session key may be delegated for at most 30 days');
  }
  return [
    `${domain} asks you to delegate a Fairstream session key.`,
    '',
    'This key signs your playback reports so that your plays count. It cannot move funds, sign transactions or act for you anywhere else.',
    '',
    // Lower-cased first: getAddress rejects a mixed-case address whose checksum is wrong, and the
    // checksum is for display here, not a check the listener asked for.
    `Address: ${getAddress(address.toLowerCase())}`,
    `Session key: ${sessionKey}`,
    `Chain ID: ${chainId}`,
    `Issued At: ${new Date(issuedAt).toISOString()}`,
    `Expiration Time: ${new Date(expiresAt).toISOString()}`,
    `Version: ${SESSION_KEY_DELEGATION_VERSION}`,
  ].join('\n');
}

const MESSAGE = new RegExp(
  [
    '^(?<domain>[^ ]+) asks you to delegate a Fairstream session key\\.',
    '',
    '[^\\n]*',
    '',
    'Address: (?<address>0x[0-9a-fA-F]{40})',
    'Session key: (?<sessionKey>[0-9a-f]{64})',
    'Chain ID: (?<chainId>[0-9]{1,16})',
    'Issued At: (?<issuedAt>[^\\n]+)',
    'Expiration Time: (?<expiresAt>[^\\n]+)',
    'Version: (?<version>[^\\n]+)$',
  ].join('\\n'),
);

/**
 * The fields of a delegation message (the address lower-cased), for text stored before its fields
 * were. Only text that sessionKeyDelegationMessage builds from those very fields is read; anything
 * else throws SessionKeyError.
 */
export function parseSessionKeyDelegationMessage(message: string): SessionKeyDelegation {
  const groups = MESSAGE.exec(message)?.groups;
  if (!groups) throw new SessionKeyError('Not a Fairstream session-key delegation message');
  if (groups.version !== SESSION_KEY_DELEGATION_VERSION) {
    throw new SessionKeyError(
      `Delegation message version ${groups.version} is not ${SESSION_KEY_DELEGATION_VERSION}`,
    );
  }
  const delegation: SessionKeyDelegation = {
    domain: groups.domain!,
    address: groups.address!.toLowerCase(),
    sessionKey: groups.sessionKey!,
    chainId: Number(groups.chainId),
    issuedAt: Date.parse(groups.issuedAt!),
    expiresAt: Date.parse(groups.expiresAt!),
  };
  if (sessionKeyDelegationMessage(delegation) !== message) {
    throw new SessionKeyError('The delegation message is not the text its own fields give');
  }
  return delegation;
}

/**
 * True when `signature` is the wallet's EIP-191 (personal_sign) signature of the message rebuilt
 * from the delegation's fields, by the address the delegation names. Pure (viem, no I/O), so
 * browsers verify delegations as the node does; false, never an exception, for malformed fields.
 */
export async function verifySessionKeyDelegation(delegation: SignedSessionKeyDelegation): Promise<boolean> {
  let message: string;
  try {
    message = sessionKeyDelegationMessage(delegation);
  } catch {
    return false;
  }
  if (typeof delegation.signature !== 'string' || !isHex(delegation.signature)) return false;
  return verifyMessage({
    address: getAddress(delegation.address.toLowerCase()),
    message,
    signature: delegation.signature as Hex,
  }).catch(() => false);
}

export type SessionKeyCoverage = 'covered' | 'not_yet_valid' | 'expired';

/**
 * Whether a delegation covers a report. A report is signed when its period ends, so its `endedAt`
 * must lie in [issuedAt, expiresAt): the node rejects a report ending at or after the expiry
 * ("session_key_expired"), and a report ending before the wallet delegated the key was not signed
 * under that delegation. The audio a report covers may have started before the delegation (a
 * listener who signs in mid-track), so `startedAt` is not compared.
 */
export function sessionKeyCoverage(
  delegation: Pick<SessionKeyDelegation, 'issuedAt' | 'expiresAt'>,
  report: { endedAt: number },
): SessionKeyCoverage {
  if (report.endedAt >= delegation.expiresAt) return 'expired';
  if (report.endedAt < delegation.issuedAt) return 'not_yet_valid';
  return 'covered';
}
