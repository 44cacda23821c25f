import { describe, expect, it } from 'vitest';
import { type KeyLike, shortcutFor } from './shortcuts.ts';

function key(k: string, target: EventTarget | null = document.body, extra: Partial<KeyLike> = {}): KeyLike {
  return { key: k, shiftKey: false, ctrlKey: false, metaKey: false, altKey: false, target, ...extra };
}

function element(html: string, selector?: string): Element {
  const holder = document.createElement('div');
  holder.innerHTML = html;
  document.body.append(holder);
  return selector ? holder.querySelector(selector)! : holder.firstElementChild!;
}

describe('shortcutFor', () => {
  it('maps the documented keys', () => {
    expect(shortcutFor(key(' '), true)).toBe('toggle');
    expect(shortcutFor(key('k'), true)).toBe('toggle');
    expect(shortcutFor(key('ArrowLeft'), true)).toBe('back5');
    expect(shortcutFor(key('ArrowRight'), true)).toBe('forward5');
    expect(shortcutFor(key('j'), true)).toBe('back10');
    expect(shortcutFor(key('l'), true)).toBe('forward10');
    expect(shortcutFor(key('N', document.body, { shiftKey: true }), true)).toBe('next');
    expect(shortcutFor(key('P', document.body, { shiftKey: true }), true)).toBe('previous');
    expect(shortcutFor(key('m'), true)).toBe('mute');
    expect(shortcutFor(key('ArrowUp'), true)).toBe('volumeUp');
    expect(shortcutFor(key('ArrowDown'), true)).toBe('volumeDown');
    expect(shortcutFor(key('?', document.body, { shiftKey: true }), true)).toBe('help');
  });

  it('leaves N and P without Shift, and browser shortcuts, alone', () => {
    expect(shortcutFor(key('n'), true)).toBeUndefined();
    expect(shortcutFor(key('p'), true)).toBeUndefined();
    expect(shortcutFor(key('k', document.body, { ctrlKey: true }), true)).toBeUndefined();
    expect(shortcutFor(key('ArrowLeft', document.body, { altKey: true }), true)).toBeUndefined();
    expect(shortcutFor(key('l', document.body, { metaKey: true }), true)).toBeUndefined();
  });

  it('never takes a key while typing', () => {
    const search = element('<input type="search">');
    const area = element('<textarea></textarea>');
    const editable = element('<div contenteditable="true">x</div>');
    for (const target of [search, area, editable]) {
      for (const k of [' ', 'k', 'm', 'ArrowLeft', '?', 'N']) {
        expect(shortcutFor(key(k, target, { shiftKey: k === 'N' }), true)).toBeUndefined();
      }
    }
  });

  it('lets Space activate a focused button and arrows move a focused slider', () => {
    const button = element('<button type="button">Play</button>');
    const slider = element('<input type="range">');
    expect(shortcutFor(key(' ', button), true)).toBeUndefined();
    expect(shortcutFor(key('m', button), true)).toBe('mute');
    expect(shortcutFor(key('ArrowRight', slider), true)).toBeUndefined();
    expect(shortcutFor(key('ArrowUp', slider), true)).toBeUndefined();
    expect(shortcutFor(key('k', slider), true)).toBe('toggle');
  });

  it('stays out of dialogs', () => {
    const inside = element('<dialog open><p>Hi</p></dialog>', 'p');
    expect(shortcutFor(key('k', inside), true)).toBeUndefined();
  });

  it('takes only "?" while no track is loaded, so the page still scrolls', () => {
    expect(shortcutFor(key(' '), false)).toBeUndefined();
    expect(shortcutFor(key('ArrowDown'), false)).toBeUndefined();
    expect(shortcutFor(key('?'), false)).toBe('help');
  });
});
