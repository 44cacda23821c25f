import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { privateKeyToAccount } from 'viem/accounts';
import { prng } from '../testing/prng.ts';
import {
  type AppPlay,
  allocateAppRewards,
  appOfPlay,
  appRegistrationMessage,
  appRewardsBudget,
  validateAppRegistration,
  verifyAppRegistration,
} from './apps.ts';

const owner = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const stranger = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const fields = {
  appId: 'com.example.player',
  name: 'Example Player',
  owner: owner.address.toLowerCase(),
  chainId: 31337,
  registeredAt: Date.UTC(2026, 10, 25, 12, 0, 0, 5),
};

describe('appRegistrationMessage', () => {
  it('is the fixed text the owner signs, the owner checksummed', () => {
    assert.equal(
      appRegistrationMessage(fields),
      [
        'Register a Fairstream app.',
        '',
        'Its share of the FAIR rewards is paid to the owner below.',
        '',
        'App ID: com.example.player',
        'Name: Example Player',
        `Owner: ${owner.address}`,
        'Chain ID: 31337',
        'Issued At: 2026-11-25T12:00:00.005Z',
        'Version: fairstream-app/1',
      ].join('\n'),
    );
  });
});

describe('verifyAppRegistration', () => {
  it("accepts the owner's signature and nothing else", async () => {
    const signature = await owner.signMessage({ message: appRegistrationMessage(fields) });
    assert.equal(await verifyAppRegistration({ ...fields, signature }), true);
    assert.equal(await verifyAppRegistration({ ...fields, name: 'Other', signature }), false);
    assert.equal(await verifyAppRegistration({ ...fields, appId: 'com.example.other', signature }), false);
    const forged = await stranger.signMessage({ message: appRegistrationMessage(fields) });
    assert.equal(await verifyAppRegistration({ ...fields, signature: forged }), false);
    assert.equal(await verifyAppRegistration({ ...fields, signature: '0x1234' }), false);
  });
});

describe('validateAppRegistration', () => {
  const signed = { ...fields, signature: `0x${'ab'.repeat(65)}` };
  it('says which field is wrong', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ appId: 'has space' }, /^appId must be/],
      [{ appId: 'x'.repeat(65) }, /^appId must be/],
      [{ name: '' }, /^name must be a non-empty/],
      [{ name: ' padded' }, /^name must be a non-empty string without leading/],
      [{ name: 'n'.repeat(65) }, /^name must be at most 64/],
      [{ name: 'two\nlines' }, /line breaks or control/],
      [{ owner: owner.address }, /^owner must be a lower-case/],
      [{ chainId: 0 }, /^chainId/],
      [{ registeredAt: -1 }, /^registeredAt/],
      [{ signature: '0xzz' }, /^signature/],
    ];
    for (const [patch, reason] of cases) {
      const check = validateAppRegistration({ ...signed, ...patch });
      assert.equal(check.ok, false, JSON.stringify(patch));
      if (!check.ok) assert.match(check.reason, reason);
    }
    assert.equal(validateAppRegistration('app').ok, false);
  });
  it('keeps only the known fields', () => {
    const check = validateAppRegistration({ ...signed, extra: 1 });
    assert.ok(check.ok);
    assert.deepEqual(check.registration, signed);
  });
});

describe('appOfPlay', () => {
  it("is the first report's app, by start then id", () => {
    assert.equal(appOfPlay([]), null);
    assert.equal(
      appOfPlay([
        { id: 'b', startedAt: 10, appId: 'late' },
        { id: 'z', startedAt: 5, appId: 'first' },
        { id: 'a', startedAt: 5, appId: null },
      ]),
      null,
    );
    assert.equal(
      appOfPlay([
        { id: 'b', startedAt: 10, appId: 'late' },
        { id: 'z', startedAt: 5, appId: 'first' },
      ]),
      'first',
    );
  });
});

describe('appRewardsBudget', () => {
  it('is the published share, rounded down', () => {
    assert.equal(appRewardsBudget(1_000_000_000_000_000_001n), 100_000_000_000_000_000n);
    assert.equal(appRewardsBudget(9n), 0n);
    assert.throws(() => appRewardsBudget(-1n), /non-negative/);
  });
});

describe('allocateAppRewards', () => {
  const owners = new Map([
    ['app.a', '0x00000000000000000000000000000000000000a1'],
    ['app.b', '0x00000000000000000000000000000000000000b1'],
  ]);
  const L1 = '0x0000000000000000000000000000000000000001';
  const L2 = '0x0000000000000000000000000000000000000002';
  const L3 = '0x0000000000000000000000000000000000000003';

  it("divides each listener's money-weighted part by the plays each app delivered", () => {
    const plays: AppPlay[] = [
      { listener: L1, appId: 'app.a' },
      { listener: L1, appId: 'app.a' },
      { listener: L1, appId: null },
      { listener: L1, appId: 'app.b' },
      { listener: L2, appId: 'app.b' },
    ];
    const result = allocateAppRewards({
      budget: 1000n,
      funds: new Map([
        [L1, 3n],
        [L2, 1n],
      ]),
      plays,
      owners,
    });
    // L1 weighs 750 (a 2, b 1, none 1 of 4 plays): a 375, b 188 (largest remainder), none 187;
    // L2 weighs 250, all to b.
    assert.deepEqual(
      result.byApp.map((app) => [app.appId, app.countedPlays, app.listeners, app.amount]),
      [
        ['app.a', 2, 1, 375n],
        ['app.b', 2, 2, 438n],
      ],
    );
    assert.equal(result.spent, 813n);
    assert.deepEqual(
      [...result.byOwner],
      [
        ['0x00000000000000000000000000000000000000a1', 375n],
        ['0x00000000000000000000000000000000000000b1', 438n],
      ],
    );
  });

  it('gives nothing for listeners who paid nothing, however many plays they make', () => {
    const farm: AppPlay[] = Array.from({ length: 500 }, (_, i) => ({
      listener: `0x${(1000 + i).toString(16).padStart(40, '0')}`,
      appId: 'app.b',
    }));
    const result = allocateAppRewards({
      budget: 1000n,
      funds: new Map([[L1, 1n]]),
      plays: [{ listener: L1, appId: 'app.a' }, ...farm],
      owners,
    });
    assert.deepEqual(
      result.byApp.map((app) => [app.appId, app.amount]),
      [
        ['app.a', 1000n],
        ['app.b', 0n],
      ],
    );
  });

  it('counts an unregistered app as no app, and spends nothing without paying listeners', () => {
    const result = allocateAppRewards({
      budget: 1000n,
      funds: new Map([[L3, 5n]]),
      plays: [
        { listener: L3, appId: 'not.registered' },
        { listener: L3, appId: 'app.a' },
      ],
      owners,
    });
    assert.deepEqual(
      result.byApp.map((app) => [app.appId, app.amount]),
      [['app.a', 500n]],
    );
    assert.equal(allocateAppRewards({ budget: 1000n, funds: new Map(), plays: [], owners }).spent, 0n);
  });

  it('never spends more than the budget, and never depends on the order of plays (seeded cases)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = prng(seed);
      const listeners = Array.from(
        { length: random.int(1, 12) },
        (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}`,
      );
      const funds = new Map(
        listeners.filter(() => random.next() < 0.8).map((l) => [l, BigInt(random.int(0, 1_000_000))]),
      );
      const apps = [null, 'app.a', 'app.b', 'app.unknown'];
      const plays = Array.from({ length: random.int(0, 60) }, () => ({
        listener: random.pick(listeners),
        appId: random.pick(apps),
      }));
      const budget = BigInt(random.int(0, 10_000_000));
      const result = allocateAppRewards({ budget, funds, plays, owners });
      assert.ok(result.spent <= budget, `seed ${seed}`);
      assert.equal(
        result.spent,
        result.byApp.reduce((sum, app) => sum + app.amount, 0n),
        `seed ${seed}`,
      );
      const shuffled = allocateAppRewards({ budget, funds, plays: random.shuffle(plays), owners });
      assert.deepEqual(shuffled, result, `seed ${seed}`);
      // Everything is spent when every paying listener's plays all came through apps.
      const allApps = plays.map((play) => ({ ...play, appId: 'app.a' }));
      const paying = new Set(allApps.map((p) => p.listener).filter((l) => (funds.get(l) ?? 0n) > 0n));
      if (paying.size > 0)
        assert.equal(
          allocateAppRewards({ budget, funds, plays: allApps, owners }).spent,
          budget,
          `seed ${seed}`,
        );
    }
  });
});
