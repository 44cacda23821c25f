import type { Paged } from './use-paged.ts';

/** "Load more" under a cursor-paged list, and the list's error, if any. */
export function LoadMore<T>({ paged, what }: { paged: Paged<T>; what: string }) {
  return (
    <>
      {paged.error && (
        <p role="alert">
          {paged.error}{' '}
          <button
            type="button"
            className="link-button"
            onClick={paged.items.length ? paged.loadMore : paged.reload}
          >
            Try again
          </button>
        </p>
      )}
      {paged.hasMore && !paged.loading && (
        <button
          type="button"
          className="secondary load-more"
          onClick={paged.loadMore}
          disabled={paged.loadingMore}
        >
          {paged.loadingMore ? 'Loading…' : `Load more ${what}`}
        </button>
      )}
    </>
  );
}
