// Account search (SearchService.searchUsers) over the profiles and handle index of a real
// database, on SQLite and on Postgres.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Db } from '../db/database.ts';
import { isUniqueViolation } from '../repositories/keyset.ts';
import { ProfilesRepository } from '../repositories/profiles.repository.ts';
import { SearchRepository } from '../repositories/search/search-index.ts';
import { TracksRepository } from '../repositories/tracks.repository.ts';
import { testDatabases } from '../testing/databases.ts';
import { CursorCodec } from './cursor.ts';
import { SearchService } from './search.service.ts';

for (const database of testDatabases()) {
  describe(`account search on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    let profiles: ProfilesRepository;
    let search: SearchService;
    let accounts = 0;
    const byHandle = new Map<string, string>();

    /** A new account with this handle (lower case here) and this many followers. */
    async function account(handle: string, followers = 0): Promise<string> {
      const address = `0x${(++accounts).toString(16).padStart(40, '0')}`;
      await profiles.save(address, { handle, handle_key: handle.toLowerCase() }, 1);
      if (followers > 0)
        await db.insertInto('account_counts').values({ address, followers, following: 0 }).execute();
      byHandle.set(handle.toLowerCase(), address);
      return address;
    }
    const rename = (handle: string, to: string | null) =>
      profiles.save(byHandle.get(handle)!, { handle: to, handle_key: to?.toLowerCase() ?? null }, 2);

    async function handles(q: string, limit = 50): Promise<string[]> {
      const page = await search.searchUsers({ q, limit });
      assert.equal(page.nextCursor, null, `${q}: one page`);
      return page.users.map((user) => user.handle!);
    }
    /** Every page of a query, `limit` at a time. */
    async function pages(q: string, limit: number): Promise<string[][]> {
      const all: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await search.searchUsers({ q, limit, cursor });
        all.push(page.users.map((user) => user.handle!));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return all;
    }

    before(async () => {
      ({ db, close } = await database.open());
      profiles = new ProfilesRepository(db);
      search = new SearchService(
        new SearchRepository(db),
        new TracksRepository(db),
        new CursorCodec(randomBytes(32)),
        profiles,
      );
      await account('melodie', 5);
      await account('Melodica');
      await account('melody', 1);
      await account('melodyne', 9);
      await account('mellodi_x');
      await account('mxlodyy', 100);
      await account('malady', 1000);
      // An account without a handle is no one's typo.
      await profiles.save(`0x${'f'.repeat(40)}`, { display_name: 'Melodi' }, 1);
    });
    after(() => close());

    it('ranks exact starts first, then handles an edit or two away by edits, then followers', async () => {
      assert.deepEqual(await handles('melodi'), [
        // Start with "melodi", most followed first.
        'melodie',
        'Melodica',
        // One edit from the start of the handle, most followed first.
        'melodyne',
        'melody',
        'mellodi_x',
        // Two edits: after every one-edit handle, however followed. "malady" is three.
        'mxlodyy',
      ]);
      // Case and a leading @ do not matter; "mxlody" is one edit from "melody". "malady" is two, but
      // shares no trigram with it past the first letter: candidates come from the trigram index.
      assert.deepEqual(await handles('@MELODY'), [
        'melodyne',
        'melody',
        'mxlodyy',
        'melodie',
        'Melodica',
        'mellodi_x',
      ]);
      // Up to 5 characters, one edit only.
      assert.deepEqual(await handles('mlody'), ['mxlodyy', 'melodyne', 'melody']);
      assert.deepEqual(await handles('ml'), []);
    });

    it('pages through the exact starts and then the similar handles with signed cursors', async () => {
      const all = await handles('melodi');
      const paged = await pages('melodi', 4);
      assert.deepEqual(paged, [all.slice(0, 4), all.slice(4)]);
      assert.deepEqual((await pages('melodi', 1)).flat(), all);
      assert.deepEqual((await pages('melodi', 6)).length, 1);
      const first = await search.searchUsers({ q: 'melodi', limit: 2 });
      await assert.rejects(
        search.searchUsers({ q: 'melody', limit: 2, cursor: first.nextCursor! }),
        (error: { code?: string }) => error.code === 'invalid_cursor',
      );
    });

    it('looks for typos only while fewer than 10 handles start with what was typed', async () => {
      for (let i = 0; i < 10; i++) await account(`bassline${i}`, i);
      await account('basslime', 50);
      const exactOnly = (await pages('basslin', 3)).flat();
      assert.deepEqual(
        exactOnly,
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((i) => `bassline${i}`),
      );
      await rename('bassline0', null);
      assert.deepEqual((await pages('basslin', 3)).flat(), [...exactOnly.slice(0, 9), 'basslime']);
    });

    it('keeps the index in step with handles set, changed and removed', async () => {
      await account('violinist', 2);
      assert.deepEqual(await handles('viloinist'), ['violinist']);
      await rename('violinist', 'Cellist');
      assert.deepEqual(await handles('viloinist'), []);
      assert.deepEqual(await handles('celist'), ['Cellist']);
      // Other fields leave the handle as it is.
      await profiles.save(byHandle.get('violinist')!, { bio: 'Strings.' }, 3);
      assert.deepEqual(await handles('celist'), ['Cellist']);
      // A handle someone else holds changes nothing.
      await account('harpist');
      await assert.rejects(rename('harpist', 'cellist'), isUniqueViolation);
      assert.deepEqual(await handles('harpsit'), ['harpist']);
      assert.deepEqual(await handles('celist'), ['Cellist']);
      await rename('violinist', null);
      assert.deepEqual(await handles('celist'), []);
      assert.deepEqual(await handles('cellist'), []);
      // Set again after removal.
      await rename('violinist', 'Violist');
      assert.deepEqual(await handles('viloist'), ['Violist']);
    });

    it('refuses an empty or overlong query and matches nothing for characters no handle has', async () => {
      for (const q of ['', '  ', '@', 'a'.repeat(31)]) {
        await assert.rejects(
          search.searchUsers({ q, limit: 5 }),
          (error: { code?: string }) => error.code === 'invalid_query',
          JSON.stringify(q),
        );
      }
      assert.deepEqual(await handles('melo di'), []);
      assert.deepEqual(await handles('mélodie'), []);
    });
  });
}
