/** The player's icons: inline SVG (no font, no request), decorative: every button has its own label. */

const PATHS = {
  play: 'M8 5.5v13a1 1 0 0 0 1.5.86l10.5-6.5a1 1 0 0 0 0-1.72L9.5 4.64A1 1 0 0 0 8 5.5Z',
  pause: 'M7 5h3.5v14H7zM13.5 5H17v14h-3.5z',
  previous:
    'M6 5h2.5v14H6zM19 5.8v12.4a.8.8 0 0 1-1.23.67L9.5 13.2a1.4 1.4 0 0 1 0-2.4l8.27-5.67A.8.8 0 0 1 19 5.8Z',
  next: 'M15.5 5H18v14h-2.5zM5 5.8v12.4a.8.8 0 0 0 1.23.67l8.27-5.67a1.4 1.4 0 0 0 0-2.4L6.23 5.13A.8.8 0 0 0 5 5.8Z',
  volume:
    'M4 9.5v5h3.5L12 19V5L7.5 9.5H4Zm11.5-1.8a5.5 5.5 0 0 1 0 8.6l-1.2-1.5a3.6 3.6 0 0 0 0-5.6l1.2-1.5Zm2.4-2.9a9.2 9.2 0 0 1 0 14.4l-1.2-1.5a7.3 7.3 0 0 0 0-11.4l1.2-1.5Z',
  muted:
    'M4 9.5v5h3.5L12 19V5L7.5 9.5H4Zm10.3-.4 1.4-1.4 2.3 2.3 2.3-2.3 1.4 1.4-2.3 2.3 2.3 2.3-1.4 1.4-2.3-2.3-2.3 2.3-1.4-1.4 2.3-2.3-2.3-2.3Z',
  queue: 'M4 6h12v2H4zm0 5h12v2H4zm0 5h8v2H4zm13-1.5V9l4 2.75-4 2.75Z',
  keyboard:
    'M3 6.5A1.5 1.5 0 0 1 4.5 5h15A1.5 1.5 0 0 1 21 6.5v11a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17.5v-11ZM6 8v2h2V8H6Zm3.5 0v2h2V8h-2ZM13 8v2h2V8h-2Zm3.5 0v2h2V8h-2ZM6 11.5v2h2v-2H6Zm3.5 0v2h2v-2h-2Zm3.5 0v2h2v-2h-2Zm3.5 0v2h2v-2h-2ZM8 15v2h8v-2H8Z',
  close: 'm6.4 5 5.6 5.6L17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4 6.4 5Z',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 22 }: { name: IconName; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="currentColor" />
    </svg>
  );
}
