import { parseArgs } from 'node:util';
import { createFairstreamClient, unwrap } from '@fairstream/sdk';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import { personName, signedInClient } from '../session.ts';
import { loadAccount } from '../wallet.ts';

export const profileHelp = `Usage: fairstream profile [HANDLE_OR_ADDRESS]
       fairstream profile [--handle H] [--name NAME] [--bio TEXT]

Without options, shows a profile: its name, bio, links, followers and latest tracks (yours by
default). With options, changes your own: --handle (3–30 of a-z, 0-9, _ and .; unique whatever the
case), --name (your display name), --bio (plain text, at most 1000 characters). An empty value
("") removes the name or bio. Options you leave out stay as they are.
`;

export async function profile(args: string[], global: GlobalOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { handle: { type: 'string' }, name: { type: 'string' }, bio: { type: 'string' } },
  });
  const changes = {
    ...(values.handle !== undefined && { handle: values.handle.replace(/^@/, '') }),
    ...(values.name !== undefined && { displayName: values.name === '' ? null : values.name }),
    ...(values.bio !== undefined && { bio: values.bio === '' ? null : values.bio }),
  };
  if (positionals.length > 1) throw new CliError(`Give at most one handle or address.\n\n${profileHelp}`, 2);
  if (Object.keys(changes).length > 0) {
    if (positionals.length > 0) {
      throw new CliError('You can only change your own profile: leave out the handle or address.', 2);
    }
    const { client } = await signedInClient(global);
    const updated = unwrap(await client.PUT('/api/v1/me/profile', { body: changes }));
    if (global.json) process.stdout.write(`${JSON.stringify(updated, null, 2)}\n`);
    else process.stdout.write(`Profile saved: ${personName(updated)}\n`);
    return 0;
  }

  const target =
    positionals[0]?.replace(/^@/, '') ??
    (await loadAccount(global.key, global.walletPath, global.log)).address;
  const page = unwrap(
    await createFairstreamClient({ baseUrl: global.api }).GET('/api/v1/users/{handleOrAddress}', {
      params: { path: { handleOrAddress: target }, query: { limit: 10 } },
    }),
  );
  if (global.json) {
    process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  const lines = [personName(page)];
  if (page.bio) lines.push('', page.bio);
  for (const link of page.links) lines.push(`${link.label}: ${link.url}`);
  lines.push('', `${page.followers} follower(s), following ${page.following}`);
  if (page.tracks.items.length > 0) {
    lines.push('', 'Tracks:');
    for (const track of page.tracks.items) lines.push(`  ${track.id}  ${track.title}`);
  }
  if (page.reposts.items.length > 0) {
    lines.push('', 'Reposts:');
    for (const { track } of page.reposts.items) lines.push(`  ${track.id}  ${track.title}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
