import { afterEach, describe, expect, it } from 'vitest';
import { type DropRecord, forgetDropRecord, loadDropRecord, saveDropRecord } from './drop-record.ts';

const creator = '0x00000000000000000000000000000000000000A1';
const record = (over: Partial<DropRecord> = {}): DropRecord => ({
  format: 'fairstream-fan-drop/1',
  chainId: 31337,
  fanDrops: '0x00000000000000000000000000000000000000d5',
  creator,
  reason: 'Thanks',
  claimWindowSeconds: '7776000',
  since: null,
  notBefore: '12',
  root: '0x01',
  total: '10',
  leaves: [{ account: '0x00000000000000000000000000000000000000b2', amount: '10', plays: 1, named: true }],
  dropId: null,
  transactionHash: null,
  published: false,
  pushed: false,
  ...over,
});

describe('the unfinished drop kept in the browser', () => {
  afterEach(() => localStorage.clear());
  it('is kept per chain and wallet until it is pushed', () => {
    saveDropRecord(record());
    expect(loadDropRecord(31337, creator.toLowerCase())).toEqual(record());
    expect(loadDropRecord(1, creator)).toBeUndefined();
    saveDropRecord(record({ dropId: '3', transactionHash: '0xaa', published: true }));
    expect(loadDropRecord(31337, creator)?.dropId).toBe('3');
    saveDropRecord(record({ dropId: '3', transactionHash: '0xaa', published: true, pushed: true }));
    expect(loadDropRecord(31337, creator)).toBeUndefined();
  });
  it('can be forgotten, and ignores what is not a drop record', () => {
    saveDropRecord(record());
    forgetDropRecord(31337, creator);
    expect(loadDropRecord(31337, creator)).toBeUndefined();
    localStorage.setItem(`fairstream.fanDrop.31337.${creator.toLowerCase()}`, '{not json');
    expect(loadDropRecord(31337, creator)).toBeUndefined();
  });
});
