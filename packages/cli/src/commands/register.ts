import { parseArgs } from 'node:util';
import { ChainError, registerTrack } from '@fairstream/chain';
import {
  createFairstreamClient,
  FairstreamApiError,
  signIn,
  type TrackRegistration,
  unwrap,
} from '@fairstream/sdk';
import type { Address, Hex } from 'viem';
import { CliError } from '../errors.ts';
import { connectWallet } from '../ledger.ts';
import type { GlobalOptions } from '../main.ts';

export const registerHelp = `Usage: fairstream register <trackId>

Registers your track in TrackRegistry from your own wallet (you pay the gas), with the exact
arguments the node gives for it: its ledger id, the digest of its audio, its access rule and its
split. A track uploaded with --register-self waits in its register stage until this transaction is
on the ledger; the node then checks the entry and publishes the track. Already registered with the
same arguments: says so and sends nothing.

On a dev chain, \`fairstream faucet\` gives your wallet the gas.
`;

export async function register(args: string[], global: GlobalOptions): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [trackId, ...extra] = positionals;
  if (!trackId || extra.length > 0) {
    throw new CliError(`Give one track id.\n\n${registerHelp}`);
  }
  const result = await registerFromWallet(global, trackId);
  if (global.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (result.transaction === null) {
    process.stdout.write(
      `Track ${trackId} is already registered on the ledger (${result.ledgerTrackId}) with its split and access rule; nothing to send.\n`,
    );
  } else {
    process.stdout.write(
      `Registered track ${trackId} on the ledger as ${result.ledgerTrackId} (transaction ${result.transaction}); the node publishes it once it sees the entry.\n`,
    );
  }
  return 0;
}

export interface SelfRegistration {
  trackId: string;
  ledgerTrackId: string;
  owner: string;
  /** Null when a matching entry was already on the ledger and nothing was sent. */
  transaction: Hex | null;
}

/**
 * Sends TrackRegistry.register from the user's wallet with the arguments the node gives for the
 * track. Everything that can be checked is checked before sending (the owner is this wallet, the
 * ledger holds no other entry, the wallet has gas), so a refusal costs nothing.
 */
export async function registerFromWallet(
  global: GlobalOptions,
  trackId: string,
  session?: { token: string },
): Promise<SelfRegistration> {
  const { account, wallet, deployment, info } = await connectWallet(global);
  const token =
    session?.token ?? (await signIn(createFairstreamClient({ baseUrl: global.api }), account)).token;
  const client = createFairstreamClient({ baseUrl: global.api, token });
  let registration: TrackRegistration;
  try {
    registration = unwrap(
      await client.GET('/api/v1/tracks/{id}/registration', { params: { path: { id: trackId } } }),
    );
  } catch (error) {
    if (error instanceof FairstreamApiError && error.status === 404) {
      throw new CliError(
        `Track ${trackId} was not found among the tracks of ${account.address}; check the id, or pass --key of the wallet that uploaded it`,
      );
    }
    if (error instanceof FairstreamApiError && error.status === 403) {
      throw new CliError(`${error.message} (this wallet is ${account.address}); nothing was sent`);
    }
    throw error;
  }
  if (registration.owner.toLowerCase() !== account.address.toLowerCase()) {
    throw new CliError(
      `Track ${trackId} belongs to ${registration.owner}, not to this wallet ${account.address}; only its owner registers it (pass that wallet's --key). Nothing was sent`,
    );
  }
  const done = { trackId, ledgerTrackId: registration.ledgerTrackId, owner: registration.owner };
  if (registration.registered) {
    if (registration.mismatches.length === 0) return { ...done, transaction: null };
    const fields = registration.mismatches
      .map((m) => `${m.field} (ledger: ${m.ledger}; track: ${m.track})`)
      .join('; ');
    throw new CliError(
      `Track ${trackId} is already registered on the ledger as ${registration.ledgerTrackId}, but not as the track says: ${fields}. ` +
        'A ledger entry cannot change: delete the track and upload the audio again (it gets a new ledger id)',
    );
  }
  const noGas = () =>
    new CliError(
      `Your wallet ${account.address} has no ETH to pay the gas of the registration` +
        (info.devChain
          ? `: run \`fairstream faucet\`, then \`fairstream register ${trackId}\``
          : ` on chain ${info.chainId}: fund it, then run \`fairstream register ${trackId}\``),
    );
  if ((await wallet.getBalance({ address: account.address })) === 0n) throw noGas();
  global.log(`Registering track ${trackId} on the ledger from ${account.address}…`);
  try {
    const result = await registerTrack(wallet, {
      deployment: { contracts: { ...deployment.contracts, TrackRegistry: registration.registry as Address } },
      trackId: registration.ledgerTrackId as Hex,
      metadataDigest: registration.metadataDigest as Hex,
      access: {
        kind: registration.access.kind,
        token: registration.access.token as Address,
        minBalance: BigInt(registration.access.minBalance),
      },
      recipients: registration.recipients as Address[],
      shares: registration.shares,
    });
    return { ...done, transaction: result.hash };
  } catch (error) {
    if (!(error instanceof ChainError)) throw error;
    if (/insufficient funds|exceeds the balance/i.test(error.message)) throw noGas();
    throw new CliError(
      `${error.message}\nRun \`fairstream register ${trackId}\` to check the ledger and try again`,
    );
  }
}
