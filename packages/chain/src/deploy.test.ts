import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseEther, zeroAddress } from 'viem';
import { getCode, readContract } from 'viem/actions';
import { fairTokenAbi, stakingAbi, tipsAbi } from './abis/index.ts';
import { deployFairstream } from './deploy.ts';
import { embeddedPublicClient, embeddedWalletClient } from './embedded/clients.ts';
import { startTestChain } from './testing/test-chain.ts';

describe('deployFairstream', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('deploys every contract on the embedded chain at its first start, wired together', async () => {
    const client = embeddedPublicClient(chain);
    const { deployment } = chain;
    assert.equal(deployment.chainId, 31337);
    assert.equal(deployment.devChain, true);
    for (const [name, address] of Object.entries(deployment.contracts)) {
      assert.ok(((await getCode(client, { address })) ?? '0x').length > 2, `${name} has code`);
    }
    const token = deployment.contracts.FairToken;
    assert.equal(
      await readContract(client, { address: token, abi: fairTokenAbi, functionName: 'isDevChain' }),
      true,
    );
    assert.equal(
      await readContract(client, { address: token, abi: fairTokenAbi, functionName: 'treasury' }),
      chain.accounts[0]?.address,
    );
    assert.equal(
      await readContract(client, { address: token, abi: fairTokenAbi, functionName: 'totalSupply' }),
      parseEther('1000000000'),
    );
    if (deployment.contracts.Tips && deployment.contracts.TrackRegistry) {
      assert.equal(
        await readContract(client, {
          address: deployment.contracts.Tips,
          abi: tipsAbi,
          functionName: 'registry',
        }),
        deployment.contracts.TrackRegistry,
      );
    }
    if (deployment.contracts.Staking) {
      assert.equal(
        await readContract(client, {
          address: deployment.contracts.Staking,
          abi: stakingAbi,
          functionName: 'stakingToken',
        }),
        token,
      );
    }
    // The reserve went to the emitter, whose address FairToken's deployment predicted.
    const emitter = deployment.contracts.RewardsEmitter;
    assert.ok(emitter);
    assert.equal(deployment.roles.rewardsReserve, emitter);
    assert.equal(
      await readContract(client, {
        address: token,
        abi: fairTokenAbi,
        functionName: 'balanceOf',
        args: [emitter],
      }),
      parseEther('600000000'),
    );
    assert.ok(deployment.contracts.PayoutDistributor && deployment.contracts.SubscriptionVault);
    assert.equal(deployment.deployedAt.blockNumber, Number(await client.getBlockNumber({ cacheTime: 0 })));
  });

  it('deploys for a public chain without faucets or the test stablecoin', async () => {
    const deployer = chain.accounts[5];
    const reserve = chain.accounts[6];
    assert.ok(deployer && reserve);
    const deployed: string[] = [];
    const deployment = await deployFairstream(embeddedWalletClient(chain, deployer), {
      devChain: false,
      rewardsReserve: reserve.address,
      onContractDeployed: (name) => deployed.push(name),
    });
    assert.equal(deployment.devChain, false);
    assert.equal(deployment.contracts.TestStablecoin, undefined);
    assert.equal(deployment.contracts.SubscriptionVault, undefined, 'no stablecoin configured, no vault');
    assert.ok(!deployed.includes('TestStablecoin'));
    assert.equal(deployment.roles.devFaucet, undefined);
    assert.equal(deployment.roles.treasury, deployer.address);
    const client = embeddedPublicClient(chain);
    const token = deployment.contracts.FairToken;
    assert.equal(
      await readContract(client, { address: token, abi: fairTokenAbi, functionName: 'devFaucet' }),
      zeroAddress,
    );
    assert.equal(
      await readContract(client, {
        address: token,
        abi: fairTokenAbi,
        functionName: 'balanceOf',
        args: [reserve.address],
      }),
      parseEther('600000000'),
    );
  });
});
