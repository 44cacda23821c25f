import { createFairstreamClient, type FairstreamClient, signIn } from '@fairstream/sdk';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { GlobalOptions } from './main.ts';
import { loadAccount } from './wallet.ts';

/** Signs in with the wallet (--key, or the local one) and returns a client carrying the session. */
export async function signedInClient(
  global: GlobalOptions,
): Promise<{ account: PrivateKeyAccount; client: FairstreamClient }> {
  const account = await loadAccount(global.key, global.walletPath, global.log);
  const session = await signIn(createFairstreamClient({ baseUrl: global.api }), account);
  return { account, client: createFairstreamClient({ baseUrl: global.api, token: session.token }) };
}

/** How a person is named on the terminal: @handle (0x…) or just the address. */
export function personName(user: {
  address: string;
  handle: string | null;
  displayName?: string | null;
}): string {
  const name = user.displayName ? `${user.displayName} ` : '';
  return user.handle ? `${name}@${user.handle} (${user.address})` : `${name}${user.address}`;
}
