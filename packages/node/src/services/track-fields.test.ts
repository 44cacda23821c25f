import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors.ts';
import {
  parseAccess,
  parseRegistration,
  parseSplits,
  parseTrackFields,
  rejectUnknownFields,
  UPLOAD_FIELDS,
} from './track-fields.ts';

const owner = '0x00000000000000000000000000000000000000aa';
const now = new Date('2026-11-25T00:00:00Z');

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : 'not-app-error';
  }
  return undefined;
}

describe('parseTrackFields', () => {
  it('trims text, lower-cases genre and tags, drops duplicate tags', () => {
    const fields = parseTrackFields(
      { title: '  Night Drive ', genre: 'Synthwave', tags: 'Retro, night,retro', releaseDate: '2026-01-31' },
      now,
    );
    assert.deepEqual(fields, {
      title: 'Night Drive',
      genre: 'synthwave',
      tags: ['retro', 'night'],
      releaseDate: '2026-01-31',
    });
  });
  it('accepts tags as a JSON array', () => {
    assert.deepEqual(parseTrackFields({ tags: '["a","b"]' }, now).tags, ['a', 'b']);
  });
  it('rejects missing-in-effect, absurd or malformed values with the field named', () => {
    assert.equal(
      code(() => parseTrackFields({ title: '   ' }, now)),
      'invalid_title',
    );
    assert.equal(
      code(() => parseTrackFields({ title: 'x'.repeat(201) }, now)),
      'invalid_title',
    );
    assert.equal(
      code(() => parseTrackFields({ title: 'bad\u0007bell' }, now)),
      'invalid_title',
    );
    assert.equal(
      code(() => parseTrackFields({ releaseDate: '2026-02-30' }, now)),
      'invalid_release_date',
    );
    assert.equal(
      code(() => parseTrackFields({ releaseDate: '3026-01-01' }, now)),
      'invalid_release_date',
    );
    assert.equal(
      code(() => parseTrackFields({ releaseDate: '31/01/2026' }, now)),
      'invalid_release_date',
    );
    assert.equal(
      code(() => parseTrackFields({ visibility: 'secret' }, now)),
      'invalid_visibility',
    );
    assert.equal(
      code(() =>
        parseTrackFields(
          {
            tags: Array(21)
              .fill('t')
              .map((t, i) => t + i)
              .join(','),
          },
          now,
        ),
      ),
      'invalid_tags',
    );
    assert.equal(
      code(() => parseTrackFields({ tags: '[1,2]' }, now)),
      'invalid_tags',
    );
    assert.equal(
      code(() => parseTrackFields({ description: 'x'.repeat(5001) }, now)),
      'invalid_description',
    );
  });
  it('refuses unknown fields instead of ignoring them', () => {
    assert.equal(
      code(() => rejectUnknownFields({ title: 'x', price: '3' }, UPLOAD_FIELDS)),
      'unknown_field',
    );
  });
});

describe('parseAccess', () => {
  it('is free by default and a token gate with a token address and a minimum in base units', () => {
    assert.deepEqual(parseAccess({}), { kind: 'free', token: null, minBalance: null });
    const gate = parseAccess({
      access: 'token',
      gateToken: '0x00000000000000000000000000000000000000AB',
      gateMinBalance: '5',
    });
    assert.deepEqual(gate, {
      kind: 'token',
      token: '0x00000000000000000000000000000000000000ab',
      minBalance: '5',
    });
  });
  it('rejects a gate without a valid token or with a non-integer minimum', () => {
    assert.equal(
      code(() => parseAccess({ access: 'token' })),
      'invalid_gate_token',
    );
    assert.equal(
      code(() => parseAccess({ access: 'token', gateToken: owner, gateMinBalance: '1.5' })),
      'invalid_gate_min_balance',
    );
    assert.equal(
      code(() => parseAccess({ access: 'token', gateToken: owner, gateMinBalance: '0' })),
      'invalid_gate_min_balance',
    );
    assert.equal(
      code(() => parseAccess({ access: 'paid' })),
      'invalid_access',
    );
  });
});

describe('parseSplits', () => {
  it('gives the uploader 100% when no split is sent', () => {
    assert.deepEqual(parseSplits(undefined, owner), [{ address: owner, ppm: 1_000_000 }]);
  });
  it('rejects JSON that is not an array and splits that do not sum to 100%', () => {
    assert.equal(
      code(() => parseSplits('{oops', owner)),
      'invalid_splits',
    );
    assert.equal(
      code(() => parseSplits('{"a":1}', owner)),
      'invalid_splits',
    );
    assert.equal(
      code(() => parseSplits(JSON.stringify([{ address: owner, percent: 99 }]), owner)),
      'invalid_splits',
    );
  });
});

describe('parseRegistration', () => {
  it('is the node by default, or the artist when asked', () => {
    assert.equal(parseRegistration(undefined), 'node');
    assert.equal(parseRegistration('node'), 'node');
    assert.equal(parseRegistration('artist'), 'artist');
  });
  it('rejects any other value, naming both choices', () => {
    for (const value of ['', 'Artist', 'self', 'operator']) {
      assert.equal(
        code(() => parseRegistration(value)),
        'invalid_registration',
      );
    }
    assert.throws(() => parseRegistration('self'), /"node" .*"artist"/);
  });
});
