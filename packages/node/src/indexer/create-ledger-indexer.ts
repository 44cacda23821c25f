import { subscriptionVaultAbi } from '@fairstream/chain';
import type { Logger } from 'pino';
import type { Ledger } from '../chain/ledger.ts';
import type { NodeConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import { ChainEventsRepository } from '../repositories/chain-events.repository.ts';
import { LedgerIndexer } from './ledger-indexer.ts';

/**
 * Public chains reorganize near their head; 12 blocks deep, reorgs are rare enough that the
 * rollback path is a safety net, not routine. The embedded chain never reorganizes.
 */
const PUBLIC_CHAIN_CONFIRMATIONS = 12;
/** Public chains make a block every few seconds: polling faster only spends RPC quota. */
const PUBLIC_CHAIN_POLL_MS = 4000;

/** The node's ledger indexer: every event of the deployment's contracts, into the node's database. */
export function createLedgerIndexer(
  db: Db,
  ledger: Ledger,
  config: NodeConfig,
  logger: Logger,
): LedgerIndexer {
  const embedded = !config.chain;
  return new LedgerIndexer(new ChainEventsRepository(db), ledger.publicClient, {
    chainId: ledger.chainId,
    deployment: ledger.deployment,
    logger: logger.child({ component: 'ledger-indexer' }),
    confirmations: embedded ? 0 : PUBLIC_CHAIN_CONFIRMATIONS,
    pollIntervalMs: embedded ? 1000 : PUBLIC_CHAIN_POLL_MS,
    // The stablecoin subscriptions are paid in: on a public chain an outside token (USDC), whose
    // movements to and from the contracts make up most of a wallet's history.
    followTokens: async () => {
      const vault = ledger.deployment.contracts.SubscriptionVault;
      if (!vault) return [];
      const token = await ledger.publicClient.readContract({
        address: vault,
        abi: subscriptionVaultAbi,
        functionName: 'token',
      });
      return [{ address: token, name: 'Stablecoin' }];
    },
  });
}
