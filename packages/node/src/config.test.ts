import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, configFromEnv, resolveConfig } from './config.ts';

describe('resolveConfig', () => {
  it('runs on embedded defaults: port 4000, SQLite and blobs in ./.fairstream', () => {
    const config = resolveConfig({}, {}, '/srv/app');
    assert.equal(config.port, 4000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.db, 'sqlite');
    assert.equal(config.dataDir, '/srv/app/.fairstream');
    assert.equal(config.storage, '/srv/app/.fairstream/blobs');
    assert.equal(config.publicUrl, 'http://127.0.0.1:4000');
    assert.equal(config.chain, undefined);
    assert.equal(config.rpcPort, 8545);
    assert.equal(config.epochSeconds, 60);
  });
  it('settles in 60 s epochs on the embedded chain and hourly on a public one, unless told', () => {
    assert.equal(
      resolveConfig({ chain: 'https://rpc.example', deployment: 'd.json' }, {}, '/x').epochSeconds,
      3600,
    );
    assert.equal(resolveConfig({}, { epochSeconds: '30' }).epochSeconds, 30);
    assert.equal(resolveConfig({ epochSeconds: '15' }, { epochSeconds: '30' }).epochSeconds, 15);
    assert.equal(resolveConfig({}, configFromEnv({ FAIRSTREAM_EPOCH_SECONDS: '90' })).epochSeconds, 90);
    assert.throws(
      () => resolveConfig({ epochSeconds: '9' }),
      /--epoch-seconds must be a whole number from 10/,
    );
  });
  it('prefers flags over environment', () => {
    const config = resolveConfig({ port: '5000' }, { port: '6000', db: 'postgres://u:p@localhost/fs' }, '/x');
    assert.equal(config.port, 5000);
    assert.equal(config.db, 'postgres://u:p@localhost/fs');
  });
  it('keeps an s3:// storage URL as it is', () => {
    assert.equal(resolveConfig({ storage: 's3://bucket/music' }).storage, 's3://bucket/music');
  });
  it('rejects bad values with a message naming the flag and the accepted form', () => {
    assert.throws(() => resolveConfig({ port: 'eighty' }), /--port must be a whole number from 0 to 65535/);
    assert.throws(() => resolveConfig({ port: '70000' }), ConfigError);
    assert.throws(() => resolveConfig({ db: 'mysql://x' }), /--db must be "sqlite" or a postgres:\/\//);
    assert.throws(() => resolveConfig({ logLevel: 'loud' }), /--log-level must be one of/);
    assert.throws(() => resolveConfig({ publicUrl: 'not a url' }), /--public-url must be an absolute URL/);
    assert.throws(() => resolveConfig({ data: '  ' }), /must not be empty/);
    assert.throws(
      () => resolveConfig({ chain: 'ws://rpc' }),
      /--chain must be an http\(s\):\/\/ JSON-RPC URL/,
    );
    assert.throws(() => resolveConfig({ chain: 'https://rpc.example' }), /--chain needs --deployment FILE/);
    assert.throws(() => resolveConfig({ deployment: 'd.json' }), /--deployment only applies with --chain/);
    assert.throws(() => resolveConfig({ rpcPort: '-1' }), /--rpc-port must be a whole number/);
  });
  it('takes operators as comma-separated addresses, lower-cased, and refuses anything else at start', () => {
    assert.deepEqual(resolveConfig({}).operators, []);
    const a = '0x00000000000000000000000000000000000000Aa';
    const b = '0x00000000000000000000000000000000000000bb';
    assert.deepEqual(resolveConfig({ operators: `${a}, ${b},${a}` }).operators, [a.toLowerCase(), b]);
    assert.deepEqual(resolveConfig({}, configFromEnv({ FAIRSTREAM_OPERATORS: b })).operators, [b]);
    assert.throws(
      () => resolveConfig({ operators: `${a},0x123` }),
      /--operators must be comma-separated wallet addresses .* "0x123" is not one/,
    );
    assert.throws(() => resolveConfig({ operators: `${a},,${b}` }), /"" is not one/);
  });
});
