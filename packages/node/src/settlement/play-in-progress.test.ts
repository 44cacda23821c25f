import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPlayInProgress, PLAY_IN_PROGRESS_MS } from './play-in-progress.ts';

const now = 1_767_225_600_000;
const report = (from: number, to: number, endedAt: number) => ({
  segments: [[from, to]] as [number, number][],
  endedAt,
});

describe('isPlayInProgress', () => {
  it('waits for a recent play that has not reached the threshold yet', () => {
    // 240 s track: 30 s needed; 20 s heard, last report 5 s ago.
    assert.equal(
      isPlayInProgress([report(0, 10_000, now - 15_000), report(10_000, 20_000, now - 5_000)], 240_000, now),
      true,
    );
  });

  it('judges a play that already counts, or that went quiet', () => {
    assert.equal(isPlayInProgress([report(0, 30_000, now - 1_000)], 240_000, now), false);
    assert.equal(isPlayInProgress([report(0, 10_000, now - PLAY_IN_PROGRESS_MS)], 240_000, now), false);
  });

  it('judges plays of tracks without a duration (they are refused at judging)', () => {
    assert.equal(isPlayInProgress([report(0, 1_000, now)], undefined, now), false);
    assert.equal(isPlayInProgress([], 240_000, now), false);
  });
});
