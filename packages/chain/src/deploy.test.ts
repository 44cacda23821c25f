import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseEther, zeroAddress } from 'viem';
import { getCode, readContract } from 'viem/actions';
import { fairTokenAbi, fanDropsAbi, promotionsAbi, stakingAbi, tipsAbi } from './abis/index.ts';
import { completeDeployment, deployFairstream, missingContracts } from './deploy.ts';
import { type Deployment, readDeployment, writeDeployment } from './deployment.ts';
import { embeddedPublicClient, embeddedWalletClient } from './embedded/clients.ts';
import { startEmbeddedChain } from './embedded/start-embedded-chain.ts';
import { startTestChain, tempChainDir } from './testing/test-chain.ts';

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

  it('wires Promotions and FanDrops to FAIR, the registry and the treasury', async () => {
    const client = embeddedPublicClient(chain);
    const { deployment } = chain;
    const { Promotions, FanDrops, FairToken, TrackRegistry } = deployment.contracts;
    assert.ok(Promotions && FanDrops && TrackRegistry);
    const read = (functionName: 'fair' | 'registry' | 'pricePerDay') =>
      readContract(client, { address: Promotions, abi: promotionsAbi, functionName });
    assert.equal(await read('fair'), FairToken);
    assert.equal(await read('registry'), TrackRegistry);
    assert.equal(await read('pricePerDay'), parseEther('10'));
    const adminRole = await readContract(client, {
      address: Promotions,
      abi: promotionsAbi,
      functionName: 'DEFAULT_ADMIN_ROLE',
    });
    assert.equal(
      await readContract(client, {
        address: Promotions,
        abi: promotionsAbi,
        functionName: 'hasRole',
        args: [adminRole, deployment.roles.treasury],
      }),
      true,
    );
    assert.equal(
      await readContract(client, { address: FanDrops, abi: fanDropsAbi, functionName: 'fair' }),
      FairToken,
    );
    assert.deepEqual(missingContracts(deployment), []);
  });

  it('completes a deployment made before Promotions and FanDrops, keeping everything else', async () => {
    const deployer = chain.accounts[0];
    assert.ok(deployer);
    const { Promotions, FanDrops, ...older } = chain.deployment.contracts;
    const old: Deployment = { ...chain.deployment, contracts: older };
    assert.deepEqual(missingContracts(old), ['Promotions', 'FanDrops']);
    const { deployment, added } = await completeDeployment(embeddedWalletClient(chain, deployer), old);
    assert.deepEqual(added, ['Promotions', 'FanDrops']);
    assert.deepEqual(
      { ...deployment.contracts, Promotions: undefined, FanDrops: undefined },
      {
        ...older,
        Promotions: undefined,
        FanDrops: undefined,
      },
    );
    assert.ok(deployment.contracts.Promotions && deployment.contracts.Promotions !== Promotions);
    assert.equal(
      await readContract(embeddedPublicClient(chain), {
        address: deployment.contracts.Promotions,
        abi: promotionsAbi,
        functionName: 'registry',
      }),
      older.TrackRegistry,
    );
    assert.deepEqual(await completeDeployment(embeddedWalletClient(chain, deployer), deployment), {
      deployment,
      added: [],
    });
  });

  it('deploys the missing contracts when the embedded chain starts on an older data folder', async (t) => {
    const { dir, remove } = await tempChainDir();
    t.after(remove);
    const first = await startEmbeddedChain({ dataDir: dir, rpcPort: 0 });
    const current = first.deployment;
    assert.ok(current);
    // What an older version wrote: the deployment without the contracts added since.
    const { Promotions, FanDrops, ...older } = current.contracts;
    await writeDeployment(join(dir, 'deployment.json'), { ...current, contracts: older });
    await first.stop();

    const logs: string[] = [];
    const log = (_: Record<string, unknown>, message: string) => void logs.push(message);
    const second = await startEmbeddedChain({
      dataDir: dir,
      rpcPort: 0,
      logger: { info: log, warn: log },
    });
    t.after(() => second.stop());
    const completed = second.deployment;
    assert.ok(completed?.contracts.Promotions && completed.contracts.FanDrops);
    assert.deepEqual(await readDeployment(join(dir, 'deployment.json')), completed);
    assert.ok(
      logs.some((line) =>
        line.includes("deployed the contracts this chain's deployment lacked: Promotions, FanDrops"),
      ),
      logs.join('\n'),
    );
    const code = await getCode(embeddedPublicClient(second), { address: completed.contracts.FanDrops });
    assert.ok((code ?? '0x').length > 2);

    // The next start finds nothing missing and deploys nothing.
    await second.stop();
    const third = await startEmbeddedChain({ dataDir: dir, rpcPort: 0 });
    t.after(() => third.stop());
    assert.deepEqual(third.deployment, completed);
  });
});
