import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sessionKeyDelegationMessage } from '@fairstream/protocol';
import { Migrator } from 'kysely';
import { privateKeyToAccount } from 'viem/accounts';
import { ProfilesRepository } from '../repositories/profiles.repository.ts';
import { testDatabases } from '../testing/databases.ts';
import { type Db, migrateToLatest } from './database.ts';
import { migrationProvider } from './migrations.ts';

// A well-known test key (Hardhat's first account): never holds anything real.
const wallet = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const address = wallet.address.toLowerCase();

for (const database of testDatabases()) {
  describe(`migrations on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    before(async () => {
      ({ db, close } = await database.open({ migrate: false }));
    });
    after(() => close());

    it('0007 keeps the session keys delegated before it as their first delegations', async () => {
      const migrated = await new Migrator({ db, provider: migrationProvider }).migrateTo('0006_settlement');
      assert.equal(migrated.error, undefined);
      await db.insertInto('accounts').values({ address, created_at: 1 }).execute();
      const fields = {
        domain: '127.0.0.1:4000',
        address,
        sessionKey: 'ab'.repeat(32),
        chainId: 31337,
        issuedAt: Date.UTC(2026, 0, 1),
        expiresAt: Date.UTC(2026, 0, 2),
      };
      const message = sessionKeyDelegationMessage(fields);
      const signature = await wallet.signMessage({ message });
      await db
        .insertInto('session_keys')
        .values([
          {
            public_key: fields.sessionKey,
            address,
            expires_at: fields.expiresAt,
            delegation_message: message,
            delegation_signature: signature,
            created_at: 5,
            revoked_at: null,
          },
          // Not text this version builds: left out rather than failing the migration.
          {
            public_key: 'cd'.repeat(32),
            address,
            expires_at: fields.expiresAt,
            delegation_message: 'something else',
            delegation_signature: signature,
            created_at: 6,
            revoked_at: null,
          },
        ])
        .execute();
      await migrateToLatest(db);
      assert.deepEqual(await db.selectFrom('session_key_delegations').selectAll().execute(), [
        {
          public_key: fields.sessionKey,
          address,
          domain: fields.domain,
          chain_id: fields.chainId,
          issued_at: fields.issuedAt,
          expires_at: fields.expiresAt,
          signature,
          created_at: 5,
        },
      ]);
    });
  });

  describe(`handle search migration on ${database.name}`, () => {
    let db: Db;
    let close: () => Promise<void>;
    before(async () => {
      ({ db, close } = await database.open({ migrate: false }));
    });
    after(() => close());

    it('0013 indexes the handles of profiles made before it, and no account without one', async () => {
      const migrated = await new Migrator({ db, provider: migrationProvider }).migrateTo('0012_discovery');
      assert.equal(migrated.error, undefined);
      const profile = (n: number, handle: string | null) => ({
        address: `0x${n.toString(16).padStart(40, '0')}`,
        handle,
        handle_key: handle?.toLowerCase() ?? null,
        display_name: handle ? null : 'Nightowl',
        bio: null,
        links: '[]',
        created_at: 1,
        updated_at: 1,
      });
      await db
        .insertInto('profiles')
        .values([profile(1, 'NightOwl'), profile(2, 'night_cow'), profile(3, null)])
        .execute();
      await migrateToLatest(db);
      const profiles = new ProfilesRepository(db);
      const similar = await profiles.similarHandles('nigthowl', 10);
      assert.deepEqual(similar.map((row) => [row.address, row.handle_key, row.followers]).slice(0, 1), [
        [profile(1, null).address, 'nightowl', 0],
      ]);
      assert.ok(!similar.some((row) => row.address === profile(3, null).address));
      // Written from then on by the repository, over what the migration wrote.
      await profiles.save(profile(1, null).address, { handle: 'DayOwl', handle_key: 'dayowl' }, 2);
      assert.deepEqual(
        (await profiles.similarHandles('nigth', 10)).map((row) => row.handle_key),
        ['night_cow'],
      );
    });
  });
}
