import { useEffect } from 'react';

/** Names the tab (and what a screen reader announces) after the page, restoring the title on leaving. */
export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    if (!title) return;
    const before = document.title;
    document.title = `${title} · Fairstream`;
    return () => {
      document.title = before;
    };
  }, [title]);
}
