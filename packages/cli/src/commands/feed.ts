import { parseArgs } from 'node:util';
import { unwrap } from '@fairstream/sdk';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import { personName, signedInClient } from '../session.ts';

export const feedHelp = `Usage: fairstream feed [--limit N] [--cursor C]

The newest tracks and reposts of the accounts you follow (\`fairstream follow\`). --limit sets how
many (1–100, default 20); the last line names the --cursor that shows the next ones.
`;

export async function feed(args: string[], global: GlobalOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { limit: { type: 'string' }, cursor: { type: 'string' } },
  });
  if (positionals.length > 0) throw new CliError(`feed takes no arguments.\n\n${feedHelp}`, 2);
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new CliError(`--limit must be a whole number from 1 to 100 (got "${values.limit}")`, 2);
  }
  const { client } = await signedInClient(global);
  const page = unwrap(
    await client.GET('/api/v1/me/feed', {
      params: { query: { limit, ...(values.cursor !== undefined && { cursor: values.cursor }) } },
    }),
  );
  if (global.json) {
    process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  if (page.items.length === 0) {
    process.stdout.write(
      values.cursor
        ? 'Nothing older.\n'
        : 'Your feed is empty: follow someone with `fairstream follow <handle>`.\n',
    );
    return 0;
  }
  for (const item of page.items) {
    const when = new Date(item.at).toISOString().replace('T', ' ').slice(0, 16);
    const what = item.type === 'repost' ? 'reposted' : 'posted';
    process.stdout.write(
      `${when}  ${personName(item.actor)} ${what} "${item.track.title}" (${item.track.id})\n`,
    );
  }
  if (page.nextCursor) process.stdout.write(`More: fairstream feed --cursor ${page.nextCursor}\n`);
  return 0;
}
