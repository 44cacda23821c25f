// `fairstream verify` against a real settled epoch: a real node in-process (embedded chain, SQLite,
// blob store, media pipeline, 10 s epochs) as in settlement.test.ts; two fans subscribe and play a
// track with a three-way split; once the epoch is settled and claimed, verify recomputes everything
// from the published data and the chain and exits 0. Served altered data (one payout amount changed)
// makes it exit 1 with a diff naming the digest and the amount.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fairstreamDevChain, faucet, subscribe } from '@fairstream/chain';
import { createNode, type FairstreamNode, type NodeConfig, resolveConfig } from '@fairstream/node';
import type { InjectOptions } from 'fastify';
import pino from 'pino';
import { createWalletClient, http } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import {
  delegationBody,
  newSessionKey,
  type SessionKeyPair,
  signedReport,
} from '../../node/src/testing/plays.ts';
import { filePart, multipart, newAccount, signIn } from '../../node/src/testing/test-node.ts';
import { type ListedEpoch, type VerifyHooks, verify } from './commands/verify.ts';
import type { GlobalOptions } from './main.ts';

const exec = promisify(execFile);
const dataDir = await mkdtemp(join(tmpdir(), 'fairstream-verify-'));
after(() => rm(dataDir, { recursive: true, force: true }));

async function tone(seconds: number): Promise<Buffer> {
  const path = join(dataDir, 'tone.wav');
  await exec('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `sine=frequency=440:duration=${seconds}:sample_rate=44100`, '-ac', '2', path],
  ]);
  return readFile(path);
}

describe('fairstream verify on a real settled epoch', () => {
  const config: NodeConfig = {
    ...resolveConfig({ data: join(dataDir, 'node'), logLevel: 'silent', rpcPort: '0', port: '0' }),
    epochSeconds: 10,
  };
  let node: FairstreamNode;
  let api: string;
  const artist = newAccount();
  const fans = [newAccount(), newAccount()] as const;
  const keys = new Map<string, SessionKeyPair>();
  let trackId: string;
  let settled: number;
  /** The epoch endpoints, or (if the node does not serve them yet) the node's database and blob store. */
  let source: VerifyHooks & Required<Pick<VerifyHooks, 'fetchEpochData'>>;

  const inject = (options: InjectOptions) => node.app.inject(options);

  async function run(args: string[], hooks: VerifyHooks = {}): Promise<{ code: number; output: string }> {
    let output = '';
    const global: GlobalOptions = { api, key: undefined, json: false, walletPath: '', log: () => {} };
    const code = await verify(args, global, {
      ...hooks,
      out: (text) => {
        output += text;
      },
    });
    return { code, output };
  }

  before(async () => {
    node = await createNode(config, { logger: pino({ level: process.env.FAIRSTREAM_TEST_LOG ?? 'silent' }) });
    api = (await node.listen()).replace(/\/$/, '');
    const tokens: Record<string, string> = {};
    for (const account of [artist, ...fans]) tokens[account.address] = await signIn(node, account);
    const body = await multipart([
      { name: 'title', value: 'Audited' },
      {
        name: 'splits',
        value: JSON.stringify([
          { address: artist.address, percent: 60 },
          { address: newAccount().address, percent: 25 },
          { address: newAccount().address, percent: 15 },
        ]),
      },
      filePart('audio', 'audited.wav', await tone(5), 'audio/wav'),
    ]);
    const upload = await inject({
      method: 'POST',
      url: '/api/v1/tracks',
      payload: body.payload,
      headers: { ...body.headers, authorization: `Bearer ${tokens[artist.address]}` },
    });
    assert.equal(upload.statusCode, 202, upload.body);
    trackId = upload.json().id;
    await node.worker?.idle();
    const nonce = (await inject({ method: 'GET', url: '/api/v1/auth/nonce' })).json();
    for (const account of fans) {
      const key = newSessionKey();
      keys.set(account.address, key);
      const response = await inject({
        method: 'POST',
        url: '/api/v1/auth/session-keys',
        headers: { authorization: `Bearer ${tokens[account.address]}` },
        payload: await delegationBody(account, key, nonce),
      });
      assert.equal(response.statusCode, 201, response.body);
    }
    assert.ok(node.ledger.faucetWallet);
    let lastStart = 0n;
    for (const fan of fans) {
      await faucet(node.ledger.faucetWallet, { deployment: node.ledger.deployment, to: fan.address });
      const wallet = createWalletClient({
        account: fan as PrivateKeyAccount,
        chain: fairstreamDevChain(node.ledger.rpcUrl, node.ledger.chainId),
        transport: http(node.ledger.rpcUrl),
      });
      lastStart = (await subscribe(wallet, { deployment: node.ledger.deployment, periods: 1 })).start;
    }
    const target = node.settlement!.epochAt(Number(lastStart) * 1000 + 8000);
    const wait = target.startsAt + 3100 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

    const endpoints = await fetch(`${api}/api/v1/epochs`);
    source =
      endpoints.status === 404
        ? {
            // The epoch endpoints are not served yet: read the same list and bytes from the node's
            // database and blob store (test only; the command itself uses the endpoints).
            listEpochs: async () =>
              (await node.db.selectFrom('epochs').selectAll().execute()).map(
                (row): ListedEpoch => ({
                  n: row.n,
                  state: row.state,
                  dataCid: row.data_cid,
                  payoutRoot: row.payout_root,
                }),
              ),
            fetchEpochData: async (epoch) =>
              new Uint8Array(await buffer(await node.blobs.createReadStream(epoch.dataCid!))),
          }
        : {
            fetchEpochData: async (epoch) =>
              new Uint8Array(await (await fetch(`${api}/api/v1/epochs/${epoch.n}/data`)).arrayBuffer()),
          };
    if (endpoints.status === 404) {
      process.stderr.write('verify.test: GET /api/v1/epochs is not served; reading the blob store instead\n');
    }
  });
  after(() => node?.close());

  const hooks = () => source;

  it('recomputes a settled, claimed epoch and exits 0', async () => {
    const endedAt = Date.now();
    const reports = fans.map((fan) =>
      signedReport(keys.get(fan.address)!, fan.address, trackId, {
        segments: [[0, 3000]],
        startedAt: endedAt - 3000,
        endedAt,
      }),
    );
    const response = await inject({ method: 'POST', url: '/api/v1/plays', payload: { reports } });
    assert.equal(response.statusCode, 200, response.body);
    await node.ledger.publicClient.request({ method: 'evm_increaseTime', params: [15] } as never);
    await node.ledger.publicClient.request({ method: 'evm_mine', params: [] } as never);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const row = await node.db
        .selectFrom('plays')
        .select('epoch')
        .where('play_id', '=', reports[0]!.playId)
        .executeTakeFirst();
      if (row) {
        settled = row.epoch;
        break;
      }
      assert.ok(Date.now() < deadline, 'plays were not judged in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const epoch = await node.settlement!.settled(settled);
    assert.equal(epoch.state, 'done');

    const all = await run(['--address', artist.address], hooks());
    assert.equal(all.code, 0, all.output);
    assert.match(
      all.output,
      new RegExp(`epoch ${settled}: ok — data sha2-256 matches the chain; 2 counted plays`),
    );
    assert.match(all.output, /claimed on-chain \d+ — claimed/);
    assert.match(all.output, /no session-key delegations/, 'the gap is reported');

    const one = await run(['--epoch', String(settled)], hooks());
    assert.equal(one.code, 0, one.output);
  });

  it('exits 1 with a diff when the served data has one amount changed', async () => {
    const base = hooks();
    let changed = '';
    const tampered: VerifyHooks = {
      ...base,
      fetchEpochData: async (epoch) => {
        const bytes = await base.fetchEpochData(epoch);
        if (epoch.n !== settled) return bytes;
        const data = JSON.parse(new TextDecoder().decode(bytes));
        const payout = data.payouts.find((entry: { account: string }) => entry.account !== '');
        changed = payout.account;
        payout.amount = String(BigInt(payout.amount) + 1n);
        return new TextEncoder().encode(`${JSON.stringify(data, null, 1)}\n`);
      },
    };
    const { code, output } = await run(['--epoch', String(settled)], tampered);
    assert.equal(code, 1, output);
    assert.match(output, new RegExp(`epoch ${settled}: MISMATCH`));
    assert.match(
      output,
      /data sha2-256:\n {4}published {2}0x[0-9a-f]{64}\n {4}recomputed 0x[0-9a-f]{64} \(of the bytes served\)/,
    );
    assert.match(output, new RegExp(`payout ${changed}:\\n {4}published {2}\\d+\\n {4}recomputed \\d+`));
  });
});
