import { bytesToHex, type Hex, hexToBytes, isHex, sha256 } from 'viem';

/** sha2-256's multihash code and digest length: a multihash starts with these two bytes. */
const SHA2_256_MULTIHASH_PREFIX = [0x12, 0x20] as const;

/**
 * The `bytes32` argument for a CID digest (TrackRegistry's `metadataDigest`, PayoutDistributor's
 * `dataDigest`): the 32-byte sha2-256 digest inside the CID (`cid.multihash.digest` in multiformats).
 * The CID is recovered from it as CIDv1, raw codec, sha2-256. Also accepts the whole 34-byte sha2-256
 * multihash (`cid.multihash.bytes`), a common mix-up; anything else is refused rather than truncated.
 */
export function cidDigest(digest: Uint8Array | Hex): Hex {
  const bytes = typeof digest === 'string' ? (isHex(digest) ? hexToBytes(digest) : undefined) : digest;
  if (!bytes) throw new Error('A CID digest must be bytes or 0x-prefixed hex');
  if (bytes.length === 32) return bytesToHex(bytes);
  if (
    bytes.length === 34 &&
    bytes[0] === SHA2_256_MULTIHASH_PREFIX[0] &&
    bytes[1] === SHA2_256_MULTIHASH_PREFIX[1]
  ) {
    return bytesToHex(bytes.subarray(2));
  }
  throw new Error(`A CID digest is the 32-byte sha2-256 digest, not ${bytes.length} bytes`);
}

/** The sha2-256 digest of some bytes: the digest inside their CIDv1 (raw), as `cidDigest` takes it. */
export function digestOf(data: Uint8Array): Hex {
  return sha256(data);
}
