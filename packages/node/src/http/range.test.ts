import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRange } from './range.ts';

describe('parseRange', () => {
  it('serves the whole body without a Range header', () => {
    assert.equal(parseRange(undefined, 100), 'none');
  });
  it('reads closed, open-ended and suffix ranges', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-500', 100), { start: 0, end: 99 });
  });
  it('clamps an end past the last byte', () => {
    assert.deepEqual(parseRange('bytes=50-1000', 100), { start: 50, end: 99 });
  });
  it('refuses ranges that start past the end, run backwards, or are malformed', () => {
    for (const header of [
      'bytes=100-',
      'bytes=9-3',
      'bytes=-0',
      'bytes=-',
      'bytes=abc',
      'items=0-1',
      'bytes=0-1,5-6',
      'bytes=99999999999999999-',
      '',
    ]) {
      assert.equal(parseRange(header, 100), 'unsatisfiable', header);
    }
  });
});
