import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { playsRootOf } from './epoch-data.ts';
import {
  encodePackedPlays,
  leavesOfRows,
  packPlays,
  playsRootOffThread,
  playsRootOfPacked,
} from './plays-root-off-thread.ts';
import { encodePlaysLeaves } from './plays-tree.ts';

const rows = Array.from({ length: 3000 }, (_, i) => ({
  play_id: `play-${i.toString(36).padStart(6, '0')}${i % 3 === 0 ? '_é' : ''}`,
  listener: `0x${(i % 97).toString(16).padStart(40, i % 2 ? 'A' : 'b')}`,
  track_id: `trk_${i % 13}`,
  heard_ms: 30_000 + i,
  first_started_at: 1_736_121_600_000 + i * 1000,
}));
const plays = leavesOfRows(rows);

describe('the plays root off the main thread', () => {
  it('encodes packed plays to the very leaves of encodePlaysLeaves', () => {
    assert.deepEqual(encodePackedPlays(packPlays(rows)), encodePlaysLeaves(plays));
    assert.equal(playsRootOfPacked(packPlays(rows)), playsRootOf(plays));
    assert.equal(playsRootOfPacked(packPlays([])), playsRootOf([]));
    assert.throws(() => packPlays([{ ...rows[0]!, play_id: 'a\nb' }, rows[1]!]), /newline/);
    for (const bad of [
      { listener: '0x12' },
      { listener: `0x${'g'.repeat(40)}` },
      { play_id: '' },
      { heard_ms: -1 },
    ])
      assert.equal(
        encodePackedPlays(packPlays([rows[0]!, { ...rows[1]!, ...bad }])),
        undefined,
        JSON.stringify(bad),
      );
  });

  it('gives playsRootOf’s root, from a worker thread and inline', async () => {
    const expected = playsRootOf(plays);
    assert.equal(await playsRootOffThread(rows, { minPlays: 0 }).root, expected);
    assert.equal(await playsRootOffThread(rows).root, expected, 'few plays: inline');
  });

  it('fails like playsRootOf on a play that does not fit its leaf', async () => {
    const bad = [...rows.slice(0, 10), { ...rows[10]!, listener: 'not an address' }];
    assert.throws(() => playsRootOf(leavesOfRows(bad)), /listener's 0x address/);
    await assert.rejects(playsRootOffThread(bad, { minPlays: 0 }).root, /listener's 0x address/);
  });
});
