import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keccak256, stringToHex, zeroAddress } from 'viem';
import { embeddedPublicClient, embeddedWalletClient } from '../embedded/clients.ts';
import { DEV_ROLES } from '../embedded/start-embedded-chain.ts';
import { ChainError } from '../errors.ts';
import { cidDigest, digestOf } from '../merkle/cid-digest.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { getSplit } from './get-split.ts';
import { getTrack } from './get-track.ts';
import { registerTrack } from './register-track.ts';
import { registerTrackFor } from './register-track-for.ts';

describe('registerTrack, registerTrackFor, getTrack, getSplit', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  const ascending = (...addresses: `0x${string}`[]) =>
    addresses.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));

  it('registers by the owner or, for an owner, by the registrar, and reads both back', async () => {
    const [operator, , , artist, other] = chain.accounts;
    assert.ok(operator && artist && other && operator.index === DEV_ROLES.operator);
    const { deployment } = chain;
    const reader = embeddedPublicClient(chain);
    const recipients = ascending(artist.address, other.address);
    const metadataDigest = cidDigest(digestOf(new TextEncoder().encode('{"title":"First"}')));

    const own = keccak256(stringToHex('own track'));
    const result = await registerTrack(embeddedWalletClient(chain, artist), {
      deployment,
      trackId: own,
      metadataDigest,
      recipients,
      shares: [700_000, 300_000],
    });
    assert.ok(result.gasUsed > 0n);
    const track = await getTrack(reader, { deployment, trackId: own });
    assert.equal(track?.owner, artist.address);
    assert.equal(track?.metadataDigest, metadataDigest);
    assert.deepEqual(track?.access, { kind: 0, token: zeroAddress, minBalance: 0n });
    assert.deepEqual(await getSplit(reader, { deployment, trackId: own }), {
      recipients,
      shares: [700_000, 300_000],
    });

    const theirs = keccak256(stringToHex('registered for the artist'));
    await registerTrackFor(embeddedWalletClient(chain, operator), {
      deployment,
      owner: artist.address,
      trackId: theirs,
      recipients: [artist.address],
      shares: [1_000_000],
    });
    assert.equal((await getTrack(reader, { deployment, trackId: theirs }))?.owner, artist.address);

    const unknown = keccak256(stringToHex('never registered'));
    assert.equal(await getTrack(reader, { deployment, trackId: unknown }), undefined);
    assert.equal(await getSplit(reader, { deployment, trackId: unknown }), undefined);
  });

  it("says what the registry refused, in the registry's words, and sends nothing", async () => {
    const [, , , artist, other] = chain.accounts;
    assert.ok(artist && other);
    const { deployment } = chain;
    const before = await embeddedPublicClient(chain).getBlockNumber({ cacheTime: 0 });
    const trackId = keccak256(stringToHex('bad split'));
    await assert.rejects(
      registerTrack(embeddedWalletClient(chain, artist), {
        deployment,
        trackId,
        recipients: ascending(artist.address, other.address),
        shares: [600_000, 300_000],
      }),
      (error) =>
        error instanceof ChainError &&
        error.code === 'transaction_reverted' &&
        error.shortMessage === `Registering track ${trackId} failed: SharesDoNotSumToTotal(900000)`,
    );
    await assert.rejects(
      registerTrack(embeddedWalletClient(chain, artist), {
        deployment,
        trackId,
        recipients: ascending(artist.address, other.address).reverse(),
        shares: [500_000, 500_000],
      }),
      /RecipientsNotSorted\(1\)/,
    );
    await assert.rejects(
      registerTrackFor(embeddedWalletClient(chain, artist), {
        deployment,
        owner: other.address,
        trackId,
        recipients: [other.address],
        shares: [1_000_000],
      }),
      new RegExp(`AccessControlUnauthorizedAccount\\(${artist.address}, 0x`),
    );
    assert.equal(await embeddedPublicClient(chain).getBlockNumber({ cacheTime: 0 }), before);
  });
});
