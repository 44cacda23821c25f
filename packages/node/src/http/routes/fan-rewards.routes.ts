import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../app.ts';
import { requireAccount } from '../authenticate.ts';
import { AddressParams, errorResponses } from '../schemas.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

const FanReward = Type.Object({
  epoch: Type.Integer({ description: 'The epoch whose settlement awarded it and whose leaves pay it' }),
  rule: Type.String({ description: 'Rule id (GET /rules: fanRewards.rules)' }),
  title: Type.String(),
  period: Type.String({
    description: "'once', 'week:YYYY-Www' or 'track:<trackId>': one award per rule and period",
  }),
  token: Type.String({ description: 'FAIR token address (lower case)' }),
  amount: Type.String({ description: 'FAIR base units, decimal' }),
  reason: Type.String(),
  evidence: Type.Unknown({ description: 'What the award rests on, exactly as the epoch data publishes it' }),
  status: Type.Union([Type.Literal('paid'), Type.Literal('pending')]),
  awardedAt: Type.Integer({ description: 'When the settlement recorded it (Unix ms)' }),
});

const FanRewards = Type.Object({
  address: Type.String(),
  token: Type.String(),
  items: Type.Array(FanReward, { description: 'Newest epoch first' }),
  totals: Type.Object({ amount: Type.String(), paid: Type.String(), pending: Type.String() }),
});

const Progress = Type.Object({
  address: Type.String(),
  rules: Type.Array(
    Type.Object({
      rule: Type.String(),
      title: Type.String(),
      amount: Type.String({ description: 'FAIR base units per award' }),
      period: Type.Union([Type.Literal('once'), Type.Literal('week'), Type.Literal('track')]),
      currentPeriod: Type.Union([Type.String(), Type.Null()], {
        description: 'The period an award now would be for; null for once-per-track rules',
      }),
      earned: Type.Boolean({ description: 'Earned for the current period (once-ever and per-track: ever)' }),
      awards: Type.Integer({ description: 'Awards of this rule so far' }),
      progress: Type.Union([Type.Object({ current: Type.Integer(), target: Type.Integer() }), Type.Null()]),
      detail: Type.String(),
    }),
  ),
  note: Type.String(),
});

/** Fan rewards: read-only. Awards come from epoch settlement only; nothing here can make one. */
export function fanRewardsRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function fanRewards(app) {
    app.get(
      '/accounts/:address/rewards',
      {
        schema: {
          operationId: 'getFanRewards',
          tags: ['rewards'],
          summary: "An address's fan rewards: rule, reason, evidence, epoch and amount, paid or pending",
          params: AddressParams,
          response: { 200: FanRewards, ...errorResponses },
        },
      },
      async (request) => context.fanRewards.awards(request.params.address),
    );

    app.get(
      '/me/rewards/progress',
      {
        schema: {
          operationId: 'getFanRewardsProgress',
          tags: ['rewards'],
          summary:
            'How far the signed-in account is toward each fan-reward rule, and what it earned this period',
          security,
          response: { 200: Progress, ...errorResponses },
        },
      },
      async (request) => context.fanRewards.progress(requireAccount(request)),
    );
  };
}
