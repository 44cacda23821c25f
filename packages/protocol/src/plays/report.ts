/**
 * The playback report: what a client signs with its session key to say which parts of a track it
 * played and when. Ingestion checks the shape here (no clock, no database, no key needed), then the
 * signature over `reportSigningBytes`, then the context (replay, session key, access, clock skew).
 */

/** First element of the signed array: a signature for another message type or version never verifies as a report. */
export const REPORT_SIGNING_DOMAIN = 'fairstream-play/1';
export const MAX_REPORT_SEGMENTS = 256;
/** A report covers at most a day of wall time; a client reports far more often than that. */
export const MAX_REPORT_SPAN_MS = 24 * 60 * 60 * 1000;
/** Fairstream's web app, its CLI, a program on the API, or an app built on Fairstream (with its appId). */
export const REPORT_SOURCES = ['web', 'cli', 'api', 'app'] as const;
export type ReportSource = (typeof REPORT_SOURCES)[number];

export interface PlaybackReport {
  /** Report id, client-generated (a UUID will do): the idempotency key. 8–64 of [A-Za-z0-9_-]. */
  id: string;
  /** One start of a track by a listener; a play is usually reported in several reports. Same charset. */
  playId: string;
  /** 1–64 of [A-Za-z0-9_-]. */
  trackId: string;
  /** Lower-case 0x address of the wallet that delegated the session key. */
  listener: string;
  /** Ed25519 public key, 64 lower-case hex characters, no 0x. */
  sessionKey: string;
  /** Track positions heard in this report, in ms, as [start, end) with 0 <= start < end; at most 256. */
  segments: [number, number][];
  /** Wall-clock Unix ms when the audio of this report started playing. */
  startedAt: number;
  /** Wall-clock Unix ms when this report's period ended. */
  endedAt: number;
  source: ReportSource;
  /** The app that delivered the play (1–64 of [A-Za-z0-9_.:-]), or null for Fairstream's own clients. */
  appId: string | null;
  /** Ed25519 signature over reportSigningBytes(report), 128 lower-case hex characters, no 0x. */
  signature: string;
}

export type UnsignedPlaybackReport = Omit<PlaybackReport, 'signature'>;

export type ReportShapeCheck = { ok: true; report: PlaybackReport } | { ok: false; reason: string };

const encoder = new TextEncoder();

/**
 * The bytes a session key signs: UTF-8 of
 * `JSON.stringify(['fairstream-play/1', id, playId, trackId, listener, sessionKey, segments, startedAt,
 * endedAt, source, appId])`. An array (not an object) so that no client has to agree on key order,
 * and JSON so that a browser, the CLI and the node produce the same bytes without a codec.
 */
export function reportSigningBytes(report: UnsignedPlaybackReport): Uint8Array {
  return encoder.encode(
    JSON.stringify([
      REPORT_SIGNING_DOMAIN,
      report.id,
      report.playId,
      report.trackId,
      report.listener,
      report.sessionKey,
      // Only the pairs: a tuple that carries extra properties must not change the signed bytes.
      report.segments.map(([start, end]) => [start, end]),
      report.startedAt,
      report.endedAt,
      report.source,
      report.appId,
    ]),
  );
}

const ID = /^[A-Za-z0-9_-]{8,64}$/;
const TRACK_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ADDRESS = /^0x[0-9a-f]{40}$/;
const SESSION_KEY = /^[0-9a-f]{64}$/;
const SIGNATURE = /^[0-9a-f]{128}$/;
/** An app id: 1–64 of A-Z a-z 0-9 _ . : - (a reverse domain name will do). */
export const APP_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
const FIELDS: ReadonlySet<string> = new Set([
  'id',
  'playId',
  'trackId',
  'listener',
  'sessionKey',
  'segments',
  'startedAt',
  'endedAt',
  'source',
  'appId',
  'signature',
]);

const isWholeMs = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** A short, printable echo of a bad value for an error message (never the whole of a huge string). */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

/**
 * Checks every field of a report that needs no context: types, formats, segments, times in order.
 * Unknown fields are refused rather than ignored, since they would not be covered by the signature.
 * The report returned is a fresh object holding only the known fields.
 */
export function validateReportShape(value: unknown): ReportShapeCheck {
  const fail = (reason: string): ReportShapeCheck => ({ ok: false, reason });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('A playback report must be a JSON object');
  }
  const r = value as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!FIELDS.has(key))
      return fail(`Unknown field "${key.slice(0, 40)}": a report has only ${[...FIELDS].join(', ')}`);
  }
  for (const key of FIELDS) if (!(key in r)) return fail(`Missing field "${key}"`);
  if (typeof r.id !== 'string' || !ID.test(r.id)) {
    return fail(`id must be 8–64 characters of A-Z a-z 0-9 _ - (a UUID will do), not ${shown(r.id)}`);
  }
  if (typeof r.playId !== 'string' || !ID.test(r.playId)) {
    return fail(`playId must be 8–64 characters of A-Z a-z 0-9 _ -, not ${shown(r.playId)}`);
  }
  if (typeof r.trackId !== 'string' || !TRACK_ID.test(r.trackId)) {
    return fail(`trackId must be 1–64 characters of A-Z a-z 0-9 _ -, not ${shown(r.trackId)}`);
  }
  if (typeof r.listener !== 'string' || !ADDRESS.test(r.listener)) {
    return fail(`listener must be a lower-case 0x address (0x and 40 hex digits), not ${shown(r.listener)}`);
  }
  if (typeof r.sessionKey !== 'string' || !SESSION_KEY.test(r.sessionKey)) {
    return fail('sessionKey must be the Ed25519 public key as 64 lower-case hex characters, without 0x');
  }
  if (!Array.isArray(r.segments)) return fail('segments must be an array of [start, end) pairs');
  if (r.segments.length > MAX_REPORT_SEGMENTS) {
    return fail(
      `segments has ${r.segments.length} pairs; a report holds at most ${MAX_REPORT_SEGMENTS} (report more often)`,
    );
  }
  const segments: [number, number][] = [];
  for (const [index, segment] of r.segments.entries()) {
    if (!Array.isArray(segment) || segment.length !== 2) {
      return fail(`segments[${index}] must be a [start, end) pair of track positions in ms`);
    }
    const [start, end] = segment as unknown[];
    if (!isWholeMs(start) || !isWholeMs(end)) {
      return fail(
        `segments[${index}] must hold whole, non-negative milliseconds, not [${shown(start)}, ${shown(end)}]`,
      );
    }
    if (start >= end) return fail(`segments[${index}] is [${start}, ${end}): start must be before end`);
    segments.push([start, end]);
  }
  if (!isWholeMs(r.startedAt)) return fail(`startedAt must be Unix milliseconds, not ${shown(r.startedAt)}`);
  if (!isWholeMs(r.endedAt)) return fail(`endedAt must be Unix milliseconds, not ${shown(r.endedAt)}`);
  if (r.endedAt < r.startedAt) return fail(`endedAt (${r.endedAt}) is before startedAt (${r.startedAt})`);
  if (r.endedAt - r.startedAt > MAX_REPORT_SPAN_MS) {
    return fail('A report spans at most 24 hours from startedAt to endedAt; report more often');
  }
  if (typeof r.source !== 'string' || !(REPORT_SOURCES as readonly string[]).includes(r.source)) {
    return fail(`source must be one of ${REPORT_SOURCES.join(', ')}, not ${shown(r.source)}`);
  }
  if (r.appId !== null && (typeof r.appId !== 'string' || !APP_ID_PATTERN.test(r.appId))) {
    return fail(`appId must be null or 1–64 characters of A-Z a-z 0-9 _ . : -, not ${shown(r.appId)}`);
  }
  if (typeof r.signature !== 'string' || !SIGNATURE.test(r.signature)) {
    return fail('signature must be the Ed25519 signature as 128 lower-case hex characters, without 0x');
  }
  return {
    ok: true,
    report: {
      id: r.id,
      playId: r.playId,
      trackId: r.trackId,
      listener: r.listener,
      sessionKey: r.sessionKey,
      segments,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      source: r.source as ReportSource,
      appId: r.appId,
      signature: r.signature,
    },
  };
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/**
 * True when the report's signature is its session key's Ed25519 signature of reportSigningBytes.
 * WebCrypto only (globalThis.crypto.subtle), so a browser checks reports exactly as the CLI does;
 * false, never an exception, for a malformed key or signature.
 */
export async function verifyReportSignature(report: PlaybackReport): Promise<boolean> {
  if (typeof report.sessionKey !== 'string' || !SESSION_KEY.test(report.sessionKey)) return false;
  if (typeof report.signature !== 'string' || !SIGNATURE.test(report.signature)) return false;
  try {
    const key = await crypto.subtle.importKey(
      'raw',
      hexBytes(report.sessionKey),
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
    return await crypto.subtle.verify(
      { name: 'Ed25519' },
      key,
      hexBytes(report.signature),
      reportSigningBytes(report) as Uint8Array<ArrayBuffer>,
    );
  } catch {
    return false;
  }
}
