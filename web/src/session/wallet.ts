import type { MessageSigner } from '@fairstream/sdk';
import { type Address, getAddress, type Hex, type TypedDataDefinition } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

/** A wallet the app can ask to sign: an injected EIP-1193 provider (MetaMask…) or a dev wallet. */
export interface Wallet extends MessageSigner {
  kind: 'injected' | 'dev';
  address: Address;
  /** EIP-1193 requests (transactions go through this). */
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
}

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
  }
}

const DEV_KEY = 'fairstream.devWalletKey';

export function injectedProvider(): Eip1193Provider | undefined {
  return window.ethereum;
}

/** Asks the injected wallet for an account (the wallet shows its own prompt). */
export async function connectInjected(provider: Eip1193Provider): Promise<Wallet> {
  const accounts = (await provider.request({ method: 'eth_requestAccounts' })) as string[];
  if (!accounts[0]) throw new Error('The wallet shared no account. Unlock it and try again.');
  const address = getAddress(accounts[0]);
  return {
    kind: 'injected',
    address,
    signMessage: async ({ message }) =>
      (await provider.request({ method: 'personal_sign', params: [toHexUtf8(message), address] })) as Hex,
    request: (args) => provider.request(args),
  };
}

/**
 * A wallet kept in this browser for dev chains only: its key lives in localStorage, which anyone
 * with access to this browser profile can read. Never for real money; the app says so.
 */
export function devWallet(rpcUrl: string, create: boolean): Wallet | undefined {
  let key = localStorage.getItem(DEV_KEY) as Hex | null;
  if (!key) {
    if (!create) return undefined;
    key = generatePrivateKey();
    localStorage.setItem(DEV_KEY, key);
  }
  const account = privateKeyToAccount(key);
  return {
    kind: 'dev',
    address: account.address,
    signMessage: ({ message }) => account.signMessage({ message }),
    request: async ({ method, params }) => {
      if (method === 'eth_accounts' || method === 'eth_requestAccounts') return [account.address];
      if (method === 'personal_sign') {
        const [data] = params as [Hex];
        return account.signMessage({ message: { raw: data } });
      }
      if (method === 'eth_signTypedData_v4') {
        const [, json] = params as [Address, string];
        return account.signTypedData(typedDataFromJson(json));
      }
      if (method === 'eth_sendTransaction') {
        const { sendDevTransaction } = await import('./dev-transactions.ts');
        return sendDevTransaction(rpcUrl, account, (params as [DevTransactionRequest])[0]);
      }
      return rpc(rpcUrl, method, params ?? []);
    },
  };
}

export interface DevTransactionRequest {
  to: Address;
  data?: Hex;
  value?: Hex;
}

export function forgetDevWallet() {
  localStorage.removeItem(DEV_KEY);
}

export async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string; data?: unknown } };
  // The revert data travels with the error, so a caller can say which contract error it was.
  if (body.error) throw Object.assign(new Error(body.error.message), { data: body.error.data });
  return body.result;
}

/**
 * eth_signTypedData_v4's JSON as viem signs it: integers of the message arrive as decimal strings
 * (JSON has no bigint) and become bigints by their declared type; the domain type is implied.
 */
export function typedDataFromJson(json: string): TypedDataDefinition {
  const { types, domain, primaryType, message } = JSON.parse(json) as {
    types: Record<string, { name: string; type: string }[]>;
    domain: Record<string, unknown>;
    primaryType: string;
    message: Record<string, unknown>;
  };
  const { EIP712Domain: _implied, ...rest } = types;
  const convert = (type: string, value: unknown): unknown => {
    if (type.endsWith(']')) {
      const inner = type.slice(0, type.lastIndexOf('['));
      return (value as unknown[]).map((item) => convert(inner, item));
    }
    if (/^u?int\d*$/.test(type)) return BigInt(value as string | number);
    const fields = rest[type];
    if (!fields) return value;
    const struct = value as Record<string, unknown>;
    return Object.fromEntries(fields.map((field) => [field.name, convert(field.type, struct[field.name])]));
  };
  return {
    domain: domain as TypedDataDefinition['domain'],
    types: rest,
    primaryType,
    message: convert(primaryType, message) as Record<string, unknown>,
  } as unknown as TypedDataDefinition;
}

function toHexUtf8(text: string): Hex {
  return `0x${Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
