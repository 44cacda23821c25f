import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import { HISTORY_LIMITS, type Movement } from '../../services/history.service.ts';
import type { MovementCause, PayoutPart } from '../../services/history-causes.ts';
import { historyCsv } from '../../services/history-csv.ts';
import type { AppContext } from '../app.ts';
import { AddressParams, errorRef, errorResponses } from '../schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const Amount = Type.String({ description: 'Base units, decimal' });
const Address = Type.String({ description: 'Lower-case address' });
const TrackRef = Nullable(
  Type.Object(
    { id: Type.String({ description: 'The track on this node' }), title: Type.String() },
    { description: 'The track; null when it is hidden or not on this node' },
  ),
);

const PayoutPartSchema = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('track_payout'),
      track: TrackRef,
      countedPlays: Type.Integer({ description: 'Counted plays of the track in the epoch (all listeners)' }),
      amount: Amount,
    },
    { description: "The account's split share of what listeners paid for their counted plays of the track" },
  ),
  Type.Object(
    { kind: Type.Literal('track_reward'), track: TrackRef, countedPlays: Type.Integer(), amount: Amount },
    { description: "The account's share of the epoch's FAIR rewards earned by the track's counted plays" },
  ),
  Type.Object(
    { kind: Type.Literal('platform_fee'), amount: Amount },
    { description: 'The platform fee (to the operator, who passes it to the stakers)' },
  ),
  Type.Object(
    { kind: Type.Literal('unattributed'), amount: Amount },
    { description: "What the node's own records do not break down" },
  ),
  Type.Object(
    { kind: Type.Literal('fan_reward'), rule: Type.String(), reason: Type.String(), amount: Amount },
    { description: "A fan reward rule's award, with the reason it was given" },
  ),
  Type.Object(
    {
      kind: Type.Literal('app_reward'),
      appId: Type.String(),
      name: Nullable(Type.String()),
      countedPlays: Type.Integer(),
      amount: Amount,
    },
    {
      description:
        "An app's share of the epoch's FAIR rewards for the counted plays it delivered, paid to its owner",
    },
  ),
]);

const EpochShares = Type.Array(
  Type.Object({
    epoch: Type.Integer(),
    amount: Amount,
    parts: Type.Array(PayoutPartSchema, { description: 'What the share was for; adds up exactly to amount' }),
  }),
  {
    description: 'The epochs the claim paid for, oldest first; their amounts add up exactly to the movement',
  },
);

const Cause = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Literal('payout'),
        epoch: Type.Integer({ description: 'The epoch whose root the claim was paid against' }),
        cumulativeAmount: Amount,
        epochs: EpochShares,
      },
      { description: 'A PayoutDistributor claim in the stablecoin' },
    ),
    Type.Object(
      { kind: Type.Literal('reward'), epoch: Type.Integer(), cumulativeAmount: Amount, epochs: EpochShares },
      { description: 'A PayoutDistributor claim in FAIR: FAIR rewards' },
    ),
    Type.Object({ kind: Type.Literal('payout_withdrawal') }, { description: 'An owed payout withdrawn' }),
    Type.Object(
      {
        kind: Type.Literal('tip_received'),
        ledgerTrackId: Type.String({ description: 'The track id in TrackRegistry' }),
        track: TrackRef,
        from: Address,
      },
      { description: "A tip's part paid to a recipient of the track's split" },
    ),
    Type.Object(
      {
        kind: Type.Literal('tip_sent'),
        ledgerTrackId: Type.String(),
        track: TrackRef,
        recipients: Type.Array(Type.Object({ address: Address, amount: Amount })),
      },
      { description: 'A tip to a track, split among its recipients at once' },
    ),
    Type.Object({ kind: Type.Literal('tip_withdrawal') }, { description: 'Owed tips withdrawn' }),
    Type.Object(
      {
        kind: Type.Literal('subscription'),
        periods: Type.Integer(),
        start: Type.Integer({ description: 'Unix ms' }),
        end: Type.Integer({ description: 'Unix ms' }),
      },
      { description: 'A subscription paid' },
    ),
    Type.Object(
      { kind: Type.Literal('subscription_refund'), end: Type.Integer({ description: 'Unix ms' }) },
      { description: 'The refund of a cancelled subscription' },
    ),
    Type.Object(
      {
        kind: Type.Literal('stake'),
        stake: Type.String({ description: 'The stake afterwards, base units' }),
      },
      { description: 'FAIR staked' },
    ),
    Type.Object({ kind: Type.Literal('unstake') }, { description: 'Cooled-down stake withdrawn' }),
    Type.Object({ kind: Type.Literal('staking_reward') }, { description: 'A staking reward claimed' }),
    Type.Object(
      { kind: Type.Literal('fee'), distributed: Amount, totalStaked: Amount },
      { description: 'A platform fee passed to the stakers' },
    ),
    Type.Object(
      { kind: Type.Literal('subscription_release') },
      { description: 'Subscription money released into the PayoutDistributor' },
    ),
    Type.Object(
      { kind: Type.Literal('rewards_emission'), fromEpoch: Type.Integer(), toEpoch: Type.Integer() },
      { description: 'FAIR emitted into the PayoutDistributor' },
    ),
    Type.Object({ kind: Type.Literal('faucet') }, { description: "A dev chain's faucet" }),
    Type.Object({ kind: Type.Literal('mint') }),
    Type.Object({ kind: Type.Literal('burn') }),
    Type.Object(
      { kind: Type.Literal('transfer') },
      { description: 'A plain transfer: nothing else in the transaction explains it' },
    ),
    Type.Object(
      {
        kind: Type.Literal('promotion'),
        ledgerTrackId: Type.String(),
        track: TrackRef,
        startsAt: Type.Integer({ description: 'When the promotion starts, Unix ms' }),
        endsAt: Type.Integer({ description: 'When the promotion ends, Unix ms' }),
      },
      {
        description:
          'FAIR burned (sent to the Promotions burn address) to promote a track in the labeled slot of trending and search',
      },
    ),
    Type.Object(
      {
        kind: Type.Literal('fan_drop'),
        action: Type.Union([Type.Literal('funded'), Type.Literal('claimed'), Type.Literal('reclaimed')], {
          description:
            'funded: the creator paid the drop in; claimed: a fan was paid by it; reclaimed: the creator took back what was unclaimed after it expired',
        }),
        dropId: Type.String({ description: 'The drop id in FanDrops (GET /drops/{id})' }),
        from: Address,
        reason: Nullable(
          Type.String({ description: "The drop's reason; null when this node has not stored the drop" }),
        ),
      },
      { description: "An artist's reward drop to fans (FanDrops)" },
    ),
  ],
  { description: 'Why the token moved; `kind` says which case' },
);

const Party = Type.Object({
  address: Address,
  name: Nullable(Type.String({ description: 'A contract or role of the deployment' })),
  handle: Nullable(Type.String({ description: 'The profile handle' })),
});

const MovementSchema = Type.Object({
  id: Type.String({ description: '<block>-<log index> of the Transfer event' }),
  time: Type.Integer({ description: 'Block time, Unix ms' }),
  blockNumber: Type.Integer(),
  logIndex: Type.Integer(),
  txHash: Type.String(),
  token: Type.Object({ address: Address, symbol: Type.String(), decimals: Type.Integer() }),
  direction: Type.Union([Type.Literal('in'), Type.Literal('out'), Type.Literal('self')]),
  amount: Type.String({ description: 'Base units, decimal, never negative (direction says which way)' }),
  counterparty: Party,
  cause: Cause,
  description: Type.String({ description: 'The cause in one line' }),
});

// The schema and the service's types must agree both ways: adding a cause to one and not the other
// fails the type check here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const causesAgree: Same<Static<typeof Cause>, MovementCause> = true;
const partsAgree: Same<Static<typeof PayoutPartSchema>, PayoutPart> = true;
const movementsAgree: Same<Static<typeof MovementSchema>, Movement> = true;
void [causesAgree, partsAgree, movementsAgree];

const HistoryQuery = Type.Object({
  token: Type.Optional(
    Type.String({
      maxLength: 64,
      description:
        "FAIR, USD (the stablecoin), the stablecoin's symbol, or either token's address; absent: both",
    }),
  ),
});

export function historyRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function history(app) {
    app.get(
      '/accounts/:address/history',
      {
        schema: {
          operationId: 'getHistory',
          tags: ['settlement'],
          summary:
            'Every movement of FAIR and the stablecoin to or from an address, newest first, each with its cause',
          params: AddressParams,
          querystring: Type.Object({
            ...HistoryQuery.properties,
            cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
            limit: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: HISTORY_LIMITS.maxLimit,
                default: HISTORY_LIMITS.defaultLimit,
              }),
            ),
          }),
          response: {
            200: Type.Object({
              address: Type.String(),
              items: Type.Array(MovementSchema),
              nextCursor: Nullable(Type.String()),
              indexedBlock: Nullable(
                Type.Integer({ description: 'The newest indexed block: later movements are not listed yet' }),
              ),
            }),
            503: errorRef,
            ...errorResponses,
          },
        },
      },
      async (request) =>
        context.history.page(request.params.address, {
          token: request.query.token,
          cursor: request.query.cursor,
          limit: request.query.limit,
        }),
    );

    app.get(
      '/accounts/:address/history.csv',
      {
        schema: {
          operationId: 'getHistoryCsv',
          tags: ['settlement'],
          summary:
            'The whole history as CSV (RFC 4180, a header row, amounts in base units and as decimals), streamed',
          params: AddressParams,
          querystring: HistoryQuery,
          response: {
            200: Type.String({ description: 'text/csv' }),
            503: errorRef,
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const address = request.params.address.toLowerCase();
        // The token is resolved before the first byte: a bad one is still a 400.
        const { token, movements } = await context.history.all(address, { token: request.query.token });
        const suffix = token ? `-${token.symbol.replace(/[^A-Za-z0-9]/g, '')}` : '';
        const name = `fairstream-history-${address}${suffix}.csv`;
        const body = Readable.from(historyCsv(movements));
        body.on('error', (error) => request.log.warn({ err: error }, 'history export failed mid-stream'));
        reply
          .header('Content-Type', 'text/csv; charset=utf-8; header=present')
          .header('Content-Disposition', `attachment; filename="${name}"`)
          .header('Cache-Control', 'no-store')
          .header('X-Content-Type-Options', 'nosniff');
        return reply.send(body);
      },
    );
  };
}
