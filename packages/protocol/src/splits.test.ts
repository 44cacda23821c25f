import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { percentToPpm, ppmToPercent, SplitError, validateSplits } from './splits.ts';

const a = '0x00000000000000000000000000000000000000aa';
const b = '0x00000000000000000000000000000000000000BB';
const c = '0x00000000000000000000000000000000000000cc';

describe('percentToPpm', () => {
  it('converts percentages with up to four decimals exactly', () => {
    assert.equal(percentToPpm('60'), 600_000);
    assert.equal(percentToPpm(12.5), 125_000);
    assert.equal(percentToPpm('33.3333'), 333_333);
    assert.equal(percentToPpm('0.0001'), 1);
  });
  it('rejects negative, exponent, five-decimal and non-numeric values', () => {
    for (const bad of ['-1', '1e2', '10.00001', 'ten', '', '1000']) {
      assert.throws(() => percentToPpm(bad), SplitError, bad);
    }
  });
  it('round-trips through ppmToPercent', () => {
    for (const ppm of [1, 10_000, 333_334, 600_000, 1_000_000])
      assert.equal(percentToPpm(ppmToPercent(ppm)), ppm);
  });
});

describe('validateSplits', () => {
  it('accepts a 60/25/15 split and sorts recipients by address', () => {
    const splits = validateSplits([
      { address: c, percent: 15 },
      { address: a, percent: '60' },
      { address: b, percent: 25 },
    ]);
    assert.deepEqual(splits, [
      { address: a, ppm: 600_000 },
      { address: b.toLowerCase(), ppm: 250_000 },
      { address: c, ppm: 150_000 },
    ]);
  });
  it('rejects a split that does not sum to 100%', () => {
    assert.throws(
      () =>
        validateSplits([
          { address: a, percent: 60 },
          { address: b, percent: 30 },
        ]),
      /adds up to 90%; it must add up to exactly 100%/,
    );
  });
  it('rejects duplicate addresses regardless of case', () => {
    assert.throws(
      () =>
        validateSplits([
          { address: b, percent: 50 },
          { address: b.toLowerCase(), percent: 50 },
        ]),
      /appears twice/,
    );
  });
  it('rejects a zero share, a malformed address, no recipients and more than 100 recipients', () => {
    assert.throws(
      () =>
        validateSplits([
          { address: a, percent: 100 },
          { address: b, percent: 0 },
        ]),
      /0%/,
    );
    assert.throws(() => validateSplits([{ address: '0x123', percent: 100 }]), /not a wallet address/);
    assert.throws(() => validateSplits([]), /at least one/);
    const many = Array.from({ length: 101 }, (_, i) => ({
      address: `0x${(i + 1).toString(16).padStart(40, '0')}`,
      percent: '0.0001',
    }));
    assert.throws(() => validateSplits(many), /at most 100/);
  });
  it('accepts exactly 100 recipients whose shares sum to 100%', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => ({
      address: `0x${(i + 1).toString(16).padStart(40, '0')}`,
      percent: 1,
    }));
    assert.equal(validateSplits(hundred).length, 100);
  });
});
