import { randomBytes } from 'node:crypto';
import type { ReportState, ReportTargetKind } from '../db/schema.ts';
import { badRequest, conflict, forbidden, notFound } from '../errors.ts';
import type { ReportsRepository, ReportWithSubject } from '../repositories/reports.repository.ts';
import type { CommentsService } from './comments.service.ts';
import type { CursorCodec } from './cursor.ts';
import { characters, isStorableText } from './text.ts';
import type { TracksService, Viewer } from './tracks.service.ts';

/** Why something is reported: a fixed list, so operators can sort and count reports. */
export const REPORT_REASONS = [
  'spam',
  'harassment',
  'hate',
  'violence',
  'sexual',
  'copyright',
  'impersonation',
  'other',
] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

const MAX_NOTE_CHARS = 1000;
const MAX_DELIST_REASON_CHARS = 500;

export interface ModerationServiceOptions {
  /** Lower-case addresses of the node's operators (--operators, and the dev chain's operator). */
  operators: ReadonlySet<string>;
  cursors: CursorCodec;
  now?: () => number;
}

export interface ReportInput {
  reason: ReportReason;
  note?: string | undefined;
}

export class ModerationService {
  readonly #reports: ReportsRepository;
  readonly #tracks: TracksService;
  readonly #comments: CommentsService;
  readonly #options: ModerationServiceOptions;
  readonly #now: () => number;

  constructor(
    reports: ReportsRepository,
    tracks: TracksService,
    comments: CommentsService,
    options: ModerationServiceOptions,
  ) {
    this.#reports = reports;
    this.#tracks = tracks;
    this.#comments = comments;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  isOperator(address: string | undefined): boolean {
    return address !== undefined && this.#options.operators.has(address);
  }

  /** Anyone signed in who may see the track reports it, once while the report is open. */
  async reportTrack(trackId: string, viewer: Viewer & { address: string }, input: ReportInput) {
    await this.#tracks.get(trackId, viewer);
    return this.#file(viewer.address, { kind: 'track', id: trackId, trackId }, input);
  }

  /** Anyone signed in who may see the comment reports it, once while the report is open. */
  async reportComment(commentId: string, viewer: Viewer & { address: string }, input: ReportInput) {
    const comment = await this.#comments.get(commentId, viewer);
    if (comment.deleted) throw conflict('comment_deleted', `Comment ${commentId} was deleted already`);
    return this.#file(viewer.address, { kind: 'comment', id: commentId, trackId: comment.trackId }, input);
  }

  /** Operators: reports by state, newest first, each with what it names as it is now. */
  async listReports(
    query: { state: ReportState; cursor?: string | undefined; limit: number },
    viewer: Viewer,
  ) {
    this.#requireOperator(viewer);
    const scope = `reports:${query.state}`;
    const before = query.cursor
      ? (([createdAt, id]) => [createdAt as number, id as string] as [number, string])(
          this.#options.cursors.decode(scope, query.cursor, ['integer', 'string']),
        )
      : undefined;
    const rows = await this.#reports.list(query.state, before, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      reports: page.map(toReportView),
      nextCursor:
        rows.length > query.limit && last
          ? this.#options.cursors.encode(scope, [last.created_at, last.id])
          : null,
    };
  }

  /** Operators: closes a report without acting on what it names. */
  async dismiss(reportId: string, viewer: Viewer): Promise<void> {
    const operator = this.#requireOperator(viewer);
    const report = await this.#reports.findById(reportId);
    if (!report) throw notFound(`Report ${reportId}`);
    if (!(await this.#reports.close(reportId, 'dismissed', operator, this.#now()))) {
      throw conflict('report_closed', `Report ${reportId} is closed already (${report.outcome})`);
    }
  }

  /**
   * Operators: delists a track (it leaves every listing and streams only to its owner, who sees the
   * reason) and closes the open reports about it. Delisting again replaces the reason.
   */
  async delist(trackId: string, viewer: Viewer, reason: string) {
    const operator = this.#requireOperator(viewer);
    const text = reason.trim();
    if (text === '' || characters(text) > MAX_DELIST_REASON_CHARS || !isStorableText(text)) {
      throw badRequest(
        'invalid_reason',
        `reason must be 1 to ${MAX_DELIST_REASON_CHARS} characters of text: the track's owner reads it`,
      );
    }
    const track = await this.#tracks.setDelisting(trackId, { reason: text });
    await this.#reports.closeOpen({ kind: 'track', id: trackId }, 'track_delisted', operator, this.#now());
    return track;
  }

  /** Operators: lists a delisted track again. */
  async relist(trackId: string, viewer: Viewer) {
    this.#requireOperator(viewer);
    return this.#tracks.setDelisting(trackId, null);
  }

  async #file(
    reporter: string,
    target: { kind: ReportTargetKind; id: string; trackId: string },
    input: ReportInput,
  ) {
    const note = input.note?.trim() || null;
    if (note !== null && (characters(note) > MAX_NOTE_CHARS || !isStorableText(note))) {
      throw badRequest('invalid_note', `note must be at most ${MAX_NOTE_CHARS} characters of text`);
    }
    if (input.reason === 'other' && note === null) {
      throw badRequest('invalid_note', 'With reason "other", say what is wrong in note');
    }
    const now = this.#now();
    const report = {
      id: randomBytes(9).toString('base64url'),
      reporter,
      target_kind: target.kind,
      target_id: target.id,
      track_id: target.trackId,
      reason: input.reason,
      note,
      state: 'open' as const,
      outcome: null,
      closed_by: null,
      created_at: now,
      closed_at: null,
    };
    if (!(await this.#reports.insertIfNoneOpen(report))) {
      throw conflict(
        'already_reported',
        `You already reported this ${target.kind}; the operators have not closed that report yet`,
      );
    }
    return {
      id: report.id,
      target: { kind: target.kind, id: target.id },
      reason: input.reason,
      note,
      createdAt: now,
    };
  }

  #requireOperator(viewer: Viewer): string {
    if (!viewer.address || !this.isOperator(viewer.address)) {
      throw forbidden("Only this node's operators may do this (see --operators)", 'not_operator');
    }
    return viewer.address;
  }
}

function toReportView(row: ReportWithSubject) {
  return {
    id: row.id,
    reporter: row.reporter,
    target: { kind: row.target_kind, id: row.target_id, trackId: row.track_id },
    reason: row.reason,
    note: row.note,
    state: row.state,
    outcome: row.outcome,
    closedBy: row.closed_by,
    createdAt: row.created_at,
    closedAt: row.closed_at,
    // What the report names, as it is now: gone (null) once deleted.
    track:
      row.track_title !== null && row.track_owner !== null
        ? { title: row.track_title, owner: row.track_owner, delisted: row.track_delisted_at !== null }
        : null,
    comment:
      row.target_kind === 'comment' && row.comment_author !== null
        ? {
            author: row.comment_author,
            text: row.comment_deleted_at === null ? row.comment_body : null,
            deleted: row.comment_deleted_at !== null,
          }
        : null,
  };
}
