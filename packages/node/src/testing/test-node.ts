import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MultipartPart, multipartBody } from '@fairstream/sdk';
import pino from 'pino';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import { type NodeConfig, resolveConfig } from '../config.ts';
import { type CreateNodeOptions, createNode, type FairstreamNode } from '../node.ts';
import type { TestDatabase } from './databases.ts';

export interface TestNode {
  node: FairstreamNode;
  dataDir: string;
  close(): Promise<void>;
}

/** A real node (real database, blob store, ffmpeg) on a temp data folder, driven in-process. */
export async function startTestNode(
  database: TestDatabase,
  overrides: Partial<NodeConfig> = {},
  options: Omit<CreateNodeOptions, 'logger'> = {},
): Promise<TestNode> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fairstream-node-'));
  const { setting, close: dropDatabase } = await database.open();
  const config = {
    ...resolveConfig({ data: dataDir, logLevel: 'silent', rpcPort: '0', web: 'none' }),
    db: setting === ':memory:' ? 'sqlite' : setting,
    ...overrides,
  };
  const node = await createNode(config, {
    ...options,
    logger: pino({ level: process.env.FAIRSTREAM_TEST_LOG ?? 'silent' }),
  });
  return {
    node,
    dataDir,
    async close() {
      await node.close();
      await dropDatabase();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function newAccount(): PrivateKeyAccount {
  return privateKeyToAccount(generatePrivateKey());
}

export async function signedLogin(
  node: FairstreamNode,
  account: PrivateKeyAccount,
  overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {},
) {
  const nonce = (await node.app.inject({ method: 'GET', url: '/api/v1/auth/nonce' })).json();
  const message = createSiweMessage({
    domain: nonce.domain,
    address: account.address,
    uri: nonce.uri,
    version: '1',
    chainId: nonce.chainId,
    nonce: nonce.nonce,
    issuedAt: new Date(),
    ...overrides,
  });
  const signature = await account.signMessage({ message });
  return { message, signature };
}

/** Signs in and returns the bearer token. */
export async function signIn(node: FairstreamNode, account: PrivateKeyAccount): Promise<string> {
  const body = await signedLogin(node, account);
  const response = await node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: body });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`);
  return response.json().token;
}

/** A multipart body as the SDK streams it, collected for app.inject. */
export async function multipart(
  parts: MultipartPart[],
): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const body = multipartBody(parts);
  const chunks: Uint8Array[] = [];
  for await (const chunk of body.stream as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return { payload: Buffer.concat(chunks), headers: { 'content-type': body.contentType } };
}

export function filePart(
  name: string,
  filename: string,
  bytes: Uint8Array,
  type = 'application/octet-stream',
): MultipartPart {
  return { name, filename, type, size: bytes.length, stream: () => new Blob([bytes]).stream() };
}
