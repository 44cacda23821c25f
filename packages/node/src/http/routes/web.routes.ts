import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

/** Paths the node answers itself; everything else under / is the app's client-side routing. */
const NODE_PATHS = /^\/(api|blobs|t|embed|oembed)(\/|$)/;

export interface WebAppOptions {
  /** Folder of the built app; without an index.html there, / explains how to build it. */
  root: string;
  /** Origin of the node, for the Content-Security-Policy. */
  publicUrl: string;
}

/**
 * Serves the web app: hashed assets under /assets/ cached for good, every other path the app's
 * index.html (its router decides what to show), so a deep link or a reload lands on the right page.
 */
export function webAppRoutes(options: WebAppOptions): FastifyPluginAsyncTypebox {
  const root = normalize(options.root.endsWith(sep) ? options.root : options.root + sep);
  return async function webApp(app) {
    app.get<{ Params: { '*': string } }>('/*', { schema: { hide: true } }, async (request, reply) => {
      const path = decodeURIComponentSafe(request.params['*']);
      if (NODE_PATHS.test(request.url)) {
        return reply.code(404).send({ error: { code: 'not_found', message: `No route ${request.url}` } });
      }
      if (path !== undefined && path !== '' && !path.endsWith('/')) {
        const file = normalize(join(root, path));
        if (file.startsWith(root)) {
          const info = await stat(file).catch(() => undefined);
          if (info?.isFile()) {
            const immutable = path.startsWith('assets/');
            return sendFile(reply, file, info.size, immutable);
          }
        }
        // A missing asset is a 404, not the app: a stale page asking for an old chunk must see it fail.
        // Only top-level names count as files (favicon.ico): a deep link may hold a dot (/apps/com.example.player).
        if (path.startsWith('assets/') || (!path.includes('/') && extname(path) !== '')) {
          return reply.code(404).send({ error: { code: 'not_found', message: `No file /${path}` } });
        }
      }
      const index = await readFile(join(root, 'index.html'), 'utf8').catch(() => undefined);
      if (index === undefined) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send(
            'The web app is not built yet. Run `npm run build -w @fairstream/web` (npm start does it for you), then reload.\n' +
              'The API is up meanwhile: /api/v1 (docs at /api/docs).\n',
          );
      }
      return reply
        .code(200)
        .headers({ ...securityHeaders(options.publicUrl), 'Cache-Control': 'no-cache' })
        .type('text/html; charset=utf-8')
        .send(index);
    });
  };
}

function sendFile(reply: FastifyReply, file: string, size: number, immutable: boolean) {
  return reply
    .code(200)
    .headers({
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(size),
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    })
    .send(createReadStream(file));
}

/** The app talks to this node and to wallets only; media and images come from the node. */
export function securityHeaders(publicUrl: string): Record<string, string> {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Content-Security-Policy': [
      "default-src 'self'",
      "script-src 'self' 'wasm-unsafe-eval'",
      "style-src 'self' 'unsafe-inline'",
      `img-src 'self' data: blob: ${new URL(publicUrl).origin}`,
      `media-src 'self' blob: ${new URL(publicUrl).origin}`,
      // The embedded chain's JSON-RPC (another port of this host) for wallet transactions.
      "connect-src 'self' http://127.0.0.1:* http://localhost:* https:",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'self'",
    ].join('; '),
  };
}

function decodeURIComponentSafe(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
