import { parseArgs } from 'node:util';
import { createFairstreamClient, type FairstreamClient, signIn, unwrap } from '@fairstream/sdk';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import { loadAccount } from '../wallet.ts';

export const playlistHelp = `Usage: fairstream playlist <command> …

  create <title> [--album] [--hidden] [--description TEXT]
                              Create a playlist (or, with --album, an album of your own tracks)
  add <playlistId> <trackId> [--position N]
                              Add a track, at position N (0 is the first; default the end)
  remove <playlistId> <trackId>
                              Remove a track
  list [ADDRESS]              An account's playlists and albums (default yours, hidden ones too)

--json prints the node's answer as it is.
`;

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function playlist(args: string[], global: GlobalOptions): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'create':
      return create(rest, global);
    case 'add':
      return add(rest, global);
    case 'remove':
      return remove(rest, global);
    case 'list':
      return list(rest, global);
    default:
      throw new CliError(
        `${command ? `Unknown playlist command "${command}"` : 'Name a playlist command'}.\n\n${playlistHelp}`,
        2,
      );
  }
}

async function create(args: string[], global: GlobalOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      album: { type: 'boolean', default: false },
      hidden: { type: 'boolean', default: false },
      description: { type: 'string' },
    },
  });
  if (positionals.length !== 1) {
    throw new CliError(`Give the title as one argument (quote it if it has spaces).\n\n${playlistHelp}`, 2);
  }
  const client = await signedIn(global);
  const created = unwrap(
    await client.POST('/api/v1/playlists', {
      body: {
        title: positionals[0]!,
        kind: values.album ? 'album' : 'playlist',
        visibility: values.hidden ? 'hidden' : 'public',
        ...(values.description !== undefined && { description: values.description }),
      },
    }),
  );
  print(global, created, `Created ${created.kind} "${created.title}" (${created.visibility}): ${created.id}`);
  return 0;
}

async function add(args: string[], global: GlobalOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { position: { type: 'string' } },
  });
  const [playlistId, trackId] = ids(positionals);
  let position: number | undefined;
  if (values.position !== undefined) {
    if (!/^\d{1,4}$/.test(values.position)) {
      throw new CliError(`--position must be a whole number (0 is the first), not "${values.position}"`, 2);
    }
    position = Number(values.position);
  }
  const client = await signedIn(global);
  const updated = unwrap(
    await client.POST('/api/v1/playlists/{id}/tracks', {
      params: { path: { id: playlistId } },
      body: { trackId, ...(position !== undefined && { position }) },
    }),
  );
  const at = updated.items.find((item) => item.track.id === trackId)?.position;
  print(
    global,
    updated,
    `Added ${trackId} to "${updated.title}" at position ${at ?? '?'} (${updated.trackCount} tracks)`,
  );
  return 0;
}

async function remove(args: string[], global: GlobalOptions): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [playlistId, trackId] = ids(positionals);
  const client = await signedIn(global);
  const result = await client.DELETE('/api/v1/playlists/{id}/tracks/{trackId}', {
    params: { path: { id: playlistId, trackId } },
  });
  if (!result.response.ok) unwrap(result);
  print(global, { playlistId, trackId, removed: true }, `Removed ${trackId} from ${playlistId}`);
  return 0;
}

async function list(args: string[], global: GlobalOptions): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length > 1) throw new CliError(`list takes at most one address.\n\n${playlistHelp}`, 2);
  const given = positionals[0];
  if (given !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(given)) {
    throw new CliError(`"${given}" is not an address (0x followed by 40 hex digits).`, 2);
  }
  // Your own listing includes your hidden playlists, which only a signed-in request sees.
  const client = given ? createFairstreamClient({ baseUrl: global.api }) : await signedIn(global);
  const owner = given ?? (await loadAccount(global.key, global.walletPath, global.log)).address;
  const playlists = [];
  let cursor: string | undefined;
  do {
    const page = unwrap(
      await client.GET('/api/v1/playlists', {
        params: { query: { owner, limit: 100, ...(cursor && { cursor }) } },
      }),
    );
    playlists.push(...page.playlists);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  if (global.json) {
    process.stdout.write(`${JSON.stringify({ owner, playlists }, null, 2)}\n`);
    return 0;
  }
  if (playlists.length === 0) {
    process.stdout.write(`${owner} has no playlists${given ? ' you can see' : ''}.\n`);
    return 0;
  }
  for (const item of playlists) {
    const flags = [item.kind === 'album' ? 'album' : '', item.visibility === 'hidden' ? 'hidden' : '']
      .filter(Boolean)
      .join(', ');
    process.stdout.write(
      `${item.id}  ${item.title}  (${item.trackCount} track${item.trackCount === 1 ? '' : 's'}${flags ? `, ${flags}` : ''})\n`,
    );
  }
  return 0;
}

function ids(positionals: string[]): [string, string] {
  const [playlistId, trackId, ...extra] = positionals;
  if (!playlistId || !trackId || extra.length > 0) {
    throw new CliError(`Give a playlist id and a track id.\n\n${playlistHelp}`, 2);
  }
  for (const id of [playlistId, trackId]) {
    if (!ID.test(id)) throw new CliError(`"${id}" is not an id (letters, digits, - and _).`, 2);
  }
  return [playlistId, trackId];
}

async function signedIn(global: GlobalOptions): Promise<FairstreamClient> {
  const account = await loadAccount(global.key, global.walletPath, global.log);
  const { token } = await signIn(createFairstreamClient({ baseUrl: global.api }), account);
  return createFairstreamClient({ baseUrl: global.api, token });
}

function print(global: GlobalOptions, json: unknown, line: string): void {
  process.stdout.write(global.json ? `${JSON.stringify(json, null, 2)}\n` : `${line}\n`);
}
