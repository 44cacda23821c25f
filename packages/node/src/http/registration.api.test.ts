import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { fairstreamDevChain, faucet, registerTrack, registerTrackFor } from '@fairstream/chain';
import { type Address, createWalletClient, type Hex, http } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { chainTrackId, originalDigest } from '../chain/track-registrar.ts';
import { testDatabases } from '../testing/databases.ts';
import {
  filePart,
  multipart,
  newAccount,
  signIn,
  startTestNode,
  type TestNode,
} from '../testing/test-node.ts';

const exec = promisify(execFile);
const fixtures = await mkdtemp(join(tmpdir(), 'fairstream-registration-fixtures-'));
after(() => rm(fixtures, { recursive: true, force: true }));

/** A distinct short tone per upload: the same audio twice would be refused as a duplicate. */
let nextFrequency = 300;
async function tone(): Promise<Buffer> {
  const frequency = nextFrequency;
  nextFrequency += 20;
  const path = join(fixtures, `tone-${frequency}.flac`);
  await exec('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi'],
    ...['-i', `sine=frequency=${frequency}:duration=3:sample_rate=44100`, '-ac', '2', path],
  ]);
  return readFile(path);
}

const artist = newAccount();
const bassist = newAccount();
const stranger = newAccount();
const ascending = (...addresses: string[]) =>
  addresses.map((a) => a.toLowerCase()).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));

type TrackJson = {
  id: string;
  state: string;
  registration: string;
  stages: { name: string; state: string }[];
  failure: { code: string; message: string } | null;
  ledger: { trackId: string; transaction: string | null } | null;
};

for (const database of testDatabases()) {
  describe(`track registration on the ledger on ${database.name}`, () => {
    let test: TestNode;
    let artistToken: string;
    let bassistToken: string;
    let strangerToken: string;

    before(async () => {
      test = await startTestNode(database);
      artistToken = await signIn(test.node, artist);
      bassistToken = await signIn(test.node, bassist);
      strangerToken = await signIn(test.node, stranger);
      // Gas for the wallets that send their own registrations.
      const faucetWallet = test.node.ledger.faucetWallet;
      assert.ok(faucetWallet);
      for (const account of [artist, stranger]) {
        await faucet(faucetWallet, { deployment: test.node.ledger.deployment, to: account.address });
      }
    });
    after(() => test.close());

    const inject = (options: import('fastify').InjectOptions) => test.node.app.inject(options);
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    const walletOf = (account: PrivateKeyAccount) =>
      createWalletClient({
        account,
        chain: fairstreamDevChain(test.node.ledger.rpcUrl, test.node.ledger.chainId),
        transport: http(test.node.ledger.rpcUrl),
      });

    async function upload(fields: Record<string, string>, token = artistToken): Promise<TrackJson> {
      const body = await multipart([
        ...Object.entries(fields).map(([name, value]) => ({ name, value })),
        filePart('audio', 'song.flac', await tone(), 'audio/flac'),
      ]);
      const response = await inject({
        method: 'POST',
        url: '/api/v1/tracks',
        payload: body.payload,
        headers: { ...body.headers, ...auth(token) },
      });
      assert.equal(response.statusCode, 202, response.body);
      return response.json();
    }
    async function track(id: string, token = artistToken): Promise<TrackJson> {
      const response = await inject({ method: 'GET', url: `/api/v1/tracks/${id}`, headers: auth(token) });
      assert.equal(response.statusCode, 200, response.body);
      return response.json();
    }
    const stage = (t: TrackJson, name: string) => t.stages.find((s) => s.name === name)?.state;
    async function until(id: string, state: 'ready' | 'failed', timeoutMs = 20_000): Promise<TrackJson> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await track(id);
        if (current.state === state) return current;
        if (current.state !== 'processing' || Date.now() > deadline) {
          assert.fail(`track ${id} is ${current.state}, not ${state}: ${JSON.stringify(current)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const registrationOf = (id: string, token = artistToken) =>
      inject({ method: 'GET', url: `/api/v1/tracks/${id}/registration`, headers: auth(token) });
    const split6040 = JSON.stringify([
      { address: artist.address, percent: 60 },
      { address: bassist.address, percent: 40 },
    ]);

    it('fails the register stage, naming the fields, when the ledger already holds a different entry', async () => {
      // The worker is held so the ledger entries are there before it reaches the register stage.
      const worker = test.node.worker;
      assert.ok(worker);
      await worker.stop();
      const otherSplit = await upload({ title: 'Other split', splits: split6040 });
      const otherOwner = await upload({ title: 'Other owner', splits: split6040 });
      const { deployment, operatorWallet } = test.node.ledger;
      // The registrar, for the artist, with the right audio but 70/30 instead of 60/40.
      const recipients = ascending(artist.address, bassist.address) as Address[];
      const digest = async (id: string) => (await registrationOf(id)).json().metadataDigest as Hex;
      await registerTrackFor(operatorWallet, {
        deployment,
        owner: artist.address,
        trackId: chainTrackId(otherSplit.id),
        metadataDigest: await digest(otherSplit.id),
        recipients,
        shares: recipients.map((r) => (r === artist.address.toLowerCase() ? 700_000 : 300_000)),
      });
      // Someone else, from their own wallet, taking the whole split.
      await registerTrack(walletOf(stranger), {
        deployment,
        trackId: chainTrackId(otherOwner.id),
        metadataDigest: await digest(otherOwner.id),
        recipients: [stranger.address],
        shares: [1_000_000],
      });
      await worker.start(0);
      await worker.idle();

      const failedSplit = await until(otherSplit.id, 'failed');
      assert.equal(stage(failedSplit, 'register'), 'failed');
      assert.equal(stage(failedSplit, 'publish'), 'pending');
      assert.equal(failedSplit.failure?.code, 'ledger_mismatch');
      assert.match(
        failedSplit.failure?.message ?? '',
        /shares \(ledger: 300000, 700000|shares \(ledger: 700000, 300000/,
      );
      assert.match(failedSplit.failure?.message ?? '', /delete it and upload the audio again/);
      assert.doesNotMatch(failedSplit.failure?.message ?? '', /owner|recipients|access|metadataDigest/);
      assert.equal(failedSplit.ledger, null);

      const failedOwner = await until(otherOwner.id, 'failed');
      assert.equal(failedOwner.failure?.code, 'ledger_mismatch');
      const message = failedOwner.failure?.message ?? '';
      assert.match(
        message,
        new RegExp(
          `owner \\(ledger: ${stranger.address.toLowerCase()}; track: ${artist.address.toLowerCase()}\\)`,
        ),
      );
      assert.match(message, /recipients \(ledger: .*; track: .*\)/);
      assert.match(message, /shares \(ledger: 1000000; track: /);

      // Neither exists for anyone else, and the owner sees why.
      assert.equal((await inject({ method: 'GET', url: `/api/v1/tracks/${otherSplit.id}` })).statusCode, 404);
      const registration = (await registrationOf(otherSplit.id)).json();
      assert.equal(registration.registered, true);
      assert.deepEqual(
        registration.mismatches.map((m: { field: string }) => m.field),
        ['shares'],
      );
    });

    it('waits for the artist to register from their wallet, without holding up other uploads, then publishes', async () => {
      const own = await upload({ title: 'Self-registered', splits: split6040, registration: 'artist' });
      assert.equal(own.registration, 'artist');
      await test.node.worker?.idle();
      let waiting = await track(own.id);
      assert.equal(waiting.state, 'processing');
      assert.equal(stage(waiting, 'transcode'), 'done');
      assert.equal(stage(waiting, 'register'), 'waiting');
      assert.equal(stage(waiting, 'publish'), 'pending');

      // The worker (one job at a time here) is free: a later upload goes through meanwhile.
      const byNode = await upload({ title: 'Registered by the node' });
      assert.equal(byNode.registration, 'node');
      const ready = await until(byNode.id, 'ready');
      assert.match(ready.ledger?.transaction ?? '', /^0x[0-9a-f]{64}$/);
      assert.equal((await track(own.id)).state, 'processing');

      const response = await registrationOf(own.id);
      assert.equal(response.statusCode, 200, response.body);
      const args = response.json();
      const { deployment, chainId } = test.node.ledger;
      const stored = await test.node.db
        .selectFrom('tracks')
        .select('original_cid')
        .where('id', '=', own.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(args, {
        trackId: own.id,
        registration: 'artist',
        chainId,
        registry: deployment.contracts.TrackRegistry,
        ledgerTrackId: chainTrackId(own.id),
        owner: artist.address.toLowerCase(),
        metadataDigest: originalDigest(stored.original_cid),
        access: { kind: 0, token: '0x0000000000000000000000000000000000000000', minBalance: '0' },
        recipients: ascending(artist.address, bassist.address),
        shares: ascending(artist.address, bassist.address).map((r) =>
          r === artist.address.toLowerCase() ? 600_000 : 400_000,
        ),
        registered: false,
        mismatches: [],
        transaction: null,
      });

      const sent = await registerTrack(walletOf(artist), {
        deployment: { contracts: { ...deployment.contracts, TrackRegistry: args.registry } },
        trackId: args.ledgerTrackId,
        metadataDigest: args.metadataDigest,
        access: {
          kind: args.access.kind,
          token: args.access.token as Address,
          minBalance: BigInt(args.access.minBalance),
        },
        recipients: args.recipients as Address[],
        shares: args.shares,
      });
      assert.ok(sent.gasUsed > 0n);
      waiting = await until(own.id, 'ready');
      assert.equal(stage(waiting, 'register'), 'done');
      assert.deepEqual(waiting.ledger, { trackId: chainTrackId(own.id), transaction: null });
      const after = (await registrationOf(own.id)).json();
      assert.equal(after.registered, true);
      assert.deepEqual(after.mismatches, []);
    });

    it("fails an artist's track whose own registration differs from it", async () => {
      const own = await upload({
        title: 'Self-registered, wrongly',
        splits: split6040,
        registration: 'artist',
      });
      await test.node.worker?.idle();
      const args = (await registrationOf(own.id)).json();
      // The whole split to the artist alone.
      await registerTrack(walletOf(artist), {
        deployment: test.node.ledger.deployment,
        trackId: args.ledgerTrackId,
        metadataDigest: args.metadataDigest,
        recipients: [artist.address],
        shares: [1_000_000],
      });
      const failed = await until(own.id, 'failed');
      assert.equal(stage(failed, 'register'), 'failed');
      assert.equal(failed.failure?.code, 'ledger_mismatch');
      assert.match(
        failed.failure?.message ?? '',
        /recipients \(ledger: 0x[0-9a-f]{40}; track: 0x[0-9a-f]{40}, 0x[0-9a-f]{40}\)/,
      );
      assert.match(failed.failure?.message ?? '', /shares \(ledger: 1000000; track: /);
    });

    it('gives the registration arguments to the owner only, and hides a hidden track from the rest', async () => {
      const hidden = await upload({
        title: 'Hidden',
        visibility: 'hidden',
        registration: 'artist',
        splits: split6040,
      });
      const unknown = await registrationOf('NoSuchTrack1', strangerToken);
      assert.equal(unknown.statusCode, 404);
      const someoneElse = await registrationOf(hidden.id, strangerToken);
      assert.equal(someoneElse.statusCode, 404);
      assert.equal(
        someoneElse.json().error.message,
        unknown.json().error.message.replace('NoSuchTrack1', hidden.id),
        'a hidden track answers exactly as an unknown one',
      );
      // A collaborator sees the track but does not own it; a visible public track is not theirs either.
      const collaborator = await registrationOf(hidden.id, bassistToken);
      assert.equal(collaborator.statusCode, 403);
      assert.match(collaborator.json().error.message, /Only the owner of track .* registers it/);
      const publicTrack = await upload({ title: 'Public' });
      await until(publicTrack.id, 'ready');
      const notOwner = await registrationOf(publicTrack.id, strangerToken);
      assert.equal(notOwner.statusCode, 403);
      const anonymous = await inject({ method: 'GET', url: `/api/v1/tracks/${hidden.id}/registration` });
      assert.equal(anonymous.statusCode, 401);
      const badId = await registrationOf('not a track id!');
      assert.equal(badId.statusCode, 400);
    });

    it('refuses an unknown registration value in the upload form, storing nothing', async () => {
      const before = await test.node.db.selectFrom('tracks').select('id').execute();
      const body = await multipart([
        { name: 'title', value: 'Who pays?' },
        { name: 'registration', value: 'self' },
        filePart('audio', 'song.flac', await tone(), 'audio/flac'),
      ]);
      const response = await inject({
        method: 'POST',
        url: '/api/v1/tracks',
        payload: body.payload,
        headers: { ...body.headers, ...auth(artistToken) },
      });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.json().error.code, 'invalid_registration');
      assert.match(response.json().error.message, /"node" .*"artist"/);
      assert.equal((await test.node.db.selectFrom('tracks').select('id').execute()).length, before.length);
    });
  });
}
