import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FairstreamNode } from '../node.ts';
import { filePart, multipart } from './test-node.ts';

const exec = promisify(execFile);

/** A WAV of a sine tone, made by ffmpeg: real audio for the real media pipeline. */
export async function toneWav(seconds: number, frequency: number): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'fairstream-tone-'));
  try {
    const path = join(dir, 'tone.wav');
    await exec('ffmpeg', [
      ...['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'lavfi'],
      ...['-i', `sine=frequency=${frequency}:duration=${seconds}:sample_rate=44100`, '-ac', '2', path],
    ]);
    return await readFile(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Uploads through the API and waits until the media worker has finished; returns the track id. */
export async function uploadReadyTrack(
  node: FairstreamNode,
  token: string,
  title: string,
  wav: Buffer,
  fields: Record<string, string> = {},
): Promise<string> {
  const body = await multipart([
    { name: 'title', value: title },
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    filePart('audio', `${title}.wav`, wav, 'audio/wav'),
  ]);
  const response = await node.app.inject({
    method: 'POST',
    url: '/api/v1/tracks',
    payload: body.payload,
    headers: { ...body.headers, authorization: `Bearer ${token}` },
  });
  if (response.statusCode !== 202) throw new Error(`upload failed: ${response.body}`);
  const id: string = response.json().id;
  await node.worker?.idle();
  const track = (
    await node.app.inject({
      method: 'GET',
      url: `/api/v1/tracks/${id}`,
      headers: { authorization: `Bearer ${token}` },
    })
  ).json();
  if (track.state !== 'ready')
    throw new Error(`track ${id} is ${track.state}: ${JSON.stringify(track.failure)}`);
  return id;
}
