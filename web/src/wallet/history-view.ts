/** The wallet history's browser-side logic: pure, so it is unit-tested (history-view.test.ts). */
import type { paths } from '@fairstream/sdk';
import { formatUnits } from '../lib/format.ts';

/** A page as GET /accounts/{address}/history answers it. */
export type HistoryPage =
  paths['/api/v1/accounts/{address}/history']['get']['responses'][200]['content']['application/json'];
/** One movement, with its cause. */
export type HistoryMovement = HistoryPage['items'][number];

/** "+1,000", "-12.5": exact, signed by direction, grouped in thousands. */
export function signedAmount(movement: Pick<HistoryMovement, 'amount' | 'direction' | 'token'>): string {
  const text = formatUnits(movement.amount, movement.token.decimals);
  const sign = movement.direction === 'in' ? '+' : movement.direction === 'out' ? '-' : '±';
  return `${sign}${text}`;
}

/** Where the CSV export of the same history is (all tokens, or the one chosen). */
export function csvHref(address: string, token: string | undefined): string {
  const base = `/api/v1/accounts/${address.toLowerCase()}/history.csv`;
  return token ? `${base}?token=${encodeURIComponent(token)}` : base;
}

/** The one listed track a movement names (a tip's, or a payout's only track), for a link. */
export function trackOf(movement: Pick<HistoryMovement, 'cause'>): { id: string; title: string } | undefined {
  const { cause } = movement;
  if ('track' in cause) return cause.track ?? undefined;
  if (!('epochs' in cause)) return undefined;
  const tracks = new Map<string, { id: string; title: string }>();
  for (const share of cause.epochs) {
    for (const part of share.parts) if ('track' in part && part.track) tracks.set(part.track.id, part.track);
  }
  return tracks.size === 1 ? [...tracks.values()][0] : undefined;
}

/**
 * The description cut around the track's quoted title, so the title can be a link:
 * "Tip to “Song”, split…" → ["Tip to ", "Song", ", split…"]. Undefined when the title is not there.
 */
export function splitAtTitle(
  description: string,
  title: string,
): [before: string, title: string, after: string] | undefined {
  const quoted = `“${title}”`;
  const at = description.indexOf(quoted);
  if (at < 0) return undefined;
  return [description.slice(0, at + 1), title, description.slice(at + quoted.length - 1)];
}

/**
 * After a transaction the node indexes its block within a second or two: reads the first page
 * again (every `delayMs`, at most `attempts` times) until the index holds the chain's head, so the
 * new movement shows instead of an older list. Answers the last page read either way.
 */
export async function untilIndexed<T extends { indexedBlock: number | null }>(
  load: () => Promise<T>,
  head: number | undefined,
  options: { attempts?: number; delayMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const attempts = options.attempts ?? 10;
  const delayMs = options.delayMs ?? 500;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let page = await load();
  for (let attempt = 1; attempt < attempts && head !== undefined; attempt++) {
    if (page.indexedBlock !== null && page.indexedBlock >= head) break;
    await sleep(delayMs);
    page = await load();
  }
  return page;
}
