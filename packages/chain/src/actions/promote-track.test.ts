import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keccak256, parseEther, stringToHex } from 'viem';
import { getBlock } from 'viem/actions';
import { embeddedPublicClient, embeddedWalletClient } from '../embedded/clients.ts';
import { DEV_ROLES } from '../embedded/start-embedded-chain.ts';
import { ChainError } from '../errors.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { faucet } from './faucet.ts';
import { getFairBalance } from './get-fair-balance.ts';
import { getPromotion, quotePromotion } from './get-promotion.ts';
import { promoteTrack } from './promote-track.ts';
import { registerTrack } from './register-track.ts';
import { transferFair } from './transfer-fair.ts';

const BURN = '0x000000000000000000000000000000000000dEaD';
const DAY = 86_400n;

describe('promoteTrack, getPromotion, quotePromotion', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('burns price × days from the owner and extends a running promotion from its end', async () => {
    const faucetAccount = chain.accounts[DEV_ROLES.devFaucet];
    const [, , , artist, stranger, poor] = chain.accounts;
    assert.ok(faucetAccount && artist && stranger && poor);
    const { deployment } = chain;
    const reader = embeddedPublicClient(chain);
    const trackId = keccak256(stringToHex('promoted track'));
    await registerTrack(embeddedWalletClient(chain, artist), {
      deployment,
      trackId,
      recipients: [artist.address],
      shares: [1_000_000],
    });
    await faucet(embeddedWalletClient(chain, faucetAccount), { deployment, to: artist.address });
    await faucet(embeddedWalletClient(chain, faucetAccount), { deployment, to: stranger.address });

    const before = await getPromotion(reader, { deployment, trackId });
    assert.deepEqual(before, {
      trackId,
      promotedUntil: 0n,
      promoted: false,
      pricePerDay: parseEther('10'),
      maxDays: 90n,
    });
    assert.equal(await quotePromotion(reader, { deployment, days: 3 }), parseEther('30'));
    const burnedBefore = await getFairBalance(reader, { deployment, address: BURN });
    const held = await getFairBalance(reader, { deployment, address: artist.address });

    const first = await promoteTrack(embeddedWalletClient(chain, artist), { deployment, trackId, days: 3 });
    assert.ok(first.approval, 'approved first');
    const { timestamp } = await getBlock(reader, { blockNumber: first.blockNumber });
    assert.equal(first.startsAt, timestamp);
    assert.equal(first.endsAt, timestamp + 3n * DAY);
    assert.equal(first.amount, parseEther('30'));
    assert.equal(first.promoter, artist.address);

    const second = await promoteTrack(embeddedWalletClient(chain, artist), {
      deployment,
      trackId,
      days: 2,
      authorize: 'permit',
    });
    assert.equal(second.approval, undefined);
    assert.equal(second.startsAt, first.endsAt, 'an extension starts at the running end');
    assert.equal(second.endsAt, first.endsAt + 2n * DAY);

    const after = await getPromotion(reader, { deployment, trackId });
    assert.equal(after.promotedUntil, second.endsAt);
    assert.equal(after.promoted, true);
    assert.equal(
      await getFairBalance(reader, { deployment, address: artist.address }),
      held - parseEther('50'),
    );
    assert.equal(
      await getFairBalance(reader, { deployment, address: BURN }),
      burnedBefore + parseEther('50'),
    );

    // Someone else's track: refused before any approval is sent.
    const nonceBefore = await reader.getTransactionCount({ address: stranger.address });
    await assert.rejects(
      promoteTrack(embeddedWalletClient(chain, stranger), { deployment, trackId, days: 1 }),
      (error) =>
        error instanceof ChainError &&
        error.code === 'transaction_reverted' &&
        error.shortMessage.includes(`NotTrackOwner(${trackId}, ${stranger.address})`),
    );
    assert.equal(await reader.getTransactionCount({ address: stranger.address }), nonceBefore);

    // Too little FAIR: the owner of a track holding less than the cost.
    const poorTrack = keccak256(stringToHex('poor track'));
    await registerTrack(embeddedWalletClient(chain, poor), {
      deployment,
      trackId: poorTrack,
      recipients: [poor.address],
      shares: [1_000_000],
    });
    await transferFair(embeddedWalletClient(chain, faucetAccount), {
      deployment,
      to: poor.address,
      amount: parseEther('15'),
    });
    await assert.rejects(
      promoteTrack(embeddedWalletClient(chain, poor), { deployment, trackId: poorTrack, days: 2 }),
      new RegExp(`InsufficientBalance\\(${parseEther('15')}, ${parseEther('20')}\\)`),
    );
    // Offering less than the price: PaymentTooLow.
    await assert.rejects(
      promoteTrack(embeddedWalletClient(chain, poor), {
        deployment,
        trackId: poorTrack,
        days: 1,
        maxAmount: parseEther('9'),
      }),
      /PaymentTooLow\(9000000000000000000, 10000000000000000000\)/,
    );
    await assert.rejects(
      promoteTrack(embeddedWalletClient(chain, artist), {
        deployment,
        trackId: keccak256(stringToHex('unregistered')),
        days: 1,
      }),
      /UnknownTrack\(0x/,
    );
    await assert.rejects(quotePromotion(reader, { deployment, days: 0 }), /ZeroDays\(\)/);
    await assert.rejects(quotePromotion(reader, { deployment, days: 91 }), /TooManyDays\(91, 90\)/);
    await assert.rejects(
      promoteTrack(embeddedWalletClient(chain, artist), { deployment, trackId, days: 89 }),
      /PeriodTooLong\(/,
    );
  });
});
