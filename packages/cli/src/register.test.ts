/**
 * An artist who registers their own track: `fairstream upload --register-self --wait` against a
 * real node process, with a wallet that first has no gas and then has faucet money, and
 * `fairstream register` by the owner and by someone else.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPublicClient, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { freePort, runCli, startNodeProcess, stopGroup, toneFile } from './testing/node-process.ts';

const work = await mkdtemp(join(tmpdir(), 'fairstream-cli-register-'));
after(() => rm(work, { recursive: true, force: true }));

describe('fairstream upload --register-self and fairstream register', () => {
  it('registers from the artist wallet when processing reaches the register stage, and refuses others before sending', async () => {
    const port = await freePort();
    const api = `http://127.0.0.1:${port}`;
    const node = await startNodeProcess({ dataDir: join(work, 'data'), port });
    try {
      const key = generatePrivateKey();
      const as = (walletKey: string, args: string[]) =>
        runCli(['--api', api, '--key', walletKey, ...args], { XDG_CONFIG_HOME: join(work, 'config') });

      // No gas yet: the upload goes through, and the registration stops before sending, saying what to do.
      const broke = await as(key, [
        ...['upload', await toneFile(join(work, 'first.flac'), 4, 440), '--title', 'First'],
        ...['--register-self', '--wait'],
      ]);
      assert.equal(broke.code, 1, broke.stderr);
      assert.match(broke.stderr, /registering the track from your wallet/);
      assert.match(broke.stderr, /has no ETH to pay the gas of the registration: run `fairstream faucet`/);
      const firstId = /fairstream register ([A-Za-z0-9_-]+)/.exec(broke.stderr)?.[1];
      assert.ok(firstId, broke.stderr);
      const waiting = (await (await fetch(`${api}/api/v1/tracks/${firstId}`, {})).json()) as object;
      assert.equal((waiting as { error?: { code: string } }).error?.code, 'not_found', 'not public yet');

      assert.equal((await as(key, ['faucet'])).code, 0);
      const registered = await as(key, ['register', firstId]);
      assert.equal(registered.code, 0, registered.stderr);
      assert.match(
        registered.stdout,
        new RegExp(`Registered track ${firstId} on the ledger as 0x[0-9a-f]{64}`),
      );
      const again = await as(key, ['register', firstId]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /is already registered on the ledger .* nothing to send/);

      // With gas: upload, wait, register at the register stage, and end with the track ready.
      const result = await as(key, [
        ...['--json', 'upload', await toneFile(join(work, 'second.flac'), 4, 550), '--title', 'Second'],
        ...['--register-self', '--wait'],
      ]);
      assert.equal(result.code, 0, result.stderr);
      const track = JSON.parse(result.stdout);
      assert.equal(track.state, 'ready', JSON.stringify(track.failure));
      assert.equal(track.registration, 'artist');
      assert.equal(track.stages.find((s: { name: string }) => s.name === 'register').state, 'done');
      assert.match(
        result.stderr,
        /Processing reached the register stage: registering the track from your wallet/,
      );
      assert.match(result.stderr, /Registered on the ledger \(transaction 0x[0-9a-f]{64}\)/);
      assert.match(result.stderr, /Ready to stream/);

      // The first track, registered by hand, is published too.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const first = (await (await fetch(`${api}/api/v1/tracks/${firstId}`)).json()) as { state?: string };
        if (first.state === 'ready') break;
        assert.ok(Date.now() < deadline, `track ${firstId} did not become ready`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }

      // Someone else, with gas, is refused before anything is sent.
      const otherKey = generatePrivateKey();
      assert.equal((await as(otherKey, ['faucet'])).code, 0);
      const refused = await as(otherKey, ['register', track.id]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /Only the owner of track .* registers it on the ledger/);
      assert.match(refused.stderr, /nothing was sent/);
      const unknown = await as(otherKey, ['register', 'NoSuchTrack1']);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /Track NoSuchTrack1 was not found/);
      const { rpcUrl } = (await (await fetch(`${api}/api/v1/chain`)).json()) as { rpcUrl: string };
      const chain = createPublicClient({ transport: http(rpcUrl) });
      assert.equal(
        await chain.getTransactionCount({ address: privateKeyToAccount(otherKey).address }),
        0,
        'the refused wallet sent no transaction',
      );
      const usage = await as(otherKey, ['register']);
      assert.equal(usage.code, 1);
      assert.match(usage.stderr, /Give one track id/);
    } finally {
      await stopGroup(node);
    }
  });
});
