import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generatePrivateKey } from 'viem/accounts';
import { connectChain } from './config.ts';
import { embeddedDeploymentPath } from './deployment.ts';
import { ChainError, type ChainErrorCode } from './errors.ts';
import { startTestChain, tempChainDir } from './testing/test-chain.ts';

const isChainError = (code: ChainErrorCode, pattern?: RegExp) => (error: unknown) =>
  error instanceof ChainError && error.code === code && (!pattern || pattern.test(error.message));

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('connectChain', () => {
  let chain: Awaited<ReturnType<typeof startTestChain>>;
  let deploymentFile: string;
  let dir: { dir: string; remove: () => Promise<void> };
  let operatorKey: `0x${string}`;
  before(async () => {
    chain = await startTestChain();
    deploymentFile = embeddedDeploymentPath(chain.dataDir);
    dir = await tempChainDir();
    const operator = chain.accounts[0];
    assert.ok(operator);
    operatorKey = operator.privateKey;
  });
  after(async () => {
    await chain.close();
    await dir.remove();
  });

  it('connects, checks the chain and the operator, and signs as the operator', async () => {
    const connected = await connectChain({ rpcUrl: chain.rpcUrl, deploymentFile, operatorKey });
    assert.equal(connected.chainId, 31337);
    assert.equal(connected.operator, chain.accounts[0]?.address);
    assert.deepEqual(connected.deployment, chain.deployment);
    assert.equal(connected.walletClient.account.address, connected.operator);

    const keyFile = join(dir.dir, 'operator.key');
    await writeFile(keyFile, `${operatorKey.slice(2)}\n`);
    assert.equal(
      (await connectChain({ rpcUrl: chain.rpcUrl, deploymentFile, operatorKeyFile: keyFile })).operator,
      connected.operator,
    );
    const fromEnv = await connectChain({
      rpcUrl: chain.rpcUrl,
      deploymentFile,
      env: { FAIRSTREAM_OPERATOR_KEY: operatorKey },
    });
    assert.equal(fromEnv.operator, connected.operator);
  });

  it('warns, naming the command that fixes it, when the deployment lacks contracts added since', async () => {
    const { Promotions, FanDrops, ...older } = chain.deployment.contracts;
    const olderFile = join(dir.dir, 'older-deployment.json');
    await writeFile(olderFile, JSON.stringify({ ...chain.deployment, contracts: older }));
    const warnings: string[] = [];
    const connected = await connectChain({
      rpcUrl: chain.rpcUrl,
      deploymentFile: olderFile,
      operatorKey,
      logger: { info() {}, warn: (_, message) => void warnings.push(message) },
    });
    assert.equal(connected.deployment.contracts.FanDrops, undefined);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /has no Promotions, FanDrops: .*--add-missing/);
  });

  it('says when no RPC answers: a closed port, or a server that never replies', async () => {
    const closed = createServer();
    const closedUrl = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(
      connectChain({ rpcUrl: closedUrl, deploymentFile, operatorKey, timeoutMs: 2000 }),
      isChainError('rpc_unreachable', /No RPC answers at http:\/\/127\.0\.0\.1:\d+/),
    );

    const silent = createServer(() => {});
    const silentUrl = await listen(silent);
    try {
      await assert.rejects(
        connectChain({ rpcUrl: silentUrl, deploymentFile, operatorKey, timeoutMs: 300 }),
        isChainError('rpc_unreachable', /No RPC answers at .*\n.*within 300 ms/),
      );
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses a deployment file of another chain, or none', async () => {
    const otherChain = join(dir.dir, '10.json');
    await writeFile(otherChain, JSON.stringify({ ...chain.deployment, chainId: 10 }));
    await assert.rejects(
      connectChain({ rpcUrl: chain.rpcUrl, deploymentFile: otherChain, operatorKey }),
      isChainError('wrong_chain', /serves chain 31337, but .* is for chain 10/),
    );
    await assert.rejects(
      connectChain({ rpcUrl: chain.rpcUrl, deploymentFile: join(dir.dir, 'nope.json'), operatorKey }),
      isChainError('deployment_missing', /No deployment file at/),
    );
    const garbage = join(dir.dir, 'garbage.json');
    await writeFile(garbage, '{"chainId": 31337}');
    await assert.rejects(
      connectChain({ rpcUrl: chain.rpcUrl, deploymentFile: garbage, operatorKey }),
      isChainError('deployment_invalid'),
    );
  });

  it('refuses a missing, malformed or underfunded operator key, never echoing it', async () => {
    await assert.rejects(
      connectChain({ rpcUrl: chain.rpcUrl, deploymentFile, env: {} }),
      isChainError('operator_key_missing', /FAIRSTREAM_OPERATOR_KEY/),
    );
    const malformed = `${operatorKey.slice(0, 40)}zz`;
    await assert.rejects(
      connectChain({ rpcUrl: chain.rpcUrl, deploymentFile, operatorKey: malformed }),
      (error) => {
        assert.ok(isChainError('operator_key_invalid', /malformed/)(error));
        assert.ok(
          !(error as Error).message.includes(malformed.slice(2, 20)),
          'the key is not in the message',
        );
        return true;
      },
    );
    await assert.rejects(
      connectChain({ rpcUrl: chain.rpcUrl, deploymentFile, operatorKeyFile: join(dir.dir, 'missing.key') }),
      isChainError('operator_key_missing', /Cannot read the key file/),
    );
    await assert.rejects(
      connectChain({ rpcUrl: chain.rpcUrl, deploymentFile, operatorKey: generatePrivateKey() }),
      isChainError('operator_underfunded', /holds 0 ETH on chain 31337, less than the 0\.01 ETH/),
    );
  });
});
