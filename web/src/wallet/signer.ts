import type { PermitSigner } from '@fairstream/sdk';
import { getTypesForEIP712Domain, type Hex, serializeTypedData, type TypedDataDefinition } from 'viem';
import type { Wallet } from '../session/wallet.ts';

/**
 * An EIP-712 signer over the session's wallet: eth_signTypedData_v4 with the JSON every wallet
 * takes (the domain's own type listed, integers as decimal strings). The dev wallet answers the
 * same request itself.
 */
export function typedDataSigner(wallet: Wallet): PermitSigner {
  const signTypedData = async (definition: TypedDataDefinition) => {
    const json = serializeTypedData({
      ...definition,
      types: { EIP712Domain: getTypesForEIP712Domain({ domain: definition.domain }), ...definition.types },
    } as unknown as TypedDataDefinition);
    return (await wallet.request({ method: 'eth_signTypedData_v4', params: [wallet.address, json] })) as Hex;
  };
  return { address: wallet.address, signTypedData: signTypedData as PermitSigner['signTypedData'] };
}
