// Pure and browser-safe (no node:* imports): the web app and `fairstream verify` rebuild trees too.
import { type Address, bytesToHex, type Hex } from 'viem';
import { writeAddressWord, writeUint256Word } from './abi-words.ts';
import { keccak256Bytes } from './keccak.ts';
import {
  allNodes,
  buildStandardTree,
  processProof,
  proofOf,
  type StandardTree,
  standardLeafHashes,
} from './standard-tree.ts';

/** The payout leaf, as PayoutDistributor hashes it: keccak256(keccak256(abi.encode(account, token, cumulativeAmount))). */
export const PAYOUT_LEAF_ENCODING: readonly string[] = ['address', 'address', 'uint256'];

/** One account's cumulative payout in one token: everything it was ever owed, not this epoch's part. */
export type PayoutLeaf = { account: Address; token: Address; cumulativeAmount: bigint };

/** A leaf with its proof: what `claimPayout`/`claimPayouts` send. */
export type PayoutClaim = PayoutLeaf & { proof: Hex[] };

/** A built tree: publish `root`, hand out claims. */
export type PayoutTree = {
  root: Hex;
  /** The leaves in the order they were given, addresses as given. */
  leaves: readonly PayoutLeaf[];
  tree: StandardTree;
  /** Leaf index by `${account}:${token}` in lower case. */
  index: ReadonlyMap<string, number>;
};

/**
 * The JSON form of a tree: OpenZeppelin's `standard-v1` dump (amounts as decimal strings), which
 * `StandardMerkleTree.load` from @openzeppelin/merkle-tree also reads.
 */
export type PayoutTreeDump = {
  format: 'standard-v1';
  leafEncoding: string[];
  tree: Hex[];
  values: { value: [account: Address, token: Address, cumulativeAmount: string]; treeIndex: number }[];
};

const LEAF_BYTES = 96;
const UINT256_MAX = 2n ** 256n - 1n;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * Builds the cumulative payout tree of an epoch. Leaves are (account, token) unique; a duplicate is a
 * bug in the caller's accounting and is refused rather than merged. The root does not depend on the
 * order of `leaves` (leaves are sorted by hash).
 */
export function buildPayoutTree(leaves: readonly PayoutLeaf[]): PayoutTree {
  if (leaves.length === 0) throw new Error('A payout tree needs at least one leaf');
  const checked: PayoutLeaf[] = [];
  const index = new Map<string, number>();
  const encoded = new Uint8Array(leaves.length * LEAF_BYTES);
  for (const leaf of leaves) {
    if (leaf.cumulativeAmount < 0n || leaf.cumulativeAmount > UINT256_MAX) {
      throw new Error(
        `Payout for ${leaf.account} in ${leaf.token} is not a uint256: ${leaf.cumulativeAmount}`,
      );
    }
    // Kept as given (accumulatePayouts checksums them once); keyed in lower case.
    const { account, token } = leaf;
    if (!ADDRESS.test(account) || !ADDRESS.test(token)) {
      throw new Error(
        `Not an address in a payout leaf: ${String(account).slice(0, 50)}, ${String(token).slice(0, 50)}`,
      );
    }
    const key = `${account}:${token}`.toLowerCase();
    if (index.has(key)) throw new Error(`Two payout leaves for ${account} in ${token}: merge them first`);
    const at = checked.length;
    index.set(key, at);
    checked.push({ account, token, cumulativeAmount: leaf.cumulativeAmount });
    encodeLeaf(encoded, at * LEAF_BYTES, account, token, leaf.cumulativeAmount);
  }
  const tree = buildStandardTree(standardLeafHashes(encoded, LEAF_BYTES, checked.length));
  return { root: tree.root, leaves: checked, tree, index };
}

/** The claim (leaf and proof) of an account in a token, or undefined when the tree has no such leaf. */
export function payoutClaim(tree: PayoutTree, account: Address, token: Address): PayoutClaim | undefined {
  const index = tree.index.get(`${account}:${token}`.toLowerCase());
  return index === undefined ? undefined : claimAt(tree, index);
}

/** Every claim of the tree, in leaf order. */
export function payoutClaims(tree: PayoutTree): PayoutClaim[] {
  return tree.leaves.map((_, index) => claimAt(tree, index));
}

/** The tree as JSON-safe data (OpenZeppelin's format), to publish or store. */
export function dumpPayoutTree(tree: PayoutTree): PayoutTreeDump {
  return {
    format: 'standard-v1',
    leafEncoding: [...PAYOUT_LEAF_ENCODING],
    tree: allNodes(tree.tree),
    values: tree.leaves.map((leaf, i) => ({
      value: [leaf.account, leaf.token, leaf.cumulativeAmount.toString()],
      treeIndex: tree.tree.treeIndexOf[i]!,
    })),
  };
}

/** Rebuilds a tree from its dump, checking that every node hashes right (a tampered dump throws). */
export function loadPayoutTree(dump: PayoutTreeDump): PayoutTree {
  if (dump.format !== 'standard-v1' || dump.leafEncoding.join(',') !== PAYOUT_LEAF_ENCODING.join(',')) {
    throw new Error(
      'Not a Fairstream payout tree (expected standard-v1 with address, address, uint256 leaves)',
    );
  }
  const tree = buildPayoutTree(
    dump.values.map(({ value: [account, token, amount] }) => {
      if (!/^\d{1,78}$/.test(amount))
        throw new Error(`Not a payout amount: "${String(amount).slice(0, 80)}"`);
      return { account, token, cumulativeAmount: BigInt(amount) };
    }),
  );
  const nodes = allNodes(tree.tree);
  const badNode = nodes.findIndex((node, i) => node !== dump.tree[i]?.toLowerCase());
  const badLeaf = dump.values.findIndex((value, i) => value.treeIndex !== tree.tree.treeIndexOf[i]);
  if (dump.tree.length !== nodes.length || badNode >= 0 || badLeaf >= 0) {
    const what = badNode >= 0 ? `node ${badNode}` : badLeaf >= 0 ? `leaf ${badLeaf}'s position` : 'its size';
    throw new Error(`The payout tree dump does not match its leaves (${what} differs)`);
  }
  return tree;
}

/** Whether a claim's proof leads to `root`: what the distributor checks, without a chain. */
export function verifyPayoutClaim(root: Hex, claim: PayoutClaim): boolean {
  if (claim.cumulativeAmount < 0n || claim.cumulativeAmount > UINT256_MAX) return false;
  if (!ADDRESS.test(claim.account) || !ADDRESS.test(claim.token)) return false;
  const encoded = new Uint8Array(LEAF_BYTES);
  encodeLeaf(encoded, 0, claim.account, claim.token, claim.cumulativeAmount);
  const leafHash = keccak256Bytes(keccak256Bytes(encoded));
  return processProof(bytesToHex(leafHash), claim.proof) === root.toLowerCase();
}

/** abi.encode(address account, address token, uint256 amount) into `out` at `offset`. */
function encodeLeaf(out: Uint8Array, offset: number, account: Address, token: Address, amount: bigint): void {
  writeAddressWord(out, offset, account);
  writeAddressWord(out, offset + 32, token);
  writeUint256Word(out, offset + 64, amount);
}

function claimAt(tree: PayoutTree, index: number): PayoutClaim {
  const leaf = tree.leaves[index];
  if (!leaf) throw new Error(`No payout leaf at index ${index}`);
  return { ...leaf, proof: proofOf(tree.tree, index) };
}
