import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { getBalance, readContract } from 'viem/actions';
import { testStablecoinAbi } from '../abis/index.ts';
import { embeddedPublicClient, embeddedWalletClient } from '../embedded/clients.ts';
import { DEV_ROLES } from '../embedded/start-embedded-chain.ts';
import { ChainError } from '../errors.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { FAUCET_DEFAULTS, faucet } from './faucet.ts';
import { getFairBalance } from './get-fair-balance.ts';
import { transferFair } from './transfer-fair.ts';

describe('faucet', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('funds a fresh wallet with ETH, FAIR and tUSD, enough to transact at once', async () => {
    const faucetAccount = chain.accounts[DEV_ROLES.devFaucet];
    assert.ok(faucetAccount);
    const key = generatePrivateKey();
    const fresh = privateKeyToAccount(key).address;
    const { deployment } = chain;
    const client = embeddedPublicClient(chain);

    const result = await faucet(embeddedWalletClient(chain, faucetAccount), { deployment, to: fresh });
    assert.equal(await getBalance(client, { address: fresh }), FAUCET_DEFAULTS.eth);
    assert.equal(await getFairBalance(client, { deployment, address: fresh }), FAUCET_DEFAULTS.fair);
    const stablecoin = deployment.contracts.TestStablecoin;
    assert.ok(stablecoin && result.stablecoin);
    const tusd = await readContract(client, {
      address: stablecoin,
      abi: testStablecoinAbi,
      functionName: 'balanceOf',
      args: [fresh],
    });
    assert.equal(tusd, FAUCET_DEFAULTS.stablecoin);

    // The funded wallet pays its own gas.
    await transferFair(embeddedWalletClient(chain, key), {
      deployment,
      to: faucetAccount.address,
      amount: parseEther('1'),
    });

    // Again within the hour: ETH and FAIR again, tUSD says when.
    const again = await faucet(embeddedWalletClient(chain, faucetAccount), { deployment, to: fresh });
    assert.equal(again.stablecoin, undefined);
    assert.ok(again.stablecoinAvailableAt && again.stablecoinAvailableAt > 0n);
    assert.equal(
      await getFairBalance(client, { deployment, address: fresh }),
      FAUCET_DEFAULTS.fair * 2n - parseEther('1'),
    );
  });

  it('exists on dev chains only', async () => {
    const faucetAccount = chain.accounts[DEV_ROLES.devFaucet];
    assert.ok(faucetAccount);
    await assert.rejects(
      faucet(embeddedWalletClient(chain, faucetAccount), {
        deployment: { ...chain.deployment, devChain: false },
        to: faucetAccount.address,
      }),
      (error) => error instanceof ChainError && error.code === 'not_dev_chain',
    );
  });
});
