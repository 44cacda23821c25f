/** The player's keyboard shortcuts: what each key does, and when a key is the page's, not the player's. */

export type ShortcutAction =
  | 'toggle'
  | 'back5'
  | 'forward5'
  | 'back10'
  | 'forward10'
  | 'next'
  | 'previous'
  | 'mute'
  | 'volumeUp'
  | 'volumeDown'
  | 'help';

/** For the "Keyboard shortcuts" dialog, in the order shown. */
export const SHORTCUTS: { keys: string[]; action: string }[] = [
  { keys: ['Space', 'K'], action: 'Play or pause' },
  { keys: ['←', '→'], action: 'Back or forward 5 seconds' },
  { keys: ['J', 'L'], action: 'Back or forward 10 seconds' },
  { keys: ['Shift + P', 'Shift + N'], action: 'Previous or next track' },
  { keys: ['M'], action: 'Mute or unmute' },
  { keys: ['↑', '↓'], action: 'Volume up or down' },
  { keys: ['?'], action: 'Show these shortcuts' },
];

export interface KeyLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
}

const TEXT_INPUT_TYPES = new Set([
  'text',
  'search',
  'email',
  'url',
  'tel',
  'password',
  'number',
  'date',
  'datetime-local',
  'month',
  'time',
  'week',
]);

/** Where typing happens: every key belongs to the field. */
function isTyping(target: Element): boolean {
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return TEXT_INPUT_TYPES.has(target.type) || target.type === '';
  return (
    (target instanceof HTMLElement && target.isContentEditable) ||
    target.closest('[contenteditable]:not([contenteditable="false"])') !== null
  );
}

/**
 * The action for a key press, or undefined when the key is not the player's: while typing, with
 * Ctrl/Cmd/Alt (the browser's and the system's), inside a dialog, Space on something Space
 * activates, and arrows on a control arrows move (a slider, a select). `hasTrack`: without a track
 * loaded only "?" is taken, so Space and the arrows still scroll the page.
 */
export function shortcutFor(event: KeyLike, hasTrack: boolean): ShortcutAction | undefined {
  if (event.ctrlKey || event.metaKey || event.altKey) return undefined;
  const target = event.target instanceof Element ? event.target : null;
  if (target && isTyping(target)) return undefined;
  if (target?.closest('dialog, [role="dialog"]')) return undefined;
  if (event.key === '?') return 'help';
  if (!hasTrack) return undefined;
  const activates = target?.closest(
    'button, a[href], summary, [role="button"], [role="link"], input, [role="switch"]',
  );
  const arrowsMove = target?.closest(
    'input[type="range"], [role="slider"], [role="listbox"], [role="menu"], [role="tablist"]',
  );
  switch (event.key) {
    case ' ':
      return activates ? undefined : 'toggle';
    case 'k':
    case 'K':
      return event.shiftKey ? undefined : 'toggle';
    case 'ArrowLeft':
      return arrowsMove || event.shiftKey ? undefined : 'back5';
    case 'ArrowRight':
      return arrowsMove || event.shiftKey ? undefined : 'forward5';
    case 'ArrowUp':
      return arrowsMove || event.shiftKey ? undefined : 'volumeUp';
    case 'ArrowDown':
      return arrowsMove || event.shiftKey ? undefined : 'volumeDown';
    case 'j':
    case 'J':
      return event.shiftKey ? undefined : 'back10';
    case 'l':
    case 'L':
      return event.shiftKey ? undefined : 'forward10';
    case 'm':
    case 'M':
      return event.shiftKey ? undefined : 'mute';
    case 'N':
    case 'n':
      return event.shiftKey ? 'next' : undefined;
    case 'P':
    case 'p':
      return event.shiftKey ? 'previous' : undefined;
    default:
      return undefined;
  }
}
