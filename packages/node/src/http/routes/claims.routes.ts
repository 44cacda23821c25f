import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../app.ts';
import { AddressParams, errorRef, errorResponses } from '../schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const Claims = Type.Object({
  address: Type.String(),
  epoch: Nullable(
    Type.Integer({
      description: 'The newest published epoch open for claims: the proofs are against its root',
    }),
  ),
  payoutRoot: Nullable(Type.String()),
  pending: Nullable(
    Type.Object(
      { epoch: Type.Integer(), claimableAt: Type.Integer({ description: 'Unix ms' }) },
      { description: 'A newer published epoch still in its challenge window' },
    ),
  ),
  claims: Type.Array(
    Type.Object({
      token: Type.String({ description: 'Token address (lower case)' }),
      symbol: Type.String(),
      decimals: Type.Integer(),
      cumulativeAmount: Type.String({
        description: 'Everything the address was ever owed in the token, base units',
      }),
      claimed: Type.String({ description: 'Already paid out to it (the chain says), base units' }),
      claimable: Type.String({ description: 'cumulativeAmount − claimed: what a claim pays now' }),
      proof: Type.Array(Type.String(), {
        description: 'Merkle proof of the leaf (address, token, cumulativeAmount)',
      }),
    }),
    {
      description:
        'One per token the address has a leaf for: pass to PayoutDistributor.claimMany(epoch, [(account, token, cumulativeAmount, proof)]); anyone may send it, the money goes to the address',
    },
  ),
  owed: Type.Array(
    Type.Object({
      token: Type.String(),
      symbol: Type.String(),
      decimals: Type.Integer(),
      amount: Type.String(),
    }),
    {
      description:
        'Payouts whose push failed: the address withdraws them itself (PayoutDistributor.withdraw(token))',
    },
  ),
});

export function claimRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function claims(app) {
    app.get(
      '/accounts/:address/claims',
      {
        schema: {
          operationId: 'getClaims',
          tags: ['settlement'],
          summary:
            'What an address can claim from the distributor, per token, with Merkle proofs, and what it is owed after a failed push',
          params: AddressParams,
          response: { 200: Claims, 503: errorRef, ...errorResponses },
        },
      },
      async (request) => context.claims.claims(request.params.address),
    );
  };
}
