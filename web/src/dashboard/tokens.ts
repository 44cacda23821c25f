import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { formatUnits, shortAddress } from '../lib/format.ts';
import { useSession } from '../session/session.tsx';

export interface TokenInfo {
  symbol: string;
  decimals: number;
  /** Not known yet (the node has not answered): amounts show as "…" rather than as base units. */
  pending?: boolean;
}

/** FAIR is Fairstream's own ERC-20, 18 decimals like every FAIR deployment. */
const FAIR: TokenInfo = { symbol: 'FAIR', decimals: 18 };

let stablecoin: Promise<{ address: string; symbol: string; decimals: number } | undefined> | undefined;

/**
 * Names and decimals of the tokens money is paid in: the subscription stablecoin as the node
 * describes it (GET /subscriptions/terms) and FAIR (from the chain's contract list). Anything else
 * is shown in base units under its address.
 */
export function useTokens(): (token: string) => TokenInfo {
  const { chain } = useSession();
  const [coin, setCoin] = useState<{ address: string; symbol: string; decimals: number } | null>();
  useEffect(() => {
    stablecoin ??= api
      .GET('/api/v1/subscriptions/terms')
      .then((result) => result.data?.token)
      .catch(() => undefined);
    let live = true;
    void stablecoin.then((token) => {
      if (live) setCoin(token ?? null);
      if (!token) stablecoin = undefined;
    });
    return () => {
      live = false;
    };
  }, []);
  const fair = chain?.contracts.FairToken?.toLowerCase();
  return (token: string) => {
    const address = token.toLowerCase();
    if (fair && address === fair) return FAIR;
    if (coin && address === coin.address.toLowerCase())
      return { symbol: coin.symbol, decimals: coin.decimals };
    return { symbol: `units of ${shortAddress(token)}`, decimals: 0 };
  };
}

/** "12.5 tUSD": an exact amount with its token's symbol. */
export function money(amount: bigint | string, token: TokenInfo): string {
  if (token.pending) return '…';
  return `${formatUnits(amount, token.decimals)} ${token.symbol}`;
}
