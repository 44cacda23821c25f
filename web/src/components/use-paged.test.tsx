import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { type Page, usePaged } from './use-paged.ts';

/** A loader whose answers arrive when the test says so. */
function deferredLoader() {
  const calls: { key: string; cursor: string | undefined; resolve: (page: Page<string>) => void }[] = [];
  const loaderFor = (key: string) => (cursor: string | undefined) =>
    new Promise<Page<string>>((resolve) => calls.push({ key, cursor, resolve }));
  return { calls, loaderFor };
}

describe('usePaged', () => {
  it('pages on with the cursor', async () => {
    const { calls, loaderFor } = deferredLoader();
    const { result } = renderHook(() => usePaged('q', loaderFor('q')));
    expect(result.current.loading).toBe(true);
    await act(async () => calls[0]!.resolve({ items: ['a', 'b'], nextCursor: 'c1' }));
    expect(result.current.items).toEqual(['a', 'b']);
    expect(result.current.hasMore).toBe(true);
    act(() => result.current.loadMore());
    expect(calls[1]!.cursor).toBe('c1');
    await act(async () => calls[1]!.resolve({ items: ['c'], nextCursor: null }));
    expect(result.current.items).toEqual(['a', 'b', 'c']);
    expect(result.current.hasMore).toBe(false);
  });

  it('drops an answer for a query that was replaced while it was on its way', async () => {
    const { calls, loaderFor } = deferredLoader();
    const { result, rerender } = renderHook(({ key }) => usePaged(key, loaderFor(key)), {
      initialProps: { key: 'mid' },
    });
    rerender({ key: 'midn' });
    await act(async () => calls[1]!.resolve({ items: ['new'], nextCursor: null }));
    await act(async () => calls[0]!.resolve({ items: ['old'], nextCursor: null }));
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.items).toEqual(['new']);
  });

  it("shows the node's message when a page fails", async () => {
    const { result } = renderHook(() =>
      usePaged('q', () => Promise.reject(new Error('q needs at least one letter or digit to search for'))),
    );
    await waitFor(() =>
      expect(result.current.error).toBe('q needs at least one letter or digit to search for'),
    );
    expect(result.current.items).toEqual([]);
  });

  it('starts from a page already in hand and loads nothing without a loader', () => {
    const { result } = renderHook(() => usePaged('x', undefined, { items: ['given'], nextCursor: null }));
    expect(result.current.items).toEqual(['given']);
    expect(result.current.loading).toBe(false);
  });
});
