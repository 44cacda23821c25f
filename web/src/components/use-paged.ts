import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api.ts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Paged<T> {
  items: T[];
  /** The first page is on its way. */
  loading: boolean;
  /** A further page is on its way. */
  loadingMore: boolean;
  error: string | undefined;
  hasMore: boolean;
  loadMore(): void;
  /** Replaces the items shown (after an edit), keeping the cursor. */
  setItems(update: (items: T[]) => T[]): void;
  reload(): void;
}

/**
 * A cursor-paged list: the first page whenever `key` changes (answers for an older key are dropped,
 * so fast typing never shows stale results), more on loadMore(). `initial` is a first page already
 * in hand. `load` undefined: nothing to load (an empty query).
 */
export function usePaged<T>(
  key: string,
  load: ((cursor: string | undefined) => Promise<Page<T>>) | undefined,
  initial?: Page<T>,
): Paged<T> {
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);
  const [items, setItems] = useState<T[]>(initial?.items ?? []);
  const [cursor, setCursor] = useState<string | null>(initial?.nextCursor ?? null);
  const [loading, setLoading] = useState(!initial && load !== undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string>();
  const [reloads, setReloads] = useState(0);
  const initialRef = useRef(initial);
  initialRef.current = initial;
  const enabled = load !== undefined;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` and `reloads` say when to start over; the loader is read from a ref.
  useEffect(() => {
    const mine = ++generation.current;
    setError(undefined);
    setLoadingMore(false);
    const first = reloads === 0 ? initialRef.current : undefined;
    if (first) {
      setItems(first.items);
      setCursor(first.nextCursor);
      setLoading(false);
      return;
    }
    const loader = loadRef.current;
    if (!loader) {
      setItems([]);
      setCursor(null);
      setLoading(false);
      return;
    }
    setLoading(true);
    loader(undefined).then(
      (page) => {
        if (generation.current !== mine) return;
        setItems(page.items);
        setCursor(page.nextCursor);
        setLoading(false);
      },
      (cause: unknown) => {
        if (generation.current !== mine) return;
        setItems([]);
        setCursor(null);
        setError(errorMessage(cause));
        setLoading(false);
      },
    );
  }, [key, reloads, enabled]);

  const loadMore = useCallback(() => {
    const loader = loadRef.current;
    if (!loader || !cursor || loadingMore) return;
    const mine = generation.current;
    setLoadingMore(true);
    setError(undefined);
    loader(cursor).then(
      (page) => {
        if (generation.current !== mine) return;
        setItems((previous) => [...previous, ...page.items]);
        setCursor(page.nextCursor);
        setLoadingMore(false);
      },
      (cause: unknown) => {
        if (generation.current !== mine) return;
        setError(errorMessage(cause));
        setLoadingMore(false);
      },
    );
  }, [cursor, loadingMore]);

  return {
    items,
    loading,
    loadingMore,
    error,
    hasMore: cursor !== null,
    loadMore,
    setItems: (update) => setItems(update),
    reload: () => setReloads((n) => n + 1),
  };
}
