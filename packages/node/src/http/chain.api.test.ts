import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  deriveDevAccounts,
  embeddedDeploymentPath,
  fairTokenAbi,
  testStablecoinAbi,
} from '@fairstream/chain';
import { resolveConfig } from '../config.ts';
import { createNode } from '../node.ts';
import { testDatabases } from '../testing/databases.ts';
import { newAccount, signIn, startTestNode, type TestNode } from '../testing/test-node.ts';

const [sqlite] = testDatabases();

describe('the ledger through the API', () => {
  let test: TestNode;
  before(async () => {
    test = await startTestNode(sqlite!);
  });
  after(() => test.close());

  it('tells the chain id, RPC URL and every contract address', async () => {
    const response = await test.node.app.inject({ method: 'GET', url: '/api/v1/chain' });
    assert.equal(response.statusCode, 200);
    const chain = response.json();
    assert.equal(chain.chainId, 31337);
    assert.equal(chain.devChain, true);
    assert.match(chain.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    for (const name of [
      'FairToken',
      'TrackRegistry',
      'PayoutDistributor',
      'SubscriptionVault',
      'Tips',
      'Staking',
      'Promotions',
      'FanDrops',
    ]) {
      assert.match(chain.contracts[name], /^0x[0-9a-fA-F]{40}$/, name);
    }
    // The RPC URL it gives really serves that chain.
    const rpc = await fetch(chain.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    });
    assert.equal(((await rpc.json()) as { result: string }).result, '0x7a69');
  });

  it('publishes the counting rule and the payout model', async () => {
    const response = await test.node.app.inject({ method: 'GET', url: '/api/v1/rules' });
    assert.equal(response.statusCode, 200);
    const rules = response.json();
    assert.equal(rules.counting.minHeardMs, 30_000);
    assert.equal(rules.counting.minHeardFraction, 0.5);
    assert.ok(rules.counting.notCounted.daily_cap);
    assert.equal(rules.payouts.platformFeePpm, 100_000);
  });

  it('funds a signed-in wallet from the faucet once an hour, to the exact amounts', async () => {
    const fan = newAccount();
    const token = await signIn(test.node, fan);
    assert.equal((await test.node.app.inject({ method: 'POST', url: '/api/v1/faucet' })).statusCode, 401);
    const response = await test.node.app.inject({
      method: 'POST',
      url: '/api/v1/faucet',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.statusCode, 200, response.body);
    const drip = response.json();
    const { publicClient, deployment } = test.node.ledger;
    assert.equal((await publicClient.getBalance({ address: fan.address })).toString(), drip.eth);
    const fair = await publicClient.readContract({
      address: deployment.contracts.FairToken,
      abi: fairTokenAbi,
      functionName: 'balanceOf',
      args: [fan.address],
    });
    assert.equal(fair.toString(), drip.fair);
    const usd = await publicClient.readContract({
      address: deployment.contracts.TestStablecoin!,
      abi: testStablecoinAbi,
      functionName: 'balanceOf',
      args: [fan.address],
    });
    assert.equal(usd.toString(), drip.stablecoin);
    assert.ok(BigInt(drip.stablecoin) > 0n);

    const again = await test.node.app.inject({
      method: 'POST',
      url: '/api/v1/faucet',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(again.statusCode, 429);
    assert.match(again.json().error.message, /less than an hour ago; try again after/);
  });

  it('refuses the faucet on a public chain, and starts only with a reachable RPC and a matching deployment', async () => {
    const operatorKey = deriveDevAccounts(1)[0]!.privateKey;
    const deployment = embeddedDeploymentPath(join(test.dataDir, 'chain'));
    const publicConfig = {
      ...resolveConfig({ data: join(test.dataDir, 'public-node'), logLevel: 'silent', rpcPort: '0' }),
      chain: test.node.ledger.rpcUrl,
      deployment,
    };
    process.env.FAIRSTREAM_OPERATOR_KEY = operatorKey;
    try {
      const node = await createNode(publicConfig);
      try {
        const token = await signIn(node, newAccount());
        const refused = await node.app.inject({
          method: 'POST',
          url: '/api/v1/faucet',
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(refused.statusCode, 409);
        assert.equal(refused.json().error.code, 'not_dev_chain');
      } finally {
        await node.close();
      }
      await assert.rejects(
        createNode({ ...publicConfig, chain: 'http://127.0.0.1:9' }),
        /No RPC answers at http:\/\/127\.0\.0\.1:9/,
      );
      await assert.rejects(
        createNode({ ...publicConfig, deployment: join(test.dataDir, 'missing.json') }),
        /deployment/i,
      );
    } finally {
      delete process.env.FAIRSTREAM_OPERATOR_KEY;
    }
  });
});
