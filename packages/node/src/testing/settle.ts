import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fairstreamDevChain, faucet, subscribe } from '@fairstream/chain';
import { createWalletClient, http } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { generateTone } from '../media/fixtures.ts';
import type { FairstreamNode } from '../node.ts';
import { delegationBody, newSessionKey, signedReport } from './plays.ts';
import { filePart, multipart, newAccount, signIn } from './test-node.ts';

export interface SettledPlays {
  /** The track's owner: 60% of its split. */
  artist: PrivateKeyAccount;
  /** The other two recipients of the split (25% and 15%). */
  collaborators: [PrivateKeyAccount, PrivateKeyAccount];
  fans: PrivateKeyAccount[];
  trackId: string;
  /** The epoch that settled the fans' plays. */
  epoch: number;
}

/**
 * Real plays through a real settlement, as settlement.test.ts drives it: an artist uploads a track
 * split 60/25/15, fans get test money, subscribe and each play it once, the chain clock moves past
 * the epoch, and this resolves once that epoch has committed `state`. Start the node with short
 * epochs (`epochSeconds: 10`); with `settlement: { haltAt: 'claim' }` the node stops before pushing
 * the claims itself, so the payouts are published and still claimable. Test-only.
 */
export async function settlePlays(
  node: FairstreamNode,
  options: {
    state: 'claim' | 'done';
    fans?: number;
    artist?: PrivateKeyAccount;
    collaborators?: [PrivateKeyAccount, PrivateKeyAccount];
  },
): Promise<SettledPlays> {
  const inject = node.app.inject.bind(node.app);
  const artist = options.artist ?? newAccount();
  const collaborators = options.collaborators ?? [newAccount(), newAccount()];
  const fans = Array.from({ length: options.fans ?? 2 }, () => newAccount());
  const tokens = new Map<string, string>();
  for (const account of [artist, ...fans]) tokens.set(account.address, await signIn(node, account));

  const audio = await generateTone(join(node.config.dataDir, 'tmp', `settle-${artist.address}.wav`), {
    seconds: 5,
    channels: 2,
  });
  const body = await multipart([
    { name: 'title', value: 'Settled' },
    {
      name: 'splits',
      value: JSON.stringify([
        { address: artist.address, percent: 60 },
        { address: collaborators[0].address, percent: 25 },
        { address: collaborators[1].address, percent: 15 },
      ]),
    },
    filePart('audio', 'settled.wav', await readFile(audio), 'audio/wav'),
  ]);
  const upload = await inject({
    method: 'POST',
    url: '/api/v1/tracks',
    payload: body.payload,
    headers: { ...body.headers, authorization: `Bearer ${tokens.get(artist.address)}` },
  });
  if (upload.statusCode !== 202) throw new Error(`upload failed: ${upload.body}`);
  const trackId: string = upload.json().id;
  await node.worker?.idle();

  const nonce = (await inject({ method: 'GET', url: '/api/v1/auth/nonce' })).json();
  const keys = new Map<string, ReturnType<typeof newSessionKey>>();
  for (const fan of fans) {
    const key = newSessionKey();
    keys.set(fan.address, key);
    const response = await inject({
      method: 'POST',
      url: '/api/v1/auth/session-keys',
      headers: { authorization: `Bearer ${tokens.get(fan.address)}` },
      payload: await delegationBody(fan, key, nonce),
    });
    if (response.statusCode !== 201) throw new Error(`session key refused: ${response.body}`);
  }
  const { ledger } = node;
  if (!ledger.faucetWallet) throw new Error('settlePlays needs a dev chain (the faucet)');
  let lastStart = 0n;
  for (const fan of fans) {
    await faucet(ledger.faucetWallet, { deployment: ledger.deployment, to: fan.address });
    const wallet = createWalletClient({
      account: fan,
      chain: fairstreamDevChain(ledger.rpcUrl, ledger.chainId),
      transport: http(ledger.rpcUrl),
    });
    lastStart = (await subscribe(wallet, { deployment: ledger.deployment, periods: 1 })).start;
  }
  const settlement = node.settlement;
  if (!settlement) throw new Error('settlePlays needs a node that settles (role "all")');
  // Plays must start in an epoch that ends at least 8 s after the subscriptions started, so each
  // releases real money (5 tUSD / 30 days ≈ 1.9 units/s).
  const target = settlement.epochAt(Number(lastStart) * 1000 + 8000);
  const wait = target.startsAt + 3100 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

  const endedAt = Date.now();
  const reports = fans.map((fan) =>
    signedReport(keys.get(fan.address)!, fan.address, trackId, {
      segments: [[0, 3000]],
      startedAt: endedAt - 3000,
      endedAt,
    }),
  );
  const played = await inject({ method: 'POST', url: '/api/v1/plays', payload: { reports } });
  if (played.statusCode !== 200) throw new Error(`plays refused: ${played.body}`);
  // Move the chain clock past the epoch so it closes now.
  await ledger.publicClient.request({ method: 'evm_increaseTime', params: [15] } as never);
  await ledger.publicClient.request({ method: 'evm_mine', params: [] } as never);

  const deadline = Date.now() + 60_000;
  let epoch: number | undefined;
  for (;;) {
    const row = await node.db
      .selectFrom('plays')
      .select('epoch')
      .where('play_id', '=', reports[0]!.playId)
      .executeTakeFirst();
    epoch ??= row?.epoch;
    const state =
      epoch === undefined
        ? undefined
        : (await node.db.selectFrom('epochs').select('state').where('n', '=', epoch).executeTakeFirst())
            ?.state;
    if (epoch !== undefined && state === options.state)
      return { artist, collaborators, fans, trackId, epoch };
    if (Date.now() > deadline)
      throw new Error(`epoch ${epoch} did not reach '${options.state}' (it is '${state}')`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
