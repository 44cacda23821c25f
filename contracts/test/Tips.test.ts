import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { network } from 'hardhat';
import {
  type Address,
  getAddress,
  type Hash,
  keccak256,
  numberToHex,
  parseEther,
  parseSignature,
  stringToHex,
  zeroAddress,
} from 'viem';

const REWARDS = parseEther('600000000');
const TREASURY = parseEther('300000000');
const FAUCET = parseEther('100000000');
const TOTAL_PPM = 1_000_000n;
const FREE = { kind: 0, token: zeroAddress, minBalance: 0n } as const;

/** Sorts addresses strictly ascending, as a split requires. */
const sorted = (addresses: Address[]): Address[] =>
  [...addresses].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));

/** The split rule of SplitLib.allocate: floor per recipient, the remainder to the first. */
function allocate(amount: bigint, shares: readonly number[]): bigint[] {
  const parts = shares.map((share) => (amount * BigInt(share)) / TOTAL_PPM);
  const rest = amount - parts.reduce((sum, part) => sum + part, 0n);
  parts[0] = (parts[0] ?? 0n) + rest;
  return parts;
}

describe('Tips', async () => {
  const { viem, networkHelpers } = await network.create();
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const wallet = (index: number) => {
    const client = wallets[index];
    assert.ok(client, `no wallet client #${index}`);
    return client;
  };
  const admin = wallet(0);
  const faucet = wallet(3);
  const artist = wallet(4);
  const fan = wallet(5);
  const collaborators = [wallet(6), wallet(7), wallet(8)];

  const gasOf = async (hash: Hash | Promise<Hash>) =>
    (await publicClient.waitForTransactionReceipt({ hash: await hash })).gasUsed;

  async function deploy() {
    const fair = await viem.deployContract('FairToken', [
      { recipient: wallet(1).account.address, amount: REWARDS },
      { recipient: wallet(2).account.address, amount: TREASURY },
      true,
      { recipient: faucet.account.address, amount: FAUCET },
    ]);
    const registry = await viem.deployContract('TrackRegistry', [admin.account.address]);
    const tips = await viem.deployContract('Tips', [registry.address]);
    return { fair, registry, tips };
  }

  // The 60/25/15 split: shares follow the recipients once sorted.
  const recipients = sorted(collaborators.map((c) => c.account.address));
  const shares = [600_000, 250_000, 150_000];
  const trackId = keccak256(stringToHex('fairstream:track:60-25-15'));
  const digest = keccak256(stringToHex('metadata'));

  it('splits a FAIR tip 60/25/15 to the wei, remainder to the first recipient', async () => {
    const { fair, registry, tips } = await deploy();
    await registry.write.register([trackId, digest, FREE, recipients, shares], { account: artist.account });

    const [gotRecipients, gotShares] = await registry.read.splitOf([trackId]);
    assert.deepEqual(
      gotRecipients,
      recipients.map((a) => getAddress(a)),
    );
    assert.deepEqual(gotShares, shares);

    // An amount that does not divide evenly: 60% and 25% and 15% of it leave fractions.
    const amount = parseEther('12.345678901234567891');
    const expected = allocate(amount, shares);
    assert.equal(expected[0]! + expected[1]! + expected[2]!, amount);

    await fair.write.transfer([fan.account.address, parseEther('100')], { account: faucet.account });
    await fair.write.approve([tips.address, amount], { account: fan.account });
    const before = await Promise.all(recipients.map((r) => fair.read.balanceOf([r])));

    const hash = tips.write.tip([trackId, fair.address, amount], { account: fan.account });
    await viem.assertions.emitWithArgs(hash, tips, 'Tipped', [
      trackId,
      getAddress(fan.account.address),
      getAddress(fair.address),
      amount,
    ]);

    for (const [i, recipient] of recipients.entries()) {
      assert.equal(await fair.read.balanceOf([recipient]), before[i]! + expected[i]!, `recipient ${i}`);
    }
    assert.equal(await fair.read.balanceOf([fan.account.address]), parseEther('100') - amount);
    assert.equal(await fair.read.balanceOf([tips.address]), 0n);
    // Fractions .6 + .75 + .65 of a wei were dropped: the 2-wei remainder went to the first recipient.
    assert.equal(expected[0], (amount * 600_000n) / TOTAL_PPM + 2n);
  });

  it('tips with an EIP-2612 permit, without a prior approval', async () => {
    const { fair, registry, tips } = await deploy();
    await registry.write.register([trackId, digest, FREE, recipients, shares], { account: artist.account });
    await fair.write.transfer([fan.account.address, parseEther('10')], { account: faucet.account });

    const amount = 1_000_003n;
    const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
    const signature = await fan.signTypedData({
      domain: {
        name: 'Fair',
        version: '1',
        chainId: await publicClient.getChainId(),
        verifyingContract: fair.address,
      },
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: { owner: fan.account.address, spender: tips.address, value: amount, nonce: 0n, deadline },
    });
    const { v, r, s } = parseSignature(signature);
    assert.ok(v !== undefined);
    const before = await Promise.all(recipients.map((a) => fair.read.balanceOf([a])));

    await tips.write.tipWithPermit([trackId, fair.address, amount, deadline, Number(v), r, s], {
      account: fan.account,
    });

    const expected = allocate(amount, shares); // floors 600,001 / 250,000 / 150,000, the 2-wei remainder to the first
    assert.deepEqual(expected, [600_003n, 250_000n, 150_000n]);
    for (const [i, recipient] of recipients.entries()) {
      assert.equal(await fair.read.balanceOf([recipient]), before[i]! + expected[i]!);
    }
    assert.equal(await fair.read.nonces([fan.account.address]), 1n);
  });

  it('rejects a tip to an unknown track and a zero tip', async () => {
    const { fair, tips } = await deploy();
    await viem.assertions.revertWithCustomErrorWithArgs(
      tips.write.tip([trackId, fair.address, 1n], { account: fan.account }),
      tips,
      'UnknownTrack',
      [trackId],
    );
    await viem.assertions.revertWithCustomError(
      tips.write.tip([trackId, fair.address, 0n], { account: fan.account }),
      tips,
      'ZeroAmount',
    );
  });

  it('measures gas: register with 1, 3 and 100 recipients; a tip to a 3-way split', async () => {
    const { fair, registry, tips } = await deploy();
    const many = (n: number) => {
      const addresses = sorted(
        Array.from({ length: n }, (_, i) =>
          getAddress(numberToHex(BigInt(keccak256(numberToHex(i + 1))) >> 96n, { size: 20 })),
        ),
      );
      const base = Math.floor(1_000_000 / n);
      const split = addresses.map((_, i) => (i === 0 ? 1_000_000 - base * (n - 1) : base));
      return { addresses, split };
    };
    const gas: Record<string, bigint> = {};
    for (const n of [1, 3, 4, 100]) {
      const { addresses, split } = many(n);
      const id = keccak256(stringToHex(`gas-${n}`));
      gas[`register(${n})`] = await gasOf(
        registry.write.register([id, digest, FREE, addresses, split], { account: artist.account }),
      );
      const [got] = await registry.read.splitOf([id]);
      assert.equal(got.length, n);
    }

    await registry.write.register([trackId, digest, FREE, recipients, shares], { account: artist.account });
    await fair.write.transfer([fan.account.address, parseEther('10')], { account: faucet.account });
    await fair.write.approve([tips.address, parseEther('10')], { account: fan.account });
    // The first tip pays first-time storage for the recipients' balances; the second is the steady state.
    gas['tip(3) first'] = await gasOf(
      tips.write.tip([trackId, fair.address, parseEther('1')], { account: fan.account }),
    );
    gas['tip(3)'] = await gasOf(
      tips.write.tip([trackId, fair.address, parseEther('1')], { account: fan.account }),
    );

    console.log(
      '    gas used:',
      Object.entries(gas)
        .map(([k, v]) => `${k} = ${v}`)
        .join(', '),
    );
    // Generous ceilings, to catch a regression of the storage layout (100 inline slots would be ~2.4M).
    assert.ok(gas['register(1)']! < 120_000n);
    assert.ok(gas['register(3)']! < 180_000n);
    assert.ok(gas['register(100)']! < 900_000n);
    assert.ok(gas['tip(3)']! < 110_000n);
  });
});
