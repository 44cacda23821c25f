import type { Address, Hex, LocalAccount } from 'viem';
import { type FairstreamClient, unwrap } from './index.ts';
import type { paths } from './schema.ts';

/** GET /api/v1/subscriptions/terms: the price, the vault and what a permit is signed over. */
export type SubscriptionTerms =
  paths['/api/v1/subscriptions/terms']['get']['responses'][200]['content']['application/json'];

/** What signs the permit: a viem account (`privateKeyToAccount`, a JSON-RPC wallet's account). */
export type PermitSigner = Pick<LocalAccount, 'address' | 'signTypedData'>;

/** EIP-2612's Permit struct (the node's terms list the same). */
const PERMIT_TYPES = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

/** How long a permit signed by `subscribe` stays valid: it is used at once. */
const PERMIT_LIFETIME_SECONDS = 3600;

/**
 * Signs the EIP-2612 permit that pays for `periods` subscription periods: owner the signer, spender
 * the vault, value price × periods, in the stablecoin's own EIP-712 domain (all from the node's
 * terms), with the wallet's current permit nonce.
 */
export async function signSubscriptionPermit(
  signer: PermitSigner,
  terms: SubscriptionTerms,
  permit: { periods: number; nonce: bigint; deadline: number },
): Promise<Hex> {
  const { name, version, chainId, verifyingContract, salt } = terms.permit.domain;
  return signer.signTypedData({
    domain: {
      ...(name === undefined ? {} : { name }),
      ...(version === undefined ? {} : { version }),
      ...(chainId === undefined ? {} : { chainId }),
      ...(verifyingContract === undefined ? {} : { verifyingContract: verifyingContract as Address }),
      ...(salt === undefined ? {} : { salt: salt as Hex }),
    },
    types: PERMIT_TYPES,
    primaryType: 'Permit',
    message: {
      owner: signer.address,
      spender: terms.permit.spender as Address,
      value: BigInt(terms.pricePerPeriod) * BigInt(permit.periods),
      nonce: permit.nonce,
      deadline: BigInt(permit.deadline),
    },
  });
}

/**
 * Subscribes the signed-in wallet for `periods` periods without it paying gas: signs the permit for
 * exactly the price and posts it to the node, whose operator sends the transaction. `client` must
 * be signed in as `signer` (see `signIn`). Resolves with the node's answer once the subscription is
 * mined; refusals (too little stablecoin, a used permit) throw `FairstreamApiError`.
 */
export async function subscribe(
  client: FairstreamClient,
  signer: PermitSigner,
  options: { periods: number },
) {
  const terms = unwrap(await client.GET('/api/v1/subscriptions/terms'));
  const account = unwrap(
    await client.GET('/api/v1/accounts/{address}/subscription', {
      params: { path: { address: signer.address } },
    }),
  );
  // Deadlines are checked against chain time, which on a dev chain may run ahead of this clock.
  const deadline = Math.floor(terms.chainTime / 1000) + PERMIT_LIFETIME_SECONDS;
  const signature = await signSubscriptionPermit(signer, terms, {
    periods: options.periods,
    nonce: BigInt(account.permitNonce),
    deadline,
  });
  return unwrap(
    await client.POST('/api/v1/subscriptions', { body: { periods: options.periods, deadline, signature } }),
  );
}
