import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sessionKeyDelegationMessage } from '@fairstream/protocol';
import { Migrator } from 'kysely';
import { privateKeyToAccount } from 'viem/accounts';
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
}
