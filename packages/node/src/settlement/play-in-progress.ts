import { heardMsOf, type PlayReportFacts, requiredHeardMs } from '@fairstream/protocol';

/**
 * A play whose last report ended less than this long ago (wall clock) and that is not yet long
 * enough to count is still being listened to: settlement judges it in a later epoch (the straggler
 * window picks it up), so an epoch boundary in the middle of a song does not cut the play short.
 * Players report at least every 30 s while playing.
 */
export const PLAY_IN_PROGRESS_MS = 60_000;

/** Whether a play may still grow into a counted one: recently reported and short of the threshold. */
export function isPlayInProgress(
  reports: readonly Pick<PlayReportFacts, 'segments' | 'endedAt'>[],
  durationMs: number | undefined,
  now: number,
): boolean {
  if (!durationMs || durationMs <= 0 || reports.length === 0) return false;
  const lastEnded = Math.max(...reports.map((report) => report.endedAt));
  if (now - lastEnded >= PLAY_IN_PROGRESS_MS) return false;
  return (
    heardMsOf(
      reports.flatMap((report) => report.segments),
      durationMs,
    ) < requiredHeardMs(durationMs)
  );
}
