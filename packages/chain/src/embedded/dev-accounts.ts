import { pbkdf2Sync } from 'node:crypto';
import { type Address, type Hex, toHex } from 'viem';
import { HDKey, hdKeyToAccount } from 'viem/accounts';

/**
 * The well-known development mnemonic (Hardhat's and Anvil's default). Its keys are public: wallets
 * and tools recognise its first account, and nothing of value may ever be sent to them on a real
 * chain. The embedded chain funds these accounts at genesis.
 */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

/** How many accounts the embedded chain derives and funds. */
export const DEV_ACCOUNT_COUNT = 20;

/** 10,000 ETH each, Hardhat's default, so gas never runs out on a dev chain. */
export const DEV_ACCOUNT_BALANCE = 10_000n * 10n ** 18n;

export type DevAccount = {
  index: number;
  address: Address;
  privateKey: Hex;
};

/** The dev accounts at m/44'/60'/0'/0/i, derived once from one seed (PBKDF2 is the slow part). */
export function deriveDevAccounts(count = DEV_ACCOUNT_COUNT, mnemonic = DEV_MNEMONIC): DevAccount[] {
  // BIP-39 seed: PBKDF2-HMAC-SHA512 of the mnemonic, salt "mnemonic" (no passphrase), 2048 rounds.
  // node:crypto does it natively, far faster than deriving each account from the phrase in JS.
  const seed = pbkdf2Sync(mnemonic.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512');
  const root = HDKey.fromMasterSeed(seed);
  const accounts: DevAccount[] = [];
  for (let index = 0; index < count; index++) {
    const account = hdKeyToAccount(root, { addressIndex: index });
    const privateKey = account.getHdKey().privateKey;
    if (!privateKey) throw new Error(`no private key derived for dev account ${index}`);
    accounts.push({ index, address: account.address, privateKey: toHex(privateKey) });
  }
  return accounts;
}
