import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressParser, parseOutTimeUs } from './progress.ts';

test('parseOutTimeUs reads microseconds from both key spellings and ignores N/A', () => {
  assert.equal(parseOutTimeUs('out_time_us=20015601'), 20015601);
  assert.equal(parseOutTimeUs('out_time_ms=1500000'), 1500000);
  assert.equal(parseOutTimeUs('out_time_us=N/A'), null);
  assert.equal(parseOutTimeUs('out_time=00:00:20.015601'), null);
  assert.equal(parseOutTimeUs('out_time_us=-9223372036854775807'), null);
});

test('ProgressParser reports a rising fraction across lines split between chunks', () => {
  const seen: number[] = [];
  const parser = new ProgressParser(10_000, (fraction) => seen.push(fraction));
  parser.push('frame=0\nout_time_us=2500');
  parser.push('000\nprogress=continue\nout_time_us=5000000\nout_time_ms=5000000\n');
  parser.push('out_time_us=4000000\n');
  assert.deepEqual(seen, [0.25, 0.5]);
  assert.equal(parser.lastOutTimeUs, 5_000_000);
});

test('ProgressParser stops short of 1 so only a clean exit can report completion', () => {
  const seen: number[] = [];
  const parser = new ProgressParser(1_000, (fraction) => seen.push(fraction));
  parser.push('out_time_us=2000000\n');
  assert.deepEqual(seen, [0.99]);
});
