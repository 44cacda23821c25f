// Pure and browser-safe.
import type { Address } from 'viem';
import { keccak256Bytes } from './keccak.ts';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const hexDigits = new Uint8Array(40);
const out = new Array<number>(42);

/**
 * The EIP-55 checksummed form of a 0x address, like viem's getAddress, with the bulk keccak: viem
 * caches 8,192 addresses and hashes in JavaScript (~6 µs), which dominates settling an epoch with a
 * few hundred thousand recipients. Throws on anything that is not 20 bytes of hex.
 */
export function checksumAddress(address: string): Address {
  if (!ADDRESS.test(address)) throw new Error(`Not an address: "${String(address).slice(0, 50)}"`);
  for (let i = 0; i < 40; i++) hexDigits[i] = address.charCodeAt(i + 2) | 0x20; // lower case
  const hash = keccak256Bytes(hexDigits);
  out[0] = 48; // '0'
  out[1] = 120; // 'x'
  for (let i = 0; i < 40; i++) {
    const nibble = i % 2 === 0 ? hash[i >> 1]! >> 4 : hash[i >> 1]! & 0x0f;
    const code = hexDigits[i]!;
    out[i + 2] = nibble >= 8 && code >= 97 ? code - 32 : code;
  }
  return String.fromCharCode(...out) as Address;
}
