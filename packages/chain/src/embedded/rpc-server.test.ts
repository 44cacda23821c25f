import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPublicClient, createWalletClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { getBalance, sendTransaction, waitForTransactionReceipt } from 'viem/actions';
import { fairstreamDevChain } from '../chains.ts';
import { startTestChain } from '../testing/test-chain.ts';
import { startEmbeddedChain } from './start-embedded-chain.ts';

type Chain = Awaited<ReturnType<typeof startTestChain>>;

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

describe('the JSON-RPC server', () => {
  let chain: Chain;
  before(async () => {
    chain = await startTestChain();
  });
  after(() => chain.close());

  it('answers eth_chainId and eth_blockNumber', async () => {
    const id = await post(chain.rpcUrl, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' }));
    assert.deepEqual(id.body, { jsonrpc: '2.0', id: 1, result: '0x7a69' });
    assert.equal(id.headers.get('access-control-allow-origin'), '*');
    const block = await post(
      chain.rpcUrl,
      JSON.stringify({ jsonrpc: '2.0', id: 'b', method: 'eth_blockNumber', params: [] }),
    );
    assert.match(block.body.result, /^0x[0-9a-f]+$/);
    assert.equal(block.body.id, 'b');
  });

  it('answers a batch in order, errors in place, notifications left out', async () => {
    const { body } = await post(
      chain.rpcUrl,
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
        { jsonrpc: '2.0', method: 'eth_blockNumber' },
        { jsonrpc: '2.0', id: 2, method: 'no_such_method' },
        { jsonrpc: '2.0', id: 3, method: 'net_version' },
        42,
      ]),
    );
    assert.equal(body.length, 4);
    assert.deepEqual(body[0], { jsonrpc: '2.0', id: 1, result: '0x7a69' });
    assert.equal(body[1].id, 2);
    assert.equal(typeof body[1].error.code, 'number');
    assert.deepEqual(body[2], { jsonrpc: '2.0', id: 3, result: '31337' });
    assert.equal(body[3].error.code, -32600);
  });

  it('rejects bad JSON, empty batches, malformed requests and oversized bodies', async () => {
    const bad = await post(chain.rpcUrl, '{"jsonrpc": "2.0", "id": 1, "method": ');
    assert.equal(bad.status, 200);
    assert.equal(bad.body.error.code, -32700);
    assert.equal(bad.body.id, null);
    assert.equal((await post(chain.rpcUrl, '[]')).body.error.code, -32600);
    assert.equal((await post(chain.rpcUrl, '{"id":1,"method":"eth_chainId"}')).body.error.code, -32600);
    const huge = await post(
      chain.rpcUrl,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'x', params: ['a'.repeat(11 * 1024 * 1024)] }),
    );
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, -32600);
    const refused = await post(
      chain.rpcUrl,
      JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'evm_revert', params: ['0x1'] }),
    );
    assert.equal(refused.body.error.code, -32601);
  });

  it('answers CORS preflights for browser wallets', async () => {
    const response = await fetch(chain.rpcUrl, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /content-type/);
  });

  it('serves viem over HTTP, with transactions journaled like in-process ones', async () => {
    const [, , , alice, bob] = chain.accounts;
    assert.ok(alice && bob);
    const devChain = fairstreamDevChain(chain.rpcUrl);
    const transport = http(chain.rpcUrl);
    const publicClient = createPublicClient({ chain: devChain, transport, pollingInterval: 50 });
    const wallet = createWalletClient({
      chain: devChain,
      transport,
      account: privateKeyToAccount(alice.privateKey),
    });
    const hash = await sendTransaction(wallet, { to: bob.address, value: 777n });
    const receipt = await waitForTransactionReceipt(publicClient, { hash });
    const bobBalance = await getBalance(publicClient, { address: bob.address });

    await chain.stop();
    const restarted = await startEmbeddedChain({ dataDir: chain.dataDir, rpcPort: 0 });
    try {
      const again = createPublicClient({ chain: devChain, transport: http(restarted.rpcUrl) });
      assert.equal(await getBalance(again, { address: bob.address }), bobBalance);
      const mined = await again.getTransactionReceipt({ hash });
      assert.equal(mined.blockHash, receipt.blockHash);
    } finally {
      await restarted.stop();
    }
  });
});
