/**
 * Ingestion benchmark: signed playback reports posted in batches from concurrent keep-alive
 * connections to a real node (child process, SQLite with synchronous=FULL, its default HTTP
 * processes), counting only reports answered "accepted" (committed before the answer).
 *
 *   npm run bench:ingest      (BENCH_DURATION=15 s, BENCH_REPORTS=250000, BENCH_BATCH=100,
 *                              BENCH_CONNECTIONS=16, BENCH_LISTENERS=50)
 *   BENCH_GATED=1 npm run bench:ingest   (the track is token-gated and every listener holds the token)
 *
 * Goal (from the issue): 10,000 durable reports/s on this 2-core machine. Anchor: Audius, about
 * 125 plays/s (its discovery nodes ingest listens one request each).
 */
import { Agent, request } from 'node:http';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createFairstreamClient, signIn } from '@fairstream/sdk';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { findFfmpeg } from '../packages/node/src/media/binaries.ts';
import { delegationBody, newSessionKey, signedReport } from '../packages/node/src/testing/plays.ts';
import {
  childPids,
  cpuSeconds,
  generateMusic,
  machineTicks,
  runBenchmark,
  signInFresh,
  startNode,
  table,
  tempDir,
  uploadAudio,
  verdict,
  waitUntilReady,
} from './lib.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 15);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 2);
const TOTAL_REPORTS = Number(process.env.BENCH_REPORTS ?? 250_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const LISTENERS = Number(process.env.BENCH_LISTENERS ?? 50);
/**
 * The track asks 1 base unit of FAIR and every listener gets FAIR from the dev faucet, so every
 * report passes the gate check: balances cached per block, no chain call while the head stays put.
 */
const GATED = process.env.BENCH_GATED === '1';
const TRACK_SECONDS = 40;
const GOAL_PER_S = 10_000;
const AUDIUS_PER_S = 125;

const step = (message: string) => process.stderr.write(`${message}\n`);

interface Outcome {
  ms: number;
  accepted: number;
  other: number;
  failed: boolean;
}

runBenchmark(async () => {
  const cores = availableParallelism();
  const work = await tempDir('fairstream-bench-ingest-');
  const bins = await findFfmpeg();

  step(`generating a ${TRACK_SECONDS} s track, starting a node and uploading it`);
  const flac = join(work, 'track.flac');
  await generateMusic(bins.ffmpeg, flac, { seconds: TRACK_SECONDS, seed: 7, codec: 'flac' });
  const dataDir = join(work, 'node-data');
  const node = await startNode(dataDir, join(work, 'node.log'));
  const token = await signInFresh(node.url);
  const gate: Record<string, string> = GATED
    ? {
        access: 'token',
        gateToken: ((await (await fetch(`${node.url}/api/v1/chain`)).json()) as ChainInfo).contracts
          .FairToken,
        gateMinBalance: '1',
      }
    : {};
  const uploaded = await uploadAudio(node.url, token, flac, 'Ingest benchmark', gate);
  const track = await waitUntilReady(node, token, uploaded.id);
  const httpProcesses = (await childPids(node.pid)).length;

  step(`signing in ${LISTENERS} listeners and delegating a session key each`);
  const anonymous = createFairstreamClient({ baseUrl: node.url });
  const nonce = (await (await fetch(`${node.url}/api/v1/auth/nonce`)).json()) as {
    domain: string;
    chainId: number;
  };
  const listeners = await Promise.all(
    Array.from({ length: LISTENERS }, async () => {
      const account = privateKeyToAccount(generatePrivateKey());
      const session = await signIn(anonymous, account);
      const key = newSessionKey();
      if (GATED) {
        const drip = await fetch(`${node.url}/api/v1/faucet`, {
          method: 'POST',
          headers: { authorization: `Bearer ${session.token}` },
        });
        if (drip.status !== 200) throw new Error(`faucet refused: ${await drip.text()}`);
      }
      const response = await fetch(`${node.url}/api/v1/auth/session-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
        // Issued 4 minutes ago (within the node's 5-minute skew): the pre-signed reports end after it.
        body: JSON.stringify(await delegationBody(account, key, nonce, { issuedAt: Date.now() - 240_000 })),
      });
      if (response.status !== 201) throw new Error(`delegation refused: ${await response.text()}`);
      return { address: account.address, key };
    }),
  );

  step(`pre-signing ${TOTAL_REPORTS.toLocaleString('en')} reports in batches of ${BATCH}`);
  const signStarted = performance.now();
  const bodies: string[] = [];
  const now = Date.now();
  for (let i = 0; i < TOTAL_REPORTS; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(i + BATCH, TOTAL_REPORTS); j++) {
      const listener = listeners[j % LISTENERS]!;
      // 30 s plays of the track over the last 200 s, the last one ending now; all after the keys
      // were delegated (a report ending earlier is refused).
      const endedAt = now - Math.floor(((TOTAL_REPORTS - j) * 200_000) / TOTAL_REPORTS);
      const start = (j * 997) % ((TRACK_SECONDS - 30) * 1000);
      batch.push(
        signedReport(listener.key, listener.address, track.id, {
          segments: [[start, start + 30_000]],
          startedAt: endedAt - 30_000,
          endedAt,
          source: 'api',
        }),
      );
    }
    bodies.push(JSON.stringify({ reports: batch }));
  }
  const signSeconds = (performance.now() - signStarted) / 1000;

  const { hostname, port } = new URL(node.url);
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const post = (body: string) =>
    new Promise<Outcome>((resolve) => {
      const started = performance.now();
      const req = request(
        {
          agent,
          host: hostname,
          port,
          method: 'POST',
          path: '/api/v1/plays',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const ms = performance.now() - started;
            if (res.statusCode !== 200) {
              resolve({ ms, accepted: 0, other: 0, failed: true });
              return;
            }
            const text = Buffer.concat(chunks).toString();
            // Count without a full parse: the client must stay cheap, it shares the machine.
            const accepted = text.split('"status":"accepted"').length - 1;
            const total = text.split('"status":').length - 1;
            resolve({ ms, accepted, other: total - accepted, failed: false });
          });
        },
      );
      req.on('error', () =>
        resolve({ ms: performance.now() - started, accepted: 0, other: 0, failed: true }),
      );
      req.end(body);
    });

  let next = 0;
  const runPhase = async (seconds: number) => {
    const outcomes: Outcome[] = [];
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    const worker = async () => {
      while (performance.now() < deadline && next < bodies.length) {
        outcomes.push(await post(bodies[next++]!));
      }
    };
    const cpuBefore = await nodeCpu(node.pid);
    const ticksBefore = await machineTicks();
    const clientBefore = process.cpuUsage();
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    const elapsed = (performance.now() - started) / 1000;
    const client = process.cpuUsage(clientBefore);
    const cpuAfter = await nodeCpu(node.pid);
    const ticksAfter = await machineTicks();
    return {
      outcomes,
      elapsed,
      nodeCpuPercent: ((cpuAfter - cpuBefore) / elapsed) * 100,
      clientCpuPercent: ((client.user + client.system) / 1e6 / elapsed) * 100,
      machineBusyPercent:
        ((ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total)) * 100,
    };
  };

  step(`warming up for ${WARMUP_S} s, then measuring for ${DURATION_S} s (${CONNECTIONS} connections)`);
  const warm = await runPhase(WARMUP_S);
  const measured = await runPhase(DURATION_S);
  const ranOut = next >= bodies.length;
  agent.destroy();

  const outcomes = measured.outcomes;
  const accepted = outcomes.reduce((sum, o) => sum + o.accepted, 0);
  const notAccepted = outcomes.reduce((sum, o) => sum + o.other, 0);
  const failed = outcomes.filter((o) => o.failed).length;
  const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const perSecond = accepted / measured.elapsed;
  const warmAccepted = warm.outcomes.reduce((sum, o) => sum + o.accepted, 0);

  // Every report answered "accepted" must be in the database.
  const db = new DatabaseSync(join(dataDir, 'fairstream.db'), { readOnly: true });
  const stored = (db.prepare('SELECT count(*) AS n FROM play_reports').get() as { n: number }).n;
  db.close();
  const allStored = stored >= accepted + warmAccepted;

  const out: string[] = [''];
  out.push(
    `Node: ${httpProcesses} HTTP processes + the background process, SQLite (WAL, synchronous=FULL), ` +
      `${cores} cores. ${GATED ? 'A token-gated track, every listener holding the token. ' : ''}` +
      `Client: ${CONNECTIONS} keep-alive connections, ${BATCH} reports per request, ` +
      `${LISTENERS} listeners; ${TOTAL_REPORTS.toLocaleString('en')} reports pre-signed in ${signSeconds.toFixed(1)} s.`,
  );
  out.push('');
  out.push(
    table(
      [
        '',
        'requests',
        'reports accepted',
        'accepted/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'node CPU%',
        'client CPU%',
        'machine busy%',
      ],
      [
        [
          `measured ${measured.elapsed.toFixed(1)} s`,
          outcomes.length,
          accepted,
          Math.round(perSecond),
          pct(50).toFixed(1),
          pct(99).toFixed(1),
          (latencies.at(-1) ?? 0).toFixed(1),
          Math.round(measured.nodeCpuPercent),
          Math.round(measured.clientCpuPercent),
          Math.round(measured.machineBusyPercent),
        ],
      ],
    ),
  );
  out.push('');
  out.push(`Not accepted: ${notAccepted} reports; failed requests: ${failed}.`);
  const nodeUs = (measured.nodeCpuPercent / 100 / perSecond) * 1e6;
  const clientUs = (measured.clientCpuPercent / 100 / perSecond) * 1e6;
  const ceiling = (cores * 1e6) / (nodeUs + clientUs);
  out.push(
    `CPU per accepted report: node ${nodeUs.toFixed(0)} µs, client ${clientUs.toFixed(0)} µs; ` +
      `${cores} otherwise idle cores would carry about ${Math.round(ceiling)}/s. When machine busy% is far ` +
      'above node + client CPU%, other programs shared the machine and the measured rate is low.',
  );
  out.push(
    `Stored in play_reports: ${stored} (${allStored ? 'every accepted report' : 'MISSING accepted reports'}).`,
  );
  if (ranOut)
    out.push(`The ${TOTAL_REPORTS} pre-signed reports ran out before the time was up: raise BENCH_REPORTS.`);
  out.push(
    `Goal ${GOAL_PER_S.toLocaleString('en')} durable reports/s: ${verdict(perSecond >= GOAL_PER_S)} ` +
      `(${(perSecond / GOAL_PER_S).toFixed(2)}x). Anchor, Audius: ${AUDIUS_PER_S}/s ` +
      `(${Math.round(perSecond / AUDIUS_PER_S)}x).`,
  );
  out.push('');
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'ingest',
      date: new Date().toISOString(),
      gated: GATED,
      cores,
      httpProcesses,
      connections: CONNECTIONS,
      batch: BATCH,
      seconds: Number(measured.elapsed.toFixed(2)),
      requests: outcomes.length,
      accepted,
      acceptedPerS: Math.round(perSecond),
      p50Ms: Number(pct(50).toFixed(2)),
      p99Ms: Number(pct(99).toFixed(2)),
      failedRequests: failed,
      notAccepted,
      allStored,
      nodeCpuPercent: Math.round(measured.nodeCpuPercent),
      nodeCpuUsPerReport: Math.round((measured.nodeCpuPercent / 100 / perSecond) * 1e6),
      clientCpuPercent: Math.round(measured.clientCpuPercent),
      machineBusyPercent: Math.round(measured.machineBusyPercent),
      goalPerS: GOAL_PER_S,
      goalMet: perSecond >= GOAL_PER_S,
      anchorAudiusPerS: AUDIUS_PER_S,
    })}\n`,
  );
  return failed > 0 || notAccepted > 0 || !allStored ? 1 : 0;
});

interface ChainInfo {
  contracts: { FairToken: string };
}

async function nodeCpu(pid: number): Promise<number> {
  const pids = [pid, ...(await childPids(pid))];
  const seconds = await Promise.all(pids.map(cpuSeconds));
  return seconds.reduce((sum, value) => sum + value, 0);
}
