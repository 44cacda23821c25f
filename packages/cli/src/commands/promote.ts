import { parseArgs } from 'node:util';
import { ChainError, getPromotion, promoteTrack } from '@fairstream/chain';
import { createFairstreamClient, unwrap } from '@fairstream/sdk';
import { formatUnits, type Hex } from 'viem';
import { CliError } from '../errors.ts';
import { connectWallet } from '../ledger.ts';
import type { GlobalOptions } from '../main.ts';

export const promoteHelp = `Usage: fairstream promote <trackId> --days N

Promotes your track for N whole days (1 to 90) in a promoted slot of trending and search, always
labeled as promoted. It costs the published price per day in FAIR, paid from your wallet and burned
(it goes to no one). Buying while a promotion runs extends it from its end; a promotion may end at
most 90 days from now. The price is shown and paid at once: nothing is asked.

A promotion never changes counted plays or payouts.
`;

const fair = (amount: bigint) => formatUnits(amount, 18);

export async function promote(args: string[], global: GlobalOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { days: { type: 'string' } },
  });
  const [trackId, ...extra] = positionals;
  if (!trackId || extra.length > 0 || values.days === undefined) {
    throw new CliError(`Give a track id and --days N.\n\n${promoteHelp}`);
  }
  if (!/^\d{1,3}$/.test(values.days) || Number(values.days) < 1 || Number(values.days) > 90) {
    throw new CliError(`--days must be a whole number of days from 1 to 90, not "${values.days}"`);
  }
  const days = BigInt(values.days);

  const track = unwrap(
    await createFairstreamClient({ baseUrl: global.api }).GET('/api/v1/tracks/{id}', {
      params: { path: { id: trackId } },
    }),
  );
  if (!track.ledger)
    throw new CliError(`Track ${trackId} is not on the ledger yet; promote it once it is ready`);
  const ledgerTrackId = track.ledger.trackId as Hex;
  const { account, wallet, deployment } = await connectWallet(global);
  const terms = await explained(() => getPromotion(wallet, { deployment, trackId: ledgerTrackId }));
  const cost = terms.pricePerDay * days;
  global.log(
    `Promoting "${track.title}" for ${days} day(s) at ${fair(terms.pricePerDay)} FAIR a day: ${fair(cost)} FAIR from ${account.address}, burned…`,
  );
  const result = await explained(() =>
    promoteTrack(wallet, {
      deployment,
      trackId: ledgerTrackId,
      days,
      maxAmount: cost,
      authorize: 'permit',
    }),
  );
  const endsAt = new Date(Number(result.endsAt) * 1000).toISOString();
  if (global.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          trackId,
          ledgerTrackId,
          days: Number(days),
          pricePerDay: terms.pricePerDay.toString(),
          amount: result.amount.toString(),
          startsAt: Number(result.startsAt) * 1000,
          endsAt: Number(result.endsAt) * 1000,
          transaction: result.hash,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const extended = terms.promoted ? ' (extending the running promotion)' : '';
    process.stdout.write(
      `Promoted "${track.title}" until ${endsAt}${extended} for ${fair(result.amount)} FAIR (${result.hash})\n`,
    );
  }
  return 0;
}

/** The contract's refusals, said as what to do. */
async function explained<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof ChainError)) throw error;
    const message = error.shortMessage;
    const owner = /NotTrackOwner\((0x[0-9a-fA-F]{64}), (0x[0-9a-fA-F]{40})\)/.exec(message);
    if (owner) {
      throw new CliError(
        `This track is not yours: only its owner can promote it (your wallet is ${owner[2]}). Nothing was paid.`,
      );
    }
    const poor = /InsufficientBalance\((\d+), (\d+)\)/.exec(message);
    if (poor) {
      throw new CliError(
        `Too little FAIR: the promotion costs ${fair(BigInt(poor[2]!))} FAIR and your wallet holds ${fair(BigInt(poor[1]!))} FAIR. Nothing was paid; promote for fewer days or get more FAIR.`,
      );
    }
    const tooFar = /PeriodTooLong\((\d+), (\d+)\)/.exec(message);
    if (tooFar) {
      throw new CliError(
        `A promotion may end at most 90 days from now (${new Date(Number(tooFar[2]) * 1000).toISOString()}); the running one already ends later than that allows. Buy fewer days.`,
      );
    }
    if (error.code === 'contract_missing') {
      throw new CliError(`${error.shortMessage}; ask the node's operator to add it`);
    }
    throw new CliError(`Promoting failed: ${error.message}`);
  }
}
