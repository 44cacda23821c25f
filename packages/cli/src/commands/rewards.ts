import { createFairstreamClient, unwrap } from '@fairstream/sdk';
import { formatUnits } from 'viem';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import { signedInClient } from '../session.ts';
import { table } from '../table.ts';
import { loadAccount } from '../wallet.ts';

export const rewardsHelp = `Usage: fairstream rewards [ADDRESS]

Fan rewards (challenges) an address earned: per award the epoch that paid it, the rule, its period,
the FAIR amount, paid or pending, and the reason. Awards are made only when an epoch settles (in
which the account has counted plays), never on request; \`fairstream verify\` rechecks them.
Without ADDRESS: your wallet's rewards, and how far you are toward each rule (you are signed in).
The rules, amounts and caps: GET /api/v1/rules. --json prints the node's answers as they are.
`;

const FAIR_DECIMALS = 18;

export async function rewards(args: string[], global: GlobalOptions): Promise<number> {
  const flags = args.filter((arg) => arg.startsWith('-'));
  if (flags.length > 0) throw new CliError(`Unknown option ${flags[0]}.\n\n${rewardsHelp}`, 2);
  if (args.length > 1) throw new CliError(`rewards takes at most one address.\n\n${rewardsHelp}`, 2);
  const own = args[0] === undefined;
  const address = args[0] ?? (await loadAccount(global.key, global.walletPath, global.log)).address;
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw new CliError(`"${address}" is not an address (0x followed by 40 hex digits).`, 2);
  }
  const client = createFairstreamClient({ baseUrl: global.api });
  const awards = unwrap(
    await client.GET('/api/v1/accounts/{address}/rewards', { params: { path: { address } } }),
  );
  const progress = own
    ? unwrap(await (await signedInClient(global)).client.GET('/api/v1/me/rewards/progress'))
    : undefined;
  if (global.json) {
    process.stdout.write(`${JSON.stringify({ rewards: awards, ...(progress && { progress }) }, null, 2)}\n`);
    return 0;
  }
  const fair = (amount: string) => formatUnits(BigInt(amount), FAIR_DECIMALS);
  if (awards.items.length === 0) {
    process.stdout.write(`${awards.address} has no fan rewards yet.\n`);
  } else {
    const rows = awards.items.map((item) => [
      String(item.epoch),
      item.title,
      item.period,
      fair(item.amount),
      item.status,
      item.reason,
    ]);
    process.stdout.write(
      `Fan rewards of ${awards.address}\n\n${table(['EPOCH', 'RULE', 'PERIOD', 'FAIR', 'STATUS', 'REASON'], rows)}\n`,
    );
    const { amount, paid, pending } = awards.totals;
    process.stdout.write(`\nTotal ${fair(amount)} FAIR: ${fair(paid)} paid, ${fair(pending)} pending.\n`);
  }
  if (progress) {
    const rows = progress.rules.map((rule) => [
      rule.title,
      fair(rule.amount),
      rule.earned ? 'yes' : 'no',
      rule.progress ? `${rule.progress.current}/${rule.progress.target}` : '-',
      rule.detail,
    ]);
    process.stdout.write(
      `\nProgress\n\n${table(['RULE', 'FAIR', 'EARNED', 'PROGRESS', ''], rows)}\n\n${progress.note}\n`,
    );
  }
  return 0;
}
