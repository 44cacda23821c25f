import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { SplitError, validateSplits } from '@fairstream/protocol';
import {
  createFairstreamClient,
  FairstreamApiError,
  type MultipartPart,
  signIn,
  type Track,
  unwrap,
  uploadTrack,
} from '@fairstream/sdk';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import { formatBytes, ProgressBar } from '../progress.ts';
import { loadAccount } from '../wallet.ts';
import { registerFromWallet, type SelfRegistration } from './register.ts';

export const uploadHelp = `Usage: fairstream upload <audio> --title TITLE [options]

Uploads a track to the node and, with --wait, follows its processing until it is ready.

Options:
  --title TITLE            Track title (optional when the file's tags carry one)
  --cover IMAGE            Cover art (JPEG, PNG, WebP…, at most 20 MB)
  --artist NAME            Artist name as shown (defaults to the file's tags)
  --genre GENRE            Genre
  --description TEXT       Description
  --tags a,b,c             Tags
  --release-date YYYY-MM-DD
  --hidden                 Only you, your collaborators and share-link holders can see it
  --gate TOKEN:MIN         Token gate: ERC-20 address and minimum balance in base units
  --split ADDRESS=PERCENT  A collaborator's share; repeat; percentages sum to 100 (default: 100% to you)
  --register-self          Register the track on the ledger from your own wallet (you pay the gas)
                           instead of the node; with --wait this happens when processing reaches
                           the register stage, otherwise run \`fairstream register <trackId>\`
  --wait                   Wait until processing is done and show its progress
`;

const AUDIO_TYPES: Record<string, string> = {
  '.wav': 'audio/wav',
  '.flac': 'audio/flac',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.aif': 'audio/aiff',
  '.aiff': 'audio/aiff',
};
const IMAGE_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
};

export async function upload(args: string[], global: GlobalOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      title: { type: 'string' },
      cover: { type: 'string' },
      artist: { type: 'string' },
      genre: { type: 'string' },
      description: { type: 'string' },
      tags: { type: 'string' },
      'release-date': { type: 'string' },
      hidden: { type: 'boolean' },
      gate: { type: 'string' },
      split: { type: 'string', multiple: true },
      'register-self': { type: 'boolean' },
      wait: { type: 'boolean' },
    },
  });
  const [audioPath, ...extra] = positionals;
  if (!audioPath || extra.length > 0) throw new CliError(`Give exactly one audio file.\n\n${uploadHelp}`);

  const parts: MultipartPart[] = [];
  const field = (name: string, value: string | undefined) => {
    if (value !== undefined) parts.push({ name, value });
  };
  field('title', values.title);
  field('artistName', values.artist);
  field('genre', values.genre);
  field('description', values.description);
  field('tags', values.tags);
  field('releaseDate', values['release-date']);
  if (values.hidden) field('visibility', 'hidden');
  if (values.gate) {
    const [token, minBalance] = values.gate.split(':');
    if (!token || !minBalance)
      throw new CliError('--gate must be TOKEN_ADDRESS:MIN_BALANCE, e.g. 0xabc…:1000000');
    field('access', 'token');
    field('gateToken', token);
    field('gateMinBalance', minBalance);
  }
  if (values.split) {
    const splits = values.split.map(parseSplitFlag);
    // Checked here too, by the same rule the node applies, so a bad split fails before a long upload.
    try {
      validateSplits(splits);
    } catch (error) {
      if (error instanceof SplitError) throw new CliError(`--split: ${error.message}`);
      throw error;
    }
    field('splits', JSON.stringify(splits));
  }
  if (values['register-self']) field('registration', 'artist');
  parts.push(await filePart('audio', audioPath, AUDIO_TYPES, 'application/octet-stream'));
  if (values.cover)
    parts.push(await filePart('cover', values.cover, IMAGE_TYPES, 'application/octet-stream'));

  const account = await loadAccount(global.key, global.walletPath, global.log);
  const client = createFairstreamClient({ baseUrl: global.api });
  const session = await signIn(client, account);
  const authed = createFairstreamClient({ baseUrl: global.api, token: session.token });

  const progress = new ProgressBar();
  const response = await uploadTrack({
    baseUrl: global.api,
    token: session.token,
    parts,
    onProgress: (sent, total) =>
      progress.update('uploading', sent / total, `${formatBytes(sent)} / ${formatBytes(total)}`),
  });
  progress.done();
  if (response.status !== 202) {
    const error = (response.body as { error?: { code: string; message: string } } | undefined)?.error;
    throw new CliError(
      `Upload refused (${response.status} ${error?.code ?? ''}): ${error?.message ?? 'no details'}`,
    );
  }
  let track = response.body as Track;
  global.log(`Uploaded as track ${track.id}; processing…`);

  if (values.wait) {
    track = await waitUntilProcessed(authed, track, progress, () =>
      registerFromWallet(global, track.id, session),
    );
  } else if (track.registration === 'artist') {
    global.log(
      `The track is published once you register it on the ledger from your wallet: run \`fairstream register ${track.id}\``,
    );
  }
  if (global.json) process.stdout.write(`${JSON.stringify(track, null, 2)}\n`);
  else printTrack(track, global.api);
  return track.state === 'failed' ? 1 : 0;
}

/**
 * Follows processing until the track is ready or failed. A track the artist registers waits in its
 * register stage: then `registerSelf` sends the registration from the wallet, once.
 */
async function waitUntilProcessed(
  client: ReturnType<typeof createFairstreamClient>,
  initial: Track,
  progress: ProgressBar,
  registerSelf: () => Promise<SelfRegistration>,
) {
  let track = initial;
  let registered = false;
  while (track.state === 'processing') {
    const register = track.stages.find((stage) => stage.name === 'register');
    if (register?.state === 'waiting' && !registered) {
      progress.done('Processing reached the register stage: registering the track from your wallet.');
      const registration = await registerSelf();
      registered = true;
      progress.done(
        registration.transaction
          ? `Registered on the ledger (transaction ${registration.transaction}); waiting for the node to check it…`
          : 'Already registered on the ledger; waiting for the node to check it…',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
    try {
      track = unwrap(await client.GET('/api/v1/tracks/{id}', { params: { path: { id: track.id } } }));
    } catch (error) {
      if (error instanceof FairstreamApiError)
        throw new CliError(`Could not follow the track: ${error.message}`);
      throw error;
    }
    const active =
      track.stages.find((stage) => stage.state === 'running' || stage.state === 'waiting') ??
      track.stages.find((s) => s.state === 'pending');
    const done = track.stages.filter((stage) => stage.state === 'done' || stage.state === 'skipped').length;
    const fraction = (done + (active?.progress ?? 0)) / track.stages.length;
    progress.update(
      'processing',
      fraction,
      active?.state !== 'waiting'
        ? (active?.name ?? '')
        : registered
          ? `${active.name} (the node is checking your registration)`
          : `${active.name} (waiting for your transaction)`,
    );
  }
  progress.done(
    track.state === 'ready'
      ? 'Ready to stream.'
      : `Processing failed: ${track.failure?.message ?? 'no reason given'}`,
  );
  return track;
}

function printTrack(track: Track, api: string) {
  const lines = [
    `${track.title}  (${track.id})`,
    `  state:      ${track.state}${track.failure ? ` — ${track.failure.message}` : ''}`,
    `  duration:   ${(track.durationMs / 1000).toFixed(1)} s`,
    `  visibility: ${track.visibility}, access: ${track.access.kind}`,
    `  split:      ${track.splits.map((split) => `${split.address} ${split.percent}%`).join(', ')}`,
  ];
  if (track.loudness)
    lines.push(`  loudness:   ${track.loudness.integratedLufs} LUFS, gain ${track.loudness.gainDb} dB`);
  if (track.state === 'ready')
    lines.push(`  stream:     ${api}/api/v1/tracks/${track.id}/stream?format=opus`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function parseSplitFlag(flag: string) {
  const match = /^(0x[0-9a-fA-F]{40})=([\d.]+)%?$/.exec(flag);
  if (!match) throw new CliError(`--split must be ADDRESS=PERCENT, e.g. 0xabc…=25; got "${flag}"`);
  return { address: match[1]!, percent: match[2]! };
}

async function filePart(
  name: string,
  path: string,
  types: Record<string, string>,
  fallback: string,
): Promise<MultipartPart> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new CliError(`${path} is not a file`);
  const blob = await openAsBlob(path);
  return {
    name,
    filename: basename(path),
    type: types[extname(path).toLowerCase()] ?? fallback,
    size: info.size,
    stream: () => blob.stream(),
  };
}
