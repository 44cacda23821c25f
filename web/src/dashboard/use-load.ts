import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api.ts';

export interface Loaded<T> {
  data: T | undefined;
  /** The node's message when the last load failed. */
  error: string | undefined;
  loading: boolean;
  /** Loads again, keeping what is shown until the answer comes (no flash for live updates). */
  reload(): void;
}

/**
 * Runs `load` when `key` changes (and on reload()), keeping only the answer to the latest call: a
 * slow answer for an earlier key never replaces a newer one.
 */
export function useLoad<T>(key: string | undefined, load: () => Promise<T>): Loaded<T> {
  const [state, setState] = useState<{ key?: string; data?: T; error?: string; loading: boolean }>({
    loading: key !== undefined,
  });
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is how reload() asks again.
  useEffect(() => {
    if (key === undefined) return;
    const call = ++latest.current;
    setState((previous) => ({ ...(previous.key === key ? previous : {}), key, loading: true }));
    loadRef.current().then(
      (data) => {
        if (call === latest.current) setState({ key, data, loading: false });
      },
      (error: unknown) => {
        if (call === latest.current)
          setState((previous) => ({ ...previous, key, error: errorMessage(error), loading: false }));
      },
    );
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current || state.loading,
    reload,
  };
}
