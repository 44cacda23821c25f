import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { network } from 'hardhat';
import { type Address, parseEther, parseSignature, zeroAddress } from 'viem';

const REWARDS = parseEther('600000000');
const TREASURY = parseEther('300000000');
const FAUCET = parseEther('100000000');

describe('FairToken', async () => {
  const { viem, networkHelpers } = await network.create();
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const wallet = (index: number) => {
    const client = wallets[index];
    assert.ok(client, `no wallet client #${index}`);
    return client;
  };
  const rewards = wallet(1);
  const treasury = wallet(2);
  const faucet = wallet(3);
  const owner = wallet(4);
  const spender = wallet(5);

  const alloc = (recipient: Address, amount: bigint) => ({ recipient, amount });

  async function deployDev() {
    return viem.deployContract('FairToken', [
      alloc(rewards.account.address, REWARDS),
      alloc(treasury.account.address, TREASURY),
      true,
      alloc(faucet.account.address, FAUCET),
    ]);
  }

  it('mints the fixed supply to the allocations', async () => {
    const token = await deployDev();
    assert.equal(await token.read.totalSupply(), REWARDS + TREASURY + FAUCET);
    assert.equal(await token.read.balanceOf([rewards.account.address]), REWARDS);
    assert.equal(await token.read.balanceOf([treasury.account.address]), TREASURY);
    assert.equal(await token.read.balanceOf([faucet.account.address]), FAUCET);
    assert.equal(await token.read.isDevChain(), true);
  });

  it('mints no faucet outside a dev chain, and refuses one', async () => {
    const token = await viem.deployContract('FairToken', [
      alloc(rewards.account.address, REWARDS),
      alloc(treasury.account.address, TREASURY),
      false,
      alloc(zeroAddress, 0n),
    ]);
    assert.equal(await token.read.totalSupply(), REWARDS + TREASURY);
    assert.equal(await token.read.devFaucet(), zeroAddress);

    await assert.rejects(
      viem.deployContract('FairToken', [
        alloc(rewards.account.address, REWARDS),
        alloc(treasury.account.address, TREASURY),
        false,
        alloc(faucet.account.address, FAUCET),
      ]),
      /DevFaucetNotAllowed/,
    );
  });

  it('lets a spender move tokens with an EIP-2612 permit signed off-chain', async () => {
    const token = await deployDev();
    const value = parseEther('25');
    await token.write.transfer([owner.account.address, parseEther('100')], { account: faucet.account });

    const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
    const nonce = await token.read.nonces([owner.account.address]);
    const signature = await owner.signTypedData({
      domain: {
        name: 'Fair',
        version: '1',
        chainId: await publicClient.getChainId(),
        verifyingContract: token.address,
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
      message: {
        owner: owner.account.address,
        spender: spender.account.address,
        value,
        nonce,
        deadline,
      },
    });
    const { v, r, s } = parseSignature(signature);
    assert.ok(v !== undefined);

    // Anyone may submit the permit: here the spender pays the gas, the owner sends no transaction.
    await token.write.permit(
      [owner.account.address, spender.account.address, value, deadline, Number(v), r, s],
      {
        account: spender.account,
      },
    );
    assert.equal(await token.read.allowance([owner.account.address, spender.account.address]), value);
    assert.equal(await token.read.nonces([owner.account.address]), nonce + 1n);

    await viem.assertions.emitWithArgs(
      token.write.transferFrom([owner.account.address, spender.account.address, value], {
        account: spender.account,
      }),
      token,
      'Transfer',
      [owner.account.address, spender.account.address, value],
    );
    assert.equal(await token.read.balanceOf([owner.account.address]), parseEther('75'));
    assert.equal(await token.read.balanceOf([spender.account.address]), value);
    assert.equal(await token.read.allowance([owner.account.address, spender.account.address]), 0n);
  });
});
