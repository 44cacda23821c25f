import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, badRequest, notFound } from '../../errors.ts';
import type { AppContext } from '../app.ts';
import { errorRef, errorResponses } from '../schemas.ts';
import {
  appTrackPage,
  artistOf,
  EMBED_SIZE,
  embedPage,
  html,
  NOT_FOUND_PAGE,
  pageHeaders,
  shareUrls,
  trackPage,
} from '../share-pages.ts';
import { securityHeaders } from './web.routes.ts';

const TRACK_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `GET /t/:id` (the page a shared link unfurls to) and `GET /embed/:id` (the player in an iframe). */
export function sharePageRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  /** The web app's index.html, when the node serves the app (read per request: a rebuild shows at once). */
  const appIndex = () =>
    context.webRoot === undefined
      ? Promise.resolve(undefined)
      : readFile(join(context.webRoot, 'index.html'), 'utf8').catch(() => undefined);
  return async function sharePages(app) {
    app.get<{ Params: { id: string } }>('/t/:id', { schema: { hide: true } }, async (request, reply) => {
      const index = await appIndex();
      const track = TRACK_ID.test(request.params.id)
        ? await context.discovery.listedTrack(request.params.id).catch(notFoundAsUndefined)
        : undefined;
      if (index !== undefined) {
        // The app's track page, unfurled for listed tracks. For anything else the bare app, the same
        // for unknown and hidden tracks: the app asks the API, which shows a hidden one to its owner.
        const headers = { ...securityHeaders(context.publicUrl), 'Cache-Control': 'no-cache' };
        const page = track ? appTrackPage(index, track, context.publicUrl) : index;
        return reply.code(200).headers(headers).type('text/html; charset=utf-8').send(page);
      }
      const headers = pageHeaders(context.publicUrl, 'nowhere');
      if (!track) return reply.code(404).headers(headers).send(NOT_FOUND_PAGE);
      return reply.code(200).headers(headers).send(trackPage(track, context.publicUrl));
    });
    app.get<{ Params: { id: string } }>('/embed/:id', { schema: { hide: true } }, async (request, reply) => {
      const headers = pageHeaders(context.publicUrl, 'anywhere');
      const track = TRACK_ID.test(request.params.id)
        ? await context.discovery.listedTrack(request.params.id).catch(notFoundAsUndefined)
        : undefined;
      // Unknown, hidden, unfinished or delisted: the same bare page, nothing that tells them apart.
      if (!track) return reply.code(404).headers(headers).send(NOT_FOUND_PAGE);
      return reply.code(200).headers(headers).send(embedPage(track, context.publicUrl));
    });
  };
}

function notFoundAsUndefined(error: unknown): undefined {
  if (error instanceof AppError && error.status === 404) return undefined;
  throw error;
}

/** oEmbed 1.0 (https://oembed.com): a rich embed of a track page or player URL of this node. */
export function oembedRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function oembed(app) {
    app.get(
      '/oembed',
      {
        schema: {
          operationId: 'getOembed',
          tags: ['discovery'],
          summary: 'oEmbed for a track page (/t/{id}) or player (/embed/{id}) URL of this node',
          querystring: Type.Object({
            url: Type.String({ minLength: 1, maxLength: 2000, description: 'The track page URL' }),
            format: Type.Optional(
              Type.String({ maxLength: 10, default: 'json', description: 'json (xml: 501)' }),
            ),
            maxwidth: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
            maxheight: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
          }),
          response: {
            200: Type.Object({
              version: Type.Literal('1.0'),
              type: Type.Literal('rich'),
              provider_name: Type.String(),
              provider_url: Type.String(),
              title: Type.String(),
              author_name: Type.String(),
              html: Type.String({ description: 'An iframe of the embeddable player' }),
              width: Type.Integer(),
              height: Type.Integer(),
              thumbnail_url: Type.Optional(Type.String()),
              thumbnail_width: Type.Optional(Type.Integer()),
              thumbnail_height: Type.Optional(Type.Integer()),
              cache_age: Type.Integer(),
            }),
            ...errorResponses,
            501: errorRef,
          },
        },
      },
      async (request, reply) => {
        const { url, format = 'json', maxwidth, maxheight } = request.query;
        if (format === 'xml') {
          return reply.code(501).send({
            error: { code: 'format_not_supported', message: 'Only format=json is served; xml is not' },
          });
        }
        if (format !== 'json') throw badRequest('invalid_format', 'format must be json');
        let target: URL;
        try {
          target = new URL(url);
        } catch {
          throw badRequest('invalid_url', 'url must be an absolute URL such as <node>/t/<trackId>');
        }
        const origin = new URL(context.publicUrl).origin;
        const match = /^\/(?:t|embed)\/([A-Za-z0-9_-]{1,64})\/?$/.exec(target.pathname);
        // Not ours, or not a track: oEmbed's answer for a URL it has nothing for is 404.
        if (target.origin !== origin || !match) throw notFound('An embed for that URL');
        const track = await context.discovery.listedTrack(match[1]!);
        const urls = shareUrls(track, context.publicUrl);
        const width = Math.min(EMBED_SIZE.width, maxwidth ?? EMBED_SIZE.width);
        const height = Math.min(EMBED_SIZE.height, maxheight ?? EMBED_SIZE.height);
        const frame =
          `<iframe src="${html(urls.embed)}" width="${width}" height="${height}" frameborder="0" ` +
          `allow="autoplay; encrypted-media" loading="lazy" title="${html(`${track.title} on Fairstream`)}"></iframe>`;
        return {
          version: '1.0' as const,
          type: 'rich' as const,
          provider_name: 'Fairstream',
          provider_url: `${context.publicUrl}/`,
          title: track.title,
          author_name: artistOf(track),
          html: frame,
          width,
          height,
          ...(urls.cover ? { thumbnail_url: urls.cover, thumbnail_width: 1000, thumbnail_height: 1000 } : {}),
          cache_age: 3600,
        };
      },
    );
  };
}
