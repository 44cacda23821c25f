import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_DROP_LEAVES, MAX_TOP_FANS } from '../../services/fan-drops.service.ts';
import type { AppContext } from '../app.ts';
import { requireAccount } from '../authenticate.ts';
import { AddressParams, errorRef, errorResponses } from '../schemas.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

const Address = Type.String({ pattern: '^0x[0-9a-fA-F]{40}$' });
const BaseUnits = Type.String({ pattern: '^[0-9]{1,78}$', description: 'FAIR base units, decimal' });
const DropIdParams = Type.Object({
  id: Type.String({ pattern: '^[0-9]{1,15}$', description: 'The drop id in FanDrops' }),
});

const dropFields = {
  dropId: Type.String({ description: 'The drop id in FanDrops, decimal' }),
  creator: Type.String({ description: 'Who funded it (lower case)' }),
  root: Type.String({ description: 'Merkle root of its (address account, uint256 amount) leaves' }),
  total: BaseUnits,
  recipients: Type.Integer(),
  reason: Type.String({ description: 'Why, as the creator put it on-chain' }),
  expiresAt: Type.Integer({
    description: 'When claims close (Unix ms); then the creator may reclaim the rest',
  }),
  transactionHash: Type.String(),
  blockNumber: Type.Integer(),
  publishedAt: Type.Integer({ description: 'When the leaves were published here (Unix ms)' }),
  claimed: Type.String({ description: 'FAIR base units paid so far (read from the chain)' }),
  claimedCount: Type.Integer({ description: 'Fans paid so far' }),
  reclaimed: Type.Boolean({ description: 'Whether the creator took back what was left after expiry' }),
};

const Drop = Type.Object(dropFields);

export function dropRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function drops(app) {
    app.get(
      '/me/top-fans',
      {
        schema: {
          operationId: 'getMyTopFans',
          tags: ['drops'],
          summary:
            'Your top fans: counted plays summed over every track you own, to reward them with a fan drop',
          description:
            'A fan who chose not to be named among top fans (PUT /me/privacy) is listed with `address: null`, ' +
            'but still counts and still has a `recipient`: a reward is a payment on a public ledger, which ' +
            'needs the address it goes to. Show `address`, never `recipient`.',
          security,
          querystring: Type.Object({
            since: Type.Optional(
              Type.Integer({
                minimum: 0,
                description: 'Unix ms; from the start of its UTC day (default: all time)',
              }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TOP_FANS, default: 100 })),
          }),
          response: {
            200: Type.Object({
              since: Type.Integer({ description: 'The first UTC day counted (Unix ms)' }),
              throughEpoch: Type.Integer({
                description: 'The newest epoch whose plays are included (-1: none yet)',
              }),
              fans: Type.Array(
                Type.Object({
                  rank: Type.Integer(),
                  address: Type.Union([Type.String(), Type.Null()], {
                    description: 'null for a fan who chose not to be named',
                  }),
                  plays: Type.Integer({ description: 'Counted plays on your tracks since `since`' }),
                  recipient: Type.String({ description: 'Where a reward to this fan goes' }),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => context.fanDrops.topFans(requireAccount(request), request.query),
    );

    app.post(
      '/drops',
      {
        bodyLimit: 4 * 1024 * 1024,
        schema: {
          operationId: 'publishDrop',
          tags: ['drops'],
          summary: "Publish a fan drop's leaves so every fan can get its proof",
          description:
            'Anyone may publish: the leaves are stored only when the transaction created that drop in the ' +
            "node's FanDrops and they rebuild its root, add up to its total and number its recipients. " +
            'Publishing the same drop again changes nothing (201 the first time, 200 after).',
          body: Type.Object(
            {
              dropId: Type.String({ pattern: '^[0-9]{1,15}$' }),
              transactionHash: Type.String({ pattern: '^0x[0-9a-fA-F]{64}$' }),
              leaves: Type.Array(
                Type.Object({ account: Address, amount: BaseUnits }, { additionalProperties: false }),
                {
                  minItems: 1,
                  maxItems: MAX_DROP_LEAVES,
                },
              ),
            },
            { additionalProperties: false },
          ),
          response: { 200: Drop, 201: Drop, 503: errorRef, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { created, drop } = await context.fanDrops.publish(request.body);
        if (created)
          request.log.info({ dropId: drop.dropId, recipients: drop.recipients }, 'fan drop published');
        return reply.code(created ? 201 : 200).send(drop);
      },
    );

    app.get(
      '/drops/:id',
      {
        schema: {
          operationId: 'getDrop',
          tags: ['drops'],
          summary: 'A published fan drop, what the chain says of it now, and every (account, amount) leaf',
          params: DropIdParams,
          response: {
            200: Type.Object({
              ...dropFields,
              leaves: Type.Array(Type.Object({ account: Type.String(), amount: BaseUnits })),
            }),
            503: errorRef,
            ...errorResponses,
          },
        },
      },
      async (request) => context.fanDrops.get(request.params.id),
    );

    app.get(
      '/accounts/:address/drops',
      {
        schema: {
          operationId: 'getAccountDrops',
          tags: ['drops'],
          summary: 'The fan drops that reward an address, newest first, with the Merkle proof to claim each',
          params: AddressParams,
          response: {
            200: Type.Object({
              address: Type.String(),
              drops: Type.Array(
                Type.Object({
                  ...dropFields,
                  amount: BaseUnits,
                  paid: Type.Boolean({ description: 'Whether this address was paid by the drop' }),
                  claimable: Type.Boolean({ description: 'Not paid yet and claims still open' }),
                  proof: Type.Array(Type.String(), {
                    description: 'FanDrops.claim(dropId, address, amount, proof); anyone may send it',
                  }),
                }),
              ),
            }),
            503: errorRef,
            ...errorResponses,
          },
        },
      },
      async (request) => context.fanDrops.dropsOf(request.params.address),
    );
  };
}
