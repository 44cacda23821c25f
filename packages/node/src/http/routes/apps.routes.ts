import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../app.ts';
import { requireAccount } from '../authenticate.ts';
import { AddressParams, errorResponses } from '../schemas.ts';

const security: { [scheme: string]: string[] }[] = [{ bearer: [] }, { cookie: [] }];

const appFields = {
  appId: Type.String({ description: 'What reports name in `appId`: 1–64 of A-Z a-z 0-9 _ . : -' }),
  name: Type.String(),
  owner: Type.String({ description: "The owner's wallet (lower case): the app's rewards are paid to it" }),
  chainId: Type.Integer(),
  registeredAt: Type.Integer({ description: 'Unix ms, as signed' }),
  signature: Type.String({ description: "The owner's personal_sign signature of `message`" }),
  message: Type.String({ description: 'The registration message the owner signed' }),
};

const App = Type.Object(appFields);
const AppIdParams = Type.Object({ appId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }) });

export function appRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function apps(app) {
    app.post(
      '/apps',
      {
        bodyLimit: 16 * 1024,
        schema: {
          operationId: 'registerApp',
          tags: ['apps'],
          summary: 'Register an app, so that its playback reports earn it a share of the FAIR rewards',
          description:
            "The owner's wallet signs (personal_sign) `appRegistrationMessage` of the fields (from " +
            '@fairstream/protocol) and the signed-in owner posts them. `registeredAt` must be within 10 ' +
            "minutes of the node's clock. An app id belongs to its first registration: the same " +
            'registration again answers 200, another one 409. Reports naming an app id that is not ' +
            'registered are rejected (`unknown_app`). Each epoch, APP_REWARDS_POLICY.sharePpm of the FAIR ' +
            'rewards is divided among apps by the counted plays they delivered, weighted by what each ' +
            'listener paid (GET /rules describes it).',
          security,
          body: Type.Object(
            {
              appId: Type.String(),
              name: Type.String(),
              owner: Type.String(),
              chainId: Type.Integer(),
              registeredAt: Type.Integer(),
              signature: Type.String(),
            },
            { additionalProperties: false },
          ),
          response: { 200: App, 201: App, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { created, app: registered } = await context.apps.register(
          requireAccount(request),
          request.body,
        );
        if (created) request.log.info({ appId: registered.appId, owner: registered.owner }, 'app registered');
        return reply.code(created ? 201 : 200).send(registered);
      },
    );

    app.get(
      '/apps/:appId',
      {
        schema: {
          operationId: 'getApp',
          tags: ['apps'],
          summary: "An app's registration and what it delivered and earned in each published epoch",
          params: AppIdParams,
          response: {
            200: Type.Object({
              ...appFields,
              policy: Type.Object({
                version: Type.Integer(),
                sharePpm: Type.Integer({ description: "The apps' share of each epoch's FAIR rewards, ppm" }),
              }),
              countedPlays: Type.Integer({ description: 'Over the epochs listed' }),
              earned: Type.String({ description: 'FAIR base units over the epochs listed, decimal' }),
              epochs: Type.Array(
                Type.Object({
                  epoch: Type.Integer(),
                  countedPlays: Type.Integer(),
                  listeners: Type.Integer(),
                  amount: Type.String({ description: 'FAIR base units paid to the owner, decimal' }),
                }),
                { description: 'Newest first, at most 52' },
              ),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => context.apps.dashboard(request.params.appId),
    );

    app.get(
      '/accounts/:address/apps',
      {
        schema: {
          operationId: 'getAccountApps',
          tags: ['apps'],
          summary: 'The apps an account registered',
          params: AddressParams,
          response: { 200: Type.Object({ apps: Type.Array(App) }), ...errorResponses },
        },
      },
      async (request) => ({ apps: await context.apps.ofOwner(request.params.address) }),
    );
  };
}
