import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declaredWavDataEnd, isTruncatedWav } from './wav.ts';

function chunk(id: string, size: number, body = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'latin1');
  header.writeUInt32LE(size, 4);
  return Buffer.concat([header, body]);
}

function wav(...chunks: Buffer[]): Buffer {
  const riff = Buffer.from('RIFF\0\0\0\0WAVE', 'latin1');
  return Buffer.concat([riff, ...chunks]);
}

test('declaredWavDataEnd finds the data chunk after fmt and an odd-sized LIST chunk', () => {
  const head = wav(
    chunk('fmt ', 16, Buffer.alloc(16)),
    chunk('LIST', 3, Buffer.alloc(4)),
    chunk('data', 1000),
  );
  assert.equal(declaredWavDataEnd(head), 12 + 24 + 12 + 8 + 1000);
});

test('declaredWavDataEnd ignores non-WAV files and unknown streaming sizes', () => {
  assert.equal(declaredWavDataEnd(Buffer.from('ID3 not a wav at all')), null);
  assert.equal(declaredWavDataEnd(wav(chunk('data', 0xffffffff))), null);
  assert.equal(declaredWavDataEnd(wav(chunk('data', 0))), null);
});

test('isTruncatedWav is true only when the file is shorter than the header promises', () => {
  const head = wav(chunk('fmt ', 16, Buffer.alloc(16)), chunk('data', 1000));
  assert.equal(isTruncatedWav(head, 44 + 1000), false);
  assert.equal(isTruncatedWav(head, 44 + 500), true);
});
