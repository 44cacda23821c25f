/**
 * `npm run e2e`: the plays-to-payouts run on the embedded defaults, step by step (a few minutes).
 * FAIRSTREAM_E2E_EPOCH_SECONDS (default 10) and FAIRSTREAM_E2E_TRACK_SECONDS (default 40) shorten
 * or lengthen it; FAIRSTREAM_E2E_NODE_LOGS=1 shows the node's warnings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlaysToPayouts } from '../packages/cli/src/end-to-end/plays-to-payouts.ts';

const work = await mkdtemp(join(tmpdir(), 'fairstream-e2e-'));
const started = Date.now();
const log = (line: string) =>
  process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
try {
  const result = await runPlaysToPayouts({
    workDir: work,
    epochSeconds: Number(process.env.FAIRSTREAM_E2E_EPOCH_SECONDS ?? 10),
    trackSeconds: Number(process.env.FAIRSTREAM_E2E_TRACK_SECONDS ?? 40),
    nodeLogs: process.env.FAIRSTREAM_E2E_NODE_LOGS === '1',
    log,
  });
  log(
    `Done: ${result.countedPlays} counted plays in epoch(s) ${result.epochs.join(', ')}; every wallet holds exactly its share; ` +
      `killed during ingestion and during settlement (${result.killedDuringSettlement ?? 'settled before the kill'}).`,
  );
} catch (error) {
  log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
