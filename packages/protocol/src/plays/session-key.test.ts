import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyMessage } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  parseSessionKeyDelegationMessage,
  SessionKeyError,
  sessionKeyCoverage,
  sessionKeyDelegationMessage,
  verifySessionKeyDelegation,
} from './session-key.ts';

// A well-known test key (Hardhat's first account): never holds anything real.
const account = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const delegation = {
  domain: '127.0.0.1:4000',
  address: account.address.toLowerCase(),
  sessionKey: 'ab'.repeat(32),
  chainId: 31337,
  issuedAt: Date.UTC(2026, 0, 1),
  expiresAt: Date.UTC(2026, 0, 8),
};

describe('sessionKeyDelegationMessage', () => {
  it('is a fixed, readable text with the checksummed address and ISO times', () => {
    assert.equal(
      sessionKeyDelegationMessage(delegation),
      [
        '127.0.0.1:4000 asks you to delegate a Fairstream session key.',
        '',
        'This key signs your playback reports so that your plays count. It cannot move funds, sign transactions or act for you anywhere else.',
        '',
        'Address: 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
        `Session key: ${'ab'.repeat(32)}`,
        'Chain ID: 31337',
        'Issued At: 2026-01-01T00:00:00.000Z',
        'Expiration Time: 2026-01-08T00:00:00.000Z',
        'Version: fairstream-session/1',
      ].join('\n'),
    );
  });

  it('does not depend on the case the address was given in', () => {
    assert.equal(
      sessionKeyDelegationMessage({ ...delegation, address: account.address }),
      sessionKeyDelegationMessage({
        ...delegation,
        address: account.address.toUpperCase().replace('0X', '0x'),
      }),
    );
  });

  it('verifies as a personal_sign of the wallet that signed it, and of no other', async () => {
    const message = sessionKeyDelegationMessage(delegation);
    const signature = await account.signMessage({ message });
    assert.ok(await verifyMessage({ address: account.address, message, signature }));
    const other = sessionKeyDelegationMessage({ ...delegation, sessionKey: 'cd'.repeat(32) });
    assert.equal(await verifyMessage({ address: account.address, message: other, signature }), false);
  });

  it('refuses fields the node would refuse, saying which', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ domain: 'https://evil.example/' }, /domain must be a host name/],
      [{ domain: 'a\nAddress: 0x00' }, /domain/],
      [{ address: '0x123' }, /address must be a wallet address/],
      [{ sessionKey: 'AB'.repeat(32) }, /sessionKey must be/],
      [{ chainId: 0 }, /chainId must be a positive integer/],
      [{ issuedAt: 1.5 }, /Unix milliseconds/],
      [{ expiresAt: 9e15 }, /Unix milliseconds/],
      [{ expiresAt: delegation.issuedAt }, /expiresAt must be after issuedAt/],
      [{ expiresAt: delegation.issuedAt + 31 * 24 * 3600_000 }, /at most 30 days/],
    ];
    for (const [patch, expected] of cases) {
      assert.throws(
        () => sessionKeyDelegationMessage({ ...delegation, ...patch } as typeof delegation),
        (error: unknown) => error instanceof SessionKeyError && expected.test(error.message),
        JSON.stringify(patch),
      );
    }
  });
});

describe('parseSessionKeyDelegationMessage', () => {
  it('gives back the fields of a message it built, the address lower-cased', () => {
    const message = sessionKeyDelegationMessage({ ...delegation, address: account.address });
    assert.deepEqual(parseSessionKeyDelegationMessage(message), delegation);
  });

  it('refuses any other text', () => {
    const message = sessionKeyDelegationMessage(delegation);
    for (const text of [
      '',
      message.replace('fairstream-session/1', 'fairstream-session/2'),
      message.replace('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00Z'),
      message.replace('It cannot move funds', 'It can move funds'),
      `${message}\n`,
    ]) {
      assert.throws(() => parseSessionKeyDelegationMessage(text), SessionKeyError, JSON.stringify(text));
    }
  });
});

describe('verifySessionKeyDelegation', () => {
  it('is true for the wallet’s signature of the rebuilt message, false for changed fields', async () => {
    const signature = await account.signMessage({ message: sessionKeyDelegationMessage(delegation) });
    assert.equal(await verifySessionKeyDelegation({ ...delegation, signature }), true);
    assert.equal(
      await verifySessionKeyDelegation({ ...delegation, address: account.address, signature }),
      true,
    );
    for (const patch of [
      { expiresAt: delegation.expiresAt + 1 },
      { sessionKey: 'cd'.repeat(32) },
      { address: '0x00000000000000000000000000000000000000c1' },
      { domain: 'phish.example' },
      { signature: `0x${signature[2] === '1' ? '2' : '1'}${signature.slice(3)}` },
      { signature: 'not hex' },
      { chainId: -1 },
    ]) {
      assert.equal(
        await verifySessionKeyDelegation({ ...delegation, signature, ...patch }),
        false,
        JSON.stringify(patch),
      );
    }
  });
});

describe('sessionKeyCoverage', () => {
  it('covers reports that end from issuedAt until just before expiresAt', () => {
    const { issuedAt, expiresAt } = delegation;
    assert.equal(sessionKeyCoverage(delegation, { endedAt: issuedAt - 1 }), 'not_yet_valid');
    assert.equal(sessionKeyCoverage(delegation, { endedAt: issuedAt }), 'covered');
    assert.equal(sessionKeyCoverage(delegation, { endedAt: expiresAt - 1 }), 'covered');
    assert.equal(sessionKeyCoverage(delegation, { endedAt: expiresAt }), 'expired');
  });
});
