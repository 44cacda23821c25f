import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistance, parseQuery, searchDocument, terms, trigrams, typoDistance } from './text.ts';

describe('search text', () => {
  it('splits words on anything but letters and digits, without case or diacritics', () => {
    assert.deepEqual(terms('Beyoncé — Déjà Vu (Live, 2006) lo-fi'), [
      'beyonce',
      'deja',
      'vu',
      'live',
      '2006',
      'lo',
      'fi',
    ]);
    assert.deepEqual(terms('ＡＢＣ ﬁ'), ['abc', 'fi'], 'compatibility forms');
    assert.deepEqual(terms('  "*" '), []);
    assert.equal(terms('x'.repeat(100))[0]!.length, 40);
  });

  it('treats the last word as still being typed unless the query ends with a separator', () => {
    assert.deepEqual(parseQuery('night dr'), { terms: ['night', 'dr'], lastIsPrefix: true });
    assert.deepEqual(parseQuery('night dr '), { terms: ['night', 'dr'], lastIsPrefix: false });
    assert.deepEqual(parseQuery('café'), { terms: ['cafe'], lastIsPrefix: true });
  });

  it('reads tags from their JSON column, and survives a bad one', () => {
    const document = searchDocument({
      title: 'A',
      artist_name: null,
      tags: '["lo-fi","Chill"]',
      genre: 'r&b',
    });
    assert.deepEqual(document, { title: ['a'], artist: [], tags: ['lo', 'fi', 'chill'], genre: ['r', 'b'] });
    assert.deepEqual(searchDocument({ title: 'A', artist_name: null, tags: 'nope', genre: null }).tags, []);
  });

  it('makes padded trigrams as pg_trgm does', () => {
    assert.deepEqual(trigrams('cat'), ['  c', ' ca', 'cat', 'at ']);
    assert.deepEqual(trigrams('cat', true), ['  c', ' ca', 'cat']);
  });

  it('measures edits, transpositions included, and typed prefixes', () => {
    assert.equal(editDistance('night', 'night'), 0);
    assert.equal(editDistance('nigth', 'night'), 1);
    assert.equal(editDistance('nite', 'night'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('abc', 'xyzxyz', 1), 2, 'stops early past the maximum');
    assert.equal(typoDistance('nigt', 'nightfall', true), 1);
    assert.equal(typoDistance('drvie', 'drive', false), 1);
    assert.equal(typoDistance('ab', 'ac', false), Number.POSITIVE_INFINITY, 'too short to correct');
  });
});
