import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildFanDropTree,
  ChainError,
  claimFanDrops,
  createFanDrop,
  FAN_DROP_DEFAULT_CLAIM_WINDOW_SECONDS,
  type FanDropPlan,
  fanDropClaims,
  fanDropsAbi,
  getFairBalance,
} from '@fairstream/chain';
import { fanDropShares } from '@fairstream/protocol';
import { createFairstreamClient, unwrap } from '@fairstream/sdk';
import { type Address, formatUnits, getAddress, type Hex } from 'viem';
import { CliError } from '../errors.ts';
import { connectWallet } from '../ledger.ts';
import type { GlobalOptions } from '../main.ts';
import { ProgressBar } from '../progress.ts';
import { signedInClient } from '../session.ts';
import { parseFair } from './stake.ts';

export const rewardFansHelp = `Usage: fairstream reward-fans --amount FAIR --top N [--since DATE] [--reason TEXT]
                            [--claim-days D] [--dry-run]
       fairstream reward-fans --resume FILE

Sends FAIR from your wallet to your top fans in one transaction (a Merkle drop), then pushes every
fan's part to their wallet, showing progress. Your top fans are the listeners with the most counted
plays summed over all your tracks (since DATE, YYYY-MM-DD in UTC; default: all time); each gets a
share of the amount in proportion to their counted plays, exactly (the shares add up to the amount).

A fan who chose not to be named among top fans is still rewarded but not named here; like any
payment on a public ledger, the reward itself is visible on-chain.

  --amount FAIR     what to give in total, e.g. 100 or 2.5 (you must hold it)
  --top N           how many fans, 1 to 10000
  --reason TEXT     shown to fans with the reward (default: "Top N fans by counted plays…")
  --claim-days D    how long fans can still claim a part the push missed (1 to 365, default 90);
                    after that you can take back what is left
  --dry-run         show who would get what, and send nothing
  --resume FILE     finish a drop that was interrupted (the file is written before anything is sent,
                    and named when a step fails)
`;

/** What is written to disk before anything is sent, so an interrupted drop can be finished. */
type DropFile = FanDropPlan;

const fair = (amount: bigint) => formatUnits(amount, 18);
const DEFAULT_CLAIM_DAYS = Number(FAN_DROP_DEFAULT_CLAIM_WINDOW_SECONDS / 86_400n);

export async function rewardFans(args: string[], global: GlobalOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      amount: { type: 'string' },
      top: { type: 'string' },
      since: { type: 'string' },
      reason: { type: 'string' },
      'claim-days': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      resume: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw new CliError(`Unexpected "${positionals[0]}".\n\n${rewardFansHelp}`);
  const { account, wallet, deployment, info } = await connectWallet(global);
  const fanDrops = deployment.contracts.FanDrops;
  if (!fanDrops) {
    throw new CliError("This node's chain has no FanDrops contract; ask its operator to add it");
  }

  let file: string;
  let drop: DropFile;
  if (values.resume !== undefined) {
    file = values.resume;
    drop = await readDropFile(file, account.address, info.chainId);
    global.log(`Resuming the drop of ${fair(BigInt(drop.total))} FAIR to ${drop.leaves.length} fans…`);
  } else {
    if (values.amount === undefined || values.top === undefined) {
      throw new CliError(`Give --amount FAIR and --top N.\n\n${rewardFansHelp}`);
    }
    const amount = parseFair(values.amount);
    const top = wholeNumber('--top', values.top, 1, 10_000);
    const since = values.since === undefined ? undefined : parseDate(values.since);
    const claimDays = wholeNumber('--claim-days', values['claim-days'] ?? String(DEFAULT_CLAIM_DAYS), 1, 365);
    const held = await getFairBalance(wallet, { deployment, address: account.address });
    if (held < amount) {
      throw new CliError(
        `You hold ${fair(held)} FAIR, less than the ${fair(amount)} FAIR to reward. Nothing was sent.`,
      );
    }

    const { client } = await signedInClient(global);
    const answer = unwrap(
      await client.GET('/api/v1/me/top-fans', {
        params: { query: { limit: top, ...(since === undefined ? {} : { since }) } },
      }),
    );
    const period = since === undefined ? 'all time' : `since ${values.since}`;
    if (answer.fans.length === 0) {
      throw new CliError(
        `No listener has a counted play on your tracks (${period}): there is no one to reward yet.`,
      );
    }
    const named = new Map(answer.fans.map((fan) => [fan.recipient.toLowerCase(), fan.address !== null]));
    const shares = fanDropShares(
      amount,
      answer.fans.map((fan) => ({ account: getAddress(fan.recipient), plays: fan.plays })),
    );
    const reason =
      values.reason ?? `Top ${shares.length} fans by counted plays (${period}): thank you for listening`;
    if (new TextEncoder().encode(reason).length > 256)
      throw new CliError('--reason may be at most 256 bytes');
    const tree = buildFanDropTree(
      shares.map((share) => ({ account: share.account as Address, amount: share.amount })),
    );
    drop = {
      format: 'fairstream-fan-drop/1',
      chainId: info.chainId,
      fanDrops,
      creator: account.address,
      reason,
      claimWindowSeconds: String(BigInt(claimDays) * 86_400n),
      since: since ?? null,
      notBefore: (await wallet.getBlockNumber({ cacheTime: 0 })).toString(),
      root: tree.root,
      total: tree.total.toString(),
      leaves: shares.map((share) => ({
        account: share.account as Address,
        amount: share.amount.toString(),
        plays: share.plays,
        named: named.get(share.account.toLowerCase()) ?? true,
      })),
      dropId: null,
      transactionHash: null,
      published: false,
      pushed: false,
    };
    printPlan(global, drop, answer.fans.length, values['dry-run'] === true);
    if (values['dry-run']) {
      if (global.json) process.stdout.write(`${JSON.stringify({ ...drop, dryRun: true }, null, 2)}\n`);
      return 0;
    }
    file = join(dirname(global.walletPath), 'drops', `${tree.root}.json`);
    await writeDropFile(file, drop);
  }

  const tree = buildFanDropTree(
    drop.leaves.map((leaf) => ({ account: leaf.account, amount: BigInt(leaf.amount) })),
  );
  if (tree.root !== drop.root || tree.total !== BigInt(drop.total)) {
    throw new CliError(
      `The drop file ${file} does not add up (its leaves do not make its root); it was edited`,
    );
  }
  const step = async <T>(what: string, action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      const reason = error instanceof ChainError ? error.message : (error as Error).message;
      throw new CliError(
        `${what} failed: ${reason}\nNothing is lost: finish it with \`fairstream reward-fans --resume ${file}\``,
      );
    }
  };

  // 1. The drop on-chain (found again when an interrupted run already sent it).
  if (drop.dropId === null) {
    const sent = await step('Finding the drop on-chain', () => findDrop(wallet, drop));
    if (sent) {
      drop.dropId = sent.dropId;
      drop.transactionHash = sent.transactionHash;
    } else {
      global.log(`Funding the drop: ${fair(tree.total)} FAIR from ${account.address}…`);
      const created = await step('Creating the drop', () =>
        createFanDrop(wallet, {
          deployment,
          tree,
          reason: drop.reason,
          claimWindowSeconds: BigInt(drop.claimWindowSeconds),
          authorize: 'permit',
        }),
      ).catch((error: CliError) => {
        const poor = /InsufficientBalance\((\d+), (\d+)\)/.exec(error.message);
        if (poor) {
          throw new CliError(
            `You hold ${fair(BigInt(poor[1]!))} FAIR, less than the ${fair(BigInt(poor[2]!))} FAIR to reward. Nothing was sent.`,
          );
        }
        throw error;
      });
      drop.dropId = created.dropId.toString();
      drop.transactionHash = created.hash;
    }
    await writeDropFile(file, drop);
  }
  const dropId = drop.dropId;
  const transactionHash = drop.transactionHash;
  if (dropId === null || transactionHash === null) throw new Error('the drop has no id after creation');

  // 2. The leaves, published on the node so every fan can find their proof.
  if (!drop.published) {
    await step('Publishing the drop on the node', async () =>
      unwrap(
        await createFairstreamClient({ baseUrl: global.api }).POST('/api/v1/drops', {
          body: {
            dropId,
            transactionHash,
            leaves: drop.leaves.map((leaf) => ({ account: leaf.account, amount: leaf.amount })),
          },
        }),
      ),
    );
    drop.published = true;
    await writeDropFile(file, drop);
  }

  // 3. Every fan's part, pushed (parts already paid are skipped by the contract).
  const progress = new ProgressBar();
  const pushed = await step('Pushing the rewards', () =>
    claimFanDrops(wallet, {
      deployment,
      dropId: BigInt(dropId),
      claims: fanDropClaims(tree),
      onProgress: (done, total) => progress.update('Pushing', done / total, `${done}/${total} fans`),
    }),
  );
  progress.done();
  drop.pushed = true;
  await writeDropFile(file, drop);

  if (global.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          dropId,
          root: drop.root,
          total: drop.total,
          recipients: drop.leaves.length,
          reason: drop.reason,
          transaction: transactionHash,
          pushTransactions: pushed.transactions.map((transaction) => transaction.hash),
          paid: pushed.paid.map((paid) => ({ account: paid.account, amount: paid.amount.toString() })),
          file,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    process.stdout.write(
      `Rewarded ${drop.leaves.length} fans with ${fair(tree.total)} FAIR in drop ${dropId} (${transactionHash}); ` +
        `pushed ${pushed.paid.length} part(s) in ${pushed.transactions.length} transaction(s). ` +
        `Each fan sees it at /api/v1/accounts/<address>/drops.\n`,
    );
  }
  return 0;
}

function printPlan(global: GlobalOptions, drop: DropFile, listed: number, dryRun: boolean) {
  const lines = drop.leaves.slice(0, 10).map((leaf, i) => {
    const who = leaf.named ? leaf.account : '(a fan who chose not to be named)';
    const plays = `${leaf.plays} ${leaf.plays === 1 ? 'play' : 'plays'}`;
    return `  #${String(i + 1).padEnd(4)} ${who.padEnd(42)} ${plays.padStart(12)}  ${fair(BigInt(leaf.amount))} FAIR`;
  });
  if (drop.leaves.length > 10) lines.push(`  … and ${drop.leaves.length - 10} more`);
  if (listed > drop.leaves.length) {
    lines.push(
      `  (${listed - drop.leaves.length} fan(s) with too small a share to receive a whole base unit are left out)`,
    );
  }
  global.log(
    `${dryRun ? 'Would reward (dry run, nothing sent)' : 'Rewarding'} ${drop.leaves.length} fans with ${fair(BigInt(drop.total))} FAIR by counted plays:\n${lines.join('\n')}`,
  );
}

/** An earlier run's DropCreated for this root, from this creator, sent after the plan was saved. */
async function findDrop(
  wallet: Awaited<ReturnType<typeof connectWallet>>['wallet'],
  drop: DropFile,
): Promise<{ dropId: string; transactionHash: Hex } | undefined> {
  const events = await wallet.getContractEvents({
    address: drop.fanDrops,
    abi: fanDropsAbi,
    eventName: 'DropCreated',
    args: { creator: drop.creator },
    fromBlock: BigInt(drop.notBefore),
  });
  const found = events.find((event) => event.args.root?.toLowerCase() === drop.root.toLowerCase());
  return found?.args.dropId === undefined
    ? undefined
    : { dropId: found.args.dropId.toString(), transactionHash: found.transactionHash };
}

async function readDropFile(file: string, creator: Address, chainId: number): Promise<DropFile> {
  let drop: DropFile;
  try {
    drop = JSON.parse(await readFile(file, 'utf8')) as DropFile;
  } catch (error) {
    throw new CliError(`Cannot read the drop file ${file}: ${(error as Error).message}`);
  }
  if (drop.format !== 'fairstream-fan-drop/1') throw new CliError(`${file} is not a fan drop file`);
  if (drop.creator.toLowerCase() !== creator.toLowerCase()) {
    throw new CliError(`${file} is a drop of ${drop.creator}; resume it with that wallet (--key)`);
  }
  if (drop.chainId !== chainId) {
    throw new CliError(`${file} is a drop on chain ${drop.chainId}, but the node runs chain ${chainId}`);
  }
  return drop;
}

/** Written whole or not at all (temp file, fsync, rename): a kill never leaves half a plan. */
async function writeDropFile(file: string, drop: DropFile): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(drop, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  if (!/^\d{1,6}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return Number(text);
}

function parseDate(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const at = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== text) {
    throw new CliError(`--since must be a date as YYYY-MM-DD (UTC), not "${text}"`);
  }
  if (at > Date.now()) throw new CliError(`--since ${text} is in the future`);
  return at;
}
