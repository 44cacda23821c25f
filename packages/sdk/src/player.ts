import {
  type PlaybackReport,
  reportSigningBytes,
  sessionKeyDelegationMessage,
  type UnsignedPlaybackReport,
} from '@fairstream/protocol';
import { getAddress } from 'viem';
import { type FairstreamClient, type MessageSigner, unwrap } from './index.ts';

/**
 * What a player needs to report playback: an Ed25519 session key its wallet delegated once, and
 * reports signed with it. WebCrypto only, so browsers and Node share this code.
 */
export interface SessionKey {
  /** 64 lower-case hex characters. */
  publicKey: string;
  privateKey: WebCryptoKey;
}

type WebCryptoKey = InstanceType<typeof CryptoKey>;

export async function createSessionKey(): Promise<SessionKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as unknown as {
    publicKey: WebCryptoKey;
    privateKey: WebCryptoKey;
  };
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  return { publicKey: toHex(raw), privateKey: pair.privateKey };
}

/** Has the wallet delegate `key` to this node for `lifetimeMs` (default a day). */
export async function delegateSessionKey(
  client: FairstreamClient,
  signer: MessageSigner,
  key: SessionKey,
  lifetimeMs = 24 * 60 * 60 * 1000,
) {
  // The nonce endpoint names the domain and chain a signed message must carry.
  const { domain, chainId } = unwrap(await client.GET('/api/v1/auth/nonce'));
  const issuedAt = Date.now();
  const expiresAt = issuedAt + lifetimeMs;
  const message = sessionKeyDelegationMessage({
    domain,
    address: getAddress(signer.address),
    sessionKey: key.publicKey,
    chainId,
    issuedAt,
    expiresAt,
  });
  const signature = await signer.signMessage({ message });
  return unwrap(
    await client.POST('/api/v1/auth/session-keys', {
      body: { sessionKey: key.publicKey, issuedAt, expiresAt, signature },
    }),
  );
}

export async function signReport(key: SessionKey, unsigned: UnsignedPlaybackReport): Promise<PlaybackReport> {
  const signature = await crypto.subtle.sign(
    { name: 'Ed25519' },
    key.privateKey,
    new Uint8Array(reportSigningBytes(unsigned)),
  );
  return { ...unsigned, signature: toHex(new Uint8Array(signature)) };
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
