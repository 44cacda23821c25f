import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../app.ts';
import { AddressParams, errorResponses } from '../schemas.ts';

/** How often the live earnings stream looks for newly finished epochs, and sends a keep-alive. */
export const LIVE_POLL_MS = 1000;
export const LIVE_HEARTBEAT_MS = 15_000;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const EpochParams = Type.Object({
  n: Type.Integer({ minimum: 0, description: 'Epoch number, a non-negative integer' }),
});

const TokenAmount = Type.Object({
  token: Type.String({ description: 'Token contract address (lower case)' }),
  amount: Type.String({ description: 'Base units, decimal' }),
});

const EpochSummary = Type.Object({
  n: Type.Integer(),
  state: Type.String({ description: 'judge, release, compute, publish, claim, done or empty' }),
  startsAt: Type.Integer({ description: 'Chain time, Unix ms (inclusive)' }),
  endsAt: Type.Integer({ description: 'Chain time, Unix ms (exclusive)' }),
  payoutRoot: Nullable(Type.String()),
  playsRoot: Nullable(Type.String()),
  releaseTx: Nullable(Type.String()),
  publishTx: Nullable(Type.String()),
  dataCid: Nullable(Type.String({ description: 'CID of the published epoch data (GET …/data)' })),
  totals: Type.Record(Type.String(), Type.String(), {
    description:
      'Sums recorded at settlement (released, paid, fee, rewards, countedPlays, cumulative:<token>…)',
  }),
  paidByToken: Type.Array(TokenAmount, { description: 'What the epoch pays per token, fee included' }),
  error: Nullable(Type.String({ description: 'Last failure of the current step, if any' })),
  updatedAt: Type.Integer(),
});

const EarningsItem = Type.Object({
  epoch: Type.Integer(),
  trackId: Type.String(),
  title: Nullable(Type.String()),
  token: Type.String(),
  countedPlays: Type.Integer({ description: 'Counted plays of the track in the epoch (all listeners)' }),
  amount: Type.String({ description: 'Paid to this address from the track, base units' }),
  status: Type.Union([Type.Literal('paid'), Type.Literal('pending')]),
  proRata: Nullable(Type.String({ description: 'What a pro-rata pool would have paid (stablecoin)' })),
  ratePerPlay: Type.String({ description: 'amount / countedPlays, 6 decimals, truncated' }),
});

const Earnings = Type.Object({
  address: Type.String(),
  items: Type.Array(EarningsItem),
  totals: Type.Array(
    Type.Object({
      token: Type.String(),
      amount: Type.String(),
      paid: Type.String(),
      pending: Type.String(),
      proRata: Type.String(),
    }),
  ),
});

export function epochsRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function epochs(app) {
    /** Open live streams, ended when the server closes so it is not held open by them. */
    const streams = new Set<() => void>();
    app.addHook('onClose', async () => {
      for (const cleanup of [...streams]) cleanup();
    });
    app.get(
      '/epochs',
      {
        schema: {
          operationId: 'listEpochs',
          tags: ['settlement'],
          summary: 'Settlement epochs, newest first',
          querystring: Type.Object({
            cursor: Type.Optional(
              Type.Integer({ minimum: 0, description: 'nextCursor of the previous page: epochs below it' }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          }),
          response: {
            200: Type.Object({ epochs: Type.Array(EpochSummary), nextCursor: Nullable(Type.Integer()) }),
            ...errorResponses,
          },
        },
      },
      async (request) =>
        context.earnings.listEpochs({ cursor: request.query.cursor, limit: request.query.limit ?? 50 }),
    );

    app.get(
      '/epochs/:n',
      {
        schema: {
          operationId: 'getEpoch',
          tags: ['settlement'],
          summary: 'One epoch: roots, transactions, totals and play counts',
          params: EpochParams,
          response: {
            200: Type.Object({
              ...EpochSummary.properties,
              plays: Type.Object({ counted: Type.Integer(), notCounted: Type.Integer() }),
              claimTxs: Type.Array(Type.String({ description: 'Claim and fee transactions' })),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => context.earnings.getEpoch(request.params.n),
    );

    app.get(
      '/epochs/:n/data',
      {
        schema: {
          operationId: 'getEpochData',
          tags: ['settlement'],
          summary: 'The published epoch data (JSON bytes exactly as published; the ETag is its CID)',
          params: EpochParams,
          response: {
            200: Type.Any({ description: 'The epoch data JSON (fairstream-epoch/1)' }),
            304: Type.Null({ description: 'Not modified (ETag matched)' }),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const data = await context.earnings.epochData(request.params.n);
        const etag = `"${data.cid}"`;
        reply
          .header('ETag', etag)
          .header('Cache-Control', 'public, max-age=31536000, immutable')
          .header('Content-Type', 'application/json')
          .header('X-Content-Type-Options', 'nosniff');
        const match = request.headers['if-none-match'];
        if (match?.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag)) {
          data.stream.destroy();
          return reply.code(304).send(null);
        }
        reply.header('Content-Length', data.size);
        return reply.send(data.stream);
      },
    );

    app.get(
      '/accounts/:address/earnings',
      {
        schema: {
          operationId: 'getEarnings',
          tags: ['settlement'],
          summary:
            'What an address earned per epoch and track, paid or pending, beside the pro-rata counterfactual',
          params: AddressParams,
          response: { 200: Earnings, ...errorResponses },
        },
      },
      async (request) => context.earnings.earnings(request.params.address),
    );

    app.get(
      '/accounts/:address/earnings/live',
      {
        schema: {
          operationId: 'streamEarnings',
          tags: ['settlement'],
          summary:
            "Server-sent events: an `epoch` event (JSON: the epoch and this address's earnings in it) whenever an epoch is done",
          params: AddressParams,
          response: {
            200: Type.String({ description: 'text/event-stream' }),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const address = request.params.address.toLowerCase();
        let last = await context.earnings.lastDoneEpoch();
        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        raw.write(`: connected; last done epoch ${last}\n\n`);
        let closed = false;
        let polling = false;
        const poll = async () => {
          if (closed || polling) return;
          polling = true;
          try {
            for (const epoch of await context.earnings.doneEpochsAfter(last)) {
              if (closed) return;
              const earnings = await context.earnings.earnings(address, { epochs: [epoch.n] });
              const payload = { epoch: await context.earnings.getEpoch(epoch.n), earnings };
              raw.write(`event: epoch\nid: ${epoch.n}\ndata: ${JSON.stringify(payload)}\n\n`);
              last = Math.max(last, epoch.n);
            }
          } catch (error) {
            request.log.warn({ err: error }, 'live earnings poll failed; trying again');
          } finally {
            polling = false;
          }
        };
        const poller = setInterval(() => void poll(), LIVE_POLL_MS);
        const heartbeat = setInterval(() => {
          if (!closed) raw.write(': heartbeat\n\n');
        }, LIVE_HEARTBEAT_MS);
        const cleanup = () => {
          if (closed) return;
          closed = true;
          clearInterval(poller);
          clearInterval(heartbeat);
          if (!raw.writableEnded) raw.end();
        };
        // The response closes when the client goes away (the request's own 'close' fires once its
        // body is read, too early for a stream).
        raw.on('close', cleanup);
        streams.add(cleanup);
        raw.on('close', () => streams.delete(cleanup));
        raw.on('error', cleanup);
      },
    );
  };
}
