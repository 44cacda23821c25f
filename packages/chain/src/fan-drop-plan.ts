import type { Address, Hex } from 'viem';

/**
 * An artist's fan drop as planned, kept before anything is sent (the CLI in a file, the web app in
 * the browser), so that a drop interrupted by a crash, a closed tab or a failed step is finished
 * later without paying twice: the drop is looked for on-chain by its creator and root from
 * `notBefore` on, then published and pushed.
 */
export interface FanDropPlan {
  format: 'fairstream-fan-drop/1';
  chainId: number;
  fanDrops: Address;
  creator: Address;
  reason: string;
  claimWindowSeconds: string;
  since: number | null;
  /** The latest block before the drop was sent: on resume, the drop is looked for from here. */
  notBefore: string;
  root: Hex;
  total: string;
  leaves: { account: Address; amount: string; plays: number; named: boolean }[];
  dropId: string | null;
  transactionHash: Hex | null;
  published: boolean;
  pushed: boolean;
}
