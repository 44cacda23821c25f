import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StartEmbeddedChainParameters, startEmbeddedChain } from '../embedded/start-embedded-chain.ts';

/** A fresh temporary folder for a chain; `remove()` deletes it. */
export async function tempChainDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'fairstream-chain-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** An embedded chain in a temporary folder, on an ephemeral port, deployed; `close()` stops and deletes it. */
export async function startTestChain(parameters: Partial<StartEmbeddedChainParameters> = {}) {
  const { dir, remove } = await tempChainDir();
  const chain = await startEmbeddedChain({ rpcPort: 0, ...parameters, dataDir: parameters.dataDir ?? dir });
  const deployment = chain.deployment;
  if (!deployment) {
    await chain.stop();
    await remove();
    throw new Error('the test chain was not deployed (use startEmbeddedChain for an undeployed chain)');
  }
  return {
    ...chain,
    deployment,
    async close() {
      await chain.stop();
      await remove();
    },
  };
}
