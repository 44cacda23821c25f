import { badRequest, forbidden } from '../errors.ts';
import { DAY_MS, type DiscoveryRepository, floorTo, HOUR_MS } from '../repositories/discovery.repository.ts';
import type { TracksService, Viewer } from './tracks.service.ts';

export const INSIGHT_BUCKETS = ['hour', 'day'] as const;
export type InsightBucket = (typeof INSIGHT_BUCKETS)[number];
/** A timeline is at most this many buckets: a month by hour, or nearly three years by day. */
export const MAX_BUCKETS = 1000;
const TOP_FANS = 10;
/** Sources always listed, in this order, even at 0 (the report's `source`). */
const SOURCES = ['web', 'cli', 'api', 'app'];

export interface InsightsQuery {
  from?: number | undefined;
  to?: number | undefined;
  bucket?: InsightBucket | undefined;
}

/**
 * What an artist sees of a track: counted plays over time, unique listeners, top fans and where
 * plays came from, read from the aggregates settlement maintains. Only the owner and the split's
 * collaborators may look; a track others cannot even see is a 404 for them, as everywhere.
 */
export class InsightsService {
  readonly #repo: DiscoveryRepository;
  readonly #tracks: TracksService;
  readonly #now: () => number;

  constructor(repo: DiscoveryRepository, tracks: TracksService, now: () => number = Date.now) {
    this.#repo = repo;
    this.#tracks = tracks;
    this.#now = now;
  }

  /** Checks access and the range once (the live stream repeats only `read`). */
  async prepare(trackId: string, viewer: Viewer, query: InsightsQuery) {
    const track = await this.#tracks.get(trackId, viewer);
    const address = viewer.address;
    if (!address || (track.owner !== address && !track.splits.some((split) => split.address === address))) {
      throw forbidden(
        `Only the artists of track ${trackId} (its owner and split collaborators) see its insights`,
      );
    }
    return range(query, this.#now());
  }

  async insights(trackId: string, viewer: Viewer, query: InsightsQuery) {
    return this.read(trackId, await this.prepare(trackId, viewer, query));
  }

  async read(trackId: string, window: { from: number; to: number; bucket: InsightBucket }) {
    const { from, to, bucket } = window;
    const unit = bucket === 'hour' ? HOUR_MS : DAY_MS;
    // Listener and source figures are kept per UTC day: the days the range touches.
    const days = { from: floorTo(from, DAY_MS), to: floorTo(to + DAY_MS - 1, DAY_MS) };
    const [total, hourly, uniqueListeners, fans, sources, epoch, daily] = await Promise.all([
      this.#repo.countedPlays(trackId),
      this.#repo.hourlyPlays(trackId, { from, to }),
      this.#repo.uniqueListeners(trackId, days),
      this.#repo.topFans(trackId, days, TOP_FANS),
      this.#repo.playsBySource(trackId, days),
      this.#repo.lastJudgedEpoch(),
      // Listeners are kept per UTC day, so only day buckets can say how many each one had.
      bucket === 'day' ? this.#repo.listenersByDay(trackId, days) : undefined,
    ]);
    const buckets = new Map<number, number>();
    for (let at = from; at < to; at += unit) buckets.set(at, 0);
    for (const { hour, counted } of hourly) {
      const at = floorTo(hour, unit);
      buckets.set(at, (buckets.get(at) ?? 0) + counted);
    }
    const listenersOn = new Map(daily?.map((entry) => [entry.day, entry.listeners]));
    const bySource = new Map(SOURCES.map((source) => [source, 0]));
    for (const { source, counted } of sources) bySource.set(source, (bySource.get(source) ?? 0) + counted);
    return {
      trackId,
      from,
      to,
      bucket,
      countedPlays: total,
      plays: hourly.reduce((sum, entry) => sum + entry.counted, 0),
      uniqueListeners,
      timeline: daily
        ? [...buckets].map(([at, plays]) => ({ at, plays, listeners: listenersOn.get(at) ?? 0 }))
        : [...buckets].map(([at, plays]) => ({ at, plays })),
      topFans: fans.map((fan, i) => ({
        rank: i + 1,
        // A fan who opted out counts, anonymously.
        address: fan.hidden ? null : fan.listener,
        plays: fan.counted,
      })),
      bySource: [...bySource].map(([source, plays]) => ({ source, plays })),
      throughEpoch: epoch,
    };
  }

  lastJudgedEpoch(): Promise<number> {
    return this.#repo.lastJudgedEpoch();
  }

  fanPrivacy(address: string) {
    return this.#repo.fanPrivacy(address);
  }

  async setFanPrivacy(address: string, settings: { hideFromTopFans: boolean }) {
    await this.#repo.setFanPrivacy(address, settings.hideFromTopFans, this.#now());
    return this.#repo.fanPrivacy(address);
  }
}

/**
 * The range rounded out to whole buckets: by default the last 30 days by day (48 hours by hour).
 * A 400 says what to change when it is empty, reversed or longer than MAX_BUCKETS buckets.
 */
function range(query: InsightsQuery, now: number): { from: number; to: number; bucket: InsightBucket } {
  const bucket = query.bucket ?? 'day';
  const unit = bucket === 'hour' ? HOUR_MS : DAY_MS;
  const to = floorTo((query.to ?? now) + unit - 1, unit);
  const from = floorTo(query.from ?? to - (bucket === 'hour' ? 48 : 30) * unit, unit);
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to) {
    throw badRequest('invalid_range', 'from must be before to (both Unix milliseconds)');
  }
  if (from >= to) throw badRequest('invalid_range', 'from must be before to (both Unix milliseconds)');
  const buckets = (to - from) / unit;
  if (buckets > MAX_BUCKETS) {
    throw badRequest(
      'invalid_range',
      `The range holds ${buckets} ${bucket}s; ask for at most ${MAX_BUCKETS} (a shorter range${bucket === 'hour' ? ', or bucket=day' : ''})`,
    );
  }
  return { from, to, bucket };
}
