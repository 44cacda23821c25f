// Child process for the crash test: starts the embedded chain in argv[2] and sends transfers as fast
// as it can, printing each acknowledged transaction hash, until the parent kills it with SIGKILL.
import { sendTransaction } from 'viem/actions';
import { embeddedWalletClient } from '../embedded/clients.ts';
import { startEmbeddedChain } from '../embedded/start-embedded-chain.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: crash-child.ts <dataDir>');
const chain = await startEmbeddedChain({ dataDir, rpcPort: 0, deploy: false });
const [from, to] = chain.accounts;
if (!from || !to) throw new Error('no dev accounts');
const wallet = embeddedWalletClient(chain, from);
for (;;) {
  const hash = await sendTransaction(wallet, { to: to.address, value: 1n });
  process.stdout.write(`${hash}\n`);
}
