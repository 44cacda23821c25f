import { judgePlay, type UnsignedPlaybackReport } from '@fairstream/protocol';
import { describe, expect, it } from 'vitest';
import { type Listener, PAUSE_REPORT_MS, PlayReporter, REPORT_EVERY_MS } from './play-reporter.ts';

const LISTENER = '0x00000000000000000000000000000000000000aa';
const KEY = 'cd'.repeat(32);

/** A clock, timers and an id source the test moves by hand. */
function harness() {
  let now = 1_750_000_000_000;
  let ids = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  let timerIds = 0;
  const submitted: { report: UnsignedPlaybackReport; share: string | undefined }[] = [];
  const reporter = new PlayReporter({
    now: () => now,
    newId: () => `id-${String(++ids).padStart(6, '0')}`,
    submit: (report, share) => submitted.push({ report, share }),
    setTimeout: (callback, ms) => {
      timers.set(++timerIds, { at: now + ms, callback });
      return timerIds;
    },
    clearTimeout: (handle) => timers.delete(handle as number),
  });
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].callback();
    }
    now = until;
  };
  /** Plays from `from` for `ms`, a reading every 250 ms. */
  const listen = (from: number, ms: number) => {
    reporter.playing(from);
    for (let t = 250; t <= ms; t += 250) {
      advance(250);
      reporter.position(from + t);
    }
    return from + ms;
  };
  const listener: Listener = {
    address: LISTENER.toUpperCase().replace('0X', '0x'),
    publicKey: Promise.resolve(KEY),
  };
  return { reporter, submitted, advance, listen, listener, now: () => now };
}

const keyReady = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('PlayReporter', () => {
  it('reports a listen to the end as one play, ready to count', async () => {
    const h = harness();
    h.reporter.start({ id: 't1', durationMs: 8_000 }, h.listener);
    await keyReady();
    const end = h.listen(0, 8_000);
    h.reporter.paused(end);
    h.reporter.ended(end);
    expect(h.submitted).toHaveLength(1);
    const { report } = h.submitted[0]!;
    expect(report).toMatchObject({
      playId: 'id-000001',
      trackId: 't1',
      listener: LISTENER,
      sessionKey: KEY,
      segments: [[0, 8_000]],
      source: 'web',
      appId: null,
    });
    const verdict = judgePlay({
      reports: [report],
      track: { durationMs: 8_000, owner: '0x00000000000000000000000000000000000000bb', collaborators: [] },
      anonymous: false,
      countedToday: 0,
    });
    expect(verdict.verdict).toBe('counted');
  });

  it('reports every 15 s of a long listen, each report a new id of the same play, disjoint', async () => {
    const h = harness();
    h.reporter.start({ id: 't1', durationMs: 120_000 }, h.listener);
    await keyReady();
    h.listen(0, 40_000);
    expect(h.submitted.map((s) => s.report.segments)).toEqual([[[0, REPORT_EVERY_MS]], [[15_000, 30_000]]]);
    const [a, b] = h.submitted.map((s) => s.report);
    expect(a!.id).not.toBe(b!.id);
    expect(a!.playId).toBe(b!.playId);
    expect(b!.startedAt).toBeGreaterThanOrEqual(a!.endedAt);
  });

  it('reports a pause after a few seconds, and a resume goes on in the same play', async () => {
    const h = harness();
    h.reporter.start({ id: 't1', durationMs: 120_000 }, h.listener);
    await keyReady();
    const at = h.listen(0, 6_000);
    h.reporter.paused(at);
    h.advance(PAUSE_REPORT_MS - 1);
    expect(h.submitted).toHaveLength(0);
    h.advance(1);
    expect(h.submitted.map((s) => s.report.segments)).toEqual([[[0, 6_000]]]);
    h.advance(10_000);
    h.listen(at, 2_000);
    h.reporter.finish();
    expect(h.submitted.map((s) => s.report.playId)).toEqual(['id-000001', 'id-000001']);
    expect(h.submitted[1]!.report.segments).toEqual([[6_000, 8_000]]);
  });

  it('starts a new play when resuming after a long pause before the play could count', async () => {
    const h = harness();
    h.reporter.start({ id: 't1', durationMs: 120_000 }, h.listener);
    await keyReady();
    const at = h.listen(0, 5_000);
    h.reporter.paused(at);
    h.advance(60_000);
    h.listen(at, 2_000);
    h.reporter.finish();
    const plays = h.submitted.map((s) => s.report.playId);
    expect(plays).toHaveLength(2);
    expect(plays[0]).not.toBe(plays[1]);
  });

  it('keeps the same play after a long pause once it has been heard long enough to count', async () => {
    const h = harness();
    h.reporter.start({ id: 't1', durationMs: 40_000 }, h.listener);
    await keyReady();
    const at = h.listen(0, 21_000);
    h.reporter.paused(at);
    h.advance(120_000);
    h.listen(at, 2_000);
    h.reporter.finish();
    expect(new Set(h.submitted.map((s) => s.report.playId)).size).toBe(1);
  });

  it('reports what was heard of a track when another one starts, and starts a new play', async () => {
    const h = harness();
    h.reporter.start({ id: 't1', durationMs: 60_000 }, h.listener);
    await keyReady();
    h.listen(0, 3_000);
    h.reporter.start({ id: 't2', durationMs: 60_000 }, h.listener);
    await keyReady();
    h.listen(0, 1_000);
    h.reporter.finish();
    expect(h.submitted.map((s) => [s.report.trackId, s.report.segments])).toEqual([
      ['t1', [[0, 3_000]]],
      ['t2', [[0, 1_000]]],
    ]);
    expect(h.submitted[0]!.report.playId).not.toBe(h.submitted[1]!.report.playId);
  });

  it('makes a replay after the end a new play', async () => {
    const h = harness();
    h.reporter.start({ id: 't1', durationMs: 4_000 }, h.listener);
    await keyReady();
    h.reporter.ended(h.listen(0, 4_000));
    h.reporter.ended(h.listen(0, 4_000));
    expect(h.submitted).toHaveLength(2);
    expect(h.submitted[0]!.report.playId).not.toBe(h.submitted[1]!.report.playId);
  });

  it('reports nothing for an anonymous listener, or one without a session key', async () => {
    const h = harness();
    h.reporter.start({ id: 't1', durationMs: 8_000 }, undefined);
    h.reporter.ended(h.listen(0, 8_000));
    h.reporter.start(
      { id: 't1', durationMs: 8_000 },
      { address: LISTENER, publicKey: Promise.resolve(undefined) },
    );
    await keyReady();
    h.reporter.ended(h.listen(0, 8_000));
    expect(h.submitted).toEqual([]);
  });

  it('reports a play switched away from before its key was known, once the key arrives', async () => {
    const h = harness();
    let resolve!: (key: string) => void;
    const slow: Listener = { address: LISTENER, publicKey: new Promise((r) => (resolve = r)) };
    h.reporter.start({ id: 't1', durationMs: 60_000 }, slow);
    h.listen(0, 2_000);
    h.reporter.finish();
    expect(h.submitted).toEqual([]);
    resolve(KEY);
    await keyReady();
    expect(h.submitted.map((s) => s.report.segments)).toEqual([[[0, 2_000]]]);
  });

  it('reports on demand (the page is hidden), carrying the share link of a hidden track', async () => {
    const h = harness();
    h.reporter.start({ id: 'hidden1', durationMs: 60_000 }, h.listener, 'share-token');
    await keyReady();
    h.listen(0, 4_000);
    h.reporter.flushNow();
    expect(h.submitted).toEqual([
      { report: expect.objectContaining({ segments: [[0, 4_000]] }), share: 'share-token' },
    ]);
    h.reporter.flushNow();
    expect(h.submitted).toHaveLength(1);
  });

  it('shows how much of the play was heard against what the rule needs', async () => {
    const h = harness();
    h.reporter.start({ id: 't1', durationMs: 100_000 }, h.listener);
    await keyReady();
    h.listen(0, 12_000);
    expect(h.reporter.progress()).toEqual({ heardMs: 12_000, requiredMs: 30_000 });
  });
});
