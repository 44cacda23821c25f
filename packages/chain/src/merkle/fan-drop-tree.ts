// Pure and browser-safe (no node:* imports): the web app builds and checks fan drops too.
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

/** The fan drop leaf, as FanDrops hashes it: keccak256(keccak256(abi.encode(account, amount))). */
export const FAN_DROP_LEAF_ENCODING: readonly string[] = ['address', 'uint256'];

/** What one account receives from a drop, in FAIR base units. */
export type FanDropLeaf = { account: Address; amount: bigint };

/** A leaf with its proof: what `claimFanDrop`/`claimFanDrops` send. */
export type FanDropClaim = FanDropLeaf & { proof: Hex[] };

/** A built drop tree: create the drop with `root` and `total`, hand out claims. */
export type FanDropTree = {
  root: Hex;
  /** The sum of the amounts: the drop's total. */
  total: bigint;
  /** The leaves in the order they were given, addresses as given. */
  leaves: readonly FanDropLeaf[];
  tree: StandardTree;
  /** Leaf index by lower-case account. */
  index: ReadonlyMap<string, number>;
};

/**
 * The JSON form of a drop tree: OpenZeppelin's `standard-v1` dump (amounts as decimal strings), which
 * `StandardMerkleTree.load` from @openzeppelin/merkle-tree also reads.
 */
export type FanDropTreeDump = {
  format: 'standard-v1';
  leafEncoding: string[];
  tree: Hex[];
  values: { value: [account: Address, amount: string]; treeIndex: number }[];
};

const LEAF_BYTES = 64;
const UINT256_MAX = 2n ** 256n - 1n;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const ZERO_ADDRESS = /^0x0{40}$/;

/**
 * Builds a drop's tree. Each account appears once with a positive amount: a duplicate, a zero
 * amount or the zero address is refused (the contract would pay only one leaf per account, and
 * cannot pay the zero address). The root does not depend on the order of `leaves`.
 */
export function buildFanDropTree(leaves: readonly FanDropLeaf[]): FanDropTree {
  if (leaves.length === 0) throw new Error('A fan drop needs at least one recipient');
  const checked: FanDropLeaf[] = [];
  const index = new Map<string, number>();
  const encoded = new Uint8Array(leaves.length * LEAF_BYTES);
  let total = 0n;
  for (const leaf of leaves) {
    const { account, amount } = leaf;
    if (typeof account !== 'string' || !ADDRESS.test(account) || ZERO_ADDRESS.test(account)) {
      throw new Error(`Not a recipient address in a fan drop: ${String(account).slice(0, 50)}`);
    }
    if (typeof amount !== 'bigint' || amount <= 0n || amount > UINT256_MAX) {
      throw new Error(`The amount for ${account} must be a positive number of base units, not ${amount}`);
    }
    const key = account.toLowerCase();
    if (index.has(key)) throw new Error(`${account} is listed twice in the fan drop: merge its amounts`);
    const at = checked.length;
    index.set(key, at);
    checked.push({ account, amount });
    total += amount;
    encodeLeaf(encoded, at * LEAF_BYTES, account, amount);
  }
  const tree = buildStandardTree(standardLeafHashes(encoded, LEAF_BYTES, checked.length));
  return { root: tree.root, total, leaves: checked, tree, index };
}

/** The claim (leaf and proof) of an account, or undefined when the drop has no leaf for it. */
export function fanDropClaim(tree: FanDropTree, account: Address): FanDropClaim | undefined {
  const index = tree.index.get(account.toLowerCase());
  return index === undefined ? undefined : claimAt(tree, index);
}

/** Every claim of the tree, in leaf order. */
export function fanDropClaims(tree: FanDropTree): FanDropClaim[] {
  return tree.leaves.map((_, index) => claimAt(tree, index));
}

/** The tree as JSON-safe data (OpenZeppelin's format), to publish or store. */
export function dumpFanDropTree(tree: FanDropTree): FanDropTreeDump {
  return {
    format: 'standard-v1',
    leafEncoding: [...FAN_DROP_LEAF_ENCODING],
    tree: allNodes(tree.tree),
    values: tree.leaves.map((leaf, i) => ({
      value: [leaf.account, leaf.amount.toString()],
      treeIndex: tree.tree.treeIndexOf[i]!,
    })),
  };
}

/** Rebuilds a tree from its dump, checking that every node hashes right (a tampered dump throws). */
export function loadFanDropTree(dump: FanDropTreeDump): FanDropTree {
  if (
    dump?.format !== 'standard-v1' ||
    !Array.isArray(dump.leafEncoding) ||
    dump.leafEncoding.join(',') !== FAN_DROP_LEAF_ENCODING.join(',') ||
    !Array.isArray(dump.values) ||
    !Array.isArray(dump.tree)
  ) {
    throw new Error('Not a Fairstream fan drop tree (expected standard-v1 with address, uint256 leaves)');
  }
  const tree = buildFanDropTree(
    dump.values.map(({ value: [account, amount] }) => {
      if (typeof amount !== 'string' || !/^\d{1,78}$/.test(amount))
        throw new Error(`Not a fan drop amount: "${String(amount).slice(0, 80)}"`);
      return { account, amount: BigInt(amount) };
    }),
  );
  const nodes = allNodes(tree.tree);
  const badNode = nodes.findIndex((node, i) => node !== String(dump.tree[i]).toLowerCase());
  const badLeaf = dump.values.findIndex((value, i) => value.treeIndex !== tree.tree.treeIndexOf[i]);
  if (dump.tree.length !== nodes.length || badNode >= 0 || badLeaf >= 0) {
    const what = badNode >= 0 ? `node ${badNode}` : badLeaf >= 0 ? `leaf ${badLeaf}'s position` : 'its size';
    throw new Error(`The fan drop tree dump does not match its leaves (${what} differs)`);
  }
  return tree;
}

/** Whether a claim's proof leads to `root`: what FanDrops checks, without a chain. */
export function verifyFanDropClaim(root: Hex, claim: FanDropClaim): boolean {
  if (claim.amount < 0n || claim.amount > UINT256_MAX || !ADDRESS.test(claim.account)) return false;
  const encoded = new Uint8Array(LEAF_BYTES);
  encodeLeaf(encoded, 0, claim.account, claim.amount);
  const leafHash = keccak256Bytes(keccak256Bytes(encoded));
  return processProof(bytesToHex(leafHash), claim.proof) === root.toLowerCase();
}

/** abi.encode(address account, uint256 amount) into `out` at `offset`. */
function encodeLeaf(out: Uint8Array, offset: number, account: Address, amount: bigint): void {
  writeAddressWord(out, offset, account);
  writeUint256Word(out, offset + 32, amount);
}

function claimAt(tree: FanDropTree, index: number): FanDropClaim {
  const leaf = tree.leaves[index];
  if (!leaf) throw new Error(`No fan drop leaf at index ${index}`);
  return { ...leaf, proof: proofOf(tree.tree, index) };
}
