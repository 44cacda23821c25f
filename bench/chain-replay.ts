/**
 * Chain replay benchmark: how long the embedded chain takes to come back when it holds 10,000
 * blocks. EDR keeps its state in memory, so every start replays the journal (`journal.jsonl`); this
 * builds a journal of realistic one-transaction blocks (FAIR transfers and tips to split tracks,
 * signed by the wallets and sent raw), stops the chain, and times `startEmbeddedChain` on the same
 * folder several times, checking that each restart comes back at the same head block hash.
 *
 *   npm run bench:chain          (about 1 minute; BENCH_BLOCKS=10000, BENCH_RESTARTS=3)
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Address,
  encodeFunctionData,
  getAddress,
  type Hash,
  type Hex,
  keccak256,
  parseEther,
  parseGwei,
  stringToHex,
  zeroAddress,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { getLogs, readContract, waitForTransactionReceipt, writeContract } from 'viem/actions';
import { fairTokenAbi, tipsAbi, trackRegistryAbi } from '../packages/chain/src/abis/index.ts';
import { embeddedPublicClient, embeddedWalletClient } from '../packages/chain/src/embedded/clients.ts';
import {
  type EmbeddedChain,
  startEmbeddedChain,
} from '../packages/chain/src/embedded/start-embedded-chain.ts';
import { cleanUp, defer, median, runBenchmark, table, tempDir } from './lib.ts';

const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 10_000);
const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 3);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 1200);
/** Accounts 3 to 12 are the fans who send the workload; 13 to 18 own the tracks. */
const FANS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
/** Recipients per track: most tracks have one artist, some a few collaborators. */
const TRACK_SPLITS = [1, 1, 2, 3, 3, 5];
const FREE = { kind: 0, token: zeroAddress, minBalance: 0n } as const;

type Head = { number: number; hash: Hex };
type Restart = { startMs: number; replayMs: number; entries: number; head: Head; same: boolean };

runBenchmark(async () => {
  const watchdog = setTimeout(() => {
    process.stderr.write(`\nchain replay benchmark: no result after ${TIMEOUT_S} s, stopping\n`);
    void cleanUp().finally(() => process.exit(1));
  }, TIMEOUT_S * 1000);
  defer(() => clearTimeout(watchdog));

  const dataDir = await tempDir('fairstream-bench-chain-');
  const journalFile = join(dataDir, 'journal.jsonl');

  step('starting a new embedded chain in a temp folder (it deploys the contracts)');
  const chain = await startEmbeddedChain({ dataDir, rpcPort: 0 });
  defer(() => chain.stop());
  const deployment = chain.deployment;
  const { FairToken: fair, TrackRegistry, Tips } = deployment?.contracts ?? {};
  if (!fair || !TrackRegistry || !Tips) throw new Error('the embedded chain has no Fairstream deployment');
  const publicClient = embeddedPublicClient(chain);
  const wallet = (index: number) => embeddedWalletClient(chain, devAccount(chain, index));
  const confirm = async (hash: Promise<Hash>) => {
    const receipt = await waitForTransactionReceipt(publicClient, { hash: await hash });
    if (receipt.status !== 'success')
      throw new Error(`setup transaction ${receipt.transactionHash} reverted`);
  };

  step('setup: FAIR to 10 fans from the dev faucet account, their approvals for Tips, 6 tracks registered');
  const faucet = wallet(2);
  for (const index of FANS) {
    await confirm(
      writeContract(faucet, {
        address: fair,
        abi: fairTokenAbi,
        functionName: 'transfer',
        args: [devAccount(chain, index).address, parseEther('100000')],
      }),
    );
    await confirm(
      writeContract(wallet(index), {
        address: fair,
        abi: fairTokenAbi,
        functionName: 'approve',
        args: [Tips, parseEther('100000')],
      }),
    );
  }
  const tracks: { id: Hex; recipients: number }[] = [];
  for (const [i, n] of TRACK_SPLITS.entries()) {
    const id = keccak256(stringToHex(`fairstream-bench:replay-track-${i}`));
    // The owner is one of the recipients; the collaborators are other dev accounts.
    const recipients = sortAddresses(
      Array.from({ length: n }, (_, r) => devAccount(chain, 13 + ((i + r) % 6)).address),
    );
    const base = Math.floor(1_000_000 / n);
    const shares = recipients.map((_, r) => (r === 0 ? 1_000_000 - base * (n - 1) : base));
    await confirm(
      writeContract(wallet(13 + (i % 6)), {
        address: TrackRegistry,
        abi: trackRegistryAbi,
        functionName: 'register',
        args: [id, keccak256(stringToHex(`metadata-${i}`)), FREE, recipients, shares],
      }),
    );
    tracks.push({ id, recipients: n });
  }

  // The workload: one transaction per block until the head reaches BLOCKS. Each is signed by the fan's
  // own key and sent with eth_sendRawTransaction, as a wallet does; the nonce is kept locally and the
  // gas limit and fees are fixed, so building the journal does not wait on estimates.
  const setupHead = await getHeadOf(chain);
  const workload = BLOCKS - setupHead.number;
  if (workload <= 0)
    throw new Error(`BENCH_BLOCKS=${BLOCKS} is not above the ${setupHead.number} setup blocks`);
  step(
    `building the journal: ${workload.toLocaleString('en')} blocks of one transaction each (3 in 5 FAIR transfers, ` +
      `2 in 5 tips), after ${setupHead.number} blocks of deployment and setup`,
  );
  const fans = FANS.map((index) => {
    const { address, privateKey } = devAccount(chain, index);
    return { address, signer: privateKeyToAccount(privateKey), nonce: 0 };
  });
  for (const fan of fans) {
    fan.nonce = await publicClient.getTransactionCount({ address: fan.address, blockTag: 'pending' });
  }
  let transfers = 0;
  let tipsSent = 0;
  let tipPayouts = 0;
  const buildStarted = performance.now();
  let lastReport = buildStarted;
  for (let i = 0; i < workload; i++) {
    const fan = fans[i % fans.length]!;
    const amount = BigInt(1 + ((i * 7919) % 10_000)) * 10n ** 15n; // 0.001 to 10 FAIR
    let to: Address;
    let data: Hex;
    let gas: bigint;
    if (i % 5 < 3) {
      // To another fan, or (one in three) to a new address, as payments to people outside the platform.
      const recipient = i % 3 === 0 ? freshAddress(i) : fans[(i * 7 + 3) % fans.length]!.address;
      to = fair;
      data = encodeFunctionData({ abi: fairTokenAbi, functionName: 'transfer', args: [recipient, amount] });
      gas = 80_000n;
      transfers++;
    } else {
      const track = tracks[(i * 13) % tracks.length]!;
      to = Tips;
      data = encodeFunctionData({ abi: tipsAbi, functionName: 'tip', args: [track.id, fair, amount] });
      gas = 300_000n;
      tipsSent++;
      tipPayouts += track.recipients;
    }
    const raw = await fan.signer.signTransaction({
      type: 'eip1559',
      chainId: chain.chainId,
      nonce: fan.nonce++,
      to,
      data,
      gas,
      maxFeePerGas: parseGwei('3'),
      maxPriorityFeePerGas: parseGwei('0.001'),
    });
    await chain.provider.request({ method: 'eth_sendRawTransaction', params: [raw] });
    const now = performance.now();
    if (now - lastReport >= 5000 || i === workload - 1) {
      lastReport = now;
      const seconds = (now - buildStarted) / 1000;
      step(
        `  ${(i + 1).toLocaleString('en')}/${workload.toLocaleString('en')} blocks, ` +
          `${((i + 1) / seconds).toFixed(0)} blocks/s`,
      );
    }
  }
  const buildSeconds = (performance.now() - buildStarted) / 1000;
  const head = await getHeadOf(chain);
  if (head.number !== BLOCKS) throw new Error(`the head is block ${head.number}, expected ${BLOCKS}`);

  // Every workload transaction succeeded: its events are all there (a reverted one has none).
  const range = { fromBlock: BigInt(setupHead.number + 1), toBlock: BigInt(head.number) };
  const tipped = await getLogs(publicClient, {
    address: Tips,
    event: tipsAbi.find((item) => item.type === 'event' && item.name === 'Tipped')!,
    ...range,
  });
  const moved = await getLogs(publicClient, {
    address: fair,
    event: fairTokenAbi.find((item) => item.type === 'event' && item.name === 'Transfer')!,
    ...range,
  });
  // A tip moves FAIR from the fan to Tips, then from Tips to each recipient.
  const expectedTransfers = transfers + tipsSent + tipPayouts;
  if (tipped.length !== tipsSent || moved.length !== expectedTransfers) {
    throw new Error(
      `some workload transactions failed: ${tipped.length}/${tipsSent} tips, ` +
        `${moved.length}/${expectedTransfers} FAIR transfers in the logs`,
    );
  }
  const probe = fans[0]!.address;
  const balance = await readContract(publicClient, {
    address: fair,
    abi: fairTokenAbi,
    functionName: 'balanceOf',
    args: [probe],
  });

  step('stopping the chain');
  await chain.stop();
  const journalBytes = (await stat(journalFile)).size;

  const restarts: Restart[] = [];
  for (let run = 1; run <= RESTARTS; run++) {
    step(`restart ${run}/${RESTARTS}: startEmbeddedChain on the same folder (replays the journal)`);
    const started = performance.now();
    const restarted = await startEmbeddedChain({ dataDir, rpcPort: 0 });
    const startMs = performance.now() - started;
    defer(() => restarted.stop());
    const after = await getHeadOf(restarted);
    const sameBalance =
      (await readContract(embeddedPublicClient(restarted), {
        address: fair,
        abi: fairTokenAbi,
        functionName: 'balanceOf',
        args: [probe],
      })) === balance;
    await restarted.stop();
    const sameJournal = (await stat(journalFile)).size === journalBytes;
    const same = after.number === head.number && after.hash === head.hash && sameBalance && sameJournal;
    restarts.push({
      startMs,
      replayMs: restarted.replayed.ms,
      entries: restarted.replayed.entries,
      head: after,
      same,
    });
    step(
      `  ${(startMs / 1000).toFixed(2)} s to start (replay ${(restarted.replayed.ms / 1000).toFixed(2)} s, ` +
        `${restarted.replayed.entries.toLocaleString('en')} entries); head ${after.number} ${after.hash}: ` +
        (same ? 'identical' : 'DIFFERENT'),
    );
  }

  const entries = restarts[0]!.entries;
  const medianStart = median(restarts.map((r) => r.startMs));
  const medianReplay = median(restarts.map((r) => r.replayMs));
  const allSame = restarts.every((r) => r.same);
  const perSecond = (ms: number) => Math.round((BLOCKS / ms) * 1000);
  const s = (ms: number) => (ms / 1000).toFixed(2);

  const out: string[] = [''];
  out.push(
    `Embedded chain restart: a journal of ${BLOCKS.toLocaleString('en')} blocks (${entries.toLocaleString('en')} ` +
      `entries: ${setupHead.number} of deployment and setup, then ${workload.toLocaleString('en')} one-transaction ` +
      `blocks: ${transfers.toLocaleString('en')} FAIR transfers and ${tipsSent.toLocaleString('en')} tips to ` +
      `splits of ${[...new Set(TRACK_SPLITS)].join(', ')} recipients).`,
  );
  out.push(
    `Journal: ${(journalBytes / 2 ** 20).toFixed(1)} MiB, ${Math.round(journalBytes / entries)} bytes per entry. ` +
      `Built live in ${buildSeconds.toFixed(1)} s (${Math.round(workload / buildSeconds)} blocks/s, ` +
      "each fsync'd before it is answered).",
  );
  out.push('');
  out.push(
    table(
      ['restart', 'start s', 'replay s', 'blocks/s (start)', 'blocks/s (replay)', 'head hash'],
      [
        ...restarts.map((r, index) => [
          String(index + 1),
          s(r.startMs),
          s(r.replayMs),
          perSecond(r.startMs),
          perSecond(r.replayMs),
          r.same ? 'identical' : 'DIFFERENT',
        ]),
        ['median', s(medianStart), s(medianReplay), perSecond(medianStart), perSecond(medianReplay), ''],
      ],
    ),
  );
  out.push('');
  out.push(
    '"start": the whole startEmbeddedChain call (EDR, journal read, replay, RPC server, deployment file); ' +
      '"replay": its replay loop alone (EmbeddedChain.replayed.ms).',
  );
  out.push(
    `Head after every restart: block ${head.number} ${head.hash}, the FAIR balance of a fan and the journal ` +
      `size unchanged: ${allSame ? 'yes, identical' : 'NO, the chain came back different'}`,
  );
  out.push('');
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'chain-replay',
      date: new Date().toISOString(),
      blocks: BLOCKS,
      entries,
      workload: { blocks: workload, transfers, tips: tipsSent },
      journalBytes,
      buildS: Math.round(buildSeconds * 10) / 10,
      liveBlocksPerSecond: Math.round(workload / buildSeconds),
      startMs: restarts.map((r) => Math.round(r.startMs)),
      replayMs: restarts.map((r) => Math.round(r.replayMs)),
      medians: {
        startMs: Math.round(medianStart),
        replayMs: Math.round(medianReplay),
        blocksPerSecondStart: perSecond(medianStart),
        blocksPerSecondReplay: perSecond(medianReplay),
      },
      head,
      identicalHead: allSame,
    })}\n`,
  );
  return allSame ? 0 : 1;
});

function step(message: string): void {
  process.stdout.write(`· ${message}\n`);
}

function devAccount(chain: EmbeddedChain, index: number) {
  const account = chain.accounts[index];
  if (!account) throw new Error(`no dev account #${index}`);
  return account;
}

async function getHeadOf(chain: EmbeddedChain): Promise<Head> {
  const block = await embeddedPublicClient(chain).getBlock({ blockTag: 'latest' });
  return { number: Number(block.number), hash: block.hash };
}

/** A new address per index (one that has never held FAIR). */
function freshAddress(i: number): Address {
  return getAddress(`0x${keccak256(stringToHex(`fairstream-bench:payee-${i}`)).slice(26)}`);
}

function sortAddresses(addresses: Address[]): Address[] {
  return [...addresses].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}
