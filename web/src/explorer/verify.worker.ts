/**
 * Re-verifies an epoch off the main thread with `fairstream verify`'s own audit (@fairstream/cli/verify):
 * thousands of signatures and a Merkle tree of every payout take a while, and the page stays
 * responsive meanwhile. Its only inputs are public: the node's API (same origin) and the chain's
 * JSON-RPC.
 */
import type { AuditProgress, EpochAudit } from '@fairstream/cli/verify';

export interface VerifyRequest {
  /** The node's origin. */
  api: string;
  rpcUrl: string;
  chainId: number;
  contracts: Record<string, string>;
  epoch: number;
}

export type VerifyMessage =
  | { type: 'progress'; progress: AuditProgress }
  | { type: 'done'; epochs: EpochAudit[] }
  | { type: 'error'; message: string };

const post = (message: VerifyMessage) => self.postMessage(message);

// The handler is attached before the audit is loaded: the audit's keccak compiles its WebAssembly
// with a top-level await, and a message that arrives while a module worker is still evaluating
// would find no handler and be lost.
self.onmessage = async (event: MessageEvent<VerifyRequest>) => {
  const request = event.data;
  try {
    const [{ auditEpochs }, { createPublicClient, http }] = await Promise.all([
      import('@fairstream/cli/verify'),
      import('viem'),
    ]);
    const result = await auditEpochs({
      api: request.api,
      chainId: request.chainId,
      contracts: request.contracts,
      client: createPublicClient({ transport: http(request.rpcUrl) }),
      only: request.epoch,
      onProgress: (progress) => post({ type: 'progress', progress }),
    });
    post({ type: 'done', epochs: result.epochs });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
