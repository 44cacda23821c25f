// Measures how fast the embedded chain replays its journal at start.
//   node packages/chain/scripts/bench-replay.ts [blocks=10000]
// Builds a chain with that many one-transaction blocks (signed transfers sent as raw transactions,
// as wallets send them), stops it, and times the restart.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendTransaction } from 'viem/actions';
import { embeddedWalletClient } from '../src/embedded/clients.ts';
import { startEmbeddedChain } from '../src/embedded/start-embedded-chain.ts';

const blocks = Number(process.argv[2] ?? 10_000);
const dataDir = await mkdtemp(join(tmpdir(), 'fairstream-bench-replay-'));
try {
  const chain = await startEmbeddedChain({ dataDir, rpcPort: 0 });
  const accounts = chain.accounts.slice(3, 13);
  const wallets = accounts.map((account) => embeddedWalletClient(chain, account));
  let started = performance.now();
  for (let i = 0; i < blocks; i++) {
    const wallet = wallets[i % wallets.length];
    const to = accounts[(i + 1) % accounts.length];
    if (!wallet || !to) throw new Error('no accounts');
    await sendTransaction(wallet, { to: to.address, value: 1n });
  }
  const buildMs = performance.now() - started;
  await chain.stop();
  const { size } = await stat(join(dataDir, 'journal.jsonl'));

  started = performance.now();
  let lastReport = 0;
  const restarted = await startEmbeddedChain({
    dataDir,
    rpcPort: 0,
    onReplayProgress: (done, total) => {
      if (done - lastReport >= total / 10 || done === total) {
        lastReport = done;
        process.stderr.write(`  replayed ${done}/${total}\n`);
      }
    },
  });
  const startMs = performance.now() - started;
  const { entries, ms } = restarted.replayed;
  await restarted.stop();
  console.log(
    JSON.stringify({
      blocks,
      journalBytes: size,
      liveBlocksPerSecond: Math.round((blocks / buildMs) * 1000),
      replayEntries: entries,
      replayMs: Math.round(ms),
      replayBlocksPerSecond: Math.round((entries / ms) * 1000),
      restartMs: Math.round(startMs),
    }),
  );
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
