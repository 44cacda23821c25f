import { useEffect, useState } from 'react';
import { api, unwrap } from '../api.ts';
import type { ChainInfo } from '../session/session.tsx';
import { type TokenInfo, tokenInfo } from './chain.ts';

export interface PlatformTokens {
  fair: TokenInfo | undefined;
  /** The stablecoin subscriptions are paid in (the test stablecoin on a dev chain). */
  stable: TokenInfo | undefined;
  error: string | undefined;
}

async function loadPlatformTokens(chain: ChainInfo): Promise<Omit<PlatformTokens, 'error'>> {
  const stableAddress =
    chain.contracts.TestStablecoin ??
    (await api
      .GET('/api/v1/subscriptions/terms')
      .then(unwrap)
      .then((terms) => terms.token.address)
      .catch(() => undefined));
  const [fair, stable] = await Promise.all([
    chain.contracts.FairToken ? tokenInfo(chain.rpcUrl, chain.contracts.FairToken) : undefined,
    stableAddress ? tokenInfo(chain.rpcUrl, stableAddress) : undefined,
  ]);
  return { fair, stable };
}

/** FAIR and the stablecoin on the node's chain, with their symbols and decimals read from the chain. */
export function usePlatformTokens(chain: ChainInfo | undefined): PlatformTokens {
  const [tokens, setTokens] = useState<PlatformTokens>({
    fair: undefined,
    stable: undefined,
    error: undefined,
  });
  useEffect(() => {
    if (!chain) return;
    let live = true;
    loadPlatformTokens(chain).then(
      (loaded) => live && setTokens({ ...loaded, error: undefined }),
      () =>
        live &&
        setTokens({
          fair: undefined,
          stable: undefined,
          error:
            'The chain could not be reached to read the tokens. Check that the node is running, then reload.',
        }),
    );
    return () => {
      live = false;
    };
  }, [chain]);
  return tokens;
}
