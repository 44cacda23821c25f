import { createFairstreamClient, signIn, unwrap } from '@fairstream/sdk';
import { formatUnits } from 'viem';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import { loadAccount } from '../wallet.ts';

export const faucetHelp = `Usage: fairstream faucet

Dev chains only: funds your wallet with gas (ETH), FAIR and the test stablecoin (tUSD), once an hour.
`;

export async function faucet(args: string[], global: GlobalOptions): Promise<number> {
  if (args.length > 0) throw new CliError(`faucet takes no arguments.\n\n${faucetHelp}`);
  const account = await loadAccount(global.key, global.walletPath, global.log);
  const session = await signIn(createFairstreamClient({ baseUrl: global.api }), account);
  const client = createFairstreamClient({ baseUrl: global.api, token: session.token });
  global.log(`Asking the faucet to fund ${account.address}…`);
  const drip = unwrap(await client.POST('/api/v1/faucet'));
  if (global.json) {
    process.stdout.write(`${JSON.stringify(drip, null, 2)}\n`);
  } else {
    process.stdout.write(
      `Funded ${drip.address}: ${formatUnits(BigInt(drip.eth), 18)} ETH, ${formatUnits(BigInt(drip.fair), 18)} FAIR, ` +
        `${formatUnits(BigInt(drip.stablecoin), 6)} tUSD\n`,
    );
  }
  return 0;
}
