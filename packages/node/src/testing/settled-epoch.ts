import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fairstreamDevChain, faucet, subscribe } from '@fairstream/chain';
import type { TrackSplit } from '@fairstream/protocol';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { type Address, createWalletClient, http } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { type NodeConfig, resolveConfig } from '../config.ts';
import { type CreateNodeOptions, createNode, type FairstreamNode } from '../node.ts';
import { delegationBody, newSessionKey, type SessionKeyPair, signedReport } from './plays.ts';
import { filePart, multipart, newAccount, signIn } from './test-node.ts';

const exec = promisify(execFile);

/**
 * A node ready to settle epochs, as the settlement test and `fairstream verify`'s test need it: a real
 * node in-process (embedded chain, SQLite, blob store, media pipeline) with 10 s epochs on a temp data
 * folder; an artist's 5 s track split 60/25/15 between the artist, a producer and a singer; the artist
 * and two fans signed in, each with a delegated session key; both fans subscribed; and the wall clock
 * inside an epoch in which plays release real money.
 */
export interface SettlementFixture {
  /** The running node (a new one after `restart`). */
  readonly node: FairstreamNode;
  /** The node's HTTP origin, without a trailing slash, when started with `listen`. */
  readonly api: string;
  readonly artist: PrivateKeyAccount;
  readonly producer: PrivateKeyAccount;
  readonly singer: PrivateKeyAccount;
  readonly fans: readonly [PrivateKeyAccount, PrivateKeyAccount];
  /** Each signed-in account's session key, by address. */
  readonly keys: ReadonlyMap<string, SessionKeyPair>;
  readonly trackId: string;
  /** The track's split as the node stores it (recipients in ascending order). */
  readonly split: TrackSplit;
  readonly stablecoin: Address;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Closes the node and starts another on the same data folder. */
  restart(options?: Omit<CreateNodeOptions, 'logger'>): Promise<FairstreamNode>;
  /**
   * One counted-length play (3 s of the 5 s track) by each listener, all ending now; their play ids.
   * `appIds` names the app each listener's report comes from (null: none).
   */
  play(
    listeners: readonly PrivateKeyAccount[],
    options?: { appIds?: readonly (string | null)[] },
  ): Promise<string[]>;
  /** Moves chain time forward (journaled) and mines, so the epoch holding the plays closes now. */
  advanceChain(seconds: number): Promise<void>;
  /** The epoch that judged these plays, once they are all judged (they must settle together). */
  judgedIn(playIds: string[]): Promise<number>;
  close(): Promise<void>;
}

export async function startSettlementFixture(options: { listen?: boolean } = {}): Promise<SettlementFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fairstream-settlement-'));
  const config: NodeConfig = {
    ...resolveConfig({
      data: join(dataDir, 'node'),
      logLevel: 'silent',
      rpcPort: '0',
      ...(options.listen ? { port: '0' } : {}),
    }),
    epochSeconds: 10,
  };
  const start = async (createOptions: Omit<CreateNodeOptions, 'logger'> = {}) => {
    const started = await createNode(config, {
      ...createOptions,
      logger: pino({ level: process.env.FAIRSTREAM_TEST_LOG ?? 'silent' }),
    });
    if (options.listen) api = (await started.listen()).replace(/\/$/, '');
    return started;
  };
  let api = '';
  let node = await start();
  const inject = (request: InjectOptions) => node.app.inject(request);
  const artist = newAccount();
  const producer = newAccount();
  const singer = newAccount();
  const fans = [newAccount(), newAccount()] as const;
  const keys = new Map<string, SessionKeyPair>();

  try {
    const tokens = new Map<string, string>();
    for (const account of [artist, ...fans]) tokens.set(account.address, await signIn(node, account));
    const body = await multipart([
      { name: 'title', value: 'Settled' },
      {
        name: 'splits',
        value: JSON.stringify([
          { address: artist.address, percent: 60 },
          { address: producer.address, percent: 25 },
          { address: singer.address, percent: 15 },
        ]),
      },
      filePart('audio', 'settled.wav', await tone(dataDir, 5), 'audio/wav'),
    ]);
    const upload = await inject({
      method: 'POST',
      url: '/api/v1/tracks',
      payload: body.payload,
      headers: { ...body.headers, authorization: `Bearer ${tokens.get(artist.address)}` },
    });
    assert.equal(upload.statusCode, 202, upload.body);
    const trackId: string = upload.json().id;
    await node.worker?.idle();
    const track = await node.db
      .selectFrom('tracks')
      .select(['state', 'chain_track_id'])
      .where('id', '=', trackId)
      .executeTakeFirstOrThrow();
    assert.equal(track.state, 'ready');
    assert.ok(track.chain_track_id, 'registered on the ledger');
    const splits = await node.db
      .selectFrom('track_splits')
      .selectAll()
      .where('track_id', '=', trackId)
      .orderBy('address')
      .execute();
    const split = { recipients: splits.map((row) => row.address), sharesPpm: splits.map((row) => row.ppm) };

    const nonce = (await inject({ method: 'GET', url: '/api/v1/auth/nonce' })).json();
    for (const account of [artist, ...fans]) {
      const key = newSessionKey();
      keys.set(account.address, key);
      const response = await inject({
        method: 'POST',
        url: '/api/v1/auth/session-keys',
        headers: { authorization: `Bearer ${tokens.get(account.address)}` },
        payload: await delegationBody(account, key, nonce),
      });
      assert.equal(response.statusCode, 201, response.body);
    }
    const faucetWallet = node.ledger.faucetWallet;
    assert.ok(faucetWallet);
    let lastStart = 0n;
    for (const fan of fans) {
      await faucet(faucetWallet, { deployment: node.ledger.deployment, to: fan.address });
      const wallet = createWalletClient({
        account: fan,
        chain: fairstreamDevChain(node.ledger.rpcUrl, node.ledger.chainId),
        transport: http(node.ledger.rpcUrl),
      });
      lastStart = (await subscribe(wallet, { deployment: node.ledger.deployment, periods: 1 })).start;
    }
    // Plays are timed by the listener's clock and must start in an epoch that ends at least 8 s
    // after both subscriptions started, so each releases real money (5 tUSD / 30 days ≈ 1.9 units/s).
    const target = node.settlement!.epochAt(Number(lastStart) * 1000 + 8000);
    const wait = target.startsAt + 3100 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

    return {
      get node() {
        return node;
      },
      get api() {
        return api;
      },
      artist,
      producer,
      singer,
      fans,
      keys,
      trackId,
      split,
      stablecoin: node.ledger.deployment.contracts.TestStablecoin as Address,
      inject,
      async restart(createOptions = {}) {
        await node.close();
        node = await start(createOptions);
        return node;
      },
      async play(listeners, options = {}) {
        const endedAt = Date.now();
        const reports = listeners.map((listener, i) => {
          const key = keys.get(listener.address);
          assert.ok(key, `${listener.address} has a session key`);
          return signedReport(key, listener.address, trackId, {
            segments: [[0, 3000]],
            startedAt: endedAt - 3000,
            endedAt,
            appId: options.appIds?.[i] ?? null,
          });
        });
        const response = await inject({ method: 'POST', url: '/api/v1/plays', payload: { reports } });
        assert.equal(response.statusCode, 200, response.body);
        for (const result of response.json().results) assert.equal(result.status, 'accepted');
        return reports.map((report) => report.playId);
      },
      async advanceChain(seconds) {
        await node.ledger.publicClient.request({ method: 'evm_increaseTime', params: [seconds] } as never);
        await node.ledger.publicClient.request({ method: 'evm_mine', params: [] } as never);
      },
      async judgedIn(playIds) {
        const deadline = Date.now() + 60_000;
        for (;;) {
          const rows = await node.db
            .selectFrom('plays')
            .selectAll()
            .where('play_id', 'in', playIds)
            .execute();
          if (rows.length === playIds.length) {
            assert.equal(
              new Set(rows.map((row) => row.epoch)).size,
              1,
              'plays starting together settle together',
            );
            return rows[0]!.epoch;
          }
          assert.ok(Date.now() < deadline, 'plays were not judged in time');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      async close() {
        await node.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await node.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** A stereo 440 Hz WAV of `seconds`, made by ffmpeg. */
async function tone(dir: string, seconds: number): Promise<Buffer> {
  const path = join(dir, 'tone.wav');
  await exec('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `sine=frequency=440:duration=${seconds}:sample_rate=44100`, '-ac', '2', path],
  ]);
  return readFile(path);
}
