import type { Db } from '../db/database.ts';

/**
 * Social facts fan rewards look at, written as the node's own services store them: a complete profile
 * (handle, display name, bio, an avatar's renditions) and a public playlist of `tracks` tracks (ready,
 * public tracks by `owner`, created here when the node has too few). Tests only.
 */
export async function seedFanSocial(
  db: Db,
  account: string,
  options: { profile?: boolean; playlist?: { tracks: number; owner: string } },
): Promise<void> {
  const address = account.toLowerCase();
  const now = Date.now();
  await db
    .insertInto('accounts')
    .values({ address, created_at: now })
    .onConflict((c) => c.column('address').doNothing())
    .execute();
  if (options.profile) {
    const handle = `fan${address.slice(2, 10)}`;
    await db
      .insertInto('profiles')
      .values({
        address,
        handle,
        handle_key: handle,
        display_name: 'A fan',
        bio: 'Listening every day.',
        links: '[]',
        created_at: now,
        updated_at: now,
      })
      .onConflict((c) =>
        c
          .column('address')
          .doUpdateSet({ handle, handle_key: handle, display_name: 'A fan', bio: 'Listening every day.' }),
      )
      .execute();
    await db.deleteFrom('profile_avatars').where('address', '=', address).execute();
    await db
      .insertInto('profile_avatars')
      .values(
        ['150.webp', '480.webp'].map((variant) => ({
          address,
          variant,
          cid: `bafkreiavatar${address.slice(2, 12)}${variant.slice(0, 3)}`,
          mime: 'image/webp',
          size: 100,
        })),
      )
      .execute();
  }
  if (options.playlist) {
    const owner = options.playlist.owner.toLowerCase();
    const trackIds: string[] = [];
    for (let i = 0; i < options.playlist.tracks; i++) {
      const id = `seed_${address.slice(2, 10)}_${i}`;
      trackIds.push(id);
      await db
        .insertInto('tracks')
        .values({
          id,
          owner,
          title: `Seeded ${i}`,
          artist_name: null,
          genre: null,
          description: null,
          tags: '[]',
          release_date: null,
          visibility: 'public',
          access_kind: 'free',
          gate_token: null,
          gate_min_balance: null,
          state: 'ready',
          failure_code: null,
          failure_message: null,
          duration_ms: 60_000,
          original_cid: `bafkreiseed${address.slice(2, 10)}${i}`,
          original_name: 'seed.wav',
          original_mime: 'audio/wav',
          integrated_lufs: null,
          true_peak_dbtp: null,
          gain_db: null,
          chain_track_id: null,
          chain_tx: null,
          registration: 'node',
          created_at: now,
          updated_at: now,
        })
        .onConflict((c) => c.column('id').doNothing())
        .execute();
    }
    const id = `pl_${address.slice(2, 14)}`;
    await db
      .insertInto('playlists')
      .values({
        id,
        owner: address,
        kind: 'playlist',
        title: 'My first playlist',
        description: null,
        visibility: 'public',
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('playlist_tracks')
      .values(
        trackIds.map((trackId, position) => ({
          playlist_id: id,
          track_id: trackId,
          position,
          added_at: now,
        })),
      )
      .execute();
  }
}
