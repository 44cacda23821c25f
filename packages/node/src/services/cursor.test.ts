import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { CursorCodec } from './cursor.ts';

const codec = new CursorCodec(randomBytes(32));

describe('signed cursors', () => {
  it('round-trips the sort values of a page within its list', () => {
    const cursor = codec.encode('feed', [1_767_225_600_000, 'trk_1']);
    assert.deepEqual(codec.decode('feed', cursor, ['integer', 'string']), [1_767_225_600_000, 'trk_1']);
  });

  it('refuses a cursor that was edited, used on another list, or made by another node', () => {
    const cursor = codec.encode('feed', [5, 'a']);
    const [payload, tag] = cursor.split('.');
    const edited = `${Buffer.from(JSON.stringify([4, 'a'])).toString('base64url')}.${tag}`;
    for (const bad of [
      edited,
      `${payload}.${'A'.repeat(22)}`,
      `${payload}`,
      'not a cursor',
      'x'.repeat(5000),
      new CursorCodec(randomBytes(32)).encode('feed', [5, 'a']),
    ]) {
      assert.throws(() => codec.decode('feed', bad, ['integer', 'string']), /start again without it/);
    }
    assert.throws(() => codec.decode('comments:t1', cursor, ['integer', 'string']), /for this list/);
    assert.throws(() => codec.decode('feed', cursor, ['integer']), /cursor/);
    assert.throws(() => codec.decode('feed', cursor, ['string', 'string']), /cursor/);
  });
});
