// @fairstream/chain/merkle: the payout and standard Merkle trees, keccak-256 and the split
// arithmetic, without the rest of the package (which runs Hardhat and the file system). Pure and
// browser-safe: the web app's ledger explorer and `fairstream verify` rebuild the same trees.
export { writeAddressWord, writeUint64Word, writeUint256Word } from './abi-words.ts';
export { accumulatePayouts } from './accumulate-payouts.ts';
export { allocateSplit, SPLIT_TOTAL_PPM } from './allocate-split.ts';
export { cidDigest, digestOf } from './cid-digest.ts';
export type { FanDropClaim, FanDropLeaf, FanDropTree, FanDropTreeDump } from './fan-drop-tree.ts';
export {
  buildFanDropTree,
  dumpFanDropTree,
  FAN_DROP_LEAF_ENCODING,
  fanDropClaim,
  fanDropClaims,
  loadFanDropTree,
  verifyFanDropClaim,
} from './fan-drop-tree.ts';
export { keccak256Bytes, keccak256Into, keccak256Utf8Into } from './keccak.ts';
export { payoutTotals } from './payout-totals.ts';
export type { PayoutClaim, PayoutLeaf, PayoutTree, PayoutTreeDump } from './payout-tree.ts';
export {
  buildPayoutTree,
  dumpPayoutTree,
  loadPayoutTree,
  PAYOUT_LEAF_ENCODING,
  payoutClaim,
  payoutClaims,
  verifyPayoutClaim,
} from './payout-tree.ts';
export type { StandardTree } from './standard-tree.ts';
export {
  allNodes,
  buildStandardTree,
  processProof,
  proofOf,
  standardLeafHashes,
} from './standard-tree.ts';
