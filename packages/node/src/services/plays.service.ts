import { verify } from 'node:crypto';
import { type PlaybackReport, reportSigningBytes, validateReportShape } from '@fairstream/protocol';
import type { PlayReportRow } from '../repositories/plays.repository.ts';
import type { PlayWriter } from './play-writer.ts';
import type { SessionKeysService } from './session-keys.service.ts';
import type { TracksService } from './tracks.service.ts';

/** A report may end at most this far in the future (clock skew between player and node). */
export const FUTURE_SLACK_MS = 30_000;
/** Segments may reach this far past the track's probed duration (decoders round differently). */
export const DURATION_SLACK_MS = 1000;

export const REJECTION_REASONS = [
  'invalid_shape',
  'unknown_session_key',
  'session_key_expired',
  'session_key_not_yet_valid',
  'forged',
  'future_dated',
  'no_access',
  'delisted',
  'unknown_track',
  'out_of_range',
  'unknown_app',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export type ReportResult =
  | { id: string; status: 'accepted' | 'duplicate' }
  | { id: string; status: 'rejected'; reason: RejectionReason; detail?: string };

export interface PlaysServiceOptions {
  now?: () => number;
}

/** Which app ids are registered (AppsService). */
export interface AppRegistry {
  registered(appIds: readonly string[]): Promise<Set<string>>;
}

/**
 * Ingests signed playback reports. Each report is checked on its own (shape, session key and its
 * delegation, Ed25519 signature, times, track access as streaming decides it, segment range); the
 * accepted ones are committed through the group-commit writer before the answer, so an "accepted"
 * is durable. Counting plays and paying for them happen later, from the stored reports only, so a
 * play its listener could not have streamed in full is never counted.
 */
export class PlaysService {
  readonly #sessionKeys: SessionKeysService;
  readonly #tracks: TracksService;
  readonly #writer: PlayWriter;
  readonly #apps: AppRegistry;
  readonly #now: () => number;

  constructor(
    sessionKeys: SessionKeysService,
    tracks: TracksService,
    writer: PlayWriter,
    apps: AppRegistry,
    options: PlaysServiceOptions = {},
  ) {
    this.#sessionKeys = sessionKeys;
    this.#tracks = tracks;
    this.#writer = writer;
    this.#apps = apps;
    this.#now = options.now ?? Date.now;
  }

  /**
   * One result per report, in order. Only storage failures, and a chain that cannot be read to check
   * a token gate, throw (and then nothing was acknowledged). `shareToken` is a share link the player
   * streamed through: with it, reports of that hidden track are accepted as the stream was.
   */
  async ingest(
    reports: unknown[],
    options: { shareToken?: string | undefined } = {},
  ): Promise<ReportResult[]> {
    const now = this.#now();
    const results: (ReportResult | undefined)[] = new Array(reports.length);
    const candidates: { index: number; report: PlaybackReport }[] = [];
    reports.forEach((value, index) => {
      const shape = validateReportShape(value);
      if (shape.ok) candidates.push({ index, report: shape.report });
      else results[index] = rejected(idOf(value), 'invalid_shape', shape.reason);
    });

    const keys = await this.#sessionKeys.lookup(candidates.map(({ report }) => report.sessionKey));
    const apps = await this.#apps.registered(
      candidates.flatMap(({ report }) => (report.appId === null ? [] : [report.appId])),
    );
    const signed: typeof candidates = [];
    for (const candidate of candidates) {
      const { index, report } = candidate;
      const reason = this.#checkKeyAndSignature(report, keys.get(report.sessionKey) ?? null, now);
      if (reason) results[index] = rejected(report.id, reason);
      // An app earns by the plays it delivers, so only a registered app may be named.
      else if (report.appId !== null && !apps.has(report.appId))
        results[index] = rejected(
          report.id,
          'unknown_app',
          `no app ${report.appId} is registered here; register it (POST /api/v1/apps) or send appId null`,
        );
      else signed.push(candidate);
    }

    const access = await this.#tracks.playAccess(
      signed.map(({ report }) => report),
      options.shareToken,
    );
    const rows: PlayReportRow[] = [];
    const rowIndex: number[] = [];
    signed.forEach(({ index, report }, i) => {
      const { verdict, durationMs, detail } = access[i]!;
      if (verdict !== 'ok') {
        results[index] = rejected(report.id, verdict, detail);
        return;
      }
      const limit = durationMs + DURATION_SLACK_MS;
      if (report.segments.some(([, end]) => end > limit)) {
        results[index] = rejected(report.id, 'out_of_range', `the track lasts ${durationMs} ms`);
        return;
      }
      rows.push(toRow(report, now));
      rowIndex.push(index);
    });

    const stored = await this.#writer.write(rows);
    rows.forEach((row, i) => {
      // The same id twice in one request: the first is accepted, the second is its duplicate.
      results[rowIndex[i]!] = { id: row.id, status: stored.delete(row.id) ? 'accepted' : 'duplicate' };
    });
    return results as ReportResult[];
  }

  #checkKeyAndSignature(
    report: PlaybackReport,
    key: { address: string; expires_at: number; revoked_at: number | null; first_issued_at: number } | null,
    now: number,
  ): RejectionReason | undefined {
    if (!key || key.address !== report.listener) return 'unknown_session_key';
    if (report.endedAt >= key.expires_at || (key.revoked_at !== null && report.endedAt >= key.revoked_at)) {
      return 'session_key_expired';
    }
    // The epoch data proves each report by a delegation in force when it ended (verify checks it),
    // so a report that ended before the key was first delegated cannot be counted.
    if (report.endedAt < key.first_issued_at) return 'session_key_not_yet_valid';
    const keyObject = this.#sessionKeys.keyObject(report.sessionKey);
    const valid =
      keyObject !== undefined &&
      verify(null, reportSigningBytes(report), keyObject, Buffer.from(report.signature, 'hex'));
    if (!valid) return 'forged';
    // Checked after the signature, so that only the key's holder learns how the node's clock reads.
    if (report.endedAt > now + FUTURE_SLACK_MS) return 'future_dated';
    return undefined;
  }
}

function rejected(id: string, reason: RejectionReason, detail?: string): ReportResult {
  return detail === undefined
    ? { id, status: 'rejected', reason }
    : { id, status: 'rejected', reason, detail };
}

/** The id to answer with for a malformed report: its own when it has a usable one. */
function idOf(value: unknown): string {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 64 ? id : '';
}

function toRow(report: PlaybackReport, now: number): PlayReportRow {
  return {
    id: report.id,
    play_id: report.playId,
    track_id: report.trackId,
    listener: report.listener,
    session_key: report.sessionKey,
    segments: JSON.stringify(report.segments),
    started_at: report.startedAt,
    ended_at: report.endedAt,
    source: report.source,
    app_id: report.appId,
    signature: report.signature,
    received_at: now,
  };
}
