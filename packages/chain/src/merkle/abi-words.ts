// Pure and browser-safe. ABI-encoding of the leaf values straight into a buffer of 32-byte words:
// building a million leaves with viem's encoders (hex strings, a BigInt per value) costs seconds.

/** An address (0x + 40 hex digits, any case; the caller has checked it) as the word at `at`. */
export function writeAddressWord(out: Uint8Array, at: number, address: string): void {
  for (let i = 0; i < 20; i++) {
    out[at + 12 + i] = (nibble(address, 2 + 2 * i) << 4) | nibble(address, 3 + 2 * i);
  }
}

/** A non-negative safe integer as the uint64 word at `at` (big-endian, left-padded). */
export function writeUint64Word(out: Uint8Array, at: number, value: number): void {
  const high = Math.floor(value / 2 ** 32);
  const low = value >>> 0;
  for (let k = 0; k < 4; k++) {
    out[at + 27 - k] = (high >>> (8 * k)) & 0xff;
    out[at + 31 - k] = (low >>> (8 * k)) & 0xff;
  }
}

/** A uint256 as the word at `at`. */
export function writeUint256Word(out: Uint8Array, at: number, value: bigint): void {
  let rest = value;
  for (let k = 31; k >= 0 && rest > 0n; k--) {
    out[at + k] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}

function nibble(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code <= 57 ? code - 48 : (code | 0x20) - 87;
}
