import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FREE_ACCESS } from '@fairstream/chain';
import { type Address, getAddress } from 'viem';
import { describeMismatches, entryMismatches, type LedgerEntry } from './track-registrar.ts';

const a = '0x00000000000000000000000000000000000000aa';
const b = '0x00000000000000000000000000000000000000bb';
const token: Address = '0x00000000000000000000000000000000000000cc';
const digest = `0x${'11'.repeat(32)}` as const;

const track: LedgerEntry = {
  owner: a,
  metadataDigest: digest,
  access: FREE_ACCESS,
  recipients: [a, b],
  shares: [600_000, 400_000],
};

describe('entryMismatches', () => {
  it('finds none for the same entry, whatever the address case the chain returns', () => {
    const ledger = { ...track, owner: getAddress(a), recipients: [getAddress(a), getAddress(b)] };
    assert.deepEqual(entryMismatches(ledger, track), []);
  });

  it('names each field that differs, with both values', () => {
    const ledger: LedgerEntry = {
      owner: b,
      metadataDigest: `0x${'22'.repeat(32)}`,
      access: { kind: 1, token, minBalance: 5n },
      recipients: [b],
      shares: [1_000_000],
    };
    assert.deepEqual(entryMismatches(ledger, track), [
      { field: 'owner', ledger: b, track: a },
      { field: 'metadataDigest', ledger: `0x${'22'.repeat(32)}`, track: digest },
      { field: 'access', ledger: `ERC-20 ${token}, at least 5`, track: 'free' },
      { field: 'recipients', ledger: b, track: `${a}, ${b}` },
      { field: 'shares', ledger: '1000000', track: '600000, 400000' },
    ]);
  });

  it('tells a different gate minimum or token kind apart', () => {
    const gated: LedgerEntry = { ...track, access: { kind: 1, token, minBalance: 5n } };
    assert.deepEqual(
      entryMismatches({ ...gated, access: { kind: 2, token, minBalance: 5n } }, gated).map((m) => m.field),
      ['access'],
    );
    assert.deepEqual(
      entryMismatches({ ...gated, access: { kind: 1, token, minBalance: 6n } }, gated).map((m) => m.field),
      ['access'],
    );
  });

  it('says what differs and what to do about it', () => {
    const message = describeMismatches('abc', digest, [
      { field: 'shares', ledger: '1000000', track: '600000, 400000' },
    ]);
    assert.match(message, /shares \(ledger: 1000000; track: 600000, 400000\)/);
    assert.match(message, /delete it and upload the audio again/);
  });
});
