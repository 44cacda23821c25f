import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { CommentsRepository } from '../repositories/comments.repository.ts';
import type { CommentEvent } from '../services/comments.service.ts';
import { testDatabases } from '../testing/databases.ts';
import { newAccount, signIn, startTestNode, type TestNode } from '../testing/test-node.ts';
import { toneWav, uploadReadyTrack } from '../testing/tracks.ts';

const publicWav = await toneWav(4, 440);
/** Comments in the same millisecond are ordered by id; a tick apart, by time as written. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 3));
const hiddenWav = await toneWav(3, 660);

for (const database of testDatabases()) {
  describe(`comments API on ${database.name}`, () => {
    let test: TestNode;
    const accounts = {
      artist: newAccount(),
      fan: newAccount(),
      stranger: newAccount(),
      spammer: newAccount(),
      burst: newAccount(),
      dailyFan: newAccount(),
      bystander: newAccount(),
    };
    const tokens = {} as Record<keyof typeof accounts, string>;
    const events: CommentEvent[] = [];
    let trackId: string;
    let durationMs: number;
    let hiddenId: string;

    before(async () => {
      test = await startTestNode(database, {}, { onCommented: (event) => void events.push(event) });
      for (const [name, account] of Object.entries(accounts))
        tokens[name as keyof typeof accounts] = await signIn(test.node, account);
      trackId = await uploadReadyTrack(test.node, tokens.artist, 'Commented', publicWav);
      hiddenId = await uploadReadyTrack(test.node, tokens.artist, 'Secret', hiddenWav, {
        visibility: 'hidden',
      });
      durationMs = (await inject({ method: 'GET', url: `/api/v1/tracks/${trackId}` })).json().durationMs;
    });
    after(() => test.close());

    const inject = (options: InjectOptions) => test.node.app.inject(options);
    const auth = (who: keyof typeof accounts) => ({ authorization: `Bearer ${tokens[who]}` });
    const post = (who: keyof typeof accounts, body: object, track = trackId) =>
      inject({ method: 'POST', url: `/api/v1/tracks/${track}/comments`, headers: auth(who), payload: body });
    const list = async (query = '', track = trackId, headers: Record<string, string> = {}) =>
      inject({ method: 'GET', url: `/api/v1/tracks/${track}/comments${query}`, headers });

    it('stores HTML and scripts as plain text, exactly as written, and answers JSON', async () => {
      const text = '<script>alert("x")</script> <b>bold</b> &amp; “quotes” 🎧\nline two';
      const created = await post('fan', { text });
      assert.equal(created.statusCode, 201, created.body);
      assert.match(String(created.headers['content-type']), /^application\/json/);
      assert.equal(created.json().text, text);
      const fetched = await inject({ method: 'GET', url: `/api/v1/comments/${created.json().id}` });
      assert.match(String(fetched.headers['content-type']), /^application\/json/);
      assert.equal(fetched.json().text, text);
      assert.ok(fetched.body.includes('\\u003cscript') || fetched.body.includes('<script>'));
      assert.equal(JSON.parse(fetched.body).text, text, 'the raw JSON decodes to the exact text');
    });

    it('pins comments to a moment and lists them newest first, or along the track', async () => {
      const late = await post('fan', { text: 'the drop', atMs: durationMs - 500 });
      await tick();
      const early = await post('stranger', { text: 'intro!', atMs: 250 });
      await tick();
      const plain = await post('fan', { text: 'no moment' });
      for (const response of [late, early, plain]) assert.equal(response.statusCode, 201, response.body);
      assert.equal(early.json().atMs, 250);
      assert.equal(early.json().author, accounts.stranger.address.toLowerCase());

      const byTime = (await list()).json();
      assert.deepEqual(
        byTime.comments.slice(0, 3).map((c: { id: string }) => c.id),
        [plain.json().id, early.json().id, late.json().id],
      );
      assert.equal(byTime.commentsEnabled, true);
      const byMoment = (await list('?order=moment')).json();
      assert.deepEqual(
        byMoment.comments.map((c: { atMs: number }) => c.atMs),
        [250, durationMs - 500],
      );
    });

    it('files replies under the top-level comment, one level deep, and lists them oldest first', async () => {
      const top = (await post('fan', { text: 'what synth is this?', atMs: 1000 })).json();
      const reply = await post('artist', { text: 'a Juno-60', parentId: top.id });
      assert.equal(reply.statusCode, 201, reply.body);
      await tick();
      assert.equal(reply.json().parentId, top.id);
      const replyToReply = await post('fan', { text: 'thanks!', parentId: reply.json().id });
      assert.equal(replyToReply.statusCode, 201);
      assert.equal(replyToReply.json().parentId, top.id, 'a reply to a reply joins the same thread');

      const listed = (await list()).json().comments;
      assert.equal(listed.find((c: { id: string }) => c.id === top.id).replyCount, 2);
      assert.ok(!listed.some((c: { id: string }) => c.id === reply.json().id), 'replies are not top-level');
      const replies = (await inject({ method: 'GET', url: `/api/v1/comments/${top.id}/replies` })).json();
      assert.deepEqual(
        replies.replies.map((c: { text: string }) => c.text),
        ['a Juno-60', 'thanks!'],
      );
      const ofReply = await inject({ method: 'GET', url: `/api/v1/comments/${reply.json().id}/replies` });
      assert.equal(ofReply.statusCode, 400);
      assert.equal(ofReply.json().error.code, 'not_a_thread');
      assert.match(ofReply.json().error.message, new RegExp(top.id));

      const withMoment = await post('fan', { text: 'x', parentId: top.id, atMs: 10 });
      assert.equal(withMoment.statusCode, 400);
      assert.equal(withMoment.json().error.code, 'invalid_at_ms');
      const elsewhere = await post('fan', { text: 'x', parentId: top.id }, hiddenId);
      assert.equal(elsewhere.statusCode, 404, 'the stranger to a hidden track learns nothing');
      const artistElsewhere = await post('artist', { text: 'x', parentId: top.id }, hiddenId);
      assert.equal(artistElsewhere.statusCode, 404, 'a parent on another track is not found');

      const kinds = events.filter((event) =>
        [top.id, reply.json().id, replyToReply.json().id].includes(event.commentId),
      );
      assert.deepEqual(
        kinds.map((event) => [event.kind, event.threadId, event.replyTo?.author ?? null]),
        [
          ['comment', null, null],
          ['reply', top.id, accounts.fan.address.toLowerCase()],
          ['reply', top.id, accounts.artist.address.toLowerCase()],
        ],
      );
      assert.equal(kinds[0]?.trackOwner, accounts.artist.address.toLowerCase());
    });

    const badBodies: [string, () => object, number, string | RegExp][] = [
      ['empty text', () => ({ text: '' }), 400, 'invalid_request'],
      ['only spaces', () => ({ text: '  \n\t ' }), 400, 'empty_comment'],
      ['2,001 characters', () => ({ text: 'x'.repeat(2001) }), 400, 'invalid_request'],
      ['a NUL character', () => ({ text: 'a\u0000b' }), 400, 'invalid_text'],
      ['an unpaired surrogate', () => ({ text: 'broken \ud800 text' }), 400, 'invalid_text'],
      ['a moment past the end', () => ({ text: 'x', atMs: durationMs + 1 }), 400, 'invalid_at_ms'],
      ['a negative moment', () => ({ text: 'x', atMs: -1 }), 400, 'invalid_request'],
      ['a fractional moment', () => ({ text: 'x', atMs: 1.5 }), 400, 'invalid_request'],
      ['an unknown field', () => ({ text: 'x', html: true }), 400, 'invalid_request'],
      ['no text', () => ({ atMs: 5 }), 400, 'invalid_request'],
      ['an unknown parent', () => ({ text: 'x', parentId: 'nope' }), 404, 'not_found'],
      ['a body over 1 MiB', () => ({ text: 'x'.repeat(1_100_000) }), 413, /too_large/],
    ];
    for (const [name, body, status, code] of badBodies) {
      it(`refuses a comment with ${name} (${status}), storing nothing`, async () => {
        const count = async () => (await test.node.db.selectFrom('comments').select('id').execute()).length;
        const before = await count();
        const response = await post('stranger', body());
        assert.equal(response.statusCode, status, response.body);
        if (typeof code === 'string') assert.equal(response.json().error.code, code);
        else assert.match(response.json().error.code, code);
        assert.ok(response.json().error.message.length > 10, response.json().error.message);
        assert.equal(await count(), before);
      });
    }

    it('says what to fix for a comment over 2,000 characters', async () => {
      const response = await post('stranger', { text: '🎧'.repeat(2001) });
      assert.equal(response.statusCode, 400);
      assert.match(response.json().error.message, /2000 characters/);
      assert.equal(
        (await post('stranger', { text: '🎧'.repeat(2000) })).statusCode,
        201,
        'emoji count as one',
      );
    });

    it('requires a session to comment', async () => {
      const response = await inject({
        method: 'POST',
        url: `/api/v1/tracks/${trackId}/comments`,
        payload: { text: 'anonymous' },
      });
      assert.equal(response.statusCode, 401);
    });

    it('lets only the author edit, and keeps the edit time', async () => {
      const comment = (await post('fan', { text: 'typo hre' })).json();
      const byOther = await inject({
        method: 'PATCH',
        url: `/api/v1/comments/${comment.id}`,
        headers: auth('artist'),
        payload: { text: 'hijacked' },
      });
      assert.equal(byOther.statusCode, 403);
      assert.match(byOther.json().error.message, /Only the author/);
      const empty = await inject({
        method: 'PATCH',
        url: `/api/v1/comments/${comment.id}`,
        headers: auth('fan'),
        payload: { text: '   ' },
      });
      assert.equal(empty.statusCode, 400);
      const edited = await inject({
        method: 'PATCH',
        url: `/api/v1/comments/${comment.id}`,
        headers: auth('fan'),
        payload: { text: 'typo here' },
      });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.equal(edited.json().text, 'typo here');
      assert.ok(edited.json().editedAt >= comment.createdAt);
    });

    it('deletes: a comment with replies stays as a placeholder, one without disappears', async () => {
      const withReplies = (await post('fan', { text: 'thread starter', atMs: 2000 })).json();
      const answer = (await post('stranger', { text: 'an answer', parentId: withReplies.id })).json();
      const alone = (await post('fan', { text: 'alone' })).json();
      const del = (id: string, who: keyof typeof accounts) =>
        inject({ method: 'DELETE', url: `/api/v1/comments/${id}`, headers: auth(who) });

      assert.equal((await del(withReplies.id, 'stranger')).statusCode, 403, 'not the author, not the owner');
      assert.equal((await del(withReplies.id, 'fan')).statusCode, 204);
      assert.equal((await del(alone.id, 'fan')).statusCode, 204);
      assert.equal((await del(alone.id, 'fan')).statusCode, 204, 'deleting twice is fine');

      const listed = (await list('?limit=100')).json().comments;
      const placeholder = listed.find((c: { id: string }) => c.id === withReplies.id);
      assert.deepEqual(
        {
          text: placeholder.text,
          author: placeholder.author,
          deleted: placeholder.deleted,
          replies: placeholder.replyCount,
        },
        { text: null, author: null, deleted: true, replies: 1 },
      );
      assert.ok(!listed.some((c: { id: string }) => c.id === alone.id));
      assert.equal((await inject({ method: 'GET', url: `/api/v1/comments/${alone.id}` })).statusCode, 404);
      const stored = await test.node.db
        .selectFrom('comments')
        .select('body')
        .where('id', '=', withReplies.id)
        .executeTakeFirst();
      assert.equal(stored?.body, '', 'the text is erased, not hidden');

      const edit = await inject({
        method: 'PATCH',
        url: `/api/v1/comments/${withReplies.id}`,
        headers: auth('fan'),
        payload: { text: 'back' },
      });
      assert.equal(edit.statusCode, 409);
      assert.equal(
        (await post('stranger', { text: 'x', parentId: withReplies.id })).json().error.code,
        'comment_deleted',
      );

      // The track's owner may remove any comment on it; then the thread has no live comment left.
      assert.equal((await del(answer.id, 'artist')).statusCode, 204);
      const after = (await list('?limit=100')).json().comments;
      assert.ok(
        !after.some((c: { id: string }) => c.id === withReplies.id),
        'an empty deleted thread is gone',
      );
    });

    it('lets the owner turn comments off (403 with a reason) and on again', async () => {
      const setting = (who: keyof typeof accounts, enabled: unknown) =>
        inject({
          method: 'PUT',
          url: `/api/v1/tracks/${trackId}/comment-settings`,
          headers: auth(who),
          payload: { enabled },
        });
      const existing = (await post('fan', { text: 'before the lock' })).json();
      assert.equal((await setting('fan', false)).statusCode, 403);
      assert.equal((await setting('artist', 'maybe')).statusCode, 400);
      const off = await setting('artist', false);
      assert.equal(off.statusCode, 200, off.body);
      assert.equal(off.json().commentsEnabled, false);

      const refused = await post('fan', { text: 'let me in' });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().error.code, 'comments_off');
      assert.match(refused.json().error.message, /turned comments off/);
      assert.equal(
        (await post('fan', { text: 'reply', parentId: existing.id })).json().error.code,
        'comments_off',
      );
      const edit = await inject({
        method: 'PATCH',
        url: `/api/v1/comments/${existing.id}`,
        headers: auth('fan'),
        payload: { text: 'edited while locked' },
      });
      assert.equal(edit.json().error.code, 'comments_off');
      const listed = (await list()).json();
      assert.equal(listed.commentsEnabled, false);
      assert.ok(
        listed.comments.some((c: { id: string }) => c.id === existing.id),
        'existing comments stay',
      );
      assert.equal(
        (await inject({ method: 'GET', url: `/api/v1/tracks/${trackId}` })).json().commentsEnabled,
        false,
      );

      assert.equal((await setting('artist', true)).json().commentsEnabled, true);
      assert.equal((await post('fan', { text: 'open again' })).statusCode, 201);
    });

    it('answers 404 for a hidden track without access, exactly as for an unknown one', async () => {
      const own = await post('artist', { text: 'note to self', atMs: 100 }, hiddenId);
      assert.equal(own.statusCode, 201, own.body);
      const unknownList = await list('', 'no-such-track', auth('stranger'));
      const hiddenList = await list('', hiddenId, auth('stranger'));
      assert.equal(hiddenList.statusCode, 404);
      assert.deepEqual(
        hiddenList.json().error.message.replace(hiddenId, 'ID'),
        unknownList.json().error.message.replace('no-such-track', 'ID'),
      );
      assert.equal((await list('', hiddenId)).statusCode, 404);
      assert.equal((await post('stranger', { text: 'hello?' }, hiddenId)).statusCode, 404);
      for (const url of [`/api/v1/comments/${own.json().id}`, `/api/v1/comments/${own.json().id}/replies`]) {
        const response = await inject({ method: 'GET', url, headers: auth('stranger') });
        assert.equal(response.statusCode, 404);
        assert.ok(!response.body.includes(hiddenId), 'not even the track id leaks');
      }
      const edit = await inject({
        method: 'PATCH',
        url: `/api/v1/comments/${own.json().id}`,
        headers: auth('stranger'),
        payload: { text: 'x' },
      });
      assert.equal(edit.statusCode, 404);
      const del = await inject({
        method: 'DELETE',
        url: `/api/v1/comments/${own.json().id}`,
        headers: auth('stranger'),
      });
      assert.equal(del.statusCode, 404);
      assert.equal((await list('', hiddenId, auth('artist'))).json().comments.length, 1);

      // A share link opens the track, and with it its comments.
      const link = (
        await inject({
          method: 'POST',
          url: `/api/v1/tracks/${hiddenId}/share-links`,
          headers: auth('artist'),
        })
      ).json();
      assert.equal((await list(`?share=${link.token}`, hiddenId)).json().comments.length, 1);
    });

    it('pages with signed cursors and refuses tampered or foreign ones', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { comments: { id: string }[]; nextCursor: string | null } = (
          await list(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        ).json();
        assert.ok(page.comments.length <= 2);
        seen.push(...page.comments.map((c: { id: string }) => c.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(
        seen,
        (await list('?limit=100')).json().comments.map((c: { id: string }) => c.id),
      );
      assert.equal(new Set(seen).size, seen.length);

      const first = (await list('?limit=1')).json().nextCursor as string;
      const [payload, tag] = first.split('.');
      const forged = `${Buffer.from(JSON.stringify([Date.now() + 1e6, 'zzz'])).toString('base64url')}.${tag}`;
      const otherTrack = (await list('?limit=1', hiddenId, auth('artist'))).json();
      const momentCursor = (await list('?order=moment&limit=1')).json().nextCursor as string;
      for (const [query, track] of [
        [`?cursor=${forged}`, trackId],
        [`?cursor=${payload}.AAAA`, trackId],
        ['?cursor=garbage', trackId],
        [`?order=moment&cursor=${first}`, trackId],
        [`?cursor=${momentCursor}`, trackId],
        [`?cursor=${first}`, hiddenId],
      ] as const) {
        const refused = await list(query, track, auth('artist'));
        assert.equal(refused.statusCode, 400, `${query}: ${refused.body}`);
        assert.equal(refused.json().error.code, 'invalid_cursor');
      }
      assert.equal(otherTrack.nextCursor, null);
      assert.equal((await list('?limit=0')).statusCode, 400);
      assert.equal((await list('?order=random')).statusCode, 400);
    });

    it('limits each account to 10 comments a minute (429 with Retry-After), counted in the database', async () => {
      for (let i = 0; i < 10; i++)
        assert.equal((await post('spammer', { text: `spam ${i}` })).statusCode, 201);
      const limited = await post('spammer', { text: 'one more' });
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'rate_limited');
      const retryAfter = Number(limited.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
      assert.match(limited.json().error.message, /10 comments per minute/);
      // Others are unaffected.
      assert.equal((await post('bystander', { text: 'still here' })).statusCode, 201);
    });

    it('holds the limit under a burst of concurrent requests', async () => {
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) => post('burst', { text: `burst ${i}` })),
      );
      const codes = results.map((response) => response.statusCode).sort();
      assert.equal(codes.filter((code) => code === 201).length, 10, codes.join(','));
      assert.equal(codes.filter((code) => code === 429).length, 6);
    });

    it('limits each account to 100 comments a day', async () => {
      const repository = new CommentsRepository(test.node.db);
      const author = accounts.dailyFan.address.toLowerCase();
      const hoursAgo = (h: number) => Date.now() - h * 3_600_000;
      for (let i = 0; i < 100; i++) {
        const inserted = await repository.insertWithinLimits(
          {
            id: `daily-${database.name}-${i}`,
            track_id: trackId,
            author,
            parent_id: null,
            body: `earlier ${i}`,
            at_ms: null,
            created_at: hoursAgo(20 - i / 10),
            edited_at: null,
            deleted_at: null,
          },
          [],
        );
        assert.equal(inserted, undefined);
      }
      const limited = await post('dailyFan', { text: 'the 101st' });
      assert.equal(limited.statusCode, 429);
      const retryAfter = Number(limited.headers['retry-after']);
      // The oldest of the day's 100 leaves the 24 h window about 4 hours from now.
      assert.ok(Math.abs(retryAfter - 4 * 3600) < 120, String(retryAfter));
    });
  });
}
