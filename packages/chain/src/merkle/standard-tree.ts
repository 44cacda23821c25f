// Pure and browser-safe (no node:* imports): the web app and `fairstream verify` rebuild trees too.
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { compareHashes, doubleKeccakMany, hashInnerNodes, keccak256Bytes } from './keccak.ts';

/**
 * OpenZeppelin's StandardMerkleTree, built from typed arrays. The same roots, proofs and dumps as
 * @openzeppelin/merkle-tree (a test checks it against that package), so auditors can use either and
 * the contracts' MerkleProof.verify accepts the proofs; but a million leaves take seconds and tens of
 * megabytes instead of minutes and gigabytes, because nodes are bytes in one buffer instead of hex
 * strings and keccak runs in WebAssembly.
 *
 * The layout is OpenZeppelin's: leaf hashes sorted ascending, a complete binary tree in one array of
 * 2n − 1 nodes, leaves at the end in reverse sorted order, node i's children at 2i + 1 and 2i + 2, and
 * each parent = keccak256(the two children, smaller first).
 */
export interface StandardTree {
  readonly root: Hex;
  /** Number of leaves. */
  readonly size: number;
  /** All 2n − 1 nodes, 32 bytes each, root first. */
  readonly nodes: Uint8Array;
  /** The tree index of the leaf given as `leafHashes[i]`. */
  readonly treeIndexOf: Uint32Array;
}

const HASH = 32;

/**
 * The leaf hash StandardMerkleTree uses: keccak256(keccak256(abi.encode(values))). `encoded` holds
 * `count` ABI encodings of `width` bytes each; returns the count × 32 bytes of leaf hashes.
 */
export function standardLeafHashes(encoded: Uint8Array, width: number, count: number): Uint8Array {
  return doubleKeccakMany(encoded, width, count);
}

/** Builds the tree over `leafHashes` (n × 32 bytes, in the caller's value order). */
export function buildStandardTree(leafHashes: Uint8Array): StandardTree {
  const size = leafHashes.length / HASH;
  if (!Number.isInteger(size)) throw new Error('Leaf hashes must be 32 bytes each');
  if (size === 0) throw new Error('A Merkle tree needs at least one leaf');
  const order = sortedOrder(leafHashes, size);
  const length = 2 * size - 1;
  const nodes = new Uint8Array(length * HASH);
  const treeIndexOf = new Uint32Array(size);
  for (let sorted = 0; sorted < size; sorted++) {
    const leaf = order[sorted]!;
    const treeIndex = length - 1 - sorted;
    treeIndexOf[leaf] = treeIndex;
    nodes.set(leafHashes.subarray(leaf * HASH, leaf * HASH + HASH), treeIndex * HASH);
  }
  hashInnerNodes(nodes, size);
  return { root: bytesToHex(nodes.subarray(0, HASH)), size, nodes, treeIndexOf };
}

/** The node at a tree index, as hex. */
export function nodeAt(tree: StandardTree, treeIndex: number): Hex {
  return bytesToHex(tree.nodes.subarray(treeIndex * HASH, treeIndex * HASH + HASH));
}

/** Every node as hex, root first: the `tree` of OpenZeppelin's `standard-v1` dump. */
export function allNodes(tree: StandardTree): Hex[] {
  const hex: Hex[] = new Array(2 * tree.size - 1);
  for (let i = 0; i < hex.length; i++) hex[i] = nodeAt(tree, i);
  return hex;
}

/** The proof of the leaf given as `leafHashes[leafIndex]`: its siblings from the leaf up. */
export function proofOf(tree: StandardTree, leafIndex: number): Hex[] {
  let index = tree.treeIndexOf[leafIndex];
  if (index === undefined) throw new Error(`No leaf ${leafIndex} in a tree of ${tree.size}`);
  const proof: Hex[] = [];
  while (index > 0) {
    proof.push(nodeAt(tree, index % 2 === 1 ? index + 1 : index - 1));
    index = Math.floor((index - 1) / 2);
  }
  return proof;
}

/** The root a proof leads to from a leaf hash (as MerkleProof.processProof computes it). */
export function processProof(leafHash: Hex, proof: readonly Hex[]): Hex {
  let node = hexToBytes(leafHash);
  const pair = new Uint8Array(2 * HASH);
  for (const sibling of proof) {
    const other = hexToBytes(sibling);
    const [low, high] = compareHashes(node, 0, other, 0) <= 0 ? [node, other] : [other, node];
    pair.set(low, 0);
    pair.set(high, HASH);
    node = keccak256Bytes(pair);
  }
  return bytesToHex(node);
}

/**
 * Leaf positions by ascending hash, as OpenZeppelin orders them (bytewise, stable for equal hashes).
 * Sorting a million 32-byte keys with a comparator takes seconds; instead each key is packed into a
 * BigUint64 as (the hash's leading bits, the leaf's position) and the typed array sorts natively.
 * Leaves whose leading bits tie are then put in order by their whole hashes.
 */
function sortedOrder(hashes: Uint8Array, size: number): Uint32Array {
  const positionBits = Math.max(1, Math.ceil(Math.log2(size)));
  const prefixBits = 64 - positionBits;
  const view = new DataView(hashes.buffer, hashes.byteOffset, hashes.byteLength);
  const keys = new BigUint64Array(size);
  const shift = BigInt(positionBits);
  const drop = BigInt(64 - prefixBits);
  for (let i = 0; i < size; i++) {
    const prefix = view.getBigUint64(i * HASH) >> drop;
    keys[i] = (prefix << shift) | BigInt(i);
  }
  keys.sort();
  const mask = (1n << shift) - 1n;
  const order = new Uint32Array(size);
  for (let i = 0; i < size; i++) order[i] = Number(keys[i]! & mask);
  // Runs of equal prefixes: rare (two leaves among a million share 44 leading bits about 3% of the
  // time), and each is tiny.
  let start = 0;
  for (let i = 1; i <= size; i++) {
    if (i < size && keys[i]! >> shift === keys[start]! >> shift) continue;
    if (i - start > 1) {
      const run = Array.from(order.subarray(start, i)).sort(
        (a, b) => compareHashes(hashes, a * HASH, hashes, b * HASH) || a - b,
      );
      order.set(run, start);
    }
    start = i;
  }
  return order;
}
