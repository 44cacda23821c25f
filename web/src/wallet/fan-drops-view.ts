/** The wallet's fan drops, browser side: pure, so it is unit-tested (fan-drops-view.test.ts). */
import type { paths } from '@fairstream/sdk';

export type AccountDrops =
  paths['/api/v1/accounts/{address}/drops']['get']['responses'][200]['content']['application/json'];
export type AccountDrop = AccountDrops['drops'][number];

export type DropState = 'claimable' | 'claimed' | 'expired';

/**
 * Where a fan's part of a drop stands: claimed once the drop paid this address (by a push or a
 * claim); claimable while it is unpaid and claims are open; expired once claims closed (or the
 * artist took back the rest) without paying it.
 */
export function dropState(
  drop: Pick<AccountDrop, 'paid' | 'claimable' | 'expiresAt' | 'reclaimed'>,
  now = Date.now(),
): DropState {
  if (drop.paid) return 'claimed';
  if (drop.claimable && !drop.reclaimed && drop.expiresAt > now) return 'claimable';
  return 'expired';
}

export const DROP_STATE_LABEL: Record<DropState, string> = {
  claimable: 'Claimable',
  claimed: 'Claimed',
  expired: 'Expired',
};
