/**
 * Streaming benchmark: 256 KiB range requests from 100 concurrent keep-alive clients (wrk) on
 * loopback, against Fairstream's stream and blob URLs and against nginx serving the same Opus bytes
 * as a static file, alternating targets in one run so that drift hits both alike.
 *
 *   npm run bench:stream            (BENCH_DURATION=15 BENCH_WARMUP=3 seconds by default)
 *
 * Goal (from the issue): Fairstream at least 0.7 of nginx's throughput, p99 under 20 ms.
 */
import { constants } from 'node:fs';
import { access, chmod, copyFile, mkdir, open, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { findFfmpeg } from '../packages/node/src/media/binaries.ts';
import {
  childPids,
  cpuSeconds,
  defer,
  freePort,
  generateMusic,
  machineTicks,
  mean,
  type NodeProcess,
  run,
  runBenchmark,
  signInFresh,
  sleep,
  spawnTracked,
  startNode,
  stopProcess,
  table,
  tail,
  tempDir,
  uploadAudio,
  verdict,
  waitUntilReady,
} from './lib.ts';

const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';
const WRK = process.env.WRK ?? '/usr/bin/wrk';
const DURATION_S = Number(process.env.BENCH_DURATION ?? 15);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);
const PACED_RPS = Number(process.env.BENCH_PACED_RPS ?? 1000);
const PACED_DURATION_S = Number(process.env.BENCH_PACED_DURATION ?? 10);
const ROUNDS = 2;
const CONNECTIONS = 100;
const THREADS = 2;
const RANGE_BYTES = 256 * 1024;
const TRACK_SECONDS = 300;
const GOAL_RATIO = 0.7;
const GOAL_P99_MS = 20;

interface Target {
  label: string;
  url: string;
  /** The server's processes, whose CPU time is charged to the run. */
  pids: () => Promise<number[]>;
}

interface RunPlan {
  load: string;
  script: string;
  seconds: number;
  /** Run first as the warm-up: it checks every response, which costs wrk too much to measure with. */
  checked: string;
}

interface WrkResult {
  target: string;
  load: string;
  round: string;
  requestsPerSec: number;
  /** Body and header bytes per second, as wrk counts them. */
  mibPerSec: number;
  wrkRequestsPerSec: string;
  wrkTransferPerSec: string;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  requests: number;
  badResponses: number;
  socketErrors: number;
  /** CPU used by the server's processes over the run, in % of one core. */
  serverCpuPct: number;
  wrkCpuPct: number;
  machineBusyPct: number;
}

runBenchmark(async () => {
  for (const [binary, hint] of [
    [NGINX, 'apt-get install -y nginx-light'],
    [WRK, 'apt-get install -y wrk'],
  ] as const) {
    if (
      !(await access(binary, constants.X_OK).then(
        () => true,
        () => false,
      ))
    ) {
      process.stderr.write(`${binary} is missing. Install it with: ${hint}\n`);
      return 1;
    }
  }
  const cores = availableParallelism();
  const work = await tempDir('fairstream-bench-stream-');
  // nginx workers drop to an unprivileged user when started as root; they must reach the file.
  await chmod(work, 0o755);
  const bins = await findFfmpeg();

  step(`generating a ${TRACK_SECONDS / 60}-minute stereo FLAC`);
  const flac = join(work, 'bench-track.flac');
  await generateMusic(bins.ffmpeg, flac, { seconds: TRACK_SECONDS, seed: 1, codec: 'flac' });

  step('starting a Fairstream node');
  const dataDir = join(work, 'node-data');
  const node = await startNode(dataDir, join(work, 'node.log'));
  const token = await signInFresh(node.url);
  step('uploading and waiting until the track is ready');
  const uploaded = await uploadAudio(node.url, token, flac, 'Stream benchmark');
  const track = await waitUntilReady(node, token, uploaded.id);
  const opus = track.renditions.find((rendition) => rendition.format === 'opus');
  if (!opus) throw new Error(`the ready track has no Opus rendition: ${JSON.stringify(track.renditions)}`);

  const webRoot = join(work, 'www');
  await mkdir(webRoot, { mode: 0o755 });
  const staticFile = join(webRoot, 'track.opus');
  await copyFile(join(dataDir, 'blobs', opus.cid.slice(-2), opus.cid), staticFile);
  await chmod(staticFile, 0o644);

  step(`starting nginx (worker_processes auto) on the same ${formatMiB(opus.size)} Opus file`);
  const nginx = await startNginx(join(work, 'nginx'), webRoot, 'auto');
  const nginxWorkers = (await childPids(nginx.pid)).length;

  const paths = {
    nginx: `${nginx.url}/track.opus`,
    stream: `${node.url}/api/v1/tracks/${track.id}/stream?format=opus`,
    blob: `${node.url}/api/v1/blobs/${opus.cid}`,
  };
  const expected = await readSlice(staticFile, RANGE_BYTES, 2 * RANGE_BYTES - 1);
  for (const url of Object.values(paths)) await checkSameBytes(url, RANGE_BYTES, expected);

  // The node serves HTTP from worker processes forked by the one we started.
  const nodePids = async () => [node.pid, ...(await childPids(node.pid))];
  const nginxPids = async () => [nginx.pid, ...(await childPids(nginx.pid))];
  const targets: Target[] = [
    { label: `nginx (${nginxWorkers} workers)`, url: paths.nginx, pids: nginxPids },
    { label: 'fairstream /tracks/:id/stream', url: paths.stream, pids: nodePids },
    { label: 'fairstream /blobs/:cid', url: paths.blob, pids: nodePids },
  ];
  const [nginxTarget, streamTarget, blobTarget] = targets as [Target, Target, Target];
  const scripts = {
    checked: join(work, 'checked.lua'),
    flat: join(work, 'flat-out.lua'),
    paced: join(work, 'paced.lua'),
  };
  await writeFile(scripts.checked, luaScript(opus.size, { check: true }));
  await writeFile(scripts.flat, luaScript(opus.size, { check: false }));
  const pacedDelayMs = (CONNECTIONS / PACED_RPS) * 1000;
  await writeFile(scripts.paced, luaScript(opus.size, { check: false, meanDelayMs: pacedDelayMs }));

  const results: WrkResult[] = [];
  const flatOut = { load: 'max', script: scripts.flat, seconds: DURATION_S };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const target of targets) {
      step(
        `round ${round}/${ROUNDS}: ${target.label} (${WARMUP_S} s checked warm-up, ${DURATION_S} s measured)`,
      );
      results.push(await measure(target, String(round), { ...flatOut, checked: scripts.checked }, node));
    }
  }
  const paced = { load: `paced ${PACED_RPS}/s`, script: scripts.paced, seconds: PACED_DURATION_S };
  for (const target of [nginxTarget, streamTarget]) {
    step(`paced: ${target.label} at about ${PACED_RPS} requests/s offered (${PACED_DURATION_S} s)`);
    results.push(await measure(target, '1', { ...paced, checked: scripts.checked }, node));
  }

  // For context only: nginx held to one worker, as the node is one process.
  step('for context: nginx with worker_processes 1');
  await stopProcess(nginx.child);
  const nginxOne = await startNginx(join(work, 'nginx-1'), webRoot, '1');
  const oneWorkerTarget = {
    label: 'nginx (1 worker, context)',
    url: `${nginxOne.url}/track.opus`,
    pids: async () => [nginxOne.pid, ...(await childPids(nginxOne.pid))],
  };
  results.push(await measure(oneWorkerTarget, '1', { ...flatOut, checked: scripts.checked }, node));

  const summary = (target: Target, load: string) => {
    const rows = results.filter((result) => result.target === target.label && result.load === load);
    return {
      requestsPerSec: round1(mean(rows.map((row) => row.requestsPerSec))),
      mibPerSec: round1(mean(rows.map((row) => row.mibPerSec))),
      p50Ms: round2(Math.max(...rows.map((row) => row.p50Ms))),
      p90Ms: round2(Math.max(...rows.map((row) => row.p90Ms))),
      p99Ms: round2(Math.max(...rows.map((row) => row.p99Ms))),
      serverCpuPct: Math.round(mean(rows.map((row) => row.serverCpuPct))),
      wrkCpuPct: Math.round(mean(rows.map((row) => row.wrkCpuPct))),
      badResponses: rows.reduce((sum, row) => sum + row.badResponses, 0),
      socketErrors: rows.reduce((sum, row) => sum + row.socketErrors, 0),
    };
  };
  const nginxSummary = summary(nginxTarget, 'max');
  const streamSummary = summary(streamTarget, 'max');
  const blobSummary = summary(blobTarget, 'max');
  const oneWorkerSummary = summary(oneWorkerTarget, 'max');
  const nginxPaced = summary(nginxTarget, paced.load);
  const streamPaced = summary(streamTarget, paced.load);
  const ratio = streamSummary.requestsPerSec / nginxSummary.requestsPerSec;
  const ratioMet = ratio >= GOAL_RATIO;
  const p99Met = streamSummary.p99Ms < GOAL_P99_MS;
  const vsNginx = (value: number) => (value / nginxSummary.requestsPerSec).toFixed(2);

  const out: string[] = [''];
  out.push(
    `Streaming: ${CONNECTIONS} keep-alive connections from ${THREADS} wrk threads, each request a random ` +
      `256 KiB-aligned range of ${RANGE_BYTES} bytes in a ${opus.size}-byte Opus file.`,
  );
  out.push(
    `Machine: ${cores} cores, shared by wrk and the server under test. nginx: worker_processes auto = ` +
      `${nginxWorkers} workers, sendfile on, access_log off. Fairstream: one Node process, SQLite, file-system blobs.`,
  );
  out.push(
    `"max" runs: as fast as the server answers, ${DURATION_S} s each after a ${WARMUP_S} s warm-up whose ` +
      `responses are all checked (206 and exactly ${RANGE_BYTES} bytes; "bad" counts the others).`,
  );
  out.push(
    `"paced" runs: each connection waits a random ${pacedDelayMs.toFixed(0)} ms on average between requests ` +
      `(about ${PACED_RPS} requests/s offered), for latency at a load both servers can carry.`,
  );
  out.push('');
  out.push(
    table(
      [
        'target',
        'load',
        'round',
        'Requests/sec',
        'Transfer/sec',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'p99.9 ms',
        'max ms',
        'bad',
        'errors',
        'server CPU%',
        'wrk CPU%',
        'machine busy%',
      ],
      results.map((result) => [
        result.target,
        result.load,
        result.round,
        result.wrkRequestsPerSec,
        result.wrkTransferPerSec,
        result.p50Ms.toFixed(2),
        result.p90Ms.toFixed(2),
        result.p99Ms.toFixed(2),
        result.p999Ms.toFixed(2),
        result.maxMs.toFixed(1),
        result.badResponses,
        result.socketErrors,
        result.serverCpuPct.toFixed(0),
        result.wrkCpuPct.toFixed(0),
        result.machineBusyPct.toFixed(0),
      ]),
    ),
  );
  out.push('');
  out.push(
    'Requests/sec and Transfer/sec as wrk prints them (transfer includes headers). "errors": socket errors, timeouts and ' +
      'non-2xx statuses in the measured run. CPU% is of one core (200% = both cores), from /proc.',
  );
  out.push('');
  out.push('Summary of the "max" runs (mean req/s over the rounds, worst p99):');
  out.push('');
  out.push(
    table(
      ['target', 'req/s', 'MiB/s', 'p50 ms', 'p99 ms', 'vs nginx'],
      [
        [nginxTarget.label, nginxSummary],
        [streamTarget.label, streamSummary],
        [blobTarget.label, blobSummary],
        [oneWorkerTarget.label, oneWorkerSummary],
      ].map(([label, figures]) => {
        const f = figures as typeof nginxSummary;
        return [
          label as string,
          f.requestsPerSec.toFixed(0),
          f.mibPerSec.toFixed(0),
          f.p50Ms.toFixed(2),
          f.p99Ms.toFixed(2),
          vsNginx(f.requestsPerSec),
        ];
      }),
    ),
  );
  out.push('');
  out.push(`Goal: throughput >= ${GOAL_RATIO} x nginx: ${ratio.toFixed(2)} -> ${verdict(ratioMet)}`);
  out.push(
    `Goal: p99 < ${GOAL_P99_MS} ms (at max load): ${streamSummary.p99Ms.toFixed(2)} ms -> ${verdict(p99Met)}` +
      ` (nginx: ${nginxSummary.p99Ms.toFixed(2)} ms)`,
  );
  out.push(
    `Context: with ${CONNECTIONS} clients that never pause, mean latency = ${CONNECTIONS} / throughput ` +
      `(Little's law), so a p99 under ${GOAL_P99_MS} ms needs well over ${Math.round((CONNECTIONS * 1000) / GOAL_P99_MS)} req/s.`,
  );
  out.push(
    `Paced at ~${PACED_RPS} req/s offered: p99 fairstream ${streamPaced.p99Ms.toFixed(2)} ms ` +
      `(${verdict(streamPaced.p99Ms < GOAL_P99_MS)} the ${GOAL_P99_MS} ms goal), nginx ${nginxPaced.p99Ms.toFixed(2)} ms.`,
  );
  const bad = results.reduce((sum, result) => sum + result.badResponses, 0);
  if (bad > 0)
    out.push(`BROKEN: ${bad} responses were not a 206 of the requested length; figures are suspect.`);
  out.push('');
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'stream',
      date: new Date().toISOString(),
      cores,
      nginxWorkers,
      connections: CONNECTIONS,
      rangeBytes: RANGE_BYTES,
      fileBytes: opus.size,
      durationS: DURATION_S,
      rounds: ROUNDS,
      nginx: nginxSummary,
      fairstreamStream: streamSummary,
      fairstreamBlob: blobSummary,
      nginxOneWorker: oneWorkerSummary,
      paced: { offeredRps: PACED_RPS, nginx: nginxPaced, fairstreamStream: streamPaced },
      ratio: round2(ratio),
      blobRatio: round2(blobSummary.requestsPerSec / nginxSummary.requestsPerSec),
      goals: {
        throughputRatio: { goal: GOAL_RATIO, value: round2(ratio), met: ratioMet },
        p99Ms: { goal: GOAL_P99_MS, value: streamSummary.p99Ms, met: p99Met },
      },
    })}\n`,
  );
  return bad > 0 ? 1 : 0;
});

function step(message: string): void {
  process.stdout.write(`· ${message}\n`);
}

async function startNginx(dir: string, root: string, workers: 'auto' | '1') {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = join(dir, 'nginx.conf');
  await writeFile(config, nginxConfig({ dir, root, port, workers }));
  const child = spawnTracked(NGINX, ['-p', `${dir}/`, '-c', config, '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // SIGTERM, not the last-resort SIGKILL: a killed master leaves its workers running.
  defer(() => stopProcess(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const up = await fetch(`${url}/track.opus`, { method: 'HEAD' }).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return { child, pid: child.pid!, url };
    await sleep(50);
  }
  await stopProcess(child);
  throw new Error(`nginx did not start:\n${stderr}\n${await tail(join(dir, 'error.log'))}`);
}

function nginxConfig(options: { dir: string; root: string; port: number; workers: string }): string {
  const { dir } = options;
  return `daemon off;
master_process on;
worker_processes ${options.workers};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  # The default closes a connection after 1000 requests; the node never does, and wrk would pay reconnects.
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  types { audio/ogg opus; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${options.port};
    root ${options.root};
  }
}
`;
}

/**
 * Random whole 256 KiB windows, so every response has the same size. done() prints exact
 * percentiles and counts as one JSON line. Checking each response needs a response() callback,
 * which makes wrk copy every body into Lua and halves what it can drive against nginx; so only
 * the warm-up checks, and the measured runs send the same requests unchecked.
 */
function luaScript(fileBytes: number, options: { check: boolean; meanDelayMs?: number }): string {
  const windows = Math.floor(fileBytes / RANGE_BYTES);
  if (windows < 2) throw new Error(`the Opus file is too small for 256 KiB windows: ${fileBytes} bytes`);
  const check = `
function response(status, headers, body)
  if status ~= 206 or #body ~= chunk then bad = bad + 1 end
end
`;
  // Exponential gaps keep the 100 connections from falling into lock-step.
  const delay = `
function delay()
  return -${options.meanDelayMs} * math.log(1 - math.random())
end
`;
  return `local chunk = ${RANGE_BYTES}
local windows = ${windows}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  math.randomseed(os.time() * 1000 + id)
end

function request()
  local first = math.random(0, windows - 1) * chunk
  return wrk.format("GET", nil, { ["Range"] = "bytes=" .. first .. "-" .. (first + chunk - 1) })
end
${options.check ? check : ''}${options.meanDelayMs ? delay : ''}
function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do bad_total = bad_total + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"bytes":%d,"durationUs":%d,"bad":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}\\n',
    summary.requests, summary.bytes, summary.duration, bad_total, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.max))
end
`;
}

async function measure(target: Target, round: string, plan: RunPlan, node: NodeProcess): Promise<WrkResult> {
  const wrkArgs = (script: string, seconds: number) => [
    ...['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--latency'],
    ...['-s', script, target.url],
  ];
  const warmUp = parseWrk((await run(WRK, wrkArgs(plan.checked, WARMUP_S))).stdout);
  const bad = warmUp.get('bad');
  if (bad > 0) {
    process.stdout.write(
      `  ${bad} bad responses from ${target.label}; node log tail:\n${await tail(node.logPath, 5)}\n`,
    );
  }

  const pids = await target.pids();
  const cpuBefore = await sumCpu(pids);
  const machineBefore = await machineTicks();
  const started = performance.now();
  const wrk = spawnTracked(WRK, wrkArgs(plan.script, plan.seconds), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  wrk.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  wrk.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // wrk's CPU is only readable while it lives; the last sample before exit is close enough.
  let wrkCpu = 0;
  const sampler = setInterval(() => {
    void cpuSeconds(wrk.pid!).then((seconds) => {
      if (seconds > 0) wrkCpu = seconds;
    });
  }, 200);
  const code = await new Promise<number | null>((resolve) => wrk.once('close', resolve));
  clearInterval(sampler);
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuAfter = await sumCpu(pids);
  const machineAfter = await machineTicks();
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${stderr}${stdout}`);

  const { get, wrkRequestsPerSec, wrkTransferPerSec } = parseWrk(stdout);
  const seconds = get('durationUs') / 1e6;
  return {
    target: target.label,
    load: plan.load,
    round,
    requestsPerSec: get('requests') / seconds,
    mibPerSec: get('bytes') / seconds / 2 ** 20,
    wrkRequestsPerSec,
    wrkTransferPerSec,
    p50Ms: get('p50') / 1000,
    p90Ms: get('p90') / 1000,
    p99Ms: get('p99') / 1000,
    p999Ms: get('p999') / 1000,
    maxMs: get('max') / 1000,
    requests: get('requests'),
    badResponses: bad,
    socketErrors: get('connect') + get('read') + get('write') + get('timeout') + get('status'),
    serverCpuPct: ((cpuAfter - cpuBefore) / wallSeconds) * 100,
    wrkCpuPct: (wrkCpu / wallSeconds) * 100,
    machineBusyPct:
      ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100,
  };
}

function parseWrk(stdout: string) {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('BENCH_JSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
  const figures = JSON.parse(line.slice('BENCH_JSON '.length)) as Record<string, number>;
  return {
    get: (key: string) => figures[key] ?? 0,
    // wrk's own summary lines, kept as printed for a cross-check against the computed figures.
    wrkRequestsPerSec: /Requests\/sec:\s+(\S+)/.exec(stdout)?.[1] ?? '?',
    wrkTransferPerSec: /Transfer\/sec:\s+(\S+)/.exec(stdout)?.[1] ?? '?',
  };
}

async function sumCpu(pids: number[]): Promise<number> {
  const values = await Promise.all(pids.map(cpuSeconds));
  return values.reduce((sum, value) => sum + value, 0);
}

async function readSlice(path: string, start: number, end: number): Promise<Buffer> {
  const handle = await open(path);
  try {
    const buffer = Buffer.alloc(end - start + 1);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer;
  } finally {
    await handle.close();
  }
}

/** Both servers must answer the same range with the same bytes, or the comparison means nothing. */
async function checkSameBytes(url: string, start: number, expected: Buffer): Promise<void> {
  const response = await fetch(url, { headers: { range: `bytes=${start}-${start + expected.length - 1}` } });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 206 || !body.equals(expected)) {
    throw new Error(`${url} answered ${response.status} with ${body.length} bytes that differ from the file`);
  }
}

function formatMiB(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
