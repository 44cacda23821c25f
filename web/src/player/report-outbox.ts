import type { PlaybackReport, UnsignedPlaybackReport } from '@fairstream/protocol';

/**
 * Playback reports on their way to the node. Every report is written to storage (localStorage in
 * the app) the moment it is cut, before it is signed or sent, and leaves only when the node has
 * answered for it. A report the node did not acknowledge (offline, a restart, the tab closed) is
 * sent again later, on this load or the next, with the same id: the node stores an id once and
 * answers "duplicate" after that, so nothing is lost and nothing is counted twice.
 *
 * Ed25519 signatures are deterministic, so a report kept unsigned (the page was closing and
 * signing is asynchronous) gets exactly the same signature when it is signed on the next load.
 */

export interface OutboxEntry {
  report: UnsignedPlaybackReport;
  signature?: string;
  /** The share-link token the track was streamed through (a hidden track), sent with the report. */
  share?: string;
  /** Unix ms when the report was cut. */
  addedAt: number;
}

export type ReportResult = {
  id: string;
  status: 'accepted' | 'duplicate' | 'rejected';
  reason?: string;
  message?: string;
};

/** What a delivery attempt came to: the node's answer per report, or try again later. */
export type Delivery = { results: ReportResult[] } | { retry: string };

export interface OutboxDeps {
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;
  /**
   * The signature of a report by its session key; null when that key is gone for good (signed
   * out, replaced), so the report can never be signed. Throws when signing failed for now.
   */
  sign(report: UnsignedPlaybackReport): Promise<string | null>;
  send(
    reports: PlaybackReport[],
    options: { share: string | undefined; keepalive: boolean },
  ): Promise<Delivery>;
  now(): number;
  /** Called for each report the node refused (kept nowhere after: resending cannot change the answer). */
  onRejected?(result: ReportResult): void;
  /** Timers for retries; absent in tests that flush by hand. */
  setTimeout?(callback: () => void, ms: number): unknown;
}

export const OUTBOX_PREFIX = 'fairstream.play-report.';
/** Past the longest session-key delegation (7 days), the node would only refuse it. */
const MAX_AGE_MS = 8 * 24 * 60 * 60 * 1000;
/** Reports per request; a keepalive request (page closing) carries at most 64 KiB in all. */
const BATCH = 100;
const KEEPALIVE_BATCH = 40;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 60_000;

export class ReportOutbox {
  readonly #deps: OutboxDeps;
  #flushing: Promise<void> | undefined;
  #again = false;
  #retryMs = RETRY_MIN_MS;
  #retryTimer: unknown;
  /** Reports that storage refused (full, private mode): they still go out from memory on this load. */
  readonly #memory = new Map<string, OutboxEntry>();

  constructor(deps: OutboxDeps) {
    this.#deps = deps;
  }

  /** Keeps the report (synchronously, so it survives the page closing right after), then sends. */
  add(report: UnsignedPlaybackReport, share?: string): void {
    const entry: OutboxEntry = { report, addedAt: this.#deps.now(), ...(share && { share }) };
    this.#write(entry);
    void this.flush();
  }

  /** Every report not yet acknowledged, oldest first. */
  entries(): OutboxEntry[] {
    const { storage } = this.#deps;
    const found: OutboxEntry[] = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (!key?.startsWith(OUTBOX_PREFIX)) continue;
      try {
        const entry = JSON.parse(storage.getItem(key) ?? '') as OutboxEntry;
        if (entry?.report?.id === key.slice(OUTBOX_PREFIX.length)) found.push(entry);
        else storage.removeItem(key);
      } catch {
        storage.removeItem(key);
      }
    }
    for (const entry of this.#memory.values()) {
      if (!found.some((other) => other.report.id === entry.report.id)) found.push(entry);
    }
    return found.sort((a, b) => a.addedAt - b.addedAt);
  }

  /**
   * Signs what is unsigned and sends what is signed. One flush at a time; a call during a flush
   * runs another right after it. `keepalive` is for a page that is going away: nothing is signed
   * (there is no time), what is signed goes out in requests that outlive the page.
   */
  flush(options: { keepalive?: boolean } = {}): Promise<void> {
    if (options.keepalive) return this.#deliver(true);
    if (this.#flushing) {
      this.#again = true;
      return this.#flushing;
    }
    this.#flushing = (async () => {
      try {
        do {
          this.#again = false;
          await this.#sign();
          await this.#deliver(false);
        } while (this.#again);
      } finally {
        this.#flushing = undefined;
      }
    })();
    return this.#flushing;
  }

  async #sign(): Promise<void> {
    const now = this.#deps.now();
    for (const entry of this.entries()) {
      if (now - entry.addedAt > MAX_AGE_MS) {
        this.#remove(entry.report.id);
        continue;
      }
      if (entry.signature) continue;
      let signature: string | null;
      try {
        signature = await this.#deps.sign(entry.report);
      } catch {
        continue; // kept unsigned: a later flush (or load) tries again
      }
      // Sent or dropped by another tab meanwhile: leave it gone.
      if (!this.#has(entry.report.id)) continue;
      if (signature === null) this.#remove(entry.report.id);
      else this.#write({ ...entry, signature });
    }
  }

  async #deliver(keepalive: boolean): Promise<void> {
    const ready = this.entries().filter((entry) => entry.signature);
    const groups = new Map<string, OutboxEntry[]>();
    for (const entry of ready) {
      const key = entry.share ?? '';
      groups.set(key, [...(groups.get(key) ?? []), entry]);
    }
    const size = keepalive ? KEEPALIVE_BATCH : BATCH;
    let retry = false;
    for (const [share, group] of groups) {
      for (let i = 0; i < group.length; i += size) {
        const batch = group.slice(i, i + size);
        const reports = batch.map((entry) => ({ ...entry.report, signature: entry.signature! }));
        let delivery: Delivery;
        try {
          delivery = await this.#deps.send(reports, { share: share || undefined, keepalive });
        } catch (error) {
          delivery = { retry: String(error) };
        }
        if ('retry' in delivery) {
          retry = true;
          if (keepalive) return;
          break;
        }
        for (const result of delivery.results) {
          if (result.status === 'rejected') this.#deps.onRejected?.(result);
          this.#remove(result.id);
        }
      }
    }
    if (keepalive) return;
    if (retry) this.#scheduleRetry();
    else this.#retryMs = RETRY_MIN_MS;
  }

  #scheduleRetry(): void {
    const { setTimeout } = this.#deps;
    if (!setTimeout || this.#retryTimer !== undefined) return;
    const delay = this.#retryMs;
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.flush();
    }, delay);
  }

  #write(entry: OutboxEntry): void {
    try {
      this.#deps.storage.setItem(OUTBOX_PREFIX + entry.report.id, JSON.stringify(entry));
      this.#memory.delete(entry.report.id);
    } catch {
      this.#memory.set(entry.report.id, entry);
    }
  }

  #has(id: string): boolean {
    return this.#memory.has(id) || this.#deps.storage.getItem(OUTBOX_PREFIX + id) !== null;
  }

  #remove(id: string): void {
    this.#deps.storage.removeItem(OUTBOX_PREFIX + id);
    this.#memory.delete(id);
  }
}
