// Deploys Fairstream's contracts to a chain and writes contracts/deployments/<chainId>.json.
//
//   FAIRSTREAM_DEPLOYER_KEY=0x… node packages/chain/scripts/deploy.ts --rpc https://rpc… \
//     --stablecoin 0xUSDC… [--treasury 0x…] [--operator 0x…] [--guardian 0x…] [--dev] [--out FILE]
//
// A deployment made before a contract was added (Promotions, FanDrops) is completed in place:
//
//   FAIRSTREAM_DEPLOYER_KEY=0x… node packages/chain/scripts/deploy.ts --rpc https://rpc… --add-missing [--out FILE]
//
// The key may also come from --key-file FILE. It is never printed.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type Address, createWalletClient, defineChain, type Hex, http, isAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { getChainId } from 'viem/actions';
import { completeDeployment, deployFairstream } from '../src/deploy.ts';
import { publicDeploymentPath, readDeployment, writeDeployment } from '../src/deployment.ts';

const { values } = parseArgs({
  options: {
    rpc: { type: 'string' },
    'key-file': { type: 'string' },
    stablecoin: { type: 'string' },
    treasury: { type: 'string' },
    operator: { type: 'string' },
    guardian: { type: 'string' },
    dev: { type: 'boolean', default: false },
    'add-missing': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

function address(name: string, value: string | undefined): Address | undefined {
  if (value === undefined) return undefined;
  if (!isAddress(value)) throw new Error(`--${name} must be an address`);
  return value;
}

if (!values.rpc) throw new Error('--rpc URL is required');
const key = (
  values['key-file'] ? await readFile(values['key-file'], 'utf8') : process.env.FAIRSTREAM_DEPLOYER_KEY
)?.trim();
if (!key || !/^(0x)?[0-9a-fA-F]{64}$/.test(key)) {
  throw new Error('Give the deployer key as FAIRSTREAM_DEPLOYER_KEY or --key-file (32 bytes hex)');
}
const account = privateKeyToAccount((key.startsWith('0x') ? key : `0x${key}`) as Hex);
const chainId = await getChainId(createWalletClient({ transport: http(values.rpc) }));
const chain = defineChain({
  id: chainId,
  name: `chain ${chainId}`,
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [values.rpc] } },
});
if (values['add-missing']) {
  const file = values.out ?? publicDeploymentPath(chainId);
  const { deployment, added } = await completeDeployment(
    createWalletClient({ account, chain, transport: http(values.rpc) }),
    await readDeployment(file),
    { onContractDeployed: (name, at) => console.log(`${name} ${at}`) },
  );
  if (added.length === 0) {
    console.log(`${file} already has every contract`);
  } else {
    await writeDeployment(file, deployment);
    console.log(`added ${added.join(', ')} to ${file}`);
  }
  process.exit(0);
}
const stablecoin = address('stablecoin', values.stablecoin);
if (!values.dev && !stablecoin) throw new Error('--stablecoin is required outside dev chains');
const treasury = address('treasury', values.treasury);
const operator = address('operator', values.operator);
const guardian = address('guardian', values.guardian);
const deployment = await deployFairstream(
  createWalletClient({ account, chain, transport: http(values.rpc) }),
  {
    devChain: values.dev,
    ...(values.dev ? { devFaucet: account.address } : {}),
    ...(stablecoin ? { stablecoin } : {}),
    ...(treasury ? { treasury } : {}),
    ...(operator ? { operator } : {}),
    ...(guardian ? { guardian } : {}),
    onContractDeployed: (name, at) => console.log(`${name} ${at}`),
  },
);
const out = values.out ?? publicDeploymentPath(chainId);
await writeDeployment(out, deployment);
console.log(`wrote ${out}`);
