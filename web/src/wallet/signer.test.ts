import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { devWallet } from '../session/wallet.ts';
import { typedDataSigner } from './signer.ts';
import { tipShares } from './tip-button.tsx';

const permit = {
  domain: {
    name: 'Test Stablecoin',
    version: '1',
    chainId: 31337,
    verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  },
  types: {
    Permit: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'nonce', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
    ],
  },
  primaryType: 'Permit',
} as const;

describe('typedDataSigner over the dev wallet', () => {
  it('signs eth_signTypedData_v4 JSON exactly as viem signs the typed data itself', async () => {
    const key = generatePrivateKey();
    localStorage.setItem('fairstream.devWalletKey', key);
    const wallet = devWallet('http://127.0.0.1:1', false)!;
    const account = privateKeyToAccount(key);
    const message = {
      owner: account.address,
      spender: '0x2279B7A0a67DB372996a5FaB50D91eAA73d2eBe6',
      // Above 2^53: must survive JSON as a decimal string and come back as the same bigint.
      value: 123_456_789_012_345_678_901n,
      nonce: 0n,
      deadline: 1_900_000_000n,
    } as const;
    const signature = await typedDataSigner(wallet).signTypedData({ ...permit, message });
    expect(signature).toBe(await account.signTypedData({ ...permit, message }));
  });
});

describe('tipShares', () => {
  it('divides a tip as the Tips contract does: registry order, remainder to the first', () => {
    const track = {
      splits: [
        { address: '0xcccccccccccccccccccccccccccccccccccccccc', ppm: 333_333, percent: '33.3333' },
        { address: '0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', ppm: 333_333, percent: '33.3333' },
        { address: '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', ppm: 333_334, percent: '33.3334' },
      ],
    };
    const shares = tipShares(track, 100n);
    expect(shares.map((share) => [share.address.slice(0, 4), share.amount])).toEqual([
      ['0xaa', 34n],
      ['0xbb', 33n],
      ['0xcc', 33n],
    ]);
    expect(shares.reduce((sum, share) => sum + share.amount, 0n)).toBe(100n);
  });
});
