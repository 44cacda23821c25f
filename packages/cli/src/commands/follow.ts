import { unwrap } from '@fairstream/sdk';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import { signedInClient } from '../session.ts';

export const followHelp = `Usage: fairstream follow <handleOrAddress>

Follows an account, by its handle (any case) or its wallet address: its tracks and reposts then
appear in \`fairstream feed\`. Following twice is one follow.
`;

export const unfollowHelp = `Usage: fairstream unfollow <handleOrAddress>

Stops following an account. Unfollowing someone you do not follow changes nothing.
`;

export async function follow(args: string[], global: GlobalOptions): Promise<number> {
  const target = onlyTarget(args, followHelp);
  const { client } = await signedInClient(global);
  const result = unwrap(
    await client.PUT('/api/v1/users/{handleOrAddress}/follow', {
      params: { path: { handleOrAddress: target } },
    }),
  );
  if (global.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else
    process.stdout.write(
      `Following ${target} (${result.address}), who now has ${result.followers} follower(s)\n`,
    );
  return 0;
}

export async function unfollow(args: string[], global: GlobalOptions): Promise<number> {
  const target = onlyTarget(args, unfollowHelp);
  const { client } = await signedInClient(global);
  const { error, response } = await client.DELETE('/api/v1/users/{handleOrAddress}/follow', {
    params: { path: { handleOrAddress: target } },
  });
  if (error !== undefined || response.status !== 204) unwrap({ error, response });
  if (global.json) process.stdout.write(`${JSON.stringify({ unfollowed: target })}\n`);
  else process.stdout.write(`Not following ${target}\n`);
  return 0;
}

function onlyTarget(args: string[], help: string): string {
  const flags = args.filter((arg) => arg.startsWith('-'));
  if (flags.length > 0) throw new CliError(`Unknown option ${flags[0]}.\n\n${help}`, 2);
  if (args.length !== 1) throw new CliError(`Give one handle or address.\n\n${help}`, 2);
  return args[0]!.replace(/^@/, '');
}
