import {
  APP_REWARDS_POLICY,
  APP_REWARDS_SUMMARY,
  COUNTING_RULE,
  DEFAULT_FEE_PPM,
  FAN_REWARD_RULES,
  FAN_REWARDS_BOT_PATTERN,
  FAN_REWARDS_POLICY,
  FAN_REWARDS_SUMMARY,
  FAN_REWARDS_VERIFIABILITY,
  NOT_COUNTED_REASONS,
} from '@fairstream/protocol';
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
        'epoch. FAIR rewards give every active listener equal weight; published shares of them pay fan rewards ' +
        '(fanRewards) and app developers (appRewards), and what those do not spend goes to the artists the same epoch.',
    },
    fanRewards: {
      version: FAN_REWARDS_POLICY.version,
      token: 'FAIR' as const,
      sharePpm: FAN_REWARDS_POLICY.sharePpm,
      unspent: 'artists' as const,
      summary: FAN_REWARDS_SUMMARY,
      botPattern: FAN_REWARDS_BOT_PATTERN,
      verifiability: FAN_REWARDS_VERIFIABILITY,
      thresholds: {
        streakDays: FAN_REWARDS_POLICY.streakDays,
        milestonePlays: FAN_REWARDS_POLICY.milestonePlays,
        firstListeners: FAN_REWARDS_POLICY.firstListeners,
        trendingListeners: FAN_REWARDS_POLICY.trendingListeners,
        playlistMinTracks: FAN_REWARDS_POLICY.playlistMinTracks,
      },
      rules: FAN_REWARD_RULES.map((rule) => ({
        id: rule.id,
        title: rule.title,
        description: rule.description,
        amount: String(rule.amount),
        period: rule.period,
        maxAwardsPerEpoch: rule.maxAwardsPerEpoch,
        maxAmountPerEpoch: String(rule.maxAmountPerEpoch),
        evidence: rule.evidence,
      })),
    },
    appRewards: {
      version: APP_REWARDS_POLICY.version,
      token: 'FAIR' as const,
      sharePpm: APP_REWARDS_POLICY.sharePpm,
      unspent: 'artists' as const,
      summary: APP_REWARDS_SUMMARY,
    },
  };
  return async function rulesRoute(app) {
    app.get(
      '/rules',
      {
        schema: {
          operationId: 'getRules',
          tags: ['ledger'],
          summary: 'The published counting rule, payout model and fan-reward rules',
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
              fanRewards: Type.Object(
                {
                  version: Type.Integer({
                    description: 'Published with each epoch’s awards (fanRewards.version)',
                  }),
                  token: Type.Literal('FAIR'),
                  sharePpm: Type.Integer({
                    description:
                      'Parts per million of each epoch’s available FAIR rewards reserved for fan rewards',
                  }),
                  unspent: Type.Literal('artists', {
                    description: 'What awards do not spend goes to the artists in the same epoch',
                  }),
                  summary: Type.String(),
                  botPattern: Type.String({ description: 'Accounts that earn no fan reward' }),
                  verifiability: Type.String({
                    description: 'What `fairstream verify` recomputes, and what rests on the node',
                  }),
                  thresholds: Type.Object({
                    streakDays: Type.Integer(),
                    milestonePlays: Type.Integer(),
                    firstListeners: Type.Integer(),
                    trendingListeners: Type.Integer({
                      description: 'Distinct listeners in one UTC day at which a track enters trending',
                    }),
                    playlistMinTracks: Type.Integer(),
                  }),
                  rules: Type.Array(
                    Type.Object({
                      id: Type.String(),
                      title: Type.String(),
                      description: Type.String(),
                      amount: Type.String({ description: 'FAIR base units per award, decimal' }),
                      period: Type.Union(
                        [Type.Literal('once'), Type.Literal('week'), Type.Literal('track')],
                        {
                          description: 'Once ever, once per ISO week (UTC), or once per track',
                        },
                      ),
                      maxAwardsPerEpoch: Type.Integer(),
                      maxAmountPerEpoch: Type.String({ description: 'FAIR base units, decimal' }),
                      evidence: Type.Union([Type.Literal('plays'), Type.Literal('node')], {
                        description:
                          "'plays': verify recomputes it from the published plays; 'node': it rests on the node's published evidence",
                      }),
                    }),
                  ),
                },
                { description: 'Fan rewards (challenges), paid in FAIR through the epoch payouts' },
              ),
              appRewards: Type.Object(
                {
                  version: Type.Integer({ description: 'Published with each epoch (appRewards.version)' }),
                  token: Type.Literal('FAIR'),
                  sharePpm: Type.Integer({
                    description: 'Parts per million of each epoch’s available FAIR rewards reserved for apps',
                  }),
                  unspent: Type.Literal('artists'),
                  summary: Type.String(),
                },
                {
                  description:
                    'App developer rewards: registered apps earn by the counted plays they deliver',
                },
              ),
            }),
          },
        },
      },
      async () => rules,
    );
  };
}
