import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChainLogger } from '../logger.ts';
import type { Eip1193Provider } from './journaled-provider.ts';

export type StartRpcServerParameters = {
  provider: Eip1193Provider;
  /** Default 127.0.0.1: the dev accounts are unlocked, so the RPC must not face a network. */
  host?: string;
  /** Default 8545 (what wallets and tools expect of a local chain); 0 picks a free port. */
  port?: number;
  /** Largest request body accepted; default 10 MiB (a batch of contract deployments fits). */
  maxBodyBytes?: number;
  logger?: ChainLogger;
};

export type RpcServer = {
  url: string;
  port: number;
  close(): Promise<void>;
};

type JsonRpcId = string | number | null;
type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: JsonRpcId; result: unknown }
  | { jsonrpc: '2.0'; id: JsonRpcId; error: { code: number; message: string; data?: unknown } };

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const INTERNAL_ERROR = -32603;
const MAX_BATCH = 1000;

// Browser wallets and dapps call the RPC from other origins (the web app, MetaMask's extension page).
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, GET, OPTIONS',
  'access-control-allow-headers': 'content-type, authorization',
  'access-control-max-age': '86400',
};

/**
 * Serves an EIP-1193 provider as HTTP JSON-RPC 2.0 (single and batch requests), so MetaMask, viem,
 * cast and ethers can use the embedded chain. Every call goes through the given provider, so state
 * changes are journaled exactly as in-process ones.
 */
export async function startRpcServer(parameters: StartRpcServerParameters): Promise<RpcServer> {
  const { provider, host = '127.0.0.1', port = 8545, maxBodyBytes = 10 * 1024 * 1024, logger } = parameters;

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger?.warn({ err: error }, 'chain RPC request failed');
      if (!response.headersSent) send(response, 500, errorResponse(null, INTERNAL_ERROR, 'Internal error'));
      else response.destroy();
    });
  });
  // Wallets keep connections open; don't let an idle one hold the process at stop.
  server.keepAliveTimeout = 5_000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'OPTIONS') {
      response.writeHead(204, CORS_HEADERS).end();
      return;
    }
    if (request.method === 'GET') {
      // A human (or a health check) opening the URL in a browser.
      send(response, 200, { name: 'Fairstream embedded chain', jsonrpc: 'POST JSON-RPC 2.0 requests here' });
      return;
    }
    if (request.method !== 'POST') {
      send(response, 405, errorResponse(null, INVALID_REQUEST, 'Use POST for JSON-RPC requests'));
      return;
    }
    const declared = Number(request.headers['content-length']);
    if (declared > maxBodyBytes) {
      send(
        response,
        413,
        errorResponse(null, INVALID_REQUEST, `Request body larger than ${maxBodyBytes} bytes`),
      );
      request.resume();
      return;
    }
    const body = await readBody(request, maxBodyBytes);
    if (body === undefined) {
      send(
        response,
        413,
        errorResponse(null, INVALID_REQUEST, `Request body larger than ${maxBodyBytes} bytes`),
      );
      return;
    }

    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      send(response, 200, errorResponse(null, PARSE_ERROR, 'Parse error: the body is not valid JSON'));
      return;
    }

    if (Array.isArray(payload)) {
      if (payload.length === 0) {
        send(response, 200, errorResponse(null, INVALID_REQUEST, 'Invalid request: empty batch'));
        return;
      }
      if (payload.length > MAX_BATCH) {
        send(response, 200, errorResponse(null, INVALID_REQUEST, `Invalid request: batch over ${MAX_BATCH}`));
        return;
      }
      // In order, one at a time: a batch of dependent transactions (nonce n, n+1) must apply in order.
      const results: JsonRpcResponse[] = [];
      for (const item of payload) {
        const result = await call(item);
        if (result) results.push(result);
      }
      if (results.length === 0) response.writeHead(204, CORS_HEADERS).end();
      else send(response, 200, results);
      return;
    }
    const result = await call(payload);
    if (result) send(response, 200, result);
    else response.writeHead(204, CORS_HEADERS).end();
  }

  /** One JSON-RPC request; undefined for a notification (no id), which gets no response. */
  async function call(item: unknown): Promise<JsonRpcResponse | undefined> {
    const message = item as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown } | null;
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return errorResponse(null, INVALID_REQUEST, 'Invalid request: expected a JSON-RPC object');
    }
    const id = validId(message.id);
    if (message.jsonrpc !== '2.0' || typeof message.method !== 'string' || id === undefined) {
      return errorResponse(
        id ?? null,
        INVALID_REQUEST,
        'Invalid request: needs jsonrpc "2.0", a method and an id',
      );
    }
    const params = message.params;
    if (params !== undefined && (typeof params !== 'object' || params === null)) {
      return errorResponse(id, INVALID_REQUEST, 'Invalid request: params must be an array or an object');
    }
    const isNotification = !('id' in message);
    try {
      const result = await provider.request({ method: message.method, params });
      return isNotification ? undefined : { jsonrpc: '2.0', id, result: result ?? null };
    } catch (error) {
      if (isNotification) return undefined;
      const { code, message: text, data } = error as { code?: unknown; message?: unknown; data?: unknown };
      return errorResponse(
        id,
        typeof code === 'number' && Number.isInteger(code) ? code : INTERNAL_ERROR,
        typeof text === 'string' ? text : 'Internal error',
        data,
      );
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  return {
    url,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function validId(id: unknown): JsonRpcId | undefined {
  if (id === undefined) return null; // a notification
  if (id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return id;
  return undefined;
}

function errorResponse(id: JsonRpcId, code: number, message: string, data?: unknown): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_key, value) =>
    typeof value === 'bigint' ? `0x${value.toString(16)}` : value,
  );
  response.writeHead(status, {
    ...CORS_HEADERS,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** The body, or undefined once it grows past the limit (the rest is discarded, not buffered). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of request) {
    if (tooLarge) continue;
    size += (chunk as Buffer).length;
    if (size > limit) {
      tooLarge = true;
      chunks.length = 0;
      continue;
    }
    chunks.push(chunk as Buffer);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}
