import { randomBytes } from 'node:crypto';
import { parseSessionKeyDelegationMessage } from '@fairstream/protocol';
import { type Kysely, type Migration, type MigrationProvider, type SqlBool, sql } from 'kysely';
import { handleIndexFor } from '../repositories/search/handle-index.ts';
import { searchIndexFor } from '../repositories/search/search-index.ts';
import { type SearchDocument, searchDocument, vocabularyOf } from '../repositories/search/text.ts';
import { releaseAt } from '../repositories/tracks.repository.ts';
import { isPostgres } from './dialect.ts';
import type { Database } from './schema.ts';

/**
 * Migrations live in code so the node ships as one unit; names sort in the order they apply.
 * Column types are chosen to mean the same on SQLite and Postgres.
 */
const migrations: Record<string, Migration> = {
  '0001_foundation': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('accounts')
        .addColumn('address', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('auth_nonces')
        .addColumn('nonce', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('address', 'text', (c) => c.notNull().references('accounts.address'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('tracks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull().references('accounts.address'))
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('artist_name', 'text')
        .addColumn('genre', 'text')
        .addColumn('description', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('release_date', 'text')
        .addColumn('visibility', 'text', (c) => c.notNull())
        .addColumn('access_kind', 'text', (c) => c.notNull())
        .addColumn('gate_token', 'text')
        .addColumn('gate_min_balance', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('failure_code', 'text')
        .addColumn('failure_message', 'text')
        .addColumn('duration_ms', 'bigint', (c) => c.notNull())
        .addColumn('original_cid', 'text', (c) => c.notNull())
        .addColumn('original_name', 'text', (c) => c.notNull())
        .addColumn('original_mime', 'text', (c) => c.notNull())
        .addColumn('integrated_lufs', 'double precision')
        .addColumn('true_peak_dbtp', 'double precision')
        .addColumn('gain_db', 'double precision')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('tracks_listing')
        .on('tracks')
        .columns(['state', 'visibility', 'created_at'])
        .execute();
      await db.schema.createIndex('tracks_owner').on('tracks').columns(['owner', 'created_at']).execute();
      await db.schema
        .createIndex('tracks_owner_original')
        .on('tracks')
        .columns(['owner', 'original_cid'])
        .execute();
      await db.schema
        .createTable('track_splits')
        .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('ppm', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('track_splits_pk', ['track_id', 'address'])
        .execute();
      await db.schema.createIndex('track_splits_address').on('track_splits').column('address').execute();
      await db.schema
        .createTable('track_assets')
        .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('cid', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('track_assets_pk', ['track_id', 'kind', 'variant'])
        .execute();
      await db.schema.createIndex('track_assets_cid').on('track_assets').column('cid').execute();
      await db.schema
        .createTable('track_stages')
        .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('progress', 'double precision', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('track_stages_pk', ['track_id', 'stage'])
        .execute();
      await db.schema
        .createTable('share_links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('locked_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_state').on('jobs').columns(['state', 'created_at']).execute();
    },
  },
  '0002_faucet': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('faucet_drips')
        .addColumn('address', 'text', (c) => c.primaryKey())
        .addColumn('last_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0003_plays': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('session_keys')
        .addColumn('public_key', 'text', (c) => c.primaryKey())
        .addColumn('address', 'text', (c) => c.notNull().references('accounts.address'))
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('delegation_message', 'text', (c) => c.notNull())
        .addColumn('delegation_signature', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('session_keys_address').on('session_keys').column('address').execute();
      // No foreign keys: a play stays on record after its track is deleted, and every insert
      // would pay for the lookups. Only the receipt-time index, which appends, slows inserts.
      await db.schema
        .createTable('play_reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('play_id', 'text', (c) => c.notNull())
        .addColumn('track_id', 'text', (c) => c.notNull())
        .addColumn('listener', 'text', (c) => c.notNull())
        .addColumn('session_key', 'text', (c) => c.notNull())
        .addColumn('segments', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('app_id', 'text')
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('play_reports_received').on('play_reports').column('received_at').execute();
    },
  },
  '0004_track_ledger': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tracks').addColumn('chain_track_id', 'text').execute();
      await db.schema.alterTable('tracks').addColumn('chain_tx', 'text').execute();
    },
  },
  '0005_indexer': {
    async up(db: Kysely<unknown>) {
      // One row per decoded log of a Fairstream contract; (chain, block, log index) names a log, so
      // re-indexing a range after a crash or a reorg can never store it twice.
      await db.schema
        .createTable('chain_events')
        .addColumn('chain_id', 'bigint', (c) => c.notNull())
        .addColumn('block_number', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'integer', (c) => c.notNull())
        .addColumn('block_hash', 'text', (c) => c.notNull())
        .addColumn('block_time', 'bigint', (c) => c.notNull())
        .addColumn('tx_hash', 'text', (c) => c.notNull())
        .addColumn('tx_index', 'integer', (c) => c.notNull())
        .addColumn('contract', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('args', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('chain_events_pk', ['chain_id', 'block_number', 'log_index'])
        .execute();
      await db.schema
        .createIndex('chain_events_event')
        .on('chain_events')
        .columns(['chain_id', 'event', 'block_number', 'log_index'])
        .execute();
      // Every address an event names (indexed or not, inside arrays and tuples): "everything that
      // involved 0x…" is one range scan of this primary key.
      await db.schema
        .createTable('chain_event_accounts')
        .addColumn('chain_id', 'bigint', (c) => c.notNull())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('block_number', 'bigint', (c) => c.notNull())
        .addColumn('log_index', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('chain_event_accounts_pk', [
          'chain_id',
          'account',
          'block_number',
          'log_index',
        ])
        .execute();
      // Rolling back a reorg deletes by block number.
      await db.schema
        .createIndex('chain_event_accounts_block')
        .on('chain_event_accounts')
        .columns(['chain_id', 'block_number'])
        .execute();
      await db.schema
        .createTable('chain_checkpoints')
        .addColumn('chain_id', 'bigint', (c) => c.primaryKey())
        .addColumn('block_number', 'bigint', (c) => c.notNull())
        .addColumn('block_hash', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // The hashes of recently indexed blocks: the window in which a reorg is found and undone.
      await db.schema
        .createTable('chain_blocks')
        .addColumn('chain_id', 'bigint', (c) => c.notNull())
        .addColumn('block_number', 'bigint', (c) => c.notNull())
        .addColumn('block_hash', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('chain_blocks_pk', ['chain_id', 'block_number'])
        .execute();
    },
  },
  '0006_settlement': {
    async up(db: Kysely<unknown>) {
      // One row per epoch the settlement worker has opened; `state` is the next step to run, so a
      // restarted node resumes exactly where the last committed step left off.
      await db.schema
        .createTable('epochs')
        .addColumn('n', 'bigint', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('ends_at', 'bigint', (c) => c.notNull())
        .addColumn('release_tx', 'text')
        .addColumn('publish_tx', 'text')
        .addColumn('data_cid', 'text')
        .addColumn('payout_root', 'text')
        .addColumn('plays_root', 'text')
        .addColumn('totals', 'text')
        .addColumn('claim_txs', 'text')
        .addColumn('error', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // Every judged play with its verdict (counted or why not), in the epoch that settled it.
      await db.schema
        .createTable('plays')
        .addColumn('play_id', 'text', (c) => c.primaryKey())
        .addColumn('listener', 'text', (c) => c.notNull())
        .addColumn('track_id', 'text', (c) => c.notNull())
        .addColumn('epoch', 'bigint', (c) => c.notNull())
        .addColumn('verdict', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('heard_ms', 'integer', (c) => c.notNull())
        .addColumn('wall_ms', 'integer', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('first_started_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('plays_epoch').on('plays').columns(['epoch', 'verdict']).execute();
      // The daily cap looks up counted plays per listener, track and UTC day.
      await db.schema
        .createIndex('plays_daily')
        .on('plays')
        .columns(['listener', 'track_id', 'day'])
        .execute();
      await db.schema
        .createTable('epoch_allocations')
        .addColumn('epoch', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('track_id', 'text', (c) => c.notNull())
        .addColumn('amount', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('epoch_allocations_pk', ['epoch', 'kind', 'account', 'token', 'track_id'])
        .execute();
      await db.schema
        .createTable('payout_cumulative')
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('amount', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('payout_cumulative_pk', ['account', 'token'])
        .execute();
      await db.schema
        .createTable('carried')
        .addColumn('subscriber', 'text', (c) => c.primaryKey())
        .addColumn('amount', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0007_session_key_delegations': {
    async up(db: Kysely<unknown>) {
      // session_keys holds a key's latest delegation (a renewal replaces it); this keeps every one,
      // so the epoch data can publish the delegation each counted report was signed under.
      await db.schema
        .createTable('session_key_delegations')
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('chain_id', 'bigint', (c) => c.notNull())
        .addColumn('issued_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('session_key_delegations_pk', ['public_key', 'issued_at', 'expires_at'])
        .execute();
      // The delegations stored so far, read back from the exact text each wallet signed.
      const { rows } = await sql<{
        public_key: string;
        address: string;
        delegation_message: string;
        delegation_signature: string;
        created_at: number | string;
      }>`select public_key, address, delegation_message, delegation_signature, created_at from session_keys`.execute(
        db,
      );
      for (const row of rows) {
        let fields: ReturnType<typeof parseSessionKeyDelegationMessage>;
        try {
          fields = parseSessionKeyDelegationMessage(row.delegation_message);
        } catch {
          continue; // Never stored by this node's code; its reports then show as undelegated.
        }
        await sql`insert into session_key_delegations
          (public_key, address, domain, chain_id, issued_at, expires_at, signature, created_at)
          values (${row.public_key}, ${row.address}, ${fields.domain}, ${fields.chainId}, ${fields.issuedAt},
            ${fields.expiresAt}, ${row.delegation_signature}, ${Number(row.created_at)})`.execute(db);
      }
    },
  },
  '0008_node_settings': {
    async up(db: Kysely<unknown>) {
      // Node-wide values every process sharing the database must agree on.
      await db.schema
        .createTable('node_settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      // Signs pagination cursors (services/cursor.ts).
      await sql`insert into node_settings (key, value) values ('cursor_key', ${randomBytes(32).toString('base64')})`.execute(
        db,
      );
    },
  },
  '0009_track_delisting': {
    async up(db: Kysely<unknown>) {
      // An operator's delisting: the track stops streaming and leaves every listing; the reason stays.
      await db.schema.alterTable('tracks').addColumn('delisted_at', 'bigint').execute();
      await db.schema.alterTable('tracks').addColumn('delist_reason', 'text').execute();
    },
  },
  '0009_track_registration': {
    async up(db: Kysely<unknown>) {
      // Tracks uploaded before artists could register their own were all registered by the node.
      await db.schema
        .alterTable('tracks')
        .addColumn('registration', 'text', (c) => c.notNull().defaultTo('node'))
        .execute();
      await db.schema.alterTable('jobs').addColumn('run_after', 'bigint').execute();
    },
  },
  '0011_comments_playlists': {
    async up(db: Kysely<unknown>) {
      // Set while the owner has turned comments off: existing ones stay, new ones are refused.
      await db.schema.alterTable('tracks').addColumn('comments_disabled_at', 'bigint').execute();

      // A comment on a track (parent_id null, optionally at a moment) or a reply to one (parent_id
      // is always the top-level comment: one level of replies). A deleted comment keeps its row,
      // with the text erased, so the replies under it keep their thread.
      await db.schema
        .createTable('comments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
        .addColumn('author', 'text', (c) => c.notNull().references('accounts.address'))
        .addColumn('parent_id', 'text', (c) => c.references('comments.id').onDelete('cascade'))
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('at_ms', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('edited_at', 'bigint')
        .addColumn('deleted_at', 'bigint')
        .execute();
      // A track's comments newest first: partial, so replies (which can outnumber them) are not
      // scanned; row-value keyset conditions stay index conditions on both databases.
      await sql`create index comments_track_time on comments (track_id, created_at, id) where parent_id is null`.execute(
        db,
      );
      // A track's comments along its timeline; with every row in it (at_ms null sorts apart), it
      // also serves the cascade when a track is deleted.
      await db.schema
        .createIndex('comments_track_moment')
        .on('comments')
        .columns(['track_id', 'at_ms', 'id'])
        .execute();
      // A thread's replies in order, its reply count, and the cascade from a parent.
      await db.schema
        .createIndex('comments_parent')
        .on('comments')
        .columns(['parent_id', 'created_at', 'id'])
        .execute();
      // The rate limit looks up an author's most recent comments.
      await db.schema
        .createIndex('comments_author')
        .on('comments')
        .columns(['author', 'created_at'])
        .execute();

      await db.schema
        .createTable('playlists')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull().references('accounts.address'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('visibility', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('playlists_owner')
        .on('playlists')
        .columns(['owner', 'created_at', 'id'])
        .execute();
      // A track is in a playlist at most once, so adding, moving and removing name it unambiguously.
      await db.schema
        .createTable('playlist_tracks')
        .addColumn('playlist_id', 'text', (c) => c.notNull().references('playlists.id').onDelete('cascade'))
        .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('playlist_tracks_pk', ['playlist_id', 'track_id'])
        .execute();
      await db.schema
        .createIndex('playlist_tracks_position')
        .on('playlist_tracks')
        .columns(['playlist_id', 'position', 'track_id'])
        .execute();
      // Deleting a track removes it from every playlist through this index, not a table scan.
      await db.schema.createIndex('playlist_tracks_track').on('playlist_tracks').column('track_id').execute();

      // Reports keep no foreign key to what they name: the record outlives a deleted track or comment.
      await db.schema
        .createTable('reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('reporter', 'text', (c) => c.notNull().references('accounts.address'))
        .addColumn('target_kind', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('track_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('closed_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('closed_at', 'bigint')
        .execute();
      // One open report per reporter and target, enforced by the database across processes.
      await sql`create unique index reports_open_once on reports (reporter, target_kind, target_id) where state = 'open'`.execute(
        db,
      );
      await db.schema
        .createIndex('reports_state')
        .on('reports')
        .columns(['state', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('reports_target')
        .on('reports')
        .columns(['target_kind', 'target_id', 'state'])
        .execute();
    },
  },
  '0010_social_graph': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('profiles')
        .addColumn('address', 'text', (c) => c.primaryKey())
        .addColumn('handle', 'text')
        .addColumn('handle_key', 'text')
        .addColumn('display_name', 'text')
        .addColumn('bio', 'text')
        .addColumn('links', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // One owner per handle whatever its case; accounts without a handle (null) do not collide.
      await db.schema.createIndex('profiles_handle').on('profiles').column('handle_key').unique().execute();
      await db.schema
        .createTable('profile_avatars')
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('cid', 'text', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('profile_avatars_pk', ['address', 'variant'])
        .execute();
      // GET /blobs/{cid} serves avatars too, and a replaced avatar's blobs go once nothing uses them.
      await db.schema.createIndex('profile_avatars_cid').on('profile_avatars').column('cid').execute();

      // Followees may be addresses that never signed in (an artist paid through a split), so no
      // foreign keys to accounts. The primary key answers "does A follow B" and a viewer's feed
      // sources; the two indexes are the followers and following lists, newest first.
      await db.schema
        .createTable('follows')
        .addColumn('follower', 'text', (c) => c.notNull())
        .addColumn('followee', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('follows_pk', ['follower', 'followee'])
        .execute();
      await db.schema
        .createIndex('follows_followee')
        .on('follows')
        .columns(['followee', 'created_at', 'follower'])
        .execute();
      await db.schema
        .createIndex('follows_follower')
        .on('follows')
        .columns(['follower', 'created_at', 'followee'])
        .execute();
      for (const table of ['reposts', 'favorites']) {
        // Deleting a track deletes its reposts and favorites with it.
        await db.schema
          .createTable(table)
          .addColumn('account', 'text', (c) => c.notNull())
          .addColumn('track_id', 'text', (c) => c.notNull().references('tracks.id').onDelete('cascade'))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['account', 'track_id'])
          .execute();
        // A track's reposters/favoriters, and an account's reposts/favorites (and the feed), newest first.
        await db.schema
          .createIndex(`${table}_track`)
          .on(table)
          .columns(['track_id', 'created_at', 'account'])
          .execute();
        await db.schema
          .createIndex(`${table}_account`)
          .on(table)
          .columns(['account', 'created_at', 'track_id'])
          .execute();
      }
      await db.schema
        .createTable('account_counts')
        .addColumn('address', 'text', (c) => c.primaryKey())
        .addColumn('followers', 'integer', (c) => c.notNull())
        .addColumn('following', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('track_counts')
        .addColumn('track_id', 'text', (c) => c.primaryKey().references('tracks.id').onDelete('cascade'))
        .addColumn('reposts', 'integer', (c) => c.notNull())
        .addColumn('favorites', 'integer', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('notifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('actor', 'text')
        .addColumn('track_id', 'text')
        .addColumn('data', 'text')
        .addColumn('dedupe_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('read_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('notifications_dedupe')
        .on('notifications')
        .columns(['recipient', 'dedupe_key'])
        .unique()
        .execute();
      await db.schema
        .createIndex('notifications_recipient')
        .on('notifications')
        .columns(['recipient', 'created_at', 'id'])
        .execute();
      // The unread count reads only unread rows.
      await db.schema
        .createIndex('notifications_unread')
        .on('notifications')
        .column('recipient')
        .where(sql.raw<SqlBool>('read_at is null'))
        .execute();

      // Profile pages and the feed list one account's listed tracks newest first: this partial index
      // holds exactly the rows isListed admits (its condition must stay isListed's), and carries the
      // listing columns so those reads never touch the table.
      const listed = sql.raw<SqlBool>("state = 'ready' and visibility = 'public' and delisted_at is null");
      await db.schema
        .createIndex('tracks_owner_listed')
        .on('tracks')
        .columns(['owner', 'created_at', 'id', 'state', 'visibility', 'delisted_at'])
        .where(listed)
        .execute();
      // "Is this reposted (or favorited) track listed?", asked once per row of a feed or a list.
      await db.schema
        .createIndex('tracks_listed')
        .on('tracks')
        .columns(['id', 'state', 'visibility', 'delisted_at'])
        .unique()
        .where(listed)
        .execute();
    },
  },
  '0012_discovery': {
    async up(db: Kysely<unknown>) {
      const postgres = isPostgres(db);
      // The source of a play (its first report's), kept with the verdict for plays by source.
      await db.schema.alterTable('plays').addColumn('source', 'text').execute();
      await sql`update plays set source = (select r.source from play_reports r where r.play_id = plays.play_id
        order by r.started_at, r.id limit 1)`.execute(db);
      await db.schema.alterTable('tracks').addColumn('ready_at', 'bigint').execute();
      await db.schema.alterTable('tracks').addColumn('release_at', 'bigint').execute();
      await sql`update tracks set ready_at = updated_at where state = 'ready'`.execute(db);
      const tracks = await sql<{ id: string; release_date: string | null; ready_at: number | null }>`
        select id, release_date, ready_at from tracks where state = 'ready'`.execute(db);
      for (const track of tracks.rows) {
        await sql`update tracks set release_at = ${releaseAt(track.release_date, Number(track.ready_at))}
          where id = ${track.id}`.execute(db);
      }
      // New releases and genres: only listed tracks, newest first, per genre too. The predicate is
      // isListed's, so every query that filters with it may use them; state and visibility lead
      // (constant inside) so that SQLite prefers them to tracks_listing even before any ANALYZE.
      await sql`create index tracks_releases on tracks (state, visibility, release_at, id)
        where state = 'ready' and visibility = 'public' and delisted_at is null`.execute(db);
      await sql`create index tracks_genre_releases on tracks (state, visibility, genre, release_at, id)
        where state = 'ready' and visibility = 'public' and delisted_at is null`.execute(db);

      // Counted-play aggregates (exact; see DiscoveryRepository.recordCountedPlays).
      await db.schema
        .createTable('track_play_counts')
        .addColumn('track_id', 'text', (c) => c.primaryKey())
        .addColumn('counted', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('track_plays_hourly')
        .addColumn('track_id', 'text', (c) => c.notNull())
        .addColumn('hour', 'bigint', (c) => c.notNull())
        .addColumn('counted', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('track_plays_hourly_pk', ['track_id', 'hour'])
        .execute();
      // Trending takes hours out of its window by time: a covering index over (hour, track).
      await db.schema
        .createIndex('track_plays_hourly_hour')
        .on('track_plays_hourly')
        .columns(['hour', 'track_id', 'counted'])
        .execute();
      await db.schema
        .createTable('track_listener_days')
        .addColumn('track_id', 'text', (c) => c.notNull())
        .addColumn('day', 'bigint', (c) => c.notNull())
        .addColumn('listener', 'text', (c) => c.notNull())
        .addColumn('counted', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('track_listener_days_pk', ['track_id', 'day', 'listener'])
        .execute();
      await db.schema
        .createTable('track_source_days')
        .addColumn('track_id', 'text', (c) => c.notNull())
        .addColumn('day', 'bigint', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('counted', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('track_source_days_pk', ['track_id', 'day', 'source'])
        .execute();
      const counted = sql`from plays where verdict = 'counted'`;
      await sql`insert into track_play_counts (track_id, counted)
        select track_id, count(*) ${counted} group by track_id`.execute(db);
      await sql`insert into track_plays_hourly (track_id, hour, counted)
        select track_id, (first_started_at / 3600000) * 3600000, count(*) ${counted}
        group by track_id, (first_started_at / 3600000) * 3600000`.execute(db);
      await sql`insert into track_listener_days (track_id, day, listener, counted)
        select track_id, (first_started_at / 86400000) * 86400000, listener, count(*) ${counted}
        group by track_id, (first_started_at / 86400000) * 86400000, listener`.execute(db);
      await sql`insert into track_source_days (track_id, day, source, counted)
        select track_id, (first_started_at / 86400000) * 86400000, coalesce(source, 'unknown'), count(*) ${counted}
        group by track_id, (first_started_at / 86400000) * 86400000, coalesce(source, 'unknown')`.execute(db);

      // Trending: built from the hourly counts at the next settlement (no trending_state row yet).
      await db.schema
        .createTable('trending_scores')
        .addColumn('span', 'text', (c) => c.notNull())
        .addColumn('track_id', 'text', (c) => c.notNull())
        .addColumn('genre', 'text')
        .addColumn('counted', 'bigint', (c) => c.notNull())
        .addColumn('score', 'double precision', (c) => c.notNull())
        .addPrimaryKeyConstraint('trending_scores_pk', ['span', 'track_id'])
        .execute();
      // Charts read these backwards: the top of a span (or of a genre in it) without sorting.
      await db.schema
        .createIndex('trending_overall')
        .on('trending_scores')
        .columns(['span', 'score', 'track_id'])
        .execute();
      await db.schema
        .createIndex('trending_genre')
        .on('trending_scores')
        .columns(['span', 'genre', 'score', 'track_id'])
        .execute();
      // Keeping genres in step touches every span's row of a track.
      await db.schema.createIndex('trending_track').on('trending_scores').column('track_id').execute();
      await db.schema
        .createTable('trending_state')
        .addColumn('span', 'text', (c) => c.primaryKey())
        .addColumn('ref', 'bigint', (c) => c.notNull())
        .addColumn('expired_before', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('fan_privacy')
        .addColumn('address', 'text', (c) => c.primaryKey())
        .addColumn('hide_from_top_fans', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      // Full-text search (repositories/search): engine-specific tables behind one interface.
      if (postgres) {
        // pg_trgm is a trusted extension: the database owner may create it without superuser.
        await sql`create extension if not exists pg_trgm`.execute(db);
        await sql`create table track_search (track_id text primary key, document tsvector not null)`.execute(
          db,
        );
        await sql`create index track_search_document on track_search using gin (document)`.execute(db);
        await sql`create table search_terms (term text primary key)`.execute(db);
        await sql`create index search_terms_trigram on search_terms using gin (term gin_trgm_ops)`.execute(
          db,
        );
      } else {
        // doc carries the popularity tier (sqlite-search-index.ts); seq is the upload order.
        await sql`create table track_search (doc integer primary key, track_id text not null unique,
          seq integer not null unique, tier integer not null)`.execute(db);
        // Contentless: the words live in tracks; detail=column keeps column filters, drops positions.
        // A prefix without its own index merges the lists of every word it starts (3 ms for a
        // common one among 300,000 tracks); with one it is read directly (0.1 ms): one per length
        // up to 8, which covers nearly every word as it is typed.
        await sql`create virtual table track_fts using fts5(title, artist, tags, genre, content='',
          contentless_delete=1, detail=column, tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6 7 8')`.execute(
          db,
        );
        await sql`create table search_terms (id integer primary key, term text not null unique)`.execute(db);
        await sql`create virtual table search_terms_trigram using fts5(grams, content='', tokenize='trigram')`.execute(
          db,
        );
      }
      const index = searchIndexFor(db as unknown as Kysely<Database>);
      const rows = await sql<{
        id: string;
        title: string;
        artist_name: string | null;
        tags: string;
        genre: string | null;
      }>`
        select id, title, artist_name, tags, genre from tracks`.execute(db);
      for (const row of rows.rows) {
        const document = searchDocument(row);
        if (!postgres) {
          await index.put(db as unknown as Kysely<Database>, row.id, document);
          continue;
        }
        // What the index's `put` wrote at this version (0018 rewrites it into today's form).
        await sql`insert into track_search (track_id, document)
          values (${row.id}, ${weightedTsvector(document)}::tsvector)`.execute(db);
        const words = vocabularyOf(document);
        if (words.length > 0) {
          await sql`insert into search_terms (term) values ${sql.join(words.map((term) => sql`(${term})`))}
            on conflict (term) do nothing`.execute(db);
        }
      }
    },
  },
  '0013_handle_search': {
    async up(db: Kysely<unknown>) {
      // Handles a few edits from a typed one (SearchService.searchUsers): trigrams of the lower-case
      // handle (repositories/search/handle-index.ts).
      if (isPostgres(db)) {
        await sql`create index profiles_handle_trigram on profiles using gin (handle_key gin_trgm_ops)`.execute(
          db,
        );
        return;
      }
      // id is the rowid of the account's trigram row; accounts without a handle have neither.
      await sql`create table handle_search (id integer primary key, address text not null unique)`.execute(
        db,
      );
      await sql`create virtual table handle_search_trigram using fts5(grams, content='', contentless_delete=1,
        tokenize='trigram')`.execute(db);
      const profiles = await sql<{ address: string; handle_key: string }>`
        select address, handle_key from profiles where handle_key is not null order by address`.execute(db);
      const index = handleIndexFor(db as unknown as Kysely<Database>);
      for (const row of profiles.rows) {
        await index.put(db as unknown as Kysely<Database>, row.address, row.handle_key);
      }
    },
  },
  '0015_fan_rewards': {
    async up(db: Kysely<unknown>) {
      // Fan rewards (protocol's rewards/rules.ts): one award per account, rule and period, kept with
      // its reason and evidence; the epoch that paid it (a redone compute step replaces its own rows).
      await db.schema
        .createTable('fan_rewards')
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('epoch', 'bigint', (c) => c.notNull())
        .addColumn('amount', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('fan_rewards_pk', ['account', 'rule', 'period'])
        .execute();
      await db.schema.createIndex('fan_rewards_epoch').on('fan_rewards').column('epoch').execute();
      // When a track entered trending and reached its 100-play milestone (one row each, ever), and
      // the milestone's first listeners, as the settlement that found them published them.
      await db.schema
        .createTable('fan_reward_tracks')
        .addColumn('track_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('epoch', 'bigint', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('play_id', 'text', (c) => c.notNull())
        .addColumn('listener', 'text')
        .addColumn('day', 'text')
        .addPrimaryKeyConstraint('fan_reward_tracks_pk', ['track_id', 'kind'])
        .execute();
      await db.schema
        .createIndex('fan_reward_tracks_epoch')
        .on('fan_reward_tracks')
        .column('epoch')
        .execute();
      await db.schema
        .createTable('fan_reward_first_listeners')
        .addColumn('track_id', 'text', (c) => c.notNull())
        .addColumn('rank', 'integer', (c) => c.notNull())
        .addColumn('listener', 'text', (c) => c.notNull())
        .addColumn('play_id', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('epoch', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('fan_reward_first_listeners_pk', ['track_id', 'rank'])
        .execute();
      await db.schema
        .createIndex('fan_reward_first_listeners_listener')
        .on('fan_reward_first_listeners')
        .columns(['listener', 'epoch'])
        .execute();
      // The epoch's fan-reward summary as published (budget, spent, the accounts left out as bots).
      await db.schema.alterTable('epochs').addColumn('fan_rewards', 'text').execute();
      // A track's earliest counted plays, overall and per day (milestone and trending entry).
      await db.schema
        .createIndex('plays_track_day')
        .on('plays')
        .columns(['track_id', 'day', 'first_started_at'])
        .execute();
    },
  },
  '0016_fan_drops': {
    async up(db: Kysely<unknown>) {
      // Artists' fan drops (FanDrops on-chain keeps only each drop's root): the leaves are kept here
      // so every fan can get its proof. A drop is stored only once it matches the chain.
      await db.schema
        .createTable('fan_drops')
        .addColumn('drop_id', 'bigint', (c) => c.primaryKey())
        .addColumn('creator', 'text', (c) => c.notNull())
        .addColumn('root', 'text', (c) => c.notNull())
        .addColumn('total', 'text', (c) => c.notNull())
        .addColumn('recipients', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('transaction_hash', 'text', (c) => c.notNull())
        .addColumn('block_number', 'bigint', (c) => c.notNull())
        .addColumn('published_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('fan_drops_creator')
        .on('fan_drops')
        .columns(['creator', 'drop_id'])
        .execute();
      await db.schema
        .createTable('fan_drop_leaves')
        .addColumn('drop_id', 'bigint', (c) => c.notNull())
        .addColumn('account', 'text', (c) => c.notNull())
        .addColumn('amount', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('fan_drop_leaves_pk', ['drop_id', 'account'])
        .execute();
      await db.schema
        .createIndex('fan_drop_leaves_account')
        .on('fan_drop_leaves')
        .columns(['account', 'drop_id'])
        .execute();
    },
  },
  '0017_apps': {
    async up(db: Kysely<unknown>) {
      // Apps built on Fairstream, each registered by its owner's signature (protocol's
      // rewards/apps.ts): reports may name one, and the epoch's app share is paid to its owner.
      await db.schema
        .createTable('apps')
        .addColumn('app_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('chain_id', 'integer', (c) => c.notNull())
        .addColumn('registered_at', 'bigint', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('apps_owner').on('apps').columns(['owner', 'app_id']).execute();
      // What each app delivered and earned per epoch (a redone compute step replaces its own rows).
      await db.schema
        .createTable('app_rewards')
        .addColumn('epoch', 'bigint', (c) => c.notNull())
        .addColumn('app_id', 'text', (c) => c.notNull())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('counted_plays', 'integer', (c) => c.notNull())
        .addColumn('listeners', 'integer', (c) => c.notNull())
        .addColumn('amount', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('app_rewards_pk', ['epoch', 'app_id'])
        .execute();
      await db.schema.createIndex('app_rewards_app').on('app_rewards').columns(['app_id', 'epoch']).execute();
      await db.schema
        .createIndex('app_rewards_owner')
        .on('app_rewards')
        .columns(['owner', 'epoch'])
        .execute();
      // The app that delivered each judged play (its first report's), and the epoch's app summary.
      await db.schema.alterTable('plays').addColumn('app_id', 'text').execute();
      await db.schema.alterTable('epochs').addColumn('app_rewards', 'text').execute();
    },
  },
  '0018_search_popularity': {
    async up(db: Kysely<unknown>) {
      // SQLite's search index has kept its documents in popularity order since 0012
      // (sqlite-search-index.ts); Postgres's gets the same order here (postgres-search-index.ts):
      // each document's popularity tier (tierOf: floor(4 · log2(1 + counted plays))) and place in
      // upload order, with a btree index in that order, and a partial GIN index per band of popular
      // tracks (BAND_TIERS: 36, 30, 24, 18, 12). The documents lose their positions and weights:
      // tag and genre words are marked `~` instead of weighing B and C, and every word's starts of 1
      // to 3 letters are lexemes of their own (`^n`, `^ni`, `^nig`; PREFIX_LEXEMES).
      if (!isPostgres(db)) return;
      // A new table filled in one statement: changing every row in place would write each GIN
      // entry of a big index twice.
      await sql`alter table track_search rename to track_search_0012`.execute(db);
      await sql`alter index track_search_pkey rename to track_search_0012_pkey`.execute(db);
      await sql`alter index track_search_document rename to track_search_0012_document`.execute(db);
      await sql`create table track_search (track_id text primary key, document tsvector not null,
        tier integer not null, seq bigint generated by default as identity)`.execute(db);
      // Title and artist words weighed A; tags B and genre C.
      await sql`insert into track_search (track_id, document, tier, seq)
        select s.track_id,
          coalesce((
            select string_agg(distinct quote_literal(m.mark || w.lexeme), ' ')
            from unnest(s.document) as u
            cross join lateral (
              select '' where 'A' = any(u.weights)
              union all
              select '~' where 'B' = any(u.weights) or 'C' = any(u.weights)
            ) as m (mark)
            cross join lateral (
              select u.lexeme
              union all
              select '^' || left(u.lexeme, n) from generate_series(1, 3) as n where length(u.lexeme) >= n
            ) as w (lexeme)
          ), '')::tsvector,
          floor(4 * log(2, 1 + coalesce(c.counted, 0)::numeric))::integer,
          row_number() over (order by t.created_at, t.id)
        from track_search_0012 s
        join tracks t on t.id = s.track_id
        left join track_play_counts c on c.track_id = s.track_id`.execute(db);
      await sql`select setval(pg_get_serial_sequence('track_search', 'seq'),
        (select coalesce(max(seq), 0) + 1 from track_search), false)`.execute(db);
      await sql`drop table track_search_0012`.execute(db);
      await sql`create unique index track_search_order on track_search (tier, seq)`.execute(db);
      await sql`create index track_search_document on track_search using gin (document)`.execute(db);
      for (const tier of [36, 30, 24, 18, 12]) {
        await sql`create index ${sql.id(`track_search_band_${tier}`)} on track_search using gin (document)
          where tier >= ${sql.lit(tier)}`.execute(db);
      }
    },
  },
};

/**
 * A search document as Postgres's index wrote it from 0012 to 0018: each word at its position,
 * title and artist weighing A, tags B and genre C (positions stop at 16383).
 */
function weightedTsvector(document: SearchDocument): string {
  const entries: string[] = [];
  let position = 0;
  for (const [words, weight] of [
    [document.title, 'A'],
    [document.artist, 'A'],
    [document.tags, 'B'],
    [document.genre, 'C'],
  ] as const) {
    for (const word of words) {
      if (position >= 16_383) break;
      position++;
      entries.push(`'${word.replaceAll('\\', '\\\\').replaceAll("'", "''")}':${position}${weight}`);
    }
  }
  return entries.join(' ');
}

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
