import {
  type Address,
  encodeFunctionData,
  erc20Abi,
  type Hash,
  type Hex,
  parseAbi,
  parseSignature,
} from 'viem';
import { getBlock, getEip712Domain, readContract, signTypedData } from 'viem/actions';
import { ChainError } from '../../errors.ts';
import { sendContractTransaction } from './send-contract-transaction.ts';
import type { PaymentAuthorization, WalletClientLike } from './types.ts';

const noncesAbi = parseAbi(['function nonces(address owner) view returns (uint256)']);

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
    const [eip712, nonce, latest] = await Promise.all([
      getEip712Domain(client, { address: token }).catch((cause: unknown) => {
        throw new ChainError('transaction_reverted', `The token ${token} does not support permits`, {
          details: "Pay with authorize: 'approve' instead.",
          cause,
        });
      }),
      readContract(client, { address: token, abi: noncesAbi, functionName: 'nonces', args: [owner] }),
      getBlock(client),
    ]);
    const deadline = latest.timestamp + PERMIT_LIFETIME_SECONDS;
    // ERC-5267 lists every field but says which are in use (`fields` bits: name, version, chainId,
    // verifyingContract, salt); signing over an unused one (OpenZeppelin's zero salt) gives a
    // signature the token rejects, and the contract's try/permit would swallow that.
    const { name, version, chainId, verifyingContract, salt } = eip712.domain;
    const fields = Number.parseInt(eip712.fields, 16);
    const domain = {
      ...(fields & 0x01 ? { name } : {}),
      ...(fields & 0x02 ? { version } : {}),
      ...(fields & 0x04 ? { chainId } : {}),
      ...(fields & 0x08 ? { verifyingContract } : {}),
      ...(fields & 0x10 ? { salt } : {}),
    };
    const signature = await signTypedData(client, {
      account: client.account,
      domain,
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: { owner, spender, value: amount, nonce, deadline },
    });
    const { r, s, v, yParity } = parseSignature(signature);
    return { permit: { deadline, v: Number(v ?? BigInt(yParity + 27)), r, s } };
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
