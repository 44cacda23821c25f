import type { Track } from '@fairstream/sdk';
import { formatUnits, shortAddress } from '../lib/format.ts';

/** Tokens whose decimals the app knows (the node's own contracts); others are shown in base units. */
const KNOWN_TOKENS: Record<string, { symbol: string; decimals: number }> = {
  FairToken: { symbol: 'FAIR', decimals: 18 },
  TestStablecoin: { symbol: 'tUSD', decimals: 6 },
};

/** "at least 5 FAIR", or "at least 1000 base units of token 0x12ab…cdef" for a token the app does not know. */
export function gateAmount(track: Track, contracts: Record<string, string> = {}): string {
  const { token, minBalance } = track.access;
  if (!token) return 'the gate token';
  const amount = minBalance ?? '1';
  for (const [name, known] of Object.entries(KNOWN_TOKENS)) {
    if (contracts[name]?.toLowerCase() === token.toLowerCase()) {
      return `at least ${formatUnits(amount, known.decimals)} ${known.symbol}`;
    }
  }
  return `at least ${formatUnits(amount, 0)} base units of token ${shortAddress(token)}`;
}

/** Whether the listener may stream the whole track without asking the node: free, or their own. */
export function playsInFullWithoutCheck(track: Track, address: string | undefined): boolean {
  if (track.access.kind !== 'token') return true;
  if (!address) return false;
  const me = address.toLowerCase();
  return track.owner.toLowerCase() === me || track.splits.some((split) => split.address.toLowerCase() === me);
}

/** What the bar says while only the preview plays: what the full track needs, and how to get there. */
export function previewReason(
  track: Track,
  address: string | undefined,
  contracts?: Record<string, string>,
): string {
  const needs = gateAmount(track, contracts);
  return address
    ? `The full track is for holders of ${needs}; your wallet holds less.`
    : `The full track is for holders of ${needs}: sign in with a wallet that holds them.`;
}
