import { MAX_REPORT_SEGMENTS, REPORT_SOURCES } from '@fairstream/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { REJECTION_REASONS } from '../../services/plays.service.ts';
import type { AppContext } from '../app.ts';
import { errorRef, errorResponses, ShareQuery } from '../schemas.ts';

export const MAX_REPORTS_PER_REQUEST = 500;

const PlaybackReport = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$', description: 'Idempotency key' }),
    playId: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }),
    trackId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    listener: Type.String({ pattern: '^0x[0-9a-f]{40}$', description: 'Lower-case wallet address' }),
    sessionKey: Type.String({
      pattern: '^[0-9a-f]{64}$',
      description: 'Ed25519 public key the listener delegated (POST /auth/session-keys)',
    }),
    segments: Type.Array(Type.Tuple([Type.Integer({ minimum: 0 }), Type.Integer({ minimum: 0 })]), {
      maxItems: MAX_REPORT_SEGMENTS,
      description: 'Positions heard, [start, end) in milliseconds of the track',
    }),
    startedAt: Type.Integer({ description: 'Unix milliseconds' }),
    endedAt: Type.Integer({ description: 'Unix milliseconds' }),
    source: Type.Union(REPORT_SOURCES.map((source) => Type.Literal(source))),
    appId: Type.Union([Type.String(), Type.Null()]),
    signature: Type.String({
      pattern: '^[0-9a-f]{128}$',
      description:
        'Ed25519 signature by sessionKey over the UTF-8 of JSON.stringify(["fairstream-play/1", id, playId, ' +
        'trackId, listener, sessionKey, segments, startedAt, endedAt, source, appId])',
    }),
  },
  { $id: 'PlaybackReport' },
);

/**
 * What the body must be for the request to be looked at. Reports are checked one by one by the
 * service (a bad one is answered "rejected", not a 400), so their schema above only documents.
 */
const ENVELOPE_PROBLEM = `the body must be { "reports": [...] } with 1 to ${MAX_REPORTS_PER_REQUEST} reports`;

const PlaysQuery = Type.Object(ShareQuery);
const playsQuery = Compile(PlaysQuery);
const QUERY_PROBLEM =
  'share must be given at most once, as the token of a share link (at most 100 characters)';

/** A validation failure as Fastify's own validators report one (answered 400 invalid_request). */
function invalid(message: string) {
  return { error: Object.assign(new Error(message), { validation: [{ message }] }) };
}

function isEnvelope(body: unknown): body is { reports: unknown[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  const reports = (body as { reports?: unknown }).reports;
  return (
    keys.length === 1 &&
    Array.isArray(reports) &&
    reports.length >= 1 &&
    reports.length <= MAX_REPORTS_PER_REQUEST
  );
}

const Result = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('rejected')]),
  reason: Type.Optional(
    Type.Union(
      REJECTION_REASONS.map((reason) => Type.Literal(reason)),
      { description: 'Why a report was rejected (stable code)' },
    ),
  ),
  message: Type.Optional(Type.String({ description: 'More detail for some reasons' })),
});

export function playRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function plays(app) {
    app.addSchema(PlaybackReport);
    app.post(
      '/plays',
      {
        // 500 reports of 256 segments each fit; a typical batch is a few hundred bytes a report.
        bodyLimit: 4 * 1024 * 1024,
        validatorCompiler: ({ httpPart }) =>
          httpPart === 'querystring'
            ? (query) => (playsQuery.Check(query) ? { value: query } : invalid(QUERY_PROBLEM))
            : (body) => (isEnvelope(body) ? { value: body } : invalid(ENVELOPE_PROBLEM)),
        schema: {
          operationId: 'reportPlays',
          tags: ['plays'],
          summary: 'Report playback: signed reports, each accepted, duplicate or rejected',
          description:
            'No session needed: each report is signed by a session key its listener delegated. ' +
            'An "accepted" report is stored durably before the answer; resubmitting it answers ' +
            '"duplicate". Rejected reports are not stored. A report is accepted only for a track its ' +
            'listener may stream in full, as GET /tracks/{id}/stream decides: reports of a hidden ' +
            "track played through a share link need that link's ?share=<token>.",
          querystring: PlaysQuery,
          body: Type.Object({
            reports: Type.Array(Type.Ref('PlaybackReport'), {
              minItems: 1,
              maxItems: MAX_REPORTS_PER_REQUEST,
            }),
          }),
          response: {
            200: Type.Object({ results: Type.Array(Result) }),
            // chain_unavailable: a token gate could not be checked; nothing was stored, resend.
            503: errorRef,
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const results = await context.plays.ingest(
          (request.body as unknown as { reports: unknown[] }).reports,
          { shareToken: (request.query as { share?: string }).share },
        );
        let accepted = 0;
        let duplicate = 0;
        for (const result of results) {
          if (result.status === 'accepted') accepted += 1;
          else if (result.status === 'duplicate') duplicate += 1;
          else if (result.status === 'rejected')
            request.log.info({ reportId: result.id, reason: result.reason }, 'play report rejected');
        }
        request.log.debug({ accepted, duplicate, total: results.length }, 'play reports ingested');
        return {
          results: results.map((result) =>
            result.status === 'rejected'
              ? {
                  id: result.id,
                  status: result.status,
                  reason: result.reason,
                  ...(result.detail && { message: result.detail }),
                }
              : result,
          ),
        };
      },
    );
  };
}
