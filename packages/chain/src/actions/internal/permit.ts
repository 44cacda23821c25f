import { type Address, type Hex, parseAbi, parseSignature, type TypedDataDomain } from 'viem';
import { getEip712Domain, readContract } from 'viem/actions';
import { ChainError } from '../../errors.ts';
import type { PublicClientLike } from './types.ts';

/** EIP-2612's Permit struct, as signed with `signTypedData` (primary type `Permit`). */
export const PERMIT_TYPES = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

const noncesAbi = parseAbi(['function nonces(address owner) view returns (uint256)']);

/** What an EIP-2612 permit grants: `spender` may pull `value` of the owner's tokens until `deadline`. */
export type PermitMessage = {
  owner: Address;
  spender: Address;
  value: bigint;
  nonce: bigint;
  deadline: bigint;
};

/** The typed data a permit signature is over: sign it with `signTypedData`, check it with `recoverTypedDataAddress`. */
export function permitTypedData(domain: TypedDataDomain, message: PermitMessage) {
  return { domain, types: PERMIT_TYPES, primaryType: 'Permit', message } as const;
}

/** The owner's current permit nonce: the one the next permit must carry. */
export function readPermitNonce(client: PublicClientLike, token: Address, owner: Address): Promise<bigint> {
  return readContract(client, { address: token, abi: noncesAbi, functionName: 'nonces', args: [owner] });
}

/** A 65-byte signature as the (v, r, s) a `…WithPermit` contract function takes. */
export function permitSignatureParts(signature: Hex): { v: number; r: Hex; s: Hex } {
  const { r, s, v, yParity } = parseSignature(signature);
  return { v: Number(v ?? BigInt(yParity + 27)), r, s };
}

/**
 * The EIP-712 domain a permit for `token` is signed in, read from the token itself (ERC-5267) so it
 * works for any permit token. ERC-5267 lists every field but says which are in use (`fields` bits:
 * name, version, chainId, verifyingContract, salt); signing over an unused one (OpenZeppelin's zero
 * salt) gives a signature the token rejects, so only the fields in use are kept.
 */
export async function readPermitDomain(client: PublicClientLike, token: Address): Promise<TypedDataDomain> {
  const eip712 = await getEip712Domain(client, { address: token }).catch((cause: unknown) => {
    throw new ChainError('transaction_reverted', `The token ${token} does not support permits`, {
      details: "It has no ERC-5267 eip712Domain(); pay with authorize: 'approve' instead.",
      cause,
    });
  });
  const { name, version, chainId, verifyingContract, salt } = eip712.domain;
  const fields = Number.parseInt(eip712.fields, 16);
  return {
    ...(fields & 0x01 ? { name } : {}),
    ...(fields & 0x02 ? { version } : {}),
    ...(fields & 0x04 ? { chainId } : {}),
    ...(fields & 0x08 ? { verifyingContract } : {}),
    ...(fields & 0x10 ? { salt } : {}),
  };
}
