import { parseArgs } from 'node:util';
import { tip as tipOnChain } from '@fairstream/chain';
import { createFairstreamClient, unwrap } from '@fairstream/sdk';
import { type Address, formatUnits, type Hex, parseUnits } from 'viem';
import { CliError } from '../errors.ts';
import { connectWallet, onChain } from '../ledger.ts';
import type { GlobalOptions } from '../main.ts';

export const tipHelp = `Usage: fairstream tip <trackId> <amount> [--token fair|usd]

Tips a track: the amount (e.g. 5 or 2.5) goes at once to the track's collaborators by its split,
from your wallet, in FAIR (default) or the stablecoin.
`;

const TOKENS = {
  fair: { contract: 'FairToken', decimals: 18, symbol: 'FAIR' },
  usd: { contract: 'TestStablecoin', decimals: 6, symbol: 'tUSD' },
} as const;

export async function tip(args: string[], global: GlobalOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { token: { type: 'string', default: 'fair' } },
  });
  const [trackId, text, ...extra] = positionals;
  if (!trackId || !text || extra.length > 0)
    throw new CliError(`Give a track id and an amount.\n\n${tipHelp}`);
  if (values.token !== 'fair' && values.token !== 'usd') throw new CliError('--token must be fair or usd');
  const token = TOKENS[values.token];
  if (!/^\d{1,12}(\.\d{1,18})?$/.test(text) || parseUnits(text, token.decimals) === 0n) {
    throw new CliError(`"${text}" is not an amount to tip: use a positive number such as 5 or 2.5`);
  }
  const amount = parseUnits(text, token.decimals);

  const track = unwrap(
    await createFairstreamClient({ baseUrl: global.api }).GET('/api/v1/tracks/{id}', {
      params: { path: { id: trackId } },
    }),
  );
  if (!track.ledger)
    throw new CliError(`Track ${trackId} is not on the ledger yet; try again once it is ready`);
  const { account, wallet, deployment, info } = await connectWallet(global);
  const tokenAddress = info.contracts[token.contract] as Address | undefined;
  if (!tokenAddress) throw new CliError(`This chain has no ${token.symbol}`);
  global.log(`Tipping "${track.title}" ${text} ${token.symbol} from ${account.address}…`);
  const result = await onChain('Tipping', () =>
    tipOnChain(wallet, {
      deployment,
      trackId: track.ledger!.trackId as Hex,
      token: tokenAddress,
      amount,
      authorize: 'permit',
    }),
  );
  const paid = result.paid.map((part) => ({ recipient: part.recipient, amount: part.amount.toString() }));
  if (global.json) {
    process.stdout.write(
      `${JSON.stringify({ trackId, token: tokenAddress, amount: amount.toString(), paid, transaction: result.hash }, null, 2)}\n`,
    );
  } else {
    const lines = result.paid.map(
      (part) => `  ${part.recipient}  ${formatUnits(part.amount, token.decimals)} ${token.symbol}`,
    );
    process.stdout.write(`Tipped ${text} ${token.symbol} (${result.hash}):\n${lines.join('\n')}\n`);
  }
  return 0;
}
