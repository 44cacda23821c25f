// The plays root of an epoch, computed in a worker thread (plays-root-off-thread.ts starts it) from
// the packed plays: the same root as playsRootOf; no root when a play does not fit its leaf (the main
// thread then computes it inline and names the problem).
import { parentPort } from 'node:worker_threads';
import { type PackedPlays, playsRootOfPacked } from './plays-root-off-thread.ts';

parentPort?.once('message', (packed: PackedPlays) => {
  let root: string | undefined;
  try {
    root = playsRootOfPacked(packed);
  } catch {
    root = undefined;
  }
  parentPort?.postMessage({ root });
});
