import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { characters, isStorableText } from './text.ts';

describe('text checks', () => {
  it('stores any well-formed text, markup and emoji included, but no NUL or lone surrogate', () => {
    assert.equal(isStorableText('<script>alert(1)</script> 🎧 “quotes” \n\t'), true);
    assert.equal(isStorableText('a\u0000b'), false);
    assert.equal(isStorableText('lone \ud800 high'), false);
    assert.equal(isStorableText('lone \udc00 low'), false);
    assert.equal(isStorableText('\ud83c\udfa7'), true, 'a pair is one character');
  });
  it('counts characters as code points', () => {
    assert.equal(characters('🎧🎧'), 2);
    assert.equal(characters('abc'), 3);
    assert.equal(characters(''), 0);
  });
});
