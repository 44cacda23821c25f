/**
 * Fan drops, audited from public data: FanDrops on-chain holds each drop's Merkle root, total and
 * number of recipients; the node publishes its leaves (who gets how much) at GET /drops/{id}. The
 * audit rebuilds each root from the published leaves and compares root, total and recipients with
 * the chain, so every FAIR a drop pays is accounted for. Reads only fetch and a viem public client,
 * like audit.ts, so a browser can run it too.
 */
import { buildFanDropTree } from '@fairstream/chain/merkle';
import { fanDropsAbi, getFanDrop } from '@fairstream/chain/reads';
import { type Address, getAddress, type PublicClient } from 'viem';
import type { Problem } from './recompute.ts';

export interface DropAudit {
  dropId: number;
  /** Published on the node: false when its creator never published the leaves (nothing to recompute). */
  published: boolean;
  ok: boolean;
  recipients: number;
  /** FAIR base units funded. */
  total: bigint;
  problems: Problem[];
}

export interface AuditDropsOptions {
  api: string;
  client: PublicClient;
  contracts: Record<string, Address | undefined>;
  /** Only the drops that reward this address (default: every drop on-chain). */
  address?: string;
  onDrop?: (audit: DropAudit) => void;
}

export async function auditFanDrops(options: AuditDropsOptions): Promise<DropAudit[]> {
  const fanDrops = options.contracts.FanDrops;
  if (!fanDrops) return [];
  const deployment = { contracts: options.contracts } as Parameters<typeof getFanDrop>[1]['deployment'];
  let ids: number[];
  if (options.address) {
    const response = await fetch(`${options.api}/api/v1/accounts/${options.address.toLowerCase()}/drops`);
    if (!response.ok) throw new Error(`GET /accounts/${options.address}/drops answered ${response.status}`);
    const body = (await response.json()) as { drops: { dropId: string }[] };
    ids = body.drops.map((drop) => Number(drop.dropId)).sort((a, b) => a - b);
  } else {
    const count = await options.client.readContract({
      address: fanDrops,
      abi: fanDropsAbi,
      functionName: 'dropCount',
    });
    ids = Array.from({ length: Number(count) }, (_, i) => i + 1);
  }
  const audits: DropAudit[] = [];
  for (const dropId of ids) {
    const audit = await auditDrop(options, deployment, dropId);
    audits.push(audit);
    options.onDrop?.(audit);
  }
  return audits;
}

async function auditDrop(
  options: AuditDropsOptions,
  deployment: Parameters<typeof getFanDrop>[1]['deployment'],
  dropId: number,
): Promise<DropAudit> {
  const onChain = await getFanDrop(options.client, {
    deployment,
    dropId: BigInt(dropId),
  });
  const problems: Problem[] = [];
  if (!onChain) {
    problems.push({
      what: `drop ${dropId}`,
      published: 'listed by the node',
      recomputed: 'no such drop on-chain',
    });
    return { dropId, published: true, ok: false, recipients: 0, total: 0n, problems };
  }
  const base = { dropId, recipients: onChain.recipients, total: onChain.total };
  const response = await fetch(`${options.api}/api/v1/drops/${dropId}`);
  if (response.status === 404) return { ...base, published: false, ok: true, problems };
  if (!response.ok) throw new Error(`GET /drops/${dropId} answered ${response.status}`);
  const published = (await response.json()) as { leaves: { account: string; amount: string }[] };
  let root: string | undefined;
  try {
    root = buildFanDropTree(
      published.leaves.map((leaf) => ({ account: getAddress(leaf.account), amount: BigInt(leaf.amount) })),
    ).root;
  } catch (error) {
    problems.push({
      what: `drop ${dropId} leaves`,
      published: 'a Merkle tree',
      recomputed: (error as Error).message,
    });
  }
  const total = published.leaves.reduce((sum, leaf) => sum + BigInt(leaf.amount), 0n);
  const same = (what: string, chain: string, recomputed: string) => {
    if (chain.toLowerCase() !== recomputed.toLowerCase())
      problems.push({ what: `drop ${dropId} ${what}`, published: `${chain} on-chain`, recomputed });
  };
  if (root !== undefined) same('root', onChain.root, root);
  same('total', String(onChain.total), String(total));
  same('recipients', String(onChain.recipients), String(published.leaves.length));
  return { ...base, published: true, ok: problems.length === 0, problems };
}
