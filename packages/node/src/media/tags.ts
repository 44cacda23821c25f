import { parseFile } from 'music-metadata';

export interface AudioTags {
  title?: string;
  artist?: string;
  album?: string;
  genre?: string;
  year?: number;
  trackNumber?: number;
  picture?: { data: Uint8Array; mime: string };
}

/**
 * Reads embedded tags to pre-fill the upload form. Tags are a convenience, never a requirement,
 * so unreadable or missing tags yield an empty object instead of an error.
 */
export async function readTags(path: string): Promise<AudioTags> {
  try {
    const { common } = await parseFile(path, { duration: false, skipPostHeaders: true });
    return compact({
      title: text(common.title),
      artist: text(common.artist),
      album: text(common.album),
      genre: text(common.genre?.[0]),
      year: positiveInteger(common.year),
      trackNumber: positiveInteger(common.track.no),
      picture: common.picture?.[0] && { data: common.picture[0].data, mime: common.picture[0].format },
    });
  } catch {
    return {};
  }
}

function text(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function positiveInteger(value: number | null | undefined): number | undefined {
  return value !== null && value !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** Drops undefined fields so callers (and deepEqual) see only the tags that exist. */
function compact(tags: { [K in keyof AudioTags]: AudioTags[K] | undefined }): AudioTags {
  return Object.fromEntries(Object.entries(tags).filter(([, value]) => value !== undefined)) as AudioTags;
}
