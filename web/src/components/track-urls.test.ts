import type { Track } from '@fairstream/sdk';
import { describe, expect, it } from 'vitest';
import { embedCode } from './share-panel.tsx';
import { withShare } from './track-urls.ts';

const track = {
  id: 'abc',
  title: 'A "quoted" <title> & more',
  renditions: [
    {
      format: 'opus',
      mime: 'audio/ogg',
      size: 1,
      cid: 'c',
      url: 'http://node/api/v1/tracks/abc/stream?format=opus',
    },
  ],
  cover: [{ variant: '480.webp', mime: 'image/webp', url: 'http://node/api/v1/blobs/bafkcover' }],
  waveformUrl: 'http://node/api/v1/blobs/bafkwave',
} as unknown as Track;

describe('withShare', () => {
  it('adds the share token to every URL a holder of the link loads', () => {
    const shared = withShare(track, 'tok en');
    expect(shared.renditions[0]!.url).toBe('http://node/api/v1/tracks/abc/stream?format=opus&share=tok+en');
    expect(shared.cover[0]!.url).toBe('http://node/api/v1/blobs/bafkcover?share=tok+en');
    expect(shared.waveformUrl).toBe('http://node/api/v1/blobs/bafkwave?share=tok+en');
  });

  it('leaves a track alone without a token', () => {
    expect(withShare(track, undefined)).toBe(track);
  });
});

describe('embedCode', () => {
  it('is an iframe of the node’s player, with the title escaped', () => {
    expect(embedCode('https://fair.example', track)).toBe(
      '<iframe src="https://fair.example/embed/abc" width="480" height="152" frameborder="0" ' +
        'allow="autoplay; encrypted-media" loading="lazy" title="A &#34;quoted&#34; &#60;title&#62; &#38; more on Fairstream"></iframe>',
    );
  });
});
