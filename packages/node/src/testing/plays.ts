import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import {
  type PlaybackReport,
  reportSigningBytes,
  sessionKeyDelegationMessage,
  type UnsignedPlaybackReport,
} from '@fairstream/protocol';
import { getAddress } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';

/** A session key pair as a player holds it. */
export interface SessionKeyPair {
  /** 64 lower-case hex characters. */
  publicKey: string;
  privateKey: KeyObject;
}

export function newSessionKey(): SessionKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { publicKey: der.subarray(der.length - 32).toString('hex'), privateKey };
}

/** The body of POST /auth/session-keys, signed by the wallet. */
export async function delegationBody(
  account: PrivateKeyAccount,
  key: SessionKeyPair,
  node: { domain: string; chainId: number },
  times: { issuedAt?: number; expiresAt?: number } = {},
) {
  const issuedAt = times.issuedAt ?? Date.now();
  const expiresAt = times.expiresAt ?? issuedAt + 24 * 60 * 60 * 1000;
  const message = sessionKeyDelegationMessage({
    domain: node.domain,
    address: getAddress(account.address),
    sessionKey: key.publicKey,
    chainId: node.chainId,
    issuedAt,
    expiresAt,
  });
  return {
    sessionKey: key.publicKey,
    issuedAt,
    expiresAt,
    signature: await account.signMessage({ message }),
  };
}

export const reportId = () => randomBytes(12).toString('base64url');

/** A signed report of `seconds` heard from the start of the track, ending now. */
export function signedReport(
  key: SessionKeyPair,
  listener: string,
  trackId: string,
  overrides: Partial<UnsignedPlaybackReport> = {},
): PlaybackReport {
  const endedAt = Date.now();
  const unsigned: UnsignedPlaybackReport = {
    id: reportId(),
    playId: reportId(),
    trackId,
    listener: listener.toLowerCase(),
    sessionKey: key.publicKey,
    segments: [[0, 3000]],
    startedAt: endedAt - 3000,
    endedAt,
    source: 'api',
    appId: null,
    ...overrides,
  };
  return signReport(key, unsigned);
}

export function signReport(key: SessionKeyPair, unsigned: UnsignedPlaybackReport): PlaybackReport {
  return { ...unsigned, signature: sign(null, reportSigningBytes(unsigned), key.privateKey).toString('hex') };
}
