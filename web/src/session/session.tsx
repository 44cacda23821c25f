import {
  createSessionKey,
  delegateSessionKey,
  type SessionKey,
  signIn as signInWithEthereum,
} from '@fairstream/sdk';
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, errorMessage } from '../api.ts';
import { deleteSessionKey, loadSessionKey, saveSessionKey } from './session-key-store.ts';
import { connectInjected, devWallet, forgetDevWallet, injectedProvider, type Wallet } from './wallet.ts';

export interface ChainInfo {
  chainId: number;
  rpcUrl: string;
  devChain: boolean;
  contracts: Record<string, string>;
}

export interface Session {
  chain: ChainInfo | undefined;
  /** The signed-in account (lower-case as the node returns it), once known. */
  address: string | undefined;
  /** The wallet that can sign for it in this tab (absent after a reload until it reconnects). */
  wallet: Wallet | undefined;
  /** Still finding out whether a session cookie is there. */
  loading: boolean;
  busy: string | undefined;
  error: string | undefined;
  signIn(kind: 'injected' | 'dev'): Promise<void>;
  signOut(): Promise<void>;
  /** The session key that signs playback reports, delegated by the wallet when needed. */
  sessionKey(): Promise<SessionKey | undefined>;
  /** Re-reads the session after a page changes it (e.g. the faucet). */
  refresh(): void;
  clearError(): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>');
  return session;
}

export function SessionProvider({ children }: { children: React.ReactNode }) {
  const [chain, setChain] = useState<ChainInfo>();
  const [address, setAddress] = useState<string>();
  const [wallet, setWallet] = useState<Wallet>();
  const [loading, setLoading] = useState(true);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const [generation, setGeneration] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is how refresh() asks for a re-read.
  useEffect(() => {
    let live = true;
    (async () => {
      const [chainResult, sessionResult] = await Promise.all([
        api.GET('/api/v1/chain').catch(() => undefined),
        api.GET('/api/v1/auth/session').catch(() => undefined),
      ]);
      if (!live) return;
      const info = chainResult?.data as ChainInfo | undefined;
      setChain(info);
      const signedIn = sessionResult?.data?.address;
      setAddress(signedIn);
      if (signedIn && info) {
        // The same wallet can sign again without a prompt: the dev wallet, or an injected one already connected.
        const dev = info.devChain ? devWallet(info.rpcUrl, false) : undefined;
        if (dev && dev.address.toLowerCase() === signedIn.toLowerCase()) setWallet(dev);
        else {
          const provider = injectedProvider();
          const accounts = (await provider?.request({ method: 'eth_accounts' }).catch(() => [])) as
            | string[]
            | undefined;
          if (live && provider && accounts?.some((a) => a.toLowerCase() === signedIn.toLowerCase())) {
            setWallet(await connectInjected(provider));
          }
        }
      }
      if (live) setLoading(false);
    })();
    return () => {
      live = false;
    };
  }, [generation]);

  const signIn = useCallback(
    async (kind: 'injected' | 'dev') => {
      setError(undefined);
      try {
        let next: Wallet;
        if (kind === 'dev') {
          if (!chain?.devChain)
            throw new Error('A dev wallet only works on a dev chain; use a browser wallet.');
          setBusy('Creating a dev wallet…');
          next = devWallet(chain.rpcUrl, true)!;
        } else {
          const provider = injectedProvider();
          if (!provider)
            throw new Error('No browser wallet found. Install one (e.g. MetaMask) or use a dev wallet.');
          setBusy('Waiting for your wallet…');
          next = await connectInjected(provider);
        }
        setBusy('Sign the message in your wallet to sign in…');
        await signInWithEthereum(api, next);
        setWallet(next);
        setAddress(next.address.toLowerCase());
        if (kind === 'dev') {
          setBusy('Funding your dev wallet from the faucet…');
          // Once an hour per wallet: a 429 here just means it was funded recently.
          await api.POST('/api/v1/faucet').catch(() => undefined);
        }
        setBusy('Delegating a session key for playback reports…');
        await delegate(next);
      } catch (cause) {
        setError(errorMessage(cause));
      } finally {
        setBusy(undefined);
      }
    },
    [chain],
  );

  const signOut = useCallback(async () => {
    await api.POST('/api/v1/auth/logout').catch(() => undefined);
    if (address) await deleteSessionKey(address);
    if (wallet?.kind === 'dev') forgetDevWallet();
    setWallet(undefined);
    setAddress(undefined);
  }, [address, wallet]);

  const sessionKey = useCallback(async () => {
    if (!address) return undefined;
    const stored = await loadSessionKey(address);
    if (stored) return stored.key;
    if (!wallet) return undefined;
    return delegate(wallet);
  }, [address, wallet]);

  const value = useMemo<Session>(
    () => ({
      chain,
      address,
      wallet,
      loading,
      busy,
      error,
      signIn,
      signOut,
      sessionKey,
      refresh: () => setGeneration((n) => n + 1),
      clearError: () => setError(undefined),
    }),
    [chain, address, wallet, loading, busy, error, signIn, signOut, sessionKey],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

const SESSION_KEY_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

async function delegate(wallet: Wallet): Promise<SessionKey> {
  const key = await createSessionKey();
  const delegated = await delegateSessionKey(api, wallet, key, SESSION_KEY_LIFETIME_MS);
  await saveSessionKey({ address: wallet.address, key, expiresAt: delegated.expiresAt });
  return key;
}
