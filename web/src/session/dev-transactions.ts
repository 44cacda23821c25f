import type { Hex, LocalAccount } from 'viem';
import { type DevTransactionRequest, rpc } from './wallet.ts';

/** Signs and sends a transaction from the dev wallet through the chain's JSON-RPC; returns its hash. */
export async function sendDevTransaction(
  rpcUrl: string,
  account: LocalAccount,
  request: DevTransactionRequest,
): Promise<Hex> {
  const [chainIdHex, nonceHex, gasPriceHex] = (await Promise.all([
    rpc(rpcUrl, 'eth_chainId', []),
    rpc(rpcUrl, 'eth_getTransactionCount', [account.address, 'pending']),
    rpc(rpcUrl, 'eth_gasPrice', []),
  ])) as [Hex, Hex, Hex];
  const gas = (await rpc(rpcUrl, 'eth_estimateGas', [
    { from: account.address, to: request.to, data: request.data, value: request.value },
  ])) as Hex;
  const signed = await account.signTransaction!({
    chainId: Number(chainIdHex),
    nonce: Number(nonceHex),
    to: request.to,
    data: request.data,
    value: request.value ? BigInt(request.value) : 0n,
    gas: (BigInt(gas) * 12n) / 10n,
    gasPrice: BigInt(gasPriceHex),
    type: 'legacy',
  });
  return (await rpc(rpcUrl, 'eth_sendRawTransaction', [signed])) as Hex;
}
