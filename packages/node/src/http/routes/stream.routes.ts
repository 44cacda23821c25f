import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../errors.ts';
import type { TrackAsset } from '../../repositories/tracks.repository.ts';
import { STREAM_FORMATS, type StreamFormat } from '../../services/tracks.service.ts';
import { parseCid } from '../../storage/cid.ts';
import { FsBlobStore } from '../../storage/fs-blob-store.ts';
import type { AppContext } from '../app.ts';
import { viewerOf } from '../authenticate.ts';
import { BufferPool } from '../buffer-pool.ts';
import { parseRange } from '../range.ts';
import { errorRef, errorResponses, ShareQuery, TrackIdParams } from '../schemas.ts';

/** Ranges up to 1 MiB are read into one pooled buffer: faster than a stream for players' typical requests. */
const rangeBuffers = new BufferPool(1024 * 1024, 256);
const IMMUTABLE = 'public, max-age=31536000, immutable';

const binaryResponses = {
  200: Type.Any({ description: 'The bytes' }),
  206: Type.Any({ description: 'The requested byte range' }),
  304: Type.Null({ description: 'Not modified (ETag matched)' }),
  416: Type.Any({ description: 'Range not satisfiable' }),
  // chain_unavailable: a token gate could not be checked against the chain.
  503: errorRef,
  ...errorResponses,
  410: errorRef,
};

export function streamRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async function stream(app) {
    const streamParams = {
      params: TrackIdParams,
      querystring: Type.Object({
        format: Type.Optional(
          Type.Union(
            STREAM_FORMATS.map((format) => Type.Literal(format)),
            { default: 'opus' },
          ),
        ),
        ...ShareQuery,
      }),
    };
    const blobParams = {
      params: Type.Object({ cid: Type.String({ maxLength: 100 }) }),
      querystring: Type.Object(ShareQuery),
    };
    app.get(
      '/tracks/:id/stream',
      {
        exposeHeadRoute: false,
        schema: {
          operationId: 'streamTrack',
          tags: ['streaming'],
          summary: 'Stream a rendition with HTTP byte ranges (never counts a play)',
          description:
            'Supports Range, If-Range and If-None-Match; the ETag is the CID of the bytes. Hidden tracks ' +
            'stream only to their owner and collaborators or with ?share=<token>. A track delisted by an ' +
            'operator streams only to its owner: others get 410 track_delisted.',
          ...streamParams,
          response: binaryResponses,
        },
      },
      streamTrack,
    );
    app.head('/tracks/:id/stream', { schema: { hide: true, ...streamParams } }, streamTrack);

    app.get(
      '/blobs/:cid',
      {
        exposeHeadRoute: false,
        schema: {
          operationId: 'getBlob',
          tags: ['streaming'],
          summary: 'Content-addressed bytes of a track asset (cover art, waveform, renditions) or an avatar',
          ...blobParams,
          response: binaryResponses,
        },
      },
      getBlob,
    );
    app.head('/blobs/:cid', { schema: { hide: true, ...blobParams } }, getBlob);

    async function streamTrack(
      request: FastifyRequest<{
        Params: { id: string };
        Querystring: { format?: StreamFormat; share?: string };
      }>,
      reply: FastifyReply,
    ) {
      const { format = 'opus', share } = request.query;
      const { asset } = await context.tracks.streamAsset(request.params.id, format, viewerOf(request, share));
      // The URL names a track, whose access can change; clients revalidate cheaply by ETag.
      return sendBlob(context, request, reply, asset, 'private, no-cache');
    }

    async function getBlob(
      request: FastifyRequest<{ Params: { cid: string }; Querystring: { share?: string } }>,
      reply: FastifyReply,
    ) {
      const cid = parseCid(request.params.cid);
      if (!cid)
        throw new AppError(400, 'invalid_cid', 'The path must end in a CIDv1 (raw, sha2-256), e.g. bafkrei…');
      let found: Awaited<ReturnType<typeof context.tracks.blobForViewer>>;
      try {
        found = await context.tracks.blobForViewer(cid, viewerOf(request, request.query.share));
      } catch (error) {
        // Not a track's blob the viewer may see: avatars are public to everyone.
        if (!(error instanceof AppError) || error.status !== 404) throw error;
        const avatar = await context.profiles.avatarBlob(cid);
        if (!avatar) throw error;
        return sendBlob(context, request, reply, avatar, IMMUTABLE);
      }
      const { asset, public: isPublic } = found;
      return sendBlob(
        context,
        request,
        reply,
        asset,
        isPublic ? IMMUTABLE : 'private, max-age=31536000, immutable',
      );
    }
  };
}

async function sendBlob(
  context: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  asset: Pick<TrackAsset, 'cid' | 'mime' | 'size'>,
  cacheControl: string,
) {
  const etag = `"${asset.cid}"`;
  reply.header('ETag', etag).header('Cache-Control', cacheControl).header('Accept-Ranges', 'bytes');
  reply.header('Content-Type', asset.mime).header('X-Content-Type-Options', 'nosniff');
  if (ifNoneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();

  const ifRange = request.headers['if-range'];
  const rangeHeader = ifRange === undefined || ifRange === etag ? request.headers.range : undefined;
  const range = parseRange(rangeHeader, asset.size);
  if (range === 'unsatisfiable') {
    request.log.info({ range: rangeHeader }, 'range not satisfiable');
    return reply
      .code(416)
      .header('Content-Range', `bytes */${asset.size}`)
      .type('application/json')
      .send({
        error: {
          code: 'range_not_satisfiable',
          message: `The Range header must be one range such as "bytes=0-1023" within the ${asset.size} bytes`,
        },
      });
  }
  const { start, end } = range === 'none' ? { start: 0, end: asset.size - 1 } : range;
  if (range !== 'none') reply.code(206).header('Content-Range', `bytes ${start}-${end}/${asset.size}`);
  reply.header('Content-Length', end - start + 1);
  // Explicit HEAD routes keep Content-Length; Fastify's automatic ones would read the whole file.
  if (request.method === 'HEAD' || asset.size === 0) return reply.send();
  if (context.blobs instanceof FsBlobStore && end - start + 1 <= rangeBuffers.bufferSize) {
    const buffer = rangeBuffers.acquire();
    // 'close' follows 'finish' (the bytes are with the kernel) or an abort: either way nothing reads it.
    reply.raw.once('close', () => rangeBuffers.release(buffer));
    return reply.send(await context.blobs.readRange(asset.cid, start, end, buffer));
  }
  return reply.send(await context.blobs.createReadStream(asset.cid, { start, end }));
}

function ifNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return (
    header.trim() === '*' ||
    header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag)
  );
}
