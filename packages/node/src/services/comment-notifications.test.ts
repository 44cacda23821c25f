import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commentNotifications } from './notifications.service.ts';

const base = {
  commentId: 'c2',
  trackId: 't1',
  trackOwner: '0xowner',
  author: '0xfan',
  atMs: 61_000,
  threadId: null,
  replyTo: null,
  createdAt: 1,
} as const;

describe('comment notifications', () => {
  it("tells the track's owner of a comment, with its moment", () => {
    assert.deepEqual(commentNotifications({ ...base, kind: 'comment' }), [
      {
        actor: '0xfan',
        trackId: 't1',
        data: { commentId: 'c2', atMs: 61_000 },
        recipient: '0xowner',
        kind: 'comment',
        key: 'comment:c2',
      },
    ]);
  });

  it('tells the answered author of a reply, and the owner once when the owner was not answered', () => {
    const reply = {
      ...base,
      kind: 'reply' as const,
      atMs: null,
      threadId: 'c1',
      replyTo: { commentId: 'c1', author: '0xother' },
    };
    assert.deepEqual(
      commentNotifications(reply).map((notice) => [notice.recipient, notice.kind, notice.key]),
      [
        ['0xother', 'reply', 'reply:c2'],
        ['0xowner', 'comment', 'comment:c2'],
      ],
    );
    const toOwner = { ...reply, replyTo: { commentId: 'c1', author: '0xowner' } };
    assert.deepEqual(
      commentNotifications(toOwner).map((notice) => [notice.recipient, notice.kind]),
      [['0xowner', 'reply']],
    );
  });
});
