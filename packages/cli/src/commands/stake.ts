import { stake as stakeOnChain } from '@fairstream/chain';
import { formatUnits, parseUnits } from 'viem';
import { CliError } from '../errors.ts';
import { connectWallet, onChain } from '../ledger.ts';
import type { GlobalOptions } from '../main.ts';

export const stakeHelp = `Usage: fairstream stake <amount>

Stakes <amount> FAIR (e.g. 100 or 2.5) from your wallet. Stakers earn the platform fee pro rata;
unstaking goes through a cooldown.
`;

export async function stake(args: string[], global: GlobalOptions): Promise<number> {
  const [text, ...extra] = args;
  if (!text || extra.length > 0) throw new CliError(`Give one amount of FAIR.\n\n${stakeHelp}`);
  const amount = parseFair(text);
  const { account, wallet, deployment } = await connectWallet(global);
  global.log(`Staking ${text} FAIR from ${account.address}…`);
  const result = await onChain('Staking', () =>
    stakeOnChain(wallet, { deployment, amount, authorize: 'permit' }),
  );
  if (global.json) {
    process.stdout.write(
      `${JSON.stringify({ staker: account.address, amount: amount.toString(), stake: result.stake.toString(), transaction: result.hash }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      `Staked ${text} FAIR; your stake is now ${formatUnits(result.stake, 18)} FAIR (${result.hash})\n`,
    );
  }
  return 0;
}

/** FAIR as typed by a person: a positive decimal with at most 18 decimals. */
export function parseFair(text: string): bigint {
  if (!/^\d{1,12}(\.\d{1,18})?$/.test(text)) {
    throw new CliError(`"${text}" is not an amount of FAIR: use a positive number such as 100 or 2.5`);
  }
  const amount = parseUnits(text, 18);
  if (amount === 0n) throw new CliError('The amount must be more than 0 FAIR');
  return amount;
}
