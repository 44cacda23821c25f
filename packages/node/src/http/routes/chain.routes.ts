import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../app.ts';
import { requireAccount } from '../authenticate.ts';
import { errorResponses } from '../schemas.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

export function chainRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function chain(app) {
    app.get(
      '/chain',
      {
        schema: {
          operationId: 'getChain',
          tags: ['ledger'],
          summary: 'The chain this node settles on: id, RPC URL and every contract address',
          response: {
            200: Type.Object({
              chainId: Type.Integer(),
              rpcUrl: Type.String({ description: 'JSON-RPC URL for wallets and auditors' }),
              devChain: Type.Boolean({ description: 'A dev chain has a faucet and a test stablecoin' }),
              blockNumber: Type.String({ description: 'Latest block, decimal' }),
              contracts: Type.Record(Type.String(), Type.String(), {
                description: 'Contract name → address (FairToken, TrackRegistry, PayoutDistributor, …)',
              }),
              deployedAt: Type.Object({
                blockNumber: Type.Integer(),
                blockHash: Type.String(),
                timestamp: Type.Integer(),
              }),
            }),
            ...errorResponses,
          },
        },
      },
      async () => context.chain.info(),
    );

    app.post(
      '/faucet',
      {
        schema: {
          operationId: 'useFaucet',
          tags: ['ledger'],
          summary: 'Dev chains: fund the signed-in wallet with gas, FAIR and test stablecoin (once an hour)',
          security,
          response: {
            200: Type.Object({
              address: Type.String(),
              eth: Type.String({ description: 'Wei sent' }),
              fair: Type.String({ description: 'FAIR base units sent' }),
              stablecoin: Type.String({ description: 'Test stablecoin base units sent (6 decimals)' }),
              transactions: Type.Array(Type.String()),
            }),
            429: Type.Ref('ErrorResponse'),
            503: Type.Ref('ErrorResponse'),
            ...errorResponses,
          },
        },
      },
      async (request) => context.chain.fundFromFaucet(requireAccount(request)),
    );
  };
}
