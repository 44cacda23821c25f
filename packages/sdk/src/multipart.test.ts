import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trackUploadForm, uploadTrackWithProgress } from './multipart.ts';

describe('trackUploadForm', () => {
  it('puts the text fields first, leaves out absent ones, then the audio and the cover', () => {
    const form = trackUploadForm(
      {
        title: 'Night Drive',
        genre: undefined,
        splits: '[{"address":"0x…","percent":"60"}]',
        visibility: 'hidden',
      },
      {
        audio: new Blob(['RIFF'], { type: 'audio/wav' }),
        audioName: 'night.wav',
        cover: new Blob(['png']),
        coverName: 'art.png',
      },
    );
    assert.deepEqual([...form.keys()], ['title', 'splits', 'visibility', 'audio', 'cover']);
    assert.equal(form.get('splits'), '[{"address":"0x…","percent":"60"}]');
    assert.equal((form.get('audio') as File).name, 'night.wav');
    assert.equal((form.get('cover') as File).name, 'art.png');
  });

  it('sends no cover part without a cover', () => {
    const form = trackUploadForm({ title: 'x' }, { audio: new Blob(['a']), audioName: 'a.mp3' });
    assert.equal(form.has('cover'), false);
  });
});

describe('uploadTrackWithProgress', () => {
  it('says it needs a browser where there is no XMLHttpRequest', () => {
    assert.throws(
      () => uploadTrackWithProgress({ baseUrl: 'http://127.0.0.1:1', form: new FormData() }),
      /runs in a browser/,
    );
  });
});
