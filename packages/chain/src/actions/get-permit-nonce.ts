import type { Address } from 'viem';
import type { ChainError } from '../errors.ts';
import { readPermitNonce } from './internal/permit.ts';
import type { PublicClientLike } from './internal/types.ts';

export type GetPermitNonceParameters = {
  /** An EIP-2612 token. */
  token: Address;
  owner: Address;
};

/** The nonce the owner's next permit must carry. */
export type GetPermitNonceReturnType = bigint;

export type GetPermitNonceErrorType = ChainError | Error;

/** Reads an owner's EIP-2612 permit nonce in a token (`nonces(owner)`). */
export async function getPermitNonce(
  client: PublicClientLike,
  parameters: GetPermitNonceParameters,
): Promise<GetPermitNonceReturnType> {
  return readPermitNonce(client, parameters.token, parameters.owner);
}
