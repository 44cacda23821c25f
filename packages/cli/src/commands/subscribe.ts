import { parseArgs } from 'node:util';
import { subscribe as subscribeOnChain } from '@fairstream/chain';
import { createFairstreamClient, signIn, subscribe as subscribeThroughNode } from '@fairstream/sdk';
import { formatUnits } from 'viem';
import { CliError } from '../errors.ts';
import { connectWallet, onChain } from '../ledger.ts';
import type { GlobalOptions } from '../main.ts';
import { loadAccount } from '../wallet.ts';

export const subscribeHelp = `Usage: fairstream subscribe [--periods N] [--via-node]

Pays for N subscription periods (default 1) in the chain's stablecoin from your wallet. Each period's
money goes, epoch by epoch, to the artists you actually listen to. Unstarted periods are refundable.

  --via-node  Your wallet needs no gas: it signs a permit for exactly the price, and the node relays
              it (POST /api/v1/subscriptions), paying the gas. Without it, your wallet sends the
              transaction itself and needs ETH for gas.
`;

export async function subscribe(args: string[], global: GlobalOptions): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { periods: { type: 'string', default: '1' }, 'via-node': { type: 'boolean', default: false } },
  });
  if (!/^\d{1,3}$/.test(values.periods) || Number(values.periods) < 1) {
    throw new CliError('--periods must be a whole number from 1 to 999');
  }
  const periods = Number(values.periods);
  const summary = values['via-node'] ? await viaNode(periods, global) : await fromWallet(periods, global);
  if (global.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    process.stdout.write(
      `Subscribed: paid ${formatUnits(BigInt(summary.amount), 6)} until ${new Date(summary.end * 1000).toISOString()} (${summary.transaction})\n`,
    );
  }
  return 0;
}

async function fromWallet(periods: number, global: GlobalOptions) {
  const { account, wallet, deployment } = await connectWallet(global);
  if ((await wallet.getBalance({ address: account.address })) === 0n) {
    throw new CliError(
      `${account.address} has no ETH to pay gas: pass --via-node to have the node relay a signed permit, or fund the wallet (\`fairstream faucet\` on dev chains)`,
    );
  }
  global.log(`Subscribing ${account.address} for ${periods} period(s)…`);
  const result = await onChain('Subscribing', () => subscribeOnChain(wallet, { deployment, periods }));
  return {
    subscriber: account.address,
    amount: result.amount.toString(),
    start: Number(result.start),
    end: Number(result.end),
    transaction: result.hash,
  };
}

async function viaNode(periods: number, global: GlobalOptions) {
  const account = await loadAccount(global.key, global.walletPath, global.log);
  const { token } = await signIn(createFairstreamClient({ baseUrl: global.api }), account);
  global.log(`Signing a permit for ${periods} period(s); the node relays it for ${account.address}…`);
  const result = await subscribeThroughNode(createFairstreamClient({ baseUrl: global.api, token }), account, {
    periods,
  });
  return {
    subscriber: account.address,
    amount: result.amount,
    start: result.startsAt / 1000,
    end: result.paidUntil / 1000,
    transaction: result.transaction,
  };
}
