/**
 * The plays-to-payouts run, end to end on the embedded defaults, with nothing but the `fairstream`
 * CLI and a real node process: an artist uploads a track split 60/25/15, two fans get test money
 * from the faucet, subscribe and listen to it in full with `fairstream listen`; the node is killed
 * with SIGKILL while their playback reports stream in and again while it settles the epoch; after
 * each restart it carries on. Then the three wallets must hold exactly their shares, nothing counted
 * or paid twice, and `fairstream verify` must confirm every epoch from the published data.
 *
 * Run it with `npm run e2e` (prints each step); `plays-to-payouts.test.ts` runs it in CI.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { allocateSplit } from '@fairstream/chain';
import { type Address, createPublicClient, erc20Abi, getAddress, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import {
  type CliResult,
  exited,
  freePort,
  killGroup,
  runCli,
  startNodeProcess,
  stopGroup,
  toneFile,
} from '../testing/node-process.ts';

export interface PlaysToPayoutsOptions {
  /** An empty folder for the node's data and the audio file. */
  workDir: string;
  /** Epoch length of the embedded chain (the default node uses 60 s). */
  epochSeconds: number;
  /** Length of the uploaded tone; both fans listen to all of it in real time. */
  trackSeconds: number;
  log: (line: string) => void;
  /** Show the node's own log lines (warnings and errors). */
  nodeLogs?: boolean;
}

export interface PlaysToPayoutsResult {
  trackId: string;
  /** Epochs that counted the fans' plays. */
  epochs: number[];
  countedPlays: number;
  recipients: { address: Address; percent: number; received: bigint; expected: bigint }[];
  fee: bigint;
  released: bigint;
  /** The settlement state the node was in when it was killed (undefined if it settled first). */
  killedDuringSettlement: string | undefined;
  reportsAccepted: number;
  verifyOutput: string;
}

type EpochSummary = {
  n: number;
  state: string;
  startsAt: number;
  endsAt: number;
  dataCid: string | null;
  totals: Record<string, string>;
};

type EpochData = {
  tokens: { stablecoin: string };
  plays: { playId: string; listener: string; trackId: string }[];
  released: { account: string; amount: string }[];
  byTrack: { account: string; token: string; trackId?: string; amount: string }[];
};

const SETTLING = new Set(['release', 'compute', 'publish', 'claim']);

export async function runPlaysToPayouts(options: PlaysToPayoutsOptions): Promise<PlaysToPayoutsResult> {
  const { log } = options;
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const dataDir = join(options.workDir, 'node');
  await mkdir(dataDir, { recursive: true });
  const start = () =>
    startNodeProcess({
      dataDir,
      port,
      flags: ['--epoch-seconds', String(options.epochSeconds), '--workers', '2'],
      stderr: options.nodeLogs ? 'inherit' : 'ignore',
    });

  log(`Starting a node on ${api} (embedded chain, ${options.epochSeconds} s epochs)`);
  let node: ChildProcess = await start();
  try {
    const artist = newWallet();
    const singer = newWallet();
    const producer = newWallet();
    const fans = [newWallet(), newWallet()];
    const as = async (key: string, args: string[]) =>
      parse(await runCli(['--api', api, '--key', key, '--json', ...args]), args);

    // --- the artist uploads ------------------------------------------------------------------
    const audio = await toneFile(join(options.workDir, 'song.flac'), options.trackSeconds, 330);
    const shares = [
      { account: artist, percent: 60 },
      { account: singer, percent: 25 },
      { account: producer, percent: 15 },
    ];
    log(`Artist ${artist.address} uploads a ${options.trackSeconds} s track split 60/25/15`);
    const track = (await as(artist.key, [
      'upload',
      audio,
      '--title',
      'Settled in full',
      ...shares.flatMap((share) => ['--split', `${share.account.address}=${share.percent}`]),
      '--wait',
    ])) as { id: string; state: string };
    if (track.state !== 'ready') throw new Error(`The upload ended ${track.state}, not ready`);
    log(`Track ${track.id} is ready`);

    // --- two fans: money from the faucet, a subscription -------------------------------------
    for (const fan of fans) {
      await as(fan.key, ['faucet']);
      const subscribed = (await as(fan.key, ['subscribe'])) as { amount: string };
      log(
        `Fan ${fan.address} took test money from the faucet and subscribed (${subscribed.amount} base units)`,
      );
    }

    // --- both listen; the node is killed while their reports come in --------------------------
    log('Both fans listen in full; the node will be killed with SIGKILL part way through');
    const listening = fans.map((fan) =>
      runCli(['--api', api, '--key', fan.key, '--json', 'listen', track.id]),
    );
    // After the first reports (a listener reports every 10 s), before the last.
    await sleep(Math.max(12_000, (options.trackSeconds * 1000) / 2));
    killGroup(node);
    await exited(node);
    log('Node killed (kill -9) while playback reports were arriving; restarting it on the same data');
    await sleep(1_000);
    node = await start();

    // --- settlement, killed part way -----------------------------------------------------------
    // Plays are judged as soon as they are long enough to count, possibly while the fans are still
    // listening, so the watch starts now: the first time an epoch is seen settling, kill -9.
    let killedDuringSettlement: string | undefined;
    log('Watching settlement; the node will be killed as soon as an epoch is seen settling');
    // Generous: on a loaded 2-core machine a restart alone can take half a minute.
    const deadline = Date.now() + 300_000 + 6 * options.epochSeconds * 1000;
    let epochs: EpochSummary[] = [];
    for (;;) {
      if (Date.now() > deadline) {
        const states = epochs.map((epoch) => `${epoch.n}:${epoch.state}:${epoch.totals.countedPlays ?? 0}`);
        throw new Error(
          `The epochs with the plays did not settle in time (epoch:state:plays ${states.join(' ')})`,
        );
      }
      epochs = await listEpochs(api).catch(() => epochs);
      const settling = epochs.find((epoch) => SETTLING.has(epoch.state));
      if (!killedDuringSettlement && settling) {
        killGroup(node);
        await exited(node);
        killedDuringSettlement = settling.state;
        log(
          `Node killed (kill -9) while settling epoch ${settling.n} (step "${settling.state}"); restarting`,
        );
        node = await start();
        continue;
      }
      const withPlays = epochs.filter((epoch) => Number(epoch.totals.countedPlays ?? 0) > 0);
      const counted = withPlays.reduce((total, epoch) => total + Number(epoch.totals.countedPlays), 0);
      if (counted >= fans.length && withPlays.every((epoch) => epoch.state === 'done')) break;
      await sleep(20);
    }
    log('The epoch with both plays is settled');

    const listened = await Promise.all(listening);
    let reportsAccepted = 0;
    for (const [i, result] of listened.entries()) {
      const summary = parse(result, ['listen']) as { reportsAccepted: number; reportsRejected: string[] };
      if (summary.reportsRejected.length > 0) {
        throw new Error(`Fan ${i + 1}'s reports were rejected: ${summary.reportsRejected.join(', ')}`);
      }
      reportsAccepted += summary.reportsAccepted;
    }
    log(`Both listens finished; ${reportsAccepted} reports acknowledged in all`);

    // --- the checks ----------------------------------------------------------------------------
    const settled = (await listEpochs(api)).filter((epoch) => epoch.state === 'done' && epoch.dataCid);
    const chainInfo = await getJson<{ rpcUrl: string; contracts: Record<string, string> }>(
      `${api}/api/v1/chain`,
    );
    const stablecoin = getAddress(chainInfo.contracts.TestStablecoin!);
    const recipients = [...shares].sort((a, b) =>
      BigInt(a.account.address) < BigInt(b.account.address) ? -1 : 1,
    );
    const expected = new Map<string, bigint>(recipients.map((share) => [share.account.address, 0n]));
    let released = 0n;
    let fee = 0n;
    let countedPlays = 0;
    const playEpochs: number[] = [];
    for (const epoch of settled) {
      const data = await getJson<EpochData>(`${api}/api/v1/epochs/${epoch.n}/data`);
      const plays = data.plays.filter((play) => play.trackId === track.id);
      if (plays.length > 0) playEpochs.push(epoch.n);
      countedPlays += plays.length;
      released += sum(data.released.map((entry) => BigInt(entry.amount)));
      fee += BigInt(epoch.totals.fee ?? '0');
      // What the track earned this epoch, divided by the split exactly as the contracts divide it.
      const trackTotal = sum(
        data.byTrack
          .filter(
            (entry) => entry.trackId === track.id && entry.token.toLowerCase() === stablecoin.toLowerCase(),
          )
          .map((entry) => BigInt(entry.amount)),
      );
      const parts = allocateSplit(
        trackTotal,
        recipients.map((share) => share.percent * 10_000),
      );
      for (const [i, share] of recipients.entries()) {
        expected.set(share.account.address, expected.get(share.account.address)! + parts[i]!);
      }
    }
    if (countedPlays !== fans.length) {
      throw new Error(`${countedPlays} plays of the track were counted, not ${fans.length} (one per fan)`);
    }
    const client = createPublicClient({ transport: http(chainInfo.rpcUrl) });
    const balance = (address: Address) =>
      client.readContract({ address: stablecoin, abi: erc20Abi, functionName: 'balanceOf', args: [address] });
    const result = await Promise.all(
      recipients.map(async (share) => ({
        address: share.account.address,
        percent: share.percent,
        received: await balance(share.account.address),
        expected: expected.get(share.account.address)!,
      })),
    );
    for (const entry of result) {
      log(`  ${entry.percent}% ${entry.address}: received ${entry.received}, expected ${entry.expected}`);
      if (entry.received !== entry.expected) {
        throw new Error(
          `${entry.address} (${entry.percent}%) holds ${entry.received}, not ${entry.expected}`,
        );
      }
    }
    const paid = sum(result.map((entry) => entry.received));
    log(`Released by the fans ${released}; paid to the split ${paid}; fee ${fee}`);
    if (paid === 0n) throw new Error('Nothing was paid: the released amounts were zero');
    if (paid + fee !== released) {
      throw new Error(`Paid ${paid} + fee ${fee} ≠ released ${released}: base units were lost or created`);
    }

    // --- nothing more is paid later; verify confirms -------------------------------------------
    const last = Math.max(...(await listEpochs(api)).map((epoch) => epoch.n));
    log(`Waiting for epoch ${last + 1} to close: nothing more may be paid for these plays`);
    await waitFor(
      async () => {
        const all = await listEpochs(api);
        return all.some((epoch) => epoch.n > last && (epoch.state === 'done' || epoch.state === 'empty'));
      },
      60_000 + 4 * options.epochSeconds * 1000,
    );
    for (const entry of result) {
      const now = await balance(entry.address);
      if (now !== entry.received)
        throw new Error(`${entry.address} was paid again: ${entry.received} → ${now}`);
    }
    log('Running fairstream verify');
    const verified = await runCli(['--api', api, 'verify', '--address', artist.address]);
    if (verified.code !== 0)
      throw new Error(`fairstream verify failed:\n${verified.stdout}${verified.stderr}`);
    log(verified.stdout.trim());

    return {
      trackId: track.id,
      epochs: playEpochs,
      countedPlays,
      recipients: result,
      fee,
      released,
      killedDuringSettlement,
      reportsAccepted,
      verifyOutput: verified.stdout,
    };
  } finally {
    await stopGroup(node, 'SIGTERM').catch(() => killGroup(node));
  }
}

export function newWallet(): { key: `0x${string}`; address: Address } {
  const key = generatePrivateKey();
  return { key, address: privateKeyToAccount(key).address };
}

export function parse(result: CliResult, args: string[]): unknown {
  if (result.code !== 0) {
    throw new Error(`fairstream ${args[0]} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  }
  return JSON.parse(result.stdout);
}

/** Every epoch so far (a run has far fewer than a page of 200). */
export async function listEpochs(api: string): Promise<EpochSummary[]> {
  return (await getJson<{ epochs: EpochSummary[] }>(`${api}/api/v1/epochs?limit=200`)).epochs;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Gave up after ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

function sum(values: readonly bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
