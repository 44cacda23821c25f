import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseEther } from 'viem';
import { embeddedPublicClient, embeddedWalletClient } from '../embedded/clients.ts';
import { DEV_ROLES } from '../embedded/start-embedded-chain.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { claimStakingRewards } from './claim-staking-rewards.ts';
import { faucet } from './faucet.ts';
import { getFairBalance } from './get-fair-balance.ts';
import { notifyFee } from './notify-fee.ts';
import { registerOperator } from './register-operator.ts';
import { requestUnstake } from './request-unstake.ts';
import { stake } from './stake.ts';
import { withdrawStake } from './withdraw-stake.ts';

describe('stake, registerOperator, notifyFee, claimStakingRewards, requestUnstake, withdrawStake', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('runs a staker through fees, operator registration and the unstaking cooldown', async () => {
    const faucetAccount = chain.accounts[DEV_ROLES.devFaucet];
    const operatorAccount = chain.accounts[DEV_ROLES.operator];
    const staker = chain.accounts[6];
    assert.ok(faucetAccount && operatorAccount && staker);
    const { deployment } = chain;
    const tusd = deployment.contracts.TestStablecoin;
    assert.ok(tusd);
    const reader = embeddedPublicClient(chain);
    const wallet = embeddedWalletClient(chain, staker);
    const faucetWallet = embeddedWalletClient(chain, faucetAccount);
    await faucet(faucetWallet, { deployment, to: staker.address, fair: parseEther('20000') });
    await faucet(faucetWallet, { deployment, to: operatorAccount.address });

    const first = await stake(wallet, { deployment, amount: parseEther('5000'), authorize: 'permit' });
    assert.equal(first.stake, parseEther('5000'));
    await assert.rejects(
      registerOperator(wallet, { deployment, url: 'https://node.example' }),
      new RegExp(`OperatorStakeTooLow\\(${parseEther('5000')}, ${parseEther('10000')}\\)`),
    );
    assert.equal(
      (await stake(wallet, { deployment, amount: parseEther('5000') })).stake,
      parseEther('10000'),
    );
    await registerOperator(wallet, { deployment, url: 'https://node.example' });

    const fee = await notifyFee(embeddedWalletClient(chain, operatorAccount), {
      deployment,
      token: tusd,
      amount: 1_234_567n,
    });
    assert.equal(fee.distributed, 1_234_567n);
    assert.equal((await claimStakingRewards(wallet, { deployment, token: tusd })).amount, 1_234_567n);
    await assert.rejects(claimStakingRewards(wallet, { deployment, token: tusd }), /NothingToClaim/);

    await assert.rejects(requestUnstake(wallet, { deployment, amount: 1n }), /OperatorStakeTooLow/);
    await stake(wallet, { deployment, amount: parseEther('1') });
    const request = await requestUnstake(wallet, { deployment, amount: parseEther('1') });
    assert.equal(request.cooling, parseEther('1'));
    await assert.rejects(withdrawStake(wallet, { deployment }), /CooldownNotElapsed/);
    await chain.provider.request({ method: 'evm_increaseTime', params: [61] });
    await chain.provider.request({ method: 'evm_mine', params: [] });
    const before = await getFairBalance(reader, { deployment, address: staker.address });
    assert.equal((await withdrawStake(wallet, { deployment })).amount, parseEther('1'));
    assert.equal(
      await getFairBalance(reader, { deployment, address: staker.address }),
      before + parseEther('1'),
    );
  });
});
