import { parseArgs } from 'node:util';
import {
  getClaimed,
  getSplit,
  getTrack,
  type PayoutLeaf,
  payoutDistributorAbi,
  payoutTotals,
} from '@fairstream/chain';
import { createFairstreamClient, unwrap } from '@fairstream/sdk';
import {
  type Address,
  createPublicClient,
  getAddress,
  type Hex,
  http,
  isAddress,
  keccak256,
  sha256,
  toBytes,
} from 'viem';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import {
  type AuditTrack,
  checkDelegations,
  checkReportSignatures,
  countPlays,
  diffEpoch,
  type EpochData,
  leavesOfData,
  type Problem,
  recomputeEpoch,
} from '../verify/recompute.ts';

export const verifyHelp = `Usage: fairstream verify [--address A] [--epoch N]

Audits the node's settled epochs from public data alone. For each epoch (or only epoch N) it downloads
the published epoch data, checks its sha2-256 against the digest on the PayoutDistributor, checks every
counted play's report signatures and that the listener's wallet delegated each report's session key
(the delegation's wallet signature, its chain, and that it was in force when the report was signed),
recomputes every verdict, allocation (with the fee), reward, the cumulative payout leaves and both
roots, and compares them and the per-token totals with the chain.

Options:
  --epoch N     Verify epoch N only (earlier epochs are still read, for their cumulative leaves)
  --address A   Also show that account's leaves and what it has claimed on-chain

Exit status: 0 when everything matches, 1 otherwise.
`;

/** An epoch as GET /api/v1/epochs lists it. */
export interface ListedEpoch {
  n: number;
  state: string;
  dataCid: string | null;
  payoutRoot: string | null;
}

/** Tests only: replace where the epoch list and data come from (e.g. to serve altered data). */
export interface VerifyHooks {
  listEpochs?: () => Promise<ListedEpoch[]>;
  fetchEpochData?: (epoch: ListedEpoch) => Promise<Uint8Array>;
  out?: (text: string) => void;
}

interface Published {
  payoutRoot: Hex;
  playsRoot: Hex;
  dataDigest: Hex;
  tokens: readonly Address[];
  cumulativeTotals: readonly bigint[];
  transactionHash: Hex;
  voided: boolean;
}

export async function verify(
  args: string[],
  global: GlobalOptions,
  hooks: VerifyHooks = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { address: { type: 'string' }, epoch: { type: 'string' } },
  });
  if (positionals.length > 0) throw new CliError(`verify takes no arguments.\n\n${verifyHelp}`, 2);
  const address = values.address;
  if (address !== undefined && !isAddress(address, { strict: false })) {
    throw new CliError(`--address must be a 0x address, not "${address}"`, 2);
  }
  const only = values.epoch === undefined ? undefined : Number(values.epoch);
  if (only !== undefined && (!Number.isSafeInteger(only) || only < 0)) {
    throw new CliError(`--epoch must be a whole number, not "${values.epoch}"`, 2);
  }
  const out = hooks.out ?? ((text: string) => void process.stdout.write(text));
  const say = (line: string) => {
    if (!global.json) out(`${line}\n`);
  };

  const info = unwrap(await createFairstreamClient({ baseUrl: global.api }).GET('/api/v1/chain'));
  const contracts = info.contracts as Record<string, Address | undefined>;
  const distributor = contracts.PayoutDistributor;
  if (!distributor) throw new CliError('The node’s deployment has no PayoutDistributor; nothing to verify.');
  const deployment = { contracts } as Parameters<typeof getClaimed>[1]['deployment'];
  const client = createPublicClient({ transport: http(info.rpcUrl) });

  const listed = (await (hooks.listEpochs ?? (() => listEpochs(global.api)))()).sort((a, b) => a.n - b.n);
  const fetchData = hooks.fetchEpochData ?? ((epoch: ListedEpoch) => fetchEpochData(global.api, epoch.n));

  // What the chain holds: every EpochPublished (the latest per epoch) and every EpochVoided.
  const onChain = new Map<number, Published>();
  const publishedLogs = await client.getContractEvents({
    address: distributor,
    abi: payoutDistributorAbi,
    eventName: 'EpochPublished',
    fromBlock: 0n,
    toBlock: 'latest',
  });
  for (const log of publishedLogs) {
    const a = log.args as Record<string, unknown>;
    onChain.set(Number(a.epoch), {
      payoutRoot: a.payoutRoot as Hex,
      playsRoot: a.playsRoot as Hex,
      dataDigest: a.dataDigest as Hex,
      tokens: a.tokens as Address[],
      cumulativeTotals: a.cumulativeTotals as bigint[],
      transactionHash: log.transactionHash as Hex,
      voided: false,
    });
  }
  const voidedLogs = await client.getContractEvents({
    address: distributor,
    abi: payoutDistributorAbi,
    eventName: 'EpochVoided',
    fromBlock: 0n,
    toBlock: 'latest',
  });
  for (const log of voidedLogs) {
    const published = onChain.get(Number((log.args as { epoch: bigint }).epoch));
    if (published) published.voided = true;
  }

  let failures = 0;
  const report: { epoch: number; ok: boolean; problems: Problem[]; notes: string[] }[] = [];
  const fail = (n: number, problems: Problem[], notes: string[] = []) => {
    failures++;
    report.push({ epoch: n, ok: false, problems, notes });
    say(`epoch ${n}: MISMATCH`);
    for (const p of problems)
      say(`  ${p.what}:\n    published  ${p.published}\n    recomputed ${p.recomputed}`);
  };

  // Every epoch the chain holds must be one the node lists with its data.
  const listedNs = new Set(listed.filter((e) => e.dataCid).map((e) => e.n));
  for (const n of [...onChain.keys()].sort((a, b) => a - b)) {
    if (only !== undefined && n !== only) continue;
    if (!listedNs.has(n)) {
      fail(n, [
        { what: 'epoch data', published: 'a root on-chain', recomputed: 'the node lists no data for it' },
      ]);
    }
  }

  const tracks = new Map<string, AuditTrack>();
  const trackFacts = async (trackId: string): Promise<AuditTrack | undefined> => {
    const known = tracks.get(trackId);
    if (known) return known;
    const chainId = keccak256(toBytes(trackId));
    const [onChainTrack, split, api] = await Promise.all([
      getTrack(client, { deployment, trackId: chainId }),
      getSplit(client, { deployment, trackId: chainId }),
      fetch(`${global.api}/api/v1/tracks/${encodeURIComponent(trackId)}`).then((r) =>
        r.ok
          ? (r.json() as Promise<{
              durationMs: number;
              owner?: string;
              splits?: { address: string; ppm: number }[];
            }>)
          : undefined,
      ),
    ]);
    if (!onChainTrack || !split || !api) return undefined;
    const facts: AuditTrack = {
      durationMs: api.durationMs,
      owner: onChainTrack.owner,
      split: { recipients: split.recipients.map((r) => r.toLowerCase()), sharesPpm: split.shares },
    };
    tracks.set(trackId, facts);
    return facts;
  };
  const feeRecipients = new Map<Hex, Address>();
  let previousLeaves: PayoutLeaf[] = [];
  const countedByDay = new Map<string, number>();
  let reportedDelegationGap = false;
  /** The first epoch whose data carried delegations: later data without them is a downgrade. */
  let delegationsSince: number | undefined;

  for (const epoch of listed) {
    if (only !== undefined && epoch.n > only) break;
    const full = only === undefined || epoch.n === only;
    const n = epoch.n;
    const published = onChain.get(n);
    if (!epoch.dataCid) {
      if (published) continue; // reported above
      if (full) {
        say(`epoch ${n}: ${epoch.state} (nothing published)`);
        report.push({ epoch: n, ok: true, problems: [], notes: [epoch.state] });
      }
      continue;
    }
    if (!published) {
      if (full) {
        say(`epoch ${n}: ${epoch.state}, data ${epoch.dataCid} not on-chain yet; skipped`);
        report.push({ epoch: n, ok: true, problems: [], notes: ['not published on-chain yet'] });
      }
      continue;
    }
    const bytes = await fetchData(epoch);
    const digest = sha256(bytes);
    const problems: Problem[] = [];
    const notes: string[] = [];
    if (digest.toLowerCase() !== published.dataDigest.toLowerCase()) {
      problems.push({
        what: 'data sha2-256',
        published: published.dataDigest,
        recomputed: `${digest} (of the bytes served)`,
      });
    }
    if (published.voided)
      problems.push({ what: 'epoch', published: 'on-chain', recomputed: 'voided by the guardian' });
    let data: EpochData;
    try {
      data = JSON.parse(new TextDecoder().decode(bytes)) as EpochData;
    } catch (error) {
      fail(n, [
        ...problems,
        { what: 'epoch data', published: epoch.dataCid, recomputed: `not JSON: ${(error as Error).message}` },
      ]);
      continue;
    }
    if (data.epoch !== n)
      problems.push({ what: 'data.epoch', published: String(data.epoch), recomputed: String(n) });
    if (data.chainId !== info.chainId)
      problems.push({
        what: 'data.chainId',
        published: String(data.chainId),
        recomputed: String(info.chainId),
      });

    if (!full) {
      // Before --epoch N: read for the per-day play counts and the leaves only (digest checked).
      if (problems.length > 0) fail(n, problems);
      if (Array.isArray(data.delegations)) delegationsSince ??= n;
      countPlays(data, countedByDay);
      previousLeaves = leavesOfData(data);
      continue;
    }

    for (const play of data.plays) {
      if (!(await trackFacts(play.trackId)))
        problems.push({
          what: `track ${play.trackId}`,
          published: 'has counted plays',
          recomputed: 'unknown to TrackRegistry or the node',
        });
    }
    let feeRecipient = feeRecipients.get(published.transactionHash);
    if (!feeRecipient) {
      // The data does not name the fee recipient: it is the operator, who publishes the epoch.
      feeRecipient = (await client.getTransaction({ hash: published.transactionHash })).from;
      feeRecipients.set(published.transactionHash, feeRecipient);
    }
    problems.push(...(await checkReportSignatures(data)));
    const delegations = await checkDelegations(data);
    if (delegations === undefined && delegationsSince !== undefined) {
      problems.push({
        what: 'delegations',
        published: '(none)',
        recomputed: `required: the data of epoch ${delegationsSince} already carried them`,
      });
    } else if (delegations === undefined) {
      // Data from a node that did not publish delegations yet: readable, but that link is unchecked.
      notes.push('the data carries no session-key delegations: report signatures checked, delegations not');
      if (!reportedDelegationGap) {
        say('note: the epoch data carries no session-key delegations; report signatures are checked against');
        say('      the session keys they name, but not that each listener delegated that key');
        reportedDelegationGap = true;
      }
    } else {
      delegationsSince ??= n;
      problems.push(...delegations);
    }

    const { result, problems: verdictProblems } = recomputeEpoch(data, {
      tracks,
      previousLeaves,
      countedByDay,
      feeRecipient,
    });
    problems.push(...verdictProblems, ...diffEpoch(data, result));
    // The chain: both roots and the cumulative total per token.
    const same = (what: string, chain: string, value: string) => {
      if (chain.toLowerCase() !== value.toLowerCase())
        problems.push({ what: `${what} (on-chain)`, published: chain, recomputed: value });
    };
    same('payoutRoot', published.payoutRoot, result.payoutRoot);
    same('playsRoot', published.playsRoot, result.playsRoot);
    const chainTotals = new Map(
      published.tokens.map((t, i) => [t.toLowerCase(), published.cumulativeTotals[i] ?? 0n]),
    );
    const ourTotals = new Map(payoutTotals(result.leaves).map((t) => [t.token.toLowerCase(), t.total]));
    for (const token of new Set([...chainTotals.keys(), ...ourTotals.keys()])) {
      const a = chainTotals.get(token);
      const b = ourTotals.get(token);
      if (a !== b)
        problems.push({
          what: `cumulative total of ${token} (on-chain)`,
          published: String(a ?? '(none)'),
          recomputed: String(b ?? '(none)'),
        });
    }

    const reports = data.plays.reduce((count, play) => count + play.reports.length, 0);
    if (problems.length > 0) fail(n, problems, notes);
    else {
      report.push({ epoch: n, ok: true, problems, notes });
      say(
        `epoch ${n}: ok — data sha2-256 matches the chain; ${data.plays.length} counted plays, ${reports} signed reports` +
          (data.delegations ? `, ${data.delegations.length} wallet delegations; ` : '; ') +
          `${result.payouts.size} payouts, ${result.rewards.size} rewards, ${result.leaves.length} leaves; roots and totals match`,
      );
    }
    previousLeaves = leavesOfData(data);
  }

  if (only !== undefined && !report.some((entry) => entry.epoch === only)) {
    fail(only, [
      { what: `epoch ${only}`, published: '(not listed by the node)', recomputed: 'nothing to verify' },
    ]);
  }

  const account:
    | { address: string; leaves: { token: string; cumulative: string; claimed: string; status: string }[] }
    | undefined = address ? { address: getAddress(address), leaves: [] } : undefined;
  if (account) {
    const mine = previousLeaves.filter(
      (leaf) => leaf.account.toLowerCase() === account.address.toLowerCase(),
    );
    say(`account ${account.address}: ${mine.length === 0 ? 'no payout leaves' : `${mine.length} leaves`}`);
    for (const leaf of mine) {
      const claimed = await getClaimed(client, { deployment, account: leaf.account, token: leaf.token });
      const status =
        claimed === leaf.cumulativeAmount
          ? 'claimed'
          : claimed < leaf.cumulativeAmount
            ? 'pending'
            : 'MISMATCH';
      if (status === 'MISMATCH') failures++;
      account.leaves.push({
        token: leaf.token,
        cumulative: String(leaf.cumulativeAmount),
        claimed: String(claimed),
        status,
      });
      say(
        `  token ${leaf.token}: cumulative ${leaf.cumulativeAmount}, claimed on-chain ${claimed} — ${status}`,
      );
    }
  }

  if (global.json) out(`${JSON.stringify({ ok: failures === 0, epochs: report, account }, null, 2)}\n`);
  else say(failures === 0 ? 'All verified: everything matches the chain.' : `${failures} mismatch(es).`);
  return failures === 0 ? 0 : 1;
}

/** Every epoch the node lists (GET /api/v1/epochs, newest first, paged by nextCursor). */
async function listEpochs(api: string): Promise<ListedEpoch[]> {
  const all: ListedEpoch[] = [];
  let cursor: number | null = null;
  for (;;) {
    const query = cursor === null ? '?limit=200' : `?limit=200&cursor=${cursor}`;
    const response = await fetch(`${api}/api/v1/epochs${query}`);
    if (response.status === 404)
      throw new CliError('This node does not list its epochs (GET /api/v1/epochs).');
    if (!response.ok) throw new CliError(`GET /api/v1/epochs answered ${response.status}`);
    const body = (await response.json()) as
      | { epochs?: ListedEpoch[]; items?: ListedEpoch[]; nextCursor?: number | null }
      | ListedEpoch[];
    if (Array.isArray(body)) return body;
    all.push(...(body.epochs ?? body.items ?? []));
    if (body.nextCursor === undefined || body.nextCursor === null || body.nextCursor === cursor) return all;
    cursor = body.nextCursor;
  }
}

async function fetchEpochData(api: string, n: number): Promise<Uint8Array> {
  const response = await fetch(`${api}/api/v1/epochs/${n}/data`);
  if (!response.ok) throw new CliError(`GET /api/v1/epochs/${n}/data answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
