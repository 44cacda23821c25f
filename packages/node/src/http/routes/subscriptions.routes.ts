import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_PERIODS } from '../../services/subscriptions.service.ts';
import type { AppContext } from '../app.ts';
import { requireAccount } from '../authenticate.ts';
import { AddressParams, errorRef, errorResponses } from '../schemas.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const Terms = Type.Object({
  chainId: Type.Integer(),
  vault: Type.String({ description: 'SubscriptionVault address (lower case): the permit spender' }),
  token: Type.Object({
    address: Type.String({ description: 'The stablecoin subscriptions are paid in' }),
    symbol: Type.String(),
    decimals: Type.Integer(),
  }),
  pricePerPeriod: Type.String({ description: 'Base units of the token, decimal' }),
  periodSeconds: Type.Integer(),
  maxPeriods: Type.Integer({ description: 'The most periods one POST /subscriptions pays for' }),
  chainTime: Type.Integer({
    description:
      'Unix ms: the earliest time of the next block. Permit deadlines are checked against it (pick one an hour later)',
  }),
  relayer: Type.String({
    description: 'The node operator wallet that sends relayed subscriptions and pays their gas',
  }),
  permit: Type.Object(
    {
      domain: Type.Object(
        {
          name: Type.Optional(Type.String()),
          version: Type.Optional(Type.String()),
          chainId: Type.Optional(Type.Integer()),
          verifyingContract: Type.Optional(Type.String()),
          salt: Type.Optional(Type.String()),
        },
        { description: "The token's EIP-712 domain (ERC-5267), only the fields it uses" },
      ),
      types: Type.Record(
        Type.String(),
        Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
      ),
      primaryType: Type.Literal('Permit'),
      spender: Type.String({ description: 'The vault' }),
    },
    {
      description:
        'What to sign (eth_signTypedData_v4): Permit { owner: your wallet, spender, value: pricePerPeriod × periods, nonce: permitNonce of GET /accounts/{address}/subscription, deadline: Unix seconds }',
    },
  ),
});

const AccountSubscription = Type.Object({
  address: Type.String(),
  active: Type.Boolean({ description: 'The subscription runs now' }),
  startsAt: Nullable(Type.Integer({ description: 'Unix ms: start of the current (or last) run of periods' })),
  paidUntil: Nullable(Type.Integer({ description: 'Unix ms: the end of the last paid period (exclusive)' })),
  periods: Type.Integer({ description: 'Whole periods from startsAt to paidUntil' }),
  refundablePeriods: Type.Integer({ description: 'Periods not started yet: cancelling now refunds them' }),
  refundable: Type.String({ description: 'What cancelling now would refund, base units' }),
  paid: Type.String({ description: 'Everything paid, net of refunds, base units' }),
  released: Type.String({ description: 'Released to artists so far, base units' }),
  earned: Type.String({ description: 'Earned by now (released or not), base units' }),
  balance: Type.String({ description: "The wallet's stablecoin balance, base units" }),
  permitNonce: Type.String({ description: "The nonce the wallet's next permit must carry" }),
});

const SubscribeBody = Type.Object(
  {
    periods: Type.Integer({ minimum: 1, maximum: MAX_PERIODS, description: 'Whole periods to pay for' }),
    deadline: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: "The permit's deadline in Unix SECONDS, as signed (EIP-2612); at least a minute ahead",
    }),
    signature: Type.String({
      pattern: '^0x[0-9a-fA-F]{130}$',
      description: "The wallet's EIP-712 signature of the permit: 65 bytes as 0x-prefixed hex",
    }),
  },
  { additionalProperties: false },
);

export function subscriptionRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function subscriptions(app) {
    app.get(
      '/subscriptions/terms',
      {
        schema: {
          operationId: 'getSubscriptionTerms',
          tags: ['subscriptions'],
          summary:
            'What a subscription costs, and the EIP-2612 permit a wallet signs to pay for one without gas',
          response: { 200: Terms, 503: errorRef, ...errorResponses },
        },
      },
      async () => context.subscriptions.terms(),
    );

    app.get(
      '/accounts/:address/subscription',
      {
        schema: {
          operationId: 'getAccountSubscription',
          tags: ['subscriptions'],
          summary:
            "An address's subscription as the vault holds it: active, paid until, refundable, permit nonce",
          params: AddressParams,
          response: { 200: AccountSubscription, 503: errorRef, ...errorResponses },
        },
      },
      async (request) => context.subscriptions.account(request.params.address),
    );

    app.post(
      '/subscriptions',
      {
        schema: {
          operationId: 'subscribe',
          tags: ['subscriptions'],
          summary:
            "Subscribe the signed-in wallet with its signed permit; the node's operator sends the transaction and pays the gas",
          security,
          body: SubscribeBody,
          response: {
            201: Type.Object({
              subscriber: Type.String(),
              periods: Type.Integer(),
              amount: Type.String({ description: 'Paid from the wallet, base units' }),
              startsAt: Type.Integer({ description: 'Unix ms' }),
              paidUntil: Type.Integer({ description: 'Unix ms' }),
              transaction: Type.String(),
              blockNumber: Type.Integer(),
            }),
            503: errorRef,
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const result = await context.subscriptions.subscribe(requireAccount(request), request.body);
        return reply.code(201).send(result);
      },
    );
  };
}
