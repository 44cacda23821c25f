import type { Account, Chain, Client, Hash, Transport } from 'viem';

/** A client that signs and sends: the actions that write take one. */
export type WalletClientLike = Client<Transport, Chain | undefined, Account>;

/** A client that reads. */
export type PublicClientLike = Client<Transport, Chain | undefined>;

/** What every write action returns about its (last) transaction, once it is mined. */
export type TransactionResult = { hash: Hash; blockNumber: bigint; gasUsed: bigint };

/**
 * How a payment is authorized: `approve` sends an ERC-20 approval first when the allowance is short
 * (works with any token); `permit` signs an EIP-2612 permit and sends a single transaction (the token
 * must support EIP-2612, as FAIR and tUSD do).
 */
export type PaymentAuthorization = 'approve' | 'permit';
