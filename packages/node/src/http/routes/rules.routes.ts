import { COUNTING_RULE, DEFAULT_FEE_PPM, NOT_COUNTED_REASONS } from '@fairstream/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';

/**
 * The published rules, from the same protocol code the node, the CLI and the browser run: anyone can
 * read exactly when a play counts and how money is divided.
 */
export function rulesRoutes(): FastifyPluginAsyncTypebox {
  const rules = {
    counting: {
      version: COUNTING_RULE.version,
      minHeardMs: COUNTING_RULE.minHeardMs,
      minHeardFraction: COUNTING_RULE.minHeardFraction,
      dailyCapPerListenerAndTrack: COUNTING_RULE.dailyCapPerListenerAndTrack,
      dayBoundary: COUNTING_RULE.dayBoundary,
      realTimeToleranceMs: COUNTING_RULE.realTimeToleranceMs,
      maxFutureSkewMs: COUNTING_RULE.maxFutureSkewMs,
      summary:
        'A play counts once the listener has heard min(30 s, half the track) of distinct audio, no faster than ' +
        'real time; plays by the owner or collaborators, anonymous plays, and plays over the daily cap per ' +
        'listener and track do not count, and every verdict is kept with its reason.',
      notCounted: { ...NOT_COUNTED_REASONS },
    },
    payouts: {
      model: 'user-centric',
      platformFeePpm: DEFAULT_FEE_PPM,
      summary:
        "Each subscriber's money for an epoch, less the platform fee (to stakers), is divided among the tracks " +
        'that subscriber played, by counted plays (largest remainder); each track part is divided by its split, ' +
        'the remainder to the first recipient. Subscribers without counted plays keep their money for the next ' +
        'epoch. FAIR rewards give every active listener equal weight.',
    },
  };
  return async function rulesRoute(app) {
    app.get(
      '/rules',
      {
        schema: {
          operationId: 'getRules',
          tags: ['ledger'],
          summary: 'The published counting rule and payout model',
          response: {
            200: Type.Object({
              counting: Type.Object({
                version: Type.Integer(),
                minHeardMs: Type.Integer(),
                minHeardFraction: Type.Number(),
                dailyCapPerListenerAndTrack: Type.Integer(),
                dayBoundary: Type.String(),
                realTimeToleranceMs: Type.Integer(),
                maxFutureSkewMs: Type.Integer(),
                summary: Type.String(),
                notCounted: Type.Record(Type.String(), Type.String(), {
                  description: 'Why a play was not counted, by reason code',
                }),
              }),
              payouts: Type.Object({
                model: Type.String(),
                platformFeePpm: Type.Integer({ description: 'Parts per million of each subscriber amount' }),
                summary: Type.String(),
              }),
            }),
          },
        },
      },
      async () => rules,
    );
  };
}
