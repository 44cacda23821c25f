import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getAddress, keccak256, stringToHex } from 'viem';
import { checksumAddress } from './checksum-address.ts';

describe('checksumAddress', () => {
  it("gives viem's getAddress for any case of the same address", () => {
    for (let i = 0; i < 200; i++) {
      const lower = `0x${keccak256(stringToHex(`account-${i}`)).slice(26)}`;
      assert.equal(checksumAddress(lower), getAddress(lower));
      assert.equal(checksumAddress(lower.toUpperCase().replace('0X', '0x')), getAddress(lower));
    }
  });

  it('refuses what is not 20 bytes of hex', () => {
    assert.throws(() => checksumAddress('0x12'), /Not an address/);
    assert.throws(() => checksumAddress(`0x${'g'.repeat(40)}`), /Not an address/);
  });
});
