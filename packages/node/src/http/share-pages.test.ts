import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrackRecord } from '../repositories/tracks.repository.ts';
import { appTrackPage } from './share-pages.ts';

const track = {
  id: 'trk1',
  owner: '0x1111111111111111111111111111111111111111',
  title: 'Rain </title><script>alert(1)</script>',
  artist_name: 'Glass & Co',
  genre: 'ambient',
  duration_ms: 185_000,
  assets: [{ kind: 'cover', variant: '1000.jpeg', cid: 'bafkcover', mime: 'image/jpeg', size: 1 }],
} as unknown as TrackRecord;

describe('appTrackPage', () => {
  const index =
    '<!doctype html><html><head><meta charset="utf-8"><title>Fairstream</title></head><body><div id="root"></div><script type="module" src="/assets/index.js"></script></body></html>';

  it("puts the track's unfurl tags in the app's head, escaped, and keeps the app", () => {
    const page = appTrackPage(index, track, 'https://music.example.org');
    assert.ok(page.includes('<script type="module" src="/assets/index.js"></script>'), 'the app still loads');
    assert.ok(page.includes('<meta property="og:type" content="music.song">'));
    assert.ok(
      page.includes('<meta property="og:image" content="https://music.example.org/api/v1/blobs/bafkcover">'),
    );
    assert.ok(page.includes('<link rel="canonical" href="https://music.example.org/t/trk1">'));
    assert.ok(!page.includes('<script>alert(1)</script>'), 'the title is escaped');
    assert.equal(page.match(/<title>/g)?.length, 1, 'one title');
  });
});
