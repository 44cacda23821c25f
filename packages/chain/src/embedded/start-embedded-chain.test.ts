import assert from 'node:assert/strict';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type Hex, parseEther } from 'viem';
import { getBalance, getBlock, sendTransaction, waitForTransactionReceipt } from 'viem/actions';
import { getFairBalance } from '../actions/get-fair-balance.ts';
import { transferFair } from '../actions/transfer-fair.ts';
import { readDeployment } from '../deployment.ts';
import { ChainError } from '../errors.ts';
import { tempChainDir } from '../testing/test-chain.ts';
import { embeddedPublicClient, embeddedWalletClient } from './clients.ts';
import { startEmbeddedChain } from './start-embedded-chain.ts';

type RawBlock = { hash: Hex; number: Hex; timestamp: Hex };

async function latest(chain: {
  provider: { request(args: { method: string; params?: unknown }): Promise<unknown> };
}) {
  return (await chain.provider.request({
    method: 'eth_getBlockByNumber',
    params: ['latest', false],
  })) as RawBlock;
}

describe('the embedded chain', () => {
  it('deploys on first start only and comes back identical after a restart', async (t) => {
    const { dir, remove } = await tempChainDir();
    t.after(remove);

    const first = await startEmbeddedChain({ dataDir: dir, rpcPort: 0 });
    const deployment = first.deployment;
    assert.ok(deployment);
    assert.deepEqual(await readDeployment(join(dir, 'deployment.json')), deployment);
    const [treasury, , , alice, bob] = first.accounts;
    assert.ok(treasury && alice && bob);

    // A mix of everything the journal keeps: raw transactions, dev-account sendTransaction, time
    // travel, manual mining, balance edits, and a transaction that reverts yet is mined.
    const wallet = embeddedWalletClient(first, treasury);
    await transferFair(wallet, { deployment, to: alice.address, amount: parseEther('12.5') });
    await first.provider.request({
      method: 'eth_sendTransaction',
      params: [{ from: bob.address, to: alice.address, value: '0x2540be400' }],
    });
    await first.provider.request({ method: 'evm_increaseTime', params: [3600] });
    await first.provider.request({ method: 'evm_mine', params: [] });
    await first.provider.request({ method: 'hardhat_mine', params: ['0x3', '0x10'] });
    await first.provider.request({ method: 'hardhat_setBalance', params: [bob.address, '0x1234'] });
    const reverted = (await first.provider.request({
      method: 'eth_sendTransaction',
      params: [{ from: alice.address, data: '0x5f5ffd', gas: '0x100000' }], // constructor: revert(0, 0)
    })) as Hex;
    const publicClient = embeddedPublicClient(first);
    assert.equal((await waitForTransactionReceipt(publicClient, { hash: reverted })).status, 'reverted');
    // Refused rather than journaled: replay could not rebuild a reverted snapshot.
    await assert.rejects(first.provider.request({ method: 'evm_snapshot', params: [] }), /not available/);

    const before = await latest(first);
    const fairBefore = await getFairBalance(publicClient, { deployment, address: alice.address });
    const ethBefore = await getBalance(publicClient, { address: alice.address });
    await first.stop();

    const progress: [number, number][] = [];
    const second = await startEmbeddedChain({
      dataDir: dir,
      rpcPort: 0,
      onReplayProgress: (done, total) => progress.push([done, total]),
    });
    t.after(() => second.stop());
    const after = await latest(second);
    assert.equal(after.hash, before.hash);
    assert.equal(after.number, before.number);
    assert.deepEqual(second.deployment, deployment, 'the deployment is read back, not redeployed');

    const total = second.replayed.entries;
    assert.ok(total >= 12, `replayed ${total} entries`);
    assert.equal(progress.length, total);
    assert.deepEqual(progress.at(-1), [total, total]);
    assert.deepEqual(
      progress.map(([done]) => done),
      Array.from({ length: total }, (_, i) => i + 1),
    );

    const client = embeddedPublicClient(second);
    assert.equal(await getFairBalance(client, { deployment, address: alice.address }), fairBefore);
    assert.equal(await getBalance(client, { address: alice.address }), ethBefore);
    assert.equal(await getBalance(client, { address: bob.address }), 0x1234n);

    // The restored chain keeps going: new blocks follow the replayed ones, later in time.
    const hash = await sendTransaction(embeddedWalletClient(second, alice), { to: bob.address, value: 1n });
    const receipt = await waitForTransactionReceipt(client, { hash });
    assert.equal(receipt.blockNumber, BigInt(after.number) + 1n);
    const block = await getBlock(client, { blockNumber: receipt.blockNumber });
    assert.ok(block.timestamp > BigInt(after.timestamp));
  });

  it('drops a torn last journal line (a crash mid-write) and replays the rest', async (t) => {
    const { dir, remove } = await tempChainDir();
    t.after(remove);
    const first = await startEmbeddedChain({ dataDir: dir, rpcPort: 0 });
    const head = await latest(first);
    await first.stop();

    // What a kill -9 in the middle of write() leaves: the start of a line, no newline.
    const journal = join(dir, 'journal.jsonl');
    const { size } = await stat(journal);
    const lines = (await readFile(journal, 'utf8')).trimEnd().split('\n');
    const torn = (lines.at(-1) ?? '').replace('"seq":5', '"seq":6').slice(0, 200);
    await appendFile(journal, torn);

    const warnings: string[] = [];
    const second = await startEmbeddedChain({
      dataDir: dir,
      rpcPort: 0,
      logger: { info() {}, warn: (_object, message) => warnings.push(message) },
    });
    t.after(() => second.stop());
    assert.equal((await latest(second)).hash, head.hash);
    assert.equal((await stat(journal)).size, size, 'the torn bytes were truncated away');
    assert.ok(warnings.some((message) => message.includes('torn')));
  });

  it('refuses a journal damaged before its last line', async (t) => {
    const { dir, remove } = await tempChainDir();
    t.after(remove);
    const first = await startEmbeddedChain({ dataDir: dir, rpcPort: 0 });
    await first.stop();
    const journal = join(dir, 'journal.jsonl');
    const lines = (await readFile(journal, 'utf8')).split('\n');
    lines[2] = (lines[2] ?? '').slice(0, 50);
    await writeFile(journal, lines.join('\n'));
    await assert.rejects(
      startEmbeddedChain({ dataDir: dir, rpcPort: 0 }),
      (error) =>
        error instanceof ChainError && error.code === 'journal_corrupt' && /line 3/.test(error.message),
    );
  });

  it('refuses a second process on the same folder and another chain id', async (t) => {
    const { dir, remove } = await tempChainDir();
    t.after(remove);
    const chain = await startEmbeddedChain({ dataDir: dir, rpcPort: 0, deploy: false });
    await assert.rejects(
      startEmbeddedChain({ dataDir: dir, rpcPort: 0 }),
      (error) => error instanceof ChainError && error.code === 'data_dir_locked',
    );
    await chain.stop();
    await assert.rejects(
      startEmbeddedChain({ dataDir: dir, rpcPort: 0, chainId: 1337 }),
      (error) => error instanceof ChainError && error.code === 'wrong_chain',
    );
  });
});
