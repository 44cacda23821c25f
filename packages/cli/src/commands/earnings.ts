import { createFairstreamClient, unwrap } from '@fairstream/sdk';
import { formatUnits } from 'viem';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import { table } from '../table.ts';
import { loadAccount } from '../wallet.ts';

export const earningsHelp = `Usage: fairstream earnings [ADDRESS]

What an address earned per settled epoch and track: counted plays of the track, the amount paid to
the address from it, paid (claimed) or pending, what a pro-rata pool would have paid instead, and
the effective rate per play (in base units). Then the totals per token.
ADDRESS defaults to your wallet's address. --json prints the node's answer as it is.
`;

/** FAIR has 18 decimals; the settlement stablecoin (tUSD on dev chains) has 6. */
const FAIR_DECIMALS = 18;
const STABLECOIN_DECIMALS = 6;

export async function earnings(args: string[], global: GlobalOptions): Promise<number> {
  const flags = args.filter((arg) => arg.startsWith('-'));
  if (flags.length > 0) throw new CliError(`Unknown option ${flags[0]}.\n\n${earningsHelp}`, 2);
  if (args.length > 1) throw new CliError(`earnings takes at most one address.\n\n${earningsHelp}`, 2);
  const address = args[0] ?? (await loadAccount(global.key, global.walletPath, global.log)).address;
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw new CliError(`"${address}" is not an address (0x followed by 40 hex digits).`, 2);
  }
  const client = createFairstreamClient({ baseUrl: global.api });
  const result = unwrap(
    await client.GET('/api/v1/accounts/{address}/earnings', { params: { path: { address } } }),
  );
  if (global.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const chain = unwrap(await client.GET('/api/v1/chain'));
  const fair = chain.contracts.FairToken?.toLowerCase();
  const symbol = (token: string) => (token === fair ? 'FAIR' : 'USD');
  const money = (token: string, amount: string) =>
    formatUnits(BigInt(amount), token === fair ? FAIR_DECIMALS : STABLECOIN_DECIMALS);

  if (result.items.length === 0) {
    process.stdout.write(`${result.address} has no earnings in settled epochs yet.\n`);
    return 0;
  }
  const header = ['EPOCH', 'TRACK', 'TOKEN', 'PLAYS', 'AMOUNT', 'STATUS', 'PRO-RATA', 'PER PLAY (units)'];
  const rows = result.items.map((item) => [
    String(item.epoch),
    item.title ? `${item.title} (${item.trackId})` : item.trackId,
    symbol(item.token),
    String(item.countedPlays),
    money(item.token, item.amount),
    item.status,
    item.proRata === null ? '-' : money(item.token, item.proRata),
    item.ratePerPlay,
  ]);
  process.stdout.write(`Earnings of ${result.address}\n\n${table(header, rows)}\n`);
  const totals = result.totals.map((total) => [
    symbol(total.token),
    money(total.token, total.amount),
    money(total.token, total.paid),
    money(total.token, total.pending),
    symbol(total.token) === 'FAIR' ? '-' : money(total.token, total.proRata),
  ]);
  process.stdout.write(`\nTotals\n\n${table(['TOKEN', 'EARNED', 'PAID', 'PENDING', 'PRO-RATA'], totals)}\n`);
  return 0;
}
