import { parseArgs } from 'node:util';
import { subscribe as subscribeOnChain } from '@fairstream/chain';
import { formatUnits } from 'viem';
import { CliError } from '../errors.ts';
import { connectWallet, onChain } from '../ledger.ts';
import type { GlobalOptions } from '../main.ts';

export const subscribeHelp = `Usage: fairstream subscribe [--periods N]

Pays for N subscription periods (default 1) in the chain's stablecoin from your wallet. Each period's
money goes, epoch by epoch, to the artists you actually listen to. Unstarted periods are refundable.
`;

export async function subscribe(args: string[], global: GlobalOptions): Promise<number> {
  const { values } = parseArgs({ args, options: { periods: { type: 'string', default: '1' } } });
  if (!/^\d{1,3}$/.test(values.periods) || Number(values.periods) < 1) {
    throw new CliError('--periods must be a whole number from 1 to 999');
  }
  const periods = Number(values.periods);
  const { account, wallet, deployment } = await connectWallet(global);
  global.log(`Subscribing ${account.address} for ${periods} period(s)…`);
  const result = await onChain('Subscribing', () => subscribeOnChain(wallet, { deployment, periods }));
  const summary = {
    subscriber: account.address,
    amount: result.amount.toString(),
    start: Number(result.start),
    end: Number(result.end),
    transaction: result.hash,
  };
  if (global.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    process.stdout.write(
      `Subscribed: paid ${formatUnits(result.amount, 6)} until ${new Date(Number(result.end) * 1000).toISOString()} (${result.hash})\n`,
    );
  }
  return 0;
}
