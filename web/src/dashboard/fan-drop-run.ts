/**
 * Sends a planned fan drop, step by step as `fairstream reward-fans` does: the plan is saved before
 * anything is sent (here in the browser's storage, there in a file), then (1) the drop is funded
 * from the wallet in one transaction (a FAIR permit and `createDropWithPermit`), or found on-chain
 * when an interrupted run already sent it, (2) its leaves are published on the node so every fan can
 * get their proof, and (3) every fan's part is pushed with `claimMany` (fans already paid are
 * skipped by the contract, so finishing again is safe). Loaded when an artist sends a drop: it
 * brings the chain actions and the Merkle tree (keccak in WebAssembly).
 */
import { fanDropsAbi } from '@fairstream/chain/abis';
import { buildFanDropTree, fanDropClaims } from '@fairstream/chain/merkle';
import { claimFanDrops, createFanDrop } from '@fairstream/chain/writes';
import type { Address, Hex } from 'viem';
import { api, unwrap } from '../api.ts';
import { TransactionError } from '../wallet/chain.ts';
import { explainChainError } from '../wallet/chain-errors.ts';
import type { WriteClient } from '../wallet/write-client.ts';
import { type DropRecord, saveDropRecord } from './drop-record.ts';
import type { DropPlan } from './reward-fans-plan.ts';

export type DropStage = 'fund' | 'publish' | 'push';

export interface DropProgress {
  stage: DropStage;
  /** While pushing: fans paid so far (in mined transactions), of how many. */
  done?: number;
  total?: number;
}

/** The plan as a record to send, saved before anything is sent. */
export async function prepareDrop(
  writer: WriteClient,
  input: { chainId: number; creator: Address; plan: DropPlan; claimDays: number; since: number | undefined },
): Promise<DropRecord> {
  const fanDrops = writer.deployment.contracts.FanDrops;
  if (!fanDrops)
    throw new TransactionError('This node’s chain has no FanDrops contract; ask its operator to add it.');
  const tree = buildFanDropTree(
    input.plan.shares.map((share) => ({ account: share.account, amount: share.amount })),
  );
  const record: DropRecord = {
    format: 'fairstream-fan-drop/1',
    chainId: input.chainId,
    fanDrops,
    creator: input.creator,
    reason: input.plan.reason,
    claimWindowSeconds: String(BigInt(input.claimDays) * 86_400n),
    since: input.since ?? null,
    notBefore: (await writer.client.getBlockNumber({ cacheTime: 0 })).toString(),
    root: tree.root,
    total: tree.total.toString(),
    leaves: input.plan.shares.map((share) => ({
      account: share.account,
      amount: share.amount.toString(),
      plays: share.plays,
      named: share.named,
    })),
    dropId: null,
    transactionHash: null,
    published: false,
    pushed: false,
  };
  saveDropRecord(record);
  return record;
}

/**
 * Funds, publishes and pushes the drop, from wherever `record` stands; saves each step as it is
 * done. Resolves with how many fans the push paid now; a failure says which step and that finishing
 * again picks up from there.
 */
export async function runDrop(
  writer: WriteClient,
  record: DropRecord,
  onProgress: (progress: DropProgress) => void,
): Promise<{ dropId: string; paid: number; transactions: number }> {
  const tree = buildFanDropTree(
    record.leaves.map((leaf) => ({ account: leaf.account, amount: BigInt(leaf.amount) })),
  );
  if (tree.root !== record.root || tree.total !== BigInt(record.total)) {
    throw new TransactionError(
      'The saved drop does not add up (its leaves do not make its root); start a new one.',
    );
  }
  const step = async <T>(what: string, action: () => Promise<T>, explain: boolean): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      const reason = explain ? explainChainError(error, 'drop') : (error as Error).message;
      const finish =
        record.dropId === null ? '' : ' The drop is funded: nothing is lost, finish it to go on from here.';
      throw new TransactionError(`${what} failed: ${reason}${finish}`);
    }
  };

  // 1. The drop on-chain (found again when an interrupted run already sent it).
  if (record.dropId === null) {
    onProgress({ stage: 'fund' });
    const sent = await step('Finding the drop on-chain', () => findDrop(writer, record), false);
    if (sent) {
      record.dropId = sent.dropId;
      record.transactionHash = sent.transactionHash;
    } else {
      writer.step('fund the drop');
      const created = await step(
        'Funding the drop',
        () =>
          createFanDrop(writer.client, {
            deployment: writer.deployment,
            tree,
            reason: record.reason,
            claimWindowSeconds: BigInt(record.claimWindowSeconds),
            authorize: 'permit',
          }),
        true,
      );
      record.dropId = created.dropId.toString();
      record.transactionHash = created.hash;
    }
    saveDropRecord(record);
  }
  const dropId = record.dropId;
  const transactionHash = record.transactionHash;
  if (dropId === null || transactionHash === null) throw new Error('the drop has no id after creation');

  // 2. The leaves, published on the node so every fan can find their proof.
  if (!record.published) {
    onProgress({ stage: 'publish' });
    await step(
      'Publishing the drop on the node',
      async () =>
        unwrap(
          await api.POST('/api/v1/drops', {
            body: {
              dropId,
              transactionHash,
              leaves: record.leaves.map((leaf) => ({ account: leaf.account, amount: leaf.amount })),
            },
          }),
        ),
      false,
    );
    record.published = true;
    saveDropRecord(record);
  }

  // 3. Every fan's part, pushed (parts already paid are skipped by the contract).
  const claims = fanDropClaims(tree);
  onProgress({ stage: 'push', done: 0, total: claims.length });
  writer.step('push the rewards');
  const pushed = await step(
    'Pushing the rewards',
    () =>
      claimFanDrops(writer.client, {
        deployment: writer.deployment,
        dropId: BigInt(dropId),
        claims,
        onProgress: (done, total) => onProgress({ stage: 'push', done, total }),
      }),
    true,
  );
  record.pushed = true;
  saveDropRecord(record);
  return { dropId, paid: pushed.paid.length, transactions: pushed.transactions.length };
}

/** An earlier run's DropCreated for this root, from this creator, sent after the plan was saved. */
export async function findDrop(
  writer: WriteClient,
  record: DropRecord,
): Promise<{ dropId: string; transactionHash: Hex } | undefined> {
  const events = await writer.client.getContractEvents({
    address: record.fanDrops,
    abi: fanDropsAbi,
    eventName: 'DropCreated',
    args: { creator: record.creator },
    fromBlock: BigInt(record.notBefore),
  });
  const found = events.find((event) => event.args.root?.toLowerCase() === record.root.toLowerCase());
  return found?.args.dropId === undefined
    ? undefined
    : { dropId: found.args.dropId.toString(), transactionHash: found.transactionHash };
}
