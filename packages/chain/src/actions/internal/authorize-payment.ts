import { type Address, encodeFunctionData, erc20Abi, type Hash, type Hex } from 'viem';
import { getBlock, readContract, signTypedData } from 'viem/actions';
import { permitSignatureParts, permitTypedData, readPermitDomain, readPermitNonce } from './permit.ts';
import { sendContractTransaction } from './send-contract-transaction.ts';
import type { PaymentAuthorization, WalletClientLike } from './types.ts';

/** How long a signed permit stays valid: it is used in the very next transaction. */
const PERMIT_LIFETIME_SECONDS = 3600n;

export type AuthorizePaymentParameters = {
  token: Address;
  /** The contract that will pull the tokens. */
  spender: Address;
  amount: bigint;
  authorize: PaymentAuthorization;
};

export type AuthorizePaymentReturnType = {
  /** The approval transaction, when one was needed. */
  approval?: Hash;
  /** The permit to pass to the `…WithPermit` function, when `authorize` is `permit`. */
  permit?: { deadline: bigint; v: number; r: Hex; s: Hex };
};

/**
 * Lets `spender` pull `amount` of `token` from the client's account: with an exact approval when the
 * allowance is short (none when it suffices), or by signing an EIP-2612 permit, read against the
 * token's own EIP-712 domain (ERC-5267) and nonce so it works for any permit token.
 */
export async function authorizePayment(
  client: WalletClientLike,
  parameters: AuthorizePaymentParameters,
): Promise<AuthorizePaymentReturnType> {
  const { token, spender, amount, authorize } = parameters;
  const owner = client.account.address;
  if (authorize === 'permit') {
    const [domain, nonce, latest] = await Promise.all([
      readPermitDomain(client, token),
      readPermitNonce(client, token, owner),
      getBlock(client),
    ]);
    const deadline = latest.timestamp + PERMIT_LIFETIME_SECONDS;
    const signature = await signTypedData(client, {
      account: client.account,
      ...permitTypedData(domain, { owner, spender, value: amount, nonce, deadline }),
    });
    return { permit: { deadline, ...permitSignatureParts(signature) } };
  }
  const allowance = await readContract(client, {
    address: token,
    abi: erc20Abi,
    functionName: 'allowance',
    args: [owner, spender],
  });
  if (allowance >= amount) return {};
  const receipt = await sendContractTransaction(client, {
    to: token,
    data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [spender, amount] }),
    description: `Approving ${spender} to spend ${amount} base units of ${token}`,
  });
  return { approval: receipt.transactionHash };
}
