import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prng } from '../testing/prng.ts';
import {
  COUNTING_RULE,
  heardMsOf,
  INGESTION_REASONS,
  type JudgePlayInput,
  judgePlay,
  NOT_COUNTED_REASONS,
  PLAY_REASONS,
  type PlayReportFacts,
  playStartedAt,
  requiredHeardMs,
  utcDayOf,
} from './counting-rule.ts';

const listener = '0x00000000000000000000000000000000000000aa';
const owner = '0x00000000000000000000000000000000000000bb';
const collaborator = '0x00000000000000000000000000000000000000cc';
const t0 = Date.UTC(2026, 2, 1, 12);
const track = { durationMs: 180_000, owner, collaborators: [owner, collaborator] };

const report = (segments: [number, number][], startedAt: number, endedAt: number): PlayReportFacts => ({
  playId: 'play-0001',
  trackId: 'trk-1',
  listener,
  segments,
  startedAt,
  endedAt,
});

const play = (reports: PlayReportFacts[], patch: Partial<JudgePlayInput> = {}): JudgePlayInput => ({
  reports,
  track,
  anonymous: false,
  countedToday: 0,
  ...patch,
});

describe('COUNTING_RULE', () => {
  it('is frozen, JSON-publishable, and names every reason with an explanation', () => {
    assert.ok(Object.isFrozen(COUNTING_RULE));
    assert.deepEqual(JSON.parse(JSON.stringify(COUNTING_RULE)), { ...COUNTING_RULE });
    assert.deepEqual(Object.keys(NOT_COUNTED_REASONS).sort(), [...PLAY_REASONS, ...INGESTION_REASONS].sort());
  });

  it('asks for min(30 s, half the track) of distinct audio', () => {
    assert.equal(requiredHeardMs(180_000), 30_000);
    assert.equal(requiredHeardMs(60_000), 30_000);
    assert.equal(requiredHeardMs(40_000), 20_000);
    assert.equal(requiredHeardMs(40_001), 20_001);
  });
});

describe('judgePlay', () => {
  it('counts 30 s heard in real time, across several reports', () => {
    const verdict = judgePlay(
      play([report([[0, 15_000]], t0, t0 + 15_000), report([[15_000, 30_000]], t0 + 15_000, t0 + 30_000)]),
    );
    assert.deepEqual(verdict, { verdict: 'counted', reason: null, heardMs: 30_000, wallMs: 30_000 });
  });

  it('counts distinct audio once: replays and overlaps add nothing, positions past the end are clipped', () => {
    const replayed = [
      report(
        [
          [0, 20_000],
          [0, 20_000],
          [10_000, 25_000],
        ],
        t0,
        t0 + 60_000,
      ),
    ];
    assert.deepEqual(judgePlay(play(replayed)), {
      verdict: 'not_counted',
      reason: 'too_short',
      heardMs: 25_000,
      wallMs: 60_000,
    });
    const shortTrack = { ...track, durationMs: 40_000 };
    const pastEnd = judgePlay(play([report([[30_000, 90_000]], t0, t0 + 60_000)], { track: shortTrack }));
    assert.equal(pastEnd.heardMs, 10_000);
    const half = judgePlay(play([report([[0, 20_000]], t0, t0 + 20_000)], { track: shortTrack }));
    assert.equal(half.verdict, 'counted');
    const almost = judgePlay(play([report([[0, 19_999]], t0, t0 + 20_000)], { track: shortTrack }));
    assert.equal(almost.reason, 'too_short');
  });

  it('allows the real-time tolerance and no more', () => {
    const at = (wall: number) => judgePlay(play([report([[0, 40_000]], t0, t0 + wall)]));
    assert.equal(at(40_000 - COUNTING_RULE.realTimeToleranceMs).verdict, 'counted');
    assert.equal(at(40_000 - COUNTING_RULE.realTimeToleranceMs - 1).reason, 'faster_than_real_time');
  });

  it('does not count the artist, anonymous listeners or plays past the daily cap', () => {
    const heard = [report([[0, 60_000]], t0, t0 + 60_000)];
    const as = (who: string) => judgePlay(play([{ ...heard[0]!, listener: who }]));
    assert.equal(as(owner).reason, 'owner_or_collaborator');
    assert.equal(as(collaborator.toUpperCase().replace('0X', '0x')).reason, 'owner_or_collaborator');
    assert.equal(judgePlay(play(heard, { anonymous: true })).reason, 'anonymous');
    assert.equal(judgePlay(play(heard, { countedToday: 9 })).verdict, 'counted');
    assert.equal(judgePlay(play(heard, { countedToday: 10 })).reason, 'daily_cap');
  });

  it('calls reports that disagree, or none, inconsistent', () => {
    const base = report([[0, 60_000]], t0, t0 + 60_000);
    assert.equal(judgePlay(play([])).reason, 'inconsistent');
    assert.equal(judgePlay(play([])).wallMs, 0);
    for (const patch of [
      { playId: 'play-0002' },
      { trackId: 'trk-2' },
      { listener: owner },
      { endedAt: t0 - 1 },
    ]) {
      assert.equal(
        judgePlay(play([base, { ...base, ...patch }])).reason,
        'inconsistent',
        JSON.stringify(patch),
      );
    }
  });

  it('gives the first applicable reason in PLAY_REASONS order', () => {
    const fast = [{ ...report([[0, 60_000]], t0, t0 + 1_000), listener: owner }];
    assert.equal(judgePlay(play(fast, { anonymous: true, countedToday: 99 })).reason, 'anonymous');
    assert.equal(judgePlay(play(fast, { countedToday: 99 })).reason, 'owner_or_collaborator');
    const fastShort = [report([[0, 10_000]], t0, t0 + 1_000)];
    assert.equal(judgePlay(play(fastShort, { countedToday: 99 })).reason, 'faster_than_real_time');
    assert.equal(
      judgePlay(play([report([[0, 10_000]], t0, t0 + 10_000)], { countedToday: 99 })).reason,
      'too_short',
    );
  });

  it('refuses a track without a positive duration (a caller bug, not a verdict)', () => {
    assert.throws(() => judgePlay(play([], { track: { ...track, durationMs: 0 } })), RangeError);
  });

  it('puts the cap on the UTC day of the first start', () => {
    const late = Date.UTC(2026, 2, 1, 23, 59, 50);
    const reports = [
      report([[0, 30_000]], late + 10_000, late + 40_000),
      report([[0, 10_000]], late, late + 10_000),
    ];
    assert.equal(playStartedAt(reports), late);
    assert.equal(utcDayOf(playStartedAt(reports)), '2026-03-01');
    assert.equal(utcDayOf(late + 10_000), '2026-03-02');
    assert.throws(() => playStartedAt([]), RangeError);
  });
});

/** A random play: wall time advances at least as fast as the audio, so it is heard in real time. */
function randomPlay(seed: number): { reports: PlayReportFacts[]; durationMs: number } {
  const random = prng(seed);
  const durationMs = random.int(1_000, 400_000);
  const reports: PlayReportFacts[] = [];
  let clock = t0 + random.int(0, 1e9);
  for (let r = random.int(1, 6); r > 0; r--) {
    const segments: [number, number][] = [];
    const startedAt = clock;
    for (let s = random.int(0, 8); s > 0; s--) {
      const start = random.int(0, durationMs + 5_000);
      const length = random.int(1, 60_000);
      segments.push([start, start + length]);
      clock += length + random.int(0, 3_000);
    }
    reports.push(report(segments, startedAt, clock));
  }
  return { reports, durationMs };
}

/** The heard length the slow way: a bitmap of every millisecond (small durations only). */
function heardByBitmap(segments: [number, number][], durationMs: number): number {
  const heard = new Uint8Array(durationMs);
  for (const [start, end] of segments)
    heard.fill(1, Math.max(0, start), Math.max(0, Math.min(durationMs, end)));
  return heard.reduce((sum, bit) => sum + bit, 0);
}

describe('judgePlay properties (seeded)', () => {
  it('measures the union like a bitmap does, and never beyond the duration', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = prng(seed);
      const durationMs = random.int(1, 5_000);
      const segments = Array.from({ length: random.int(0, 20) }, (): [number, number] => {
        const start = random.int(0, durationMs + 500);
        return [start, start + random.int(1, 2_000)];
      });
      const heard = heardMsOf(segments, durationMs);
      assert.equal(heard, heardByBitmap(segments, durationMs), `seed ${seed}`);
      assert.ok(heard <= durationMs, `seed ${seed}`);
    }
  });

  it('gives the same verdict whatever the order of reports and segments', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { reports, durationMs } = randomPlay(seed);
      const random = prng(seed + 1_000_000);
      const input = play(reports, { track: { ...track, durationMs } });
      const shuffled = random.shuffle(reports).map((r) => ({ ...r, segments: random.shuffle(r.segments) }));
      assert.deepEqual(judgePlay({ ...input, reports: shuffled }), judgePlay(input), `seed ${seed}`);
    }
  });

  it('measures the same heardMs when segments are cut into pieces', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { reports, durationMs } = randomPlay(seed);
      const random = prng(seed + 2_000_000);
      const cut = reports.map((r) => ({
        ...r,
        segments: r.segments.flatMap(([start, end]): [number, number][] => {
          const pieces: [number, number][] = [];
          let from = start;
          while (end - from > 1 && random.next() < 0.7) {
            const at = random.int(from + 1, end - 1);
            pieces.push([from, at]);
            from = at;
          }
          pieces.push([from, end]);
          return pieces;
        }),
      }));
      const input = play(reports, { track: { ...track, durationMs } });
      assert.equal(judgePlay({ ...input, reports: cut }).heardMs, judgePlay(input).heardMs, `seed ${seed}`);
    }
  });

  it('turns a counted play faster_than_real_time when its wall time is compressed', () => {
    let flipped = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { reports, durationMs } = randomPlay(seed);
      const input = play(reports, { track: { ...track, durationMs } });
      const verdict = judgePlay(input);
      if (verdict.verdict !== 'counted') continue;
      // Squeeze every timestamp towards the first start, so the same audio took a quarter of the time.
      const first = playStartedAt(reports);
      const squeeze = (at: number) => first + Math.floor((at - first) / 4);
      const fast = reports.map((r) => ({
        ...r,
        startedAt: squeeze(r.startedAt),
        endedAt: squeeze(r.endedAt),
      }));
      const compressed = judgePlay({ ...input, reports: fast });
      assert.equal(compressed.heardMs, verdict.heardMs);
      if (verdict.heardMs > Math.ceil(verdict.wallMs / 4) + COUNTING_RULE.realTimeToleranceMs) {
        assert.equal(compressed.reason, 'faster_than_real_time', `seed ${seed}`);
        flipped++;
      }
    }
    assert.ok(flipped > 20, `only ${flipped} counted plays were compressed`);
  });
});
