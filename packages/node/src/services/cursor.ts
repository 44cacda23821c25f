import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest } from '../errors.ts';

/** What a keyset cursor holds: the sort values of the last item of a page. */
export type CursorValue = string | number;
export type CursorShape = readonly ('string' | 'integer')[];

const TAG_BYTES = 16;
const MAX_CURSOR_CHARS = 1024;

/**
 * Opaque, signed keyset cursors. A cursor is the last item's sort values (JSON, base64url) and an
 * HMAC over them and the list it belongs to, so a client cannot forge a position, replay a feed's
 * cursor on comments, or probe hidden rows by editing one: anything altered is a 400. The key is
 * the node's (every process sharing a database shares it), so a cursor survives a restart.
 */
export class CursorCodec {
  readonly #key: Uint8Array;

  constructor(key: Uint8Array) {
    if (key.length < 32) throw new Error('A cursor key needs at least 32 bytes');
    this.#key = key;
  }

  /** `scope` names the list (e.g. 'feed', 'comments:<trackId>'): a cursor only works where it was made. */
  encode(scope: string, values: readonly CursorValue[]): string {
    const payload = Buffer.from(JSON.stringify(values)).toString('base64url');
    return `${payload}.${this.#tag(scope, payload).toString('base64url')}`;
  }

  /** The values of a cursor made by `encode(scope, …)` with this shape; a 400 for anything else. */
  decode(scope: string, cursor: string, shape: CursorShape): CursorValue[] {
    const invalid = () =>
      badRequest(
        'invalid_cursor',
        'cursor is not one this API returned for this list; start again without it',
      );
    if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_CHARS) throw invalid();
    const [payload, tag, ...rest] = cursor.split('.');
    if (!payload || !tag || rest.length > 0) throw invalid();
    const given = Buffer.from(tag, 'base64url');
    const expected = this.#tag(scope, payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    let values: unknown;
    try {
      values = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (!Array.isArray(values) || values.length !== shape.length) throw invalid();
    values.forEach((value, i) => {
      const ok = shape[i] === 'integer' ? Number.isSafeInteger(value) : typeof value === 'string';
      if (!ok) throw invalid();
    });
    return values as CursorValue[];
  }

  #tag(scope: string, payload: string): Buffer {
    return createHmac('sha256', this.#key).update(`${scope}\n${payload}`).digest().subarray(0, TAG_BYTES);
  }
}
