import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { CliError } from './errors.ts';

/** The local wallet the CLI creates for a newcomer who has not given --key. */
export function defaultWalletPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'fairstream', 'wallet.json');
}

export async function loadAccount(
  key: string | undefined,
  walletPath: string,
  log: (line: string) => void,
): Promise<PrivateKeyAccount> {
  if (key) return accountFromKey(key, '--key / FAIRSTREAM_PRIVATE_KEY');
  const saved = await readFile(walletPath, 'utf8').catch(() => undefined);
  if (saved !== undefined) {
    let privateKey: unknown;
    try {
      privateKey = (JSON.parse(saved) as { privateKey?: unknown }).privateKey;
    } catch {
      throw new CliError(`The wallet file ${walletPath} is not valid JSON; fix it, delete it, or pass --key`);
    }
    return accountFromKey(String(privateKey), walletPath);
  }
  const privateKey = generatePrivateKey();
  const account = privateKeyToAccount(privateKey);
  await mkdir(dirname(walletPath), { recursive: true });
  await writeFile(walletPath, `${JSON.stringify({ address: account.address, privateKey }, null, 2)}\n`, {
    mode: 0o600,
  });
  await chmod(walletPath, 0o600);
  log(`No --key given: created a local wallet ${account.address} in ${walletPath} (keep it private).`);
  return account;
}

function accountFromKey(key: string, source: string): PrivateKeyAccount {
  const hex = key.startsWith('0x') ? key : `0x${key}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new CliError(
      `The private key from ${source} must be 32 bytes of hex (64 hex digits, optionally 0x-prefixed)`,
    );
  }
  return privateKeyToAccount(hex as `0x${string}`);
}
