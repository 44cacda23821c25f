// Pure and browser-safe (no node:* imports): the web app and `fairstream verify` rebuild trees too.
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { type Address, getAddress, type Hex } from 'viem';

/** The payout leaf, as PayoutDistributor hashes it: keccak256(keccak256(abi.encode(account, token, cumulativeAmount))). */
export const PAYOUT_LEAF_ENCODING: readonly string[] = ['address', 'address', 'uint256'];

/** One account's cumulative payout in one token: everything it was ever owed, not this epoch's part. */
export type PayoutLeaf = { account: Address; token: Address; cumulativeAmount: bigint };

/** A leaf with its proof: what `claimPayout`/`claimPayouts` send. */
export type PayoutClaim = PayoutLeaf & { proof: Hex[] };

// Amounts are kept as decimal strings inside the tree (they hash the same as bigints) so that its
// dump is plain JSON.
type LeafValues = [account: Address, token: Address, cumulativeAmount: string];

/** A built tree: publish `root`, hand out claims. */
export type PayoutTree = {
  root: Hex;
  leaves: readonly PayoutLeaf[];
  tree: StandardMerkleTree<LeafValues>;
  /** Leaf index by `${account}:${token}` (checksummed). */
  index: ReadonlyMap<string, number>;
};

/** The JSON form of a tree (OpenZeppelin's `standard-v1` dump), for publishing with the epoch's data. */
export type PayoutTreeDump = ReturnType<StandardMerkleTree<LeafValues>['dump']>;

/**
 * Builds the cumulative payout tree of an epoch. Leaves are (account, token) unique; a duplicate is a
 * bug in the caller's accounting and is refused rather than merged. The root does not depend on the
 * order of `leaves` (OpenZeppelin sorts leaves by hash).
 */
export function buildPayoutTree(leaves: readonly PayoutLeaf[]): PayoutTree {
  if (leaves.length === 0) throw new Error('A payout tree needs at least one leaf');
  const values: LeafValues[] = [];
  const seen = new Set<string>();
  for (const leaf of leaves) {
    if (leaf.cumulativeAmount < 0n) throw new Error(`Negative payout for ${leaf.account} in ${leaf.token}`);
    const account = getAddress(leaf.account);
    const token = getAddress(leaf.token);
    const key = `${account}:${token}`;
    if (seen.has(key)) throw new Error(`Two payout leaves for ${account} in ${token}: merge them first`);
    seen.add(key);
    values.push([account, token, leaf.cumulativeAmount.toString()]);
  }
  return fromTree(StandardMerkleTree.of(values, [...PAYOUT_LEAF_ENCODING]));
}

/** The claim (leaf and proof) of an account in a token, or undefined when the tree has no such leaf. */
export function payoutClaim(tree: PayoutTree, account: Address, token: Address): PayoutClaim | undefined {
  const index = tree.index.get(`${getAddress(account)}:${getAddress(token)}`);
  return index === undefined ? undefined : claimAt(tree, index);
}

/** Every claim of the tree, in the tree's (hash) order. */
export function payoutClaims(tree: PayoutTree): PayoutClaim[] {
  return [...tree.tree.entries()].map(([index]) => claimAt(tree, index));
}

/** The tree as JSON-safe data (OpenZeppelin's format), to publish or store. */
export function dumpPayoutTree(tree: PayoutTree): PayoutTreeDump {
  return tree.tree.dump();
}

/** Rebuilds a tree from its dump, checking that every node hashes right (a tampered dump throws). */
export function loadPayoutTree(dump: PayoutTreeDump): PayoutTree {
  if (dump.format !== 'standard-v1' || dump.leafEncoding.join(',') !== PAYOUT_LEAF_ENCODING.join(',')) {
    throw new Error(
      'Not a Fairstream payout tree (expected standard-v1 with address, address, uint256 leaves)',
    );
  }
  const tree = StandardMerkleTree.load<LeafValues>(dump);
  tree.validate();
  return fromTree(tree);
}

/** Whether a claim's proof leads to `root`: what the distributor checks, without a chain. */
export function verifyPayoutClaim(root: Hex, claim: PayoutClaim): boolean {
  return StandardMerkleTree.verify(
    root,
    [...PAYOUT_LEAF_ENCODING],
    [claim.account, claim.token, claim.cumulativeAmount],
    claim.proof,
  );
}

function fromTree(tree: StandardMerkleTree<LeafValues>): PayoutTree {
  const leaves: PayoutLeaf[] = [];
  const index = new Map<string, number>();
  for (const [i, [account, token, amount]] of tree.entries()) {
    leaves.push({ account: getAddress(account), token: getAddress(token), cumulativeAmount: BigInt(amount) });
    index.set(`${getAddress(account)}:${getAddress(token)}`, i);
  }
  return { root: tree.root as Hex, leaves, tree, index };
}

function claimAt(tree: PayoutTree, index: number): PayoutClaim {
  const value = tree.tree.at(index);
  if (!value) throw new Error(`No payout leaf at index ${index}`);
  const [account, token, amount] = value;
  return { account, token, cumulativeAmount: BigInt(amount), proof: tree.tree.getProof(index) as Hex[] };
}
