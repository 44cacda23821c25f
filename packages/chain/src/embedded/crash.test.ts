import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Hash } from 'viem';
import { getTransactionReceipt } from 'viem/actions';
import { tempChainDir } from '../testing/test-chain.ts';
import { embeddedPublicClient } from './clients.ts';
import { startEmbeddedChain } from './start-embedded-chain.ts';

const child = fileURLToPath(new URL('../testing/crash-child.ts', import.meta.url));

it('loses no acknowledged transaction when the process is killed -9 while writing', async (t) => {
  const { dir, remove } = await tempChainDir();
  t.after(remove);

  for (let round = 0; round < 3; round++) {
    const acked: Hash[] = [];
    const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      proc.on('error', reject);
      proc.stdout.on('data', (data: Buffer) => {
        buffered += data.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        acked.push(...(lines as Hash[]));
        // Kill at an arbitrary moment while transactions stream: most likely mid-request or mid-write.
        if (acked.length >= 40 + round * 17) {
          proc.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((resolve) => proc.once('exit', resolve));

    const chain = await startEmbeddedChain({ dataDir: dir, rpcPort: 0, deploy: false });
    try {
      const client = embeddedPublicClient(chain);
      for (const hash of acked) {
        const receipt = await getTransactionReceipt(client, { hash });
        assert.equal(receipt.status, 'success', `acknowledged ${hash} survived`);
      }
    } finally {
      await chain.stop();
    }
  }
});
