import { claimPayouts, withdrawOwed } from '@fairstream/chain';
import { createFairstreamClient, unwrap } from '@fairstream/sdk';
import { type Address, formatUnits, getAddress, type Hex } from 'viem';
import { CliError } from '../errors.ts';
import { connectWallet, onChain } from '../ledger.ts';
import type { GlobalOptions } from '../main.ts';
import { loadAccount } from '../wallet.ts';

export const claimHelp = `Usage: fairstream claim

Claims everything your wallet is owed by the payout distributor. The node names the newest epoch open
for claims and hands out your cumulative payout per token with its Merkle proof
(GET /api/v1/accounts/{address}/claims); tokens already fully claimed are skipped and the rest is
claimed from your wallet, which pays the gas (the money goes to your wallet). Then any balance left
owed by a payout the token refused to push is withdrawn.

The node pushes every payout itself once an epoch is final, so this is for when it has not (yet).
Nothing to claim is not an error: it says so and exits 0. --json prints what was claimed and withdrawn.
`;

type TokenAmount = { token: string; symbol: string; decimals: number; amount: string };

export async function claim(args: string[], global: GlobalOptions): Promise<number> {
  if (args.length > 0) throw new CliError(`claim takes no arguments.\n\n${claimHelp}`, 2);
  const account = await loadAccount(global.key, global.walletPath, global.log);
  global.log(`Looking up what ${account.address} can claim…`);
  const answer = unwrap(
    await createFairstreamClient({ baseUrl: global.api }).GET('/api/v1/accounts/{address}/claims', {
      params: { path: { address: account.address } },
    }),
  );
  const due = answer.claims.filter((entry) => BigInt(entry.claimable) > 0n);
  const owed = answer.owed.filter((entry) => BigInt(entry.amount) > 0n);
  const result = {
    address: account.address,
    epoch: answer.epoch,
    claimed: [] as (TokenAmount & { cumulativeAmount: string })[],
    /** Claimed, but the token refused the push: now owed, to withdraw later. */
    deferred: [] as TokenAmount[],
    withdrawn: [] as TokenAmount[],
    transactions: [] as string[],
    failures: [] as string[],
  };
  if (answer.epoch === null || (due.length === 0 && owed.length === 0)) {
    if (global.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${nothingToClaim(account.address, answer)}\n`);
    return 0;
  }

  const { wallet, deployment } = await connectWallet(global);
  if ((await wallet.getBalance({ address: account.address })) === 0n) {
    throw new CliError(
      `${account.address} has no ETH to pay the gas of a claim: fund it (\`fairstream faucet\` on dev chains), or wait: the node pushes every payout itself once an epoch is final`,
    );
  }
  const info = new Map(answer.claims.map((entry) => [entry.token, entry]));
  const named = (token: string, amount: bigint): TokenAmount => {
    const known = info.get(token.toLowerCase());
    return {
      token: token.toLowerCase(),
      symbol: known?.symbol ?? token,
      decimals: known?.decimals ?? 18,
      amount: amount.toString(),
    };
  };

  if (due.length > 0) {
    global.log(
      `Claiming ${due.map((entry) => money(entry, BigInt(entry.claimable))).join(' and ')} (epoch ${answer.epoch})…`,
    );
    const claimed = await onChain('Claiming', () =>
      claimPayouts(wallet, {
        deployment,
        epoch: BigInt(answer.epoch!),
        claims: due.map((entry) => ({
          account: getAddress(account.address),
          token: getAddress(entry.token),
          cumulativeAmount: BigInt(entry.cumulativeAmount),
          proof: entry.proof as Hex[],
        })),
      }),
    );
    result.transactions.push(...claimed.transactions.map((tx) => tx.hash));
    for (const paid of claimed.paid) {
      result.claimed.push({
        ...named(paid.token, paid.amount),
        cumulativeAmount: paid.cumulativeAmount.toString(),
      });
    }
    for (const deferred of claimed.deferred) result.deferred.push(named(deferred.token, deferred.amount));
  }

  // Balances owed before this run: the token refused an earlier push, and may accept now. (One
  // deferred just now would be refused again at once, so it waits for a later run.)
  for (const entry of owed) {
    global.log(`Withdrawing ${money(entry, BigInt(entry.amount))} owed from an earlier payout…`);
    try {
      const withdrawn = await onChain('Withdrawing', () =>
        withdrawOwed(wallet, { deployment, from: 'PayoutDistributor', token: entry.token as Address }),
      );
      result.transactions.push(withdrawn.hash);
      result.withdrawn.push(named(entry.token, withdrawn.amount));
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      result.failures.push(error.message);
    }
  }

  if (global.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else {
    const lines: string[] = [];
    if (result.claimed.length > 0) {
      lines.push(`Claimed for ${account.address} (epoch ${answer.epoch}):`);
      for (const entry of result.claimed) lines.push(`  ${money(entry, BigInt(entry.amount))}`);
    }
    for (const entry of result.deferred) {
      lines.push(
        `${money(entry, BigInt(entry.amount))} could not be pushed to your wallet (the token refused): it is owed to you; run \`fairstream claim\` again later to withdraw it`,
      );
    }
    for (const entry of result.withdrawn) lines.push(`Withdrew ${money(entry, BigInt(entry.amount))} owed`);
    if (result.transactions.length > 0) lines.push(`Transactions: ${result.transactions.join(', ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (result.failures.length > 0) {
    for (const failure of result.failures) global.log(`fairstream: ${failure}`);
    return 1;
  }
  return 0;
}

function money(entry: { symbol: string; decimals: number }, amount: bigint): string {
  return `${formatUnits(amount, entry.decimals)} ${entry.symbol}`;
}

function nothingToClaim(
  address: string,
  answer: { epoch: number | null; pending: { epoch: number; claimableAt: number } | null },
): string {
  const later = answer.pending
    ? ` Epoch ${answer.pending.epoch} opens for claims at ${new Date(answer.pending.claimableAt).toISOString()}.`
    : '';
  if (answer.epoch === null)
    return `Nothing to claim for ${address}: no epoch is open for claims yet.${later}`;
  return `Nothing to claim for ${address}: everything published up to epoch ${answer.epoch} is already paid.${later}`;
}
