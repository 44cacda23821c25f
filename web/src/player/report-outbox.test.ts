import type { PlaybackReport, UnsignedPlaybackReport } from '@fairstream/protocol';
import { describe, expect, it } from 'vitest';
import {
  type Delivery,
  OUTBOX_PREFIX,
  type OutboxDeps,
  ReportOutbox,
  type ReportResult,
} from './report-outbox.ts';

class MemoryStorage {
  readonly map = new Map<string, string>();
  full = false;
  get length() {
    return this.map.size;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    if (this.full) throw new DOMException('quota', 'QuotaExceededError');
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
}

function unsigned(id: string, trackId = 't1'): UnsignedPlaybackReport {
  return {
    id,
    playId: 'play-0001',
    trackId,
    listener: '0x00000000000000000000000000000000000000aa',
    sessionKey: 'ab'.repeat(32),
    segments: [[0, 5000]],
    startedAt: 1000,
    endedAt: 6000,
    source: 'web',
    appId: null,
  };
}

/** A node that stores each id once, as POST /plays does; `down` makes it unreachable. */
function fakeNode() {
  const stored = new Set<string>();
  const requests: { ids: string[]; share: string | undefined; keepalive: boolean }[] = [];
  const node = {
    down: false,
    reject: new Set<string>(),
    stored,
    requests,
    async send(reports: PlaybackReport[], options: { share: string | undefined; keepalive: boolean }) {
      requests.push({ ids: reports.map((r) => r.id), ...options });
      if (node.down) return { retry: 'unreachable' } satisfies Delivery;
      const results: ReportResult[] = reports.map((report) => {
        expect(report.signature).toBe(`sig-${report.id}`);
        if (node.reject.has(report.id)) return { id: report.id, status: 'rejected', reason: 'forged' };
        if (stored.has(report.id)) return { id: report.id, status: 'duplicate' };
        stored.add(report.id);
        return { id: report.id, status: 'accepted' };
      });
      return { results };
    },
  };
  return node;
}

function outbox(storage: MemoryStorage, node: ReturnType<typeof fakeNode>, extra: Partial<OutboxDeps> = {}) {
  const rejected: ReportResult[] = [];
  const box = new ReportOutbox({
    storage,
    sign: async (report) => `sig-${report.id}`,
    send: (reports, options) => node.send(reports, options),
    now: () => 10_000,
    onRejected: (result) => rejected.push(result),
    ...extra,
  });
  return { box, rejected };
}

describe('ReportOutbox', () => {
  it('keeps a report in storage until the node has answered for it', async () => {
    const storage = new MemoryStorage();
    const node = fakeNode();
    const { box } = outbox(storage, node);
    box.add(unsigned('report-0001'));
    expect(storage.getItem(`${OUTBOX_PREFIX}report-0001`)).not.toBeNull();
    await box.flush();
    expect(node.stored.has('report-0001')).toBe(true);
    expect(box.entries()).toEqual([]);
    expect(storage.length).toBe(0);
  });

  it('keeps reports while the node is unreachable and sends them again with the same ids on the next load', async () => {
    const storage = new MemoryStorage();
    const node = fakeNode();
    node.down = true;
    const first = outbox(storage, node).box;
    first.add(unsigned('report-0001'));
    first.add(unsigned('report-0002'));
    await first.flush();
    expect(first.entries().map((e) => e.report.id)).toEqual(['report-0001', 'report-0002']);
    expect(first.entries().every((e) => e.signature === `sig-${e.report.id}`)).toBe(true);

    node.down = false;
    const next = outbox(storage, node).box; // a reload: a new outbox over the same storage
    await next.flush();
    expect([...node.stored].sort()).toEqual(['report-0001', 'report-0002']);
    expect(next.entries()).toEqual([]);
  });

  it('lets a report acknowledged twice count once (the node answers duplicate)', async () => {
    const storage = new MemoryStorage();
    const node = fakeNode();
    const { box } = outbox(storage, node);
    box.add(unsigned('report-0001'));
    await box.flush();
    // The same report written back, as if a second tab kept an old copy.
    storage.setItem(
      `${OUTBOX_PREFIX}report-0001`,
      JSON.stringify({ report: unsigned('report-0001'), addedAt: 1 }),
    );
    await box.flush();
    expect(node.stored.size).toBe(1);
    expect(box.entries()).toEqual([]);
  });

  it('drops rejected reports and says why', async () => {
    const storage = new MemoryStorage();
    const node = fakeNode();
    node.reject.add('report-0002');
    const { box, rejected } = outbox(storage, node);
    box.add(unsigned('report-0001'));
    box.add(unsigned('report-0002'));
    await box.flush();
    expect(rejected).toEqual([{ id: 'report-0002', status: 'rejected', reason: 'forged' }]);
    expect(box.entries()).toEqual([]);
  });

  it('keeps an unsigned report when signing fails for now, and drops it when its key is gone', async () => {
    const storage = new MemoryStorage();
    const node = fakeNode();
    let keyState: 'failing' | 'gone' = 'failing';
    const { box } = outbox(storage, node, {
      sign: async () => {
        if (keyState === 'failing') throw new Error('IndexedDB is busy');
        return null;
      },
    });
    box.add(unsigned('report-0001'));
    await box.flush();
    expect(box.entries()).toHaveLength(1);
    expect(node.requests).toEqual([]);
    keyState = 'gone';
    await box.flush();
    expect(box.entries()).toEqual([]);
  });

  it('sends only signed reports when the page is closing, with keepalive', async () => {
    const storage = new MemoryStorage();
    const node = fakeNode();
    node.down = true;
    const { box } = outbox(storage, node);
    box.add(unsigned('report-0001'));
    await box.flush();
    node.down = false;
    storage.setItem(
      `${OUTBOX_PREFIX}report-0002`,
      JSON.stringify({ report: unsigned('report-0002'), addedAt: 2 }),
    );
    await box.flush({ keepalive: true });
    expect(node.requests.at(-1)).toEqual({ ids: ['report-0001'], share: undefined, keepalive: true });
    expect(box.entries().map((e) => e.report.id)).toEqual(['report-0002']);
  });

  it('sends reports of tracks streamed through a share link with that link, apart from the rest', async () => {
    const storage = new MemoryStorage();
    const node = fakeNode();
    node.down = true;
    const { box } = outbox(storage, node);
    box.add(unsigned('report-0001'));
    box.add(unsigned('report-0002', 'hidden1'), 'share-token');
    await box.flush();
    node.down = false;
    node.requests.length = 0;
    await box.flush();
    expect(node.requests).toEqual([
      { ids: ['report-0001'], share: undefined, keepalive: false },
      { ids: ['report-0002'], share: 'share-token', keepalive: false },
    ]);
  });

  it('forgets reports older than any session key could be', async () => {
    const storage = new MemoryStorage();
    const node = fakeNode();
    const { box } = outbox(storage, node, { now: () => 9 * 24 * 60 * 60 * 1000 });
    storage.setItem(
      `${OUTBOX_PREFIX}report-0001`,
      JSON.stringify({ report: unsigned('report-0001'), addedAt: 0 }),
    );
    await box.flush();
    expect(node.requests).toEqual([]);
    expect(box.entries()).toEqual([]);
  });

  it('ignores and clears what is not a report', async () => {
    const storage = new MemoryStorage();
    storage.setItem(`${OUTBOX_PREFIX}junk`, '{not json');
    storage.setItem('unrelated', 'kept');
    const { box } = outbox(storage, fakeNode());
    expect(box.entries()).toEqual([]);
    expect([...storage.map.keys()]).toEqual(['unrelated']);
  });

  it('still sends a report that storage refused, from memory', async () => {
    const storage = new MemoryStorage();
    storage.full = true;
    const node = fakeNode();
    const { box } = outbox(storage, node);
    box.add(unsigned('report-0001'));
    await box.flush();
    expect(node.stored.has('report-0001')).toBe(true);
    expect(box.entries()).toEqual([]);
  });

  it('retries later, backing off, while the node is down', async () => {
    const storage = new MemoryStorage();
    const node = fakeNode();
    node.down = true;
    const timers: { callback: () => void; ms: number }[] = [];
    const { box } = outbox(storage, node, { setTimeout: (callback, ms) => timers.push({ callback, ms }) });
    box.add(unsigned('report-0001'));
    await box.flush();
    expect(timers.map((t) => t.ms)).toEqual([2000]);
    timers.shift()!.callback();
    await box.flush();
    expect(timers.map((t) => t.ms)).toEqual([4000]);
    node.down = false;
    timers.shift()!.callback();
    await box.flush();
    expect(node.stored.has('report-0001')).toBe(true);
  });
});
