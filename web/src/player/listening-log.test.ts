import { heardMsOf, judgePlay, type PlayReportFacts } from '@fairstream/protocol';
import { describe, expect, it } from 'vitest';
import { ListeningLog, mergeSegments, type Take } from './listening-log.ts';

const T0 = 1_750_000_000_000;

/** Plays at `rate` from `from` for `wallMs`, reading the position every 250 ms as timeupdate does. */
function play(log: ListeningLog, from: number, startAt: number, wallMs: number, rate = 1): number {
  log.begin(from, startAt);
  let now = startAt;
  while (now < startAt + wallMs) {
    now = Math.min(now + 250, startAt + wallMs);
    log.observe(from + (now - startAt) * rate, now);
  }
  return now;
}

function judge(takes: Take[], durationMs: number) {
  const reports: PlayReportFacts[] = takes.map((take) => ({
    playId: 'play-0001',
    trackId: 't1',
    listener: '0x00000000000000000000000000000000000000aa',
    ...take,
  }));
  return judgePlay({
    reports,
    track: { durationMs, owner: '0x00000000000000000000000000000000000000bb', collaborators: [] },
    anonymous: false,
    countedToday: 0,
  });
}

describe('ListeningLog', () => {
  it('records a plain listen as one segment over its wall time', () => {
    const log = new ListeningLog(60_000);
    const end = play(log, 0, T0, 40_000);
    log.end(end);
    const take = log.take(end + 5);
    expect(take).toEqual({ segments: [[0, 40_000]], startedAt: T0, endedAt: end + 5 });
    expect(log.heardMs()).toBe(40_000);
    expect(judge([take!], 60_000).verdict).toBe('counted');
  });

  it('closes a segment at a seek and starts another where playback resumes', () => {
    const log = new ListeningLog(200_000);
    let now = play(log, 0, T0, 10_000);
    // The player reads the position just before seeking, then playback goes on from 120 s.
    log.end(now + 100, 10_100);
    now = play(log, 120_000, now + 300, 5_000);
    const take = log.take(now)!;
    expect(take.segments).toEqual([
      [0, 10_100],
      [120_000, 125_000],
    ]);
    expect(log.heardMs()).toBe(15_100);
  });

  it('treats an unannounced jump in position as a seek, not as audio heard', () => {
    const log = new ListeningLog(200_000);
    log.begin(0, T0);
    log.observe(1_000, T0 + 1_000);
    log.observe(90_000, T0 + 1_250);
    log.observe(91_000, T0 + 2_250);
    const take = log.take(T0 + 2_250)!;
    expect(take.segments).toEqual([
      [0, 1_000],
      [90_000, 91_000],
    ]);
    expect(log.heardMs()).toBe(2_000);
  });

  it('counts a replayed part once', () => {
    const log = new ListeningLog(60_000);
    let now = play(log, 0, T0, 20_000);
    log.end(now, 20_000);
    now = play(log, 5_000, now + 100, 10_000);
    log.end(now);
    const take = log.take(now)!;
    expect(take.segments).toEqual([[0, 20_000]]);
    expect(log.heardMs()).toBe(20_000);
    // 30 s of wall time but 20 s of distinct audio: too short for a 60 s track's 30 s.
    expect(judge([take], 60_000).reason).toBe('too_short');
  });

  it('leaves pauses out of the segments, and the wall time covers them', () => {
    const log = new ListeningLog(100_000);
    let now = play(log, 0, T0, 10_000);
    log.end(now);
    expect(log.open).toBe(false);
    log.observe(50_000, now + 1000); // readings while paused change nothing
    now += 60_000;
    now = play(log, 10_000, now, 10_000);
    const take = log.take(now)!;
    expect(take.segments).toEqual([[0, 20_000]]);
    expect(take.endedAt - take.startedAt).toBe(80_000);
  });

  it('never credits more audio than wall time at a rate above 1', () => {
    const log = new ListeningLog(120_000);
    log.setRate(2, 0, T0);
    const now = play(log, 0, T0, 30_000, 2);
    const take = log.take(now)!;
    expect(take.segments).toEqual([[0, 30_000]]);
    const verdict = judge([take], 120_000);
    expect(verdict.heardMs).toBeLessThanOrEqual(verdict.wallMs);
    expect(verdict.verdict).toBe('counted');
  });

  it('splits at a rate change: 1× audio credited in full, the 2× part only as long as it took', () => {
    const log = new ListeningLog(120_000);
    let now = play(log, 0, T0, 10_000);
    log.setRate(2, 10_000, now);
    const startFast = now;
    while (now < startFast + 10_000) {
      now += 250;
      log.observe(10_000 + (now - startFast) * 2, now);
    }
    const take = log.take(now)!;
    expect(take.segments).toEqual([[0, 20_000]]);
    expect(log.heardMs()).toBe(20_000);
  });

  it('credits slow playback as the positions heard', () => {
    const log = new ListeningLog(120_000);
    log.setRate(0.5, 0, T0);
    const now = play(log, 0, T0, 20_000, 0.5);
    expect(log.take(now)!.segments).toEqual([[0, 10_000]]);
  });

  it('clamps positions to the track, so segments never reach past its end', () => {
    const log = new ListeningLog(4_000);
    log.begin(-50, T0);
    log.observe(4_046, T0 + 4_100); // a rendition a little longer than the probed duration
    log.end(T0 + 4_100);
    const take = log.take(T0 + 4_100)!;
    expect(take.segments).toEqual([[0, 4_000]]);
    expect(judge([take], 4_000).verdict).toBe('counted');
  });

  it('reports nothing when nothing was heard, and drops zero-length segments', () => {
    const log = new ListeningLog(10_000);
    expect(log.take(T0)).toBeUndefined();
    log.begin(3_000, T0);
    log.end(T0 + 500); // paused before the position moved
    expect(log.take(T0 + 500)).toBeUndefined();
    expect(log.heardMs()).toBe(0);
  });

  it('cuts an open segment at a take and goes on without gaps or overlaps', () => {
    const log = new ListeningLog(100_000);
    let now = play(log, 0, T0, 15_000);
    const first = log.take(now)!;
    expect(log.open).toBe(true);
    now = play(log, 15_000, now, 15_000);
    log.end(now);
    const second = log.take(now)!;
    expect(first.segments).toEqual([[0, 15_000]]);
    expect(second.segments).toEqual([[15_000, 30_000]]);
    expect(second.startedAt).toBe(first.endedAt);
    expect(log.take(now + 1000)).toBeUndefined();
    expect(judge([first, second], 100_000).verdict).toBe('counted');
  });

  it('counts what is heard across takes, including the open segment', () => {
    const log = new ListeningLog(60_000);
    const now = play(log, 0, T0, 12_000);
    log.take(now);
    log.observe(14_000, now + 2_000);
    expect(log.heardMs()).toBe(14_000);
  });

  it('never produces faster-than-real-time evidence, whatever the listener does', () => {
    // A seeded walk through plays, seeks, pauses, rate changes and takes.
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 200; run++) {
      const duration = 5_000 + Math.floor(random() * 300_000);
      const log = new ListeningLog(duration);
      let now = T0;
      let position = 0;
      let rate = 1;
      let playing = false;
      const takes: Take[] = [];
      for (let step = 0; step < 80; step++) {
        const action = random();
        if (action < 0.5) {
          if (!playing) {
            log.begin(position, now);
            playing = true;
          }
          const wall = Math.floor(random() * 3_000);
          now += wall;
          position = Math.min(duration + 500, position + wall * rate);
          log.observe(position, now);
        } else if (action < 0.65) {
          log.end(now, position);
          position = Math.floor(random() * duration);
          now += 50;
          if (playing) log.begin(position, now);
        } else if (action < 0.75) {
          log.end(now, position);
          playing = false;
          now += Math.floor(random() * 5_000);
        } else if (action < 0.85) {
          rate = [0.5, 1, 1.25, 1.5, 2, 4][Math.floor(random() * 6)]!;
          log.setRate(rate, position, now);
        } else {
          const take = log.take(now);
          if (take) takes.push(take);
        }
      }
      log.end(now, position);
      const last = log.take(now);
      if (last) takes.push(last);
      if (takes.length === 0) continue;
      const verdict = judge(takes, duration);
      expect(verdict.reason).not.toBe('faster_than_real_time');
      expect(verdict.heardMs).toBe(log.heardMs());
      for (const take of takes) {
        expect(take.endedAt).toBeGreaterThanOrEqual(take.startedAt);
        for (const [start, end] of take.segments) {
          expect(start).toBeGreaterThanOrEqual(0);
          expect(end).toBeLessThanOrEqual(duration);
          expect(end).toBeGreaterThan(start);
        }
      }
      expect(
        heardMsOf(
          takes.flatMap((take) => take.segments),
          duration,
        ),
      ).toBe(log.heardMs());
    }
  });
});

describe('mergeSegments', () => {
  it('sorts, joins overlapping and touching segments, and drops empty ones', () => {
    expect(
      mergeSegments([
        [5, 10],
        [0, 5],
        [20, 30],
        [25, 27],
        [40, 40],
      ]),
    ).toEqual([
      [0, 10],
      [20, 30],
    ]);
  });
});
