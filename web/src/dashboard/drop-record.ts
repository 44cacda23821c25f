/**
 * An artist's fan drop as planned, kept in this browser before anything is sent (the CLI keeps the
 * same record in a file), so a drop interrupted by a closed tab or a failed step can be finished.
 * Small on purpose: the dashboard reads it on every visit without loading the chain actions.
 */
import type { FanDropPlan } from '@fairstream/chain/writes';

/** What is kept before anything is sent, so an interrupted drop can be finished (the CLI's drop file). */
export type DropRecord = FanDropPlan;

const storageKey = (chainId: number, creator: string) =>
  `fairstream.fanDrop.${chainId}.${creator.toLowerCase()}`;

/** The unfinished drop this wallet left on this chain, if any. */
export function loadDropRecord(chainId: number, creator: string): DropRecord | undefined {
  try {
    const text = localStorage.getItem(storageKey(chainId, creator));
    const record = text ? (JSON.parse(text) as DropRecord) : undefined;
    return record?.format === 'fairstream-fan-drop/1' && !record.pushed ? record : undefined;
  } catch {
    return undefined;
  }
}

export function saveDropRecord(record: DropRecord): void {
  const key = storageKey(record.chainId, record.creator);
  if (record.pushed) localStorage.removeItem(key);
  else localStorage.setItem(key, JSON.stringify(record));
}

export function forgetDropRecord(chainId: number, creator: string): void {
  localStorage.removeItem(storageKey(chainId, creator));
}
