import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { network } from 'hardhat';
import {
  type Address,
  erc20Abi,
  getAddress,
  getContract,
  type Hash,
  type Hex,
  keccak256,
  parseAbi,
  parseEther,
  stringToHex,
  zeroAddress,
  zeroHash,
} from 'viem';

const LEAF_ENCODING = ['address', 'address', 'uint256'];
/** ABI of the test stablecoin mock (test artifacts carry no generated types). */
const MOCK_USD_ABI = [...erc20Abi, ...parseAbi(['function mint(address to, uint256 amount)'])] as const;
type PayoutLeaf = [account: Address, token: Address, cumulativeAmount: bigint];

/** A deterministic, distinct address per label (no private key: claims are made for accounts by anyone). */
const addressOf = (label: string): Address => getAddress(`0x${keccak256(stringToHex(label)).slice(26)}`);

/** Sorts addresses strictly ascending, as publishEpoch requires of its token list. */
const ascending = (addresses: Address[]): Address[] =>
  [...addresses].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));

/** Token list (ascending) and per-token cumulative totals of a set of leaves, as publishEpoch takes them. */
function totalsOf(values: PayoutLeaf[]): { tokens: Address[]; totals: bigint[] } {
  const sums = new Map<Address, bigint>();
  for (const [, token, amount] of values) sums.set(token, (sums.get(token) ?? 0n) + amount);
  const tokens = ascending([...sums.keys()]);
  return { tokens, totals: tokens.map((token) => sums.get(token) ?? 0n) };
}

describe('PayoutDistributor', async () => {
  const { viem } = await network.create();
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const wallet = (index: number) => {
    const client = wallets[index];
    assert.ok(client, `no wallet client #${index}`);
    return client;
  };
  const admin = wallet(0);
  const operator = wallet(1);
  const guardian = wallet(2);
  const funder = wallet(3);
  const node = wallet(4);

  const alloc = (recipient: Address, amount: bigint) => ({ recipient, amount });

  /** FAIR (18 decimals), a 6-decimals stablecoin, and a dev distributor (challenge window 0), funded. */
  async function deploy(fairFunding: bigint, usdFunding: bigint) {
    const fair = await viem.deployContract('FairToken', [
      alloc(funder.account.address, parseEther('1000000000')),
      alloc(addressOf('treasury'), 1n),
      false,
      alloc(zeroAddress, 0n),
    ]);
    const mock = await viem.deployContract('test/mocks/PayoutMocks.sol:MockUSD6');
    const usd = getContract({
      address: mock.address,
      abi: MOCK_USD_ABI,
      client: { public: publicClient, wallet: funder },
    });
    const dist = await viem.deployContract('PayoutDistributor', [
      admin.account.address,
      operator.account.address,
      guardian.account.address,
      0n,
    ]);
    await usd.write.mint([funder.account.address, usdFunding]);
    await fair.write.approve([dist.address, fairFunding], { account: funder.account });
    await usd.write.approve([dist.address, usdFunding], { account: funder.account });
    await dist.write.fund([fair.address, fairFunding], { account: funder.account });
    await dist.write.fund([usd.address, usdFunding], { account: funder.account });
    return { fair, usd, dist };
  }

  async function gasOf(hash: Promise<Hash>): Promise<bigint> {
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await hash });
    assert.equal(receipt.status, 'success');
    return receipt.gasUsed;
  }

  it('pays 20 accounts x 2 tokens from a StandardMerkleTree root, single and batch, to the wei', async () => {
    const { fair, usd, dist } = await deploy(parseEther('1000'), 1_000_000_000n);
    const accounts = Array.from({ length: 20 }, (_, i) => addressOf(`listener-${i}`));
    // Odd amounts, so any rounding or off-by-one would show.
    const values: PayoutLeaf[] = accounts.flatMap((account, i): PayoutLeaf[] => [
      [account, fair.address, parseEther('1') * BigInt(i + 1) + 123_456_789n * BigInt(i)],
      [account, usd.address, 1_000_003n * BigInt(i + 1)],
    ]);
    const tree = StandardMerkleTree.of(values, LEAF_ENCODING);
    const { tokens, totals } = totalsOf(values);

    await viem.assertions.emit(
      dist.write.publishEpoch(
        [
          1n,
          tree.root as Hex,
          keccak256(stringToHex('plays')),
          keccak256(stringToHex('data')),
          tokens,
          totals,
        ],
        {
          account: operator.account,
        },
      ),
      dist,
      'EpochPublished',
    );
    assert.equal(await dist.read.isFinal([1n]), true);

    // Single: the node claims account 0's two leaves for it.
    for (const [i, [account, token, amount]] of tree.entries()) {
      if (account !== accounts[0]) continue;
      await dist.write.claim([1n, account, token, amount, tree.getProof(i) as Hex[]], {
        account: node.account,
      });
    }
    // Batch: everything (account 0's leaves included; they are skipped, nothing is due).
    const claims = [...tree.entries()].map(([i, [account, token, cumulativeAmount]]) => ({
      account,
      token,
      cumulativeAmount,
      proof: tree.getProof(i) as Hex[],
    }));
    await dist.write.claimMany([1n, claims], { account: node.account });

    for (const [account, token, amount] of values) {
      const balance =
        token === fair.address ? await fair.read.balanceOf([account]) : await usd.read.balanceOf([account]);
      assert.equal(balance, amount, `${account} ${token}`);
      assert.equal(await dist.read.claimed([account, token]), amount);
    }
    const fairTotal = totals[tokens.indexOf(fair.address)] ?? 0n;
    const usdTotal = totals[tokens.indexOf(usd.address)] ?? 0n;
    assert.equal(await dist.read.paid([fair.address]), fairTotal);
    assert.equal(await dist.read.paid([usd.address]), usdTotal);
    assert.equal(await fair.read.balanceOf([dist.address]), parseEther('1000') - fairTotal);
    assert.equal(await usd.read.balanceOf([dist.address]), 1_000_000_000n - usdTotal);

    // A second cumulative root pays only the difference.
    const next: PayoutLeaf[] = values.map(([account, token, amount]) => [
      account,
      token,
      amount + (token === usd.address ? 7n : 0n),
    ]);
    const nextTree = StandardMerkleTree.of(next, LEAF_ENCODING);
    const nextTotals = totalsOf(next);
    await dist.write.publishEpoch(
      [2n, nextTree.root as Hex, zeroHash, zeroHash, nextTotals.tokens, nextTotals.totals],
      {
        account: operator.account,
      },
    );
    const index = next.findIndex(([account, token]) => account === accounts[5] && token === usd.address);
    const [account5, , amount5] = next[index] as PayoutLeaf;
    await viem.assertions.emitWithArgs(
      dist.write.claim([2n, account5, usd.address, amount5, nextTree.getProof(index) as Hex[]], {
        account: node.account,
      }),
      dist,
      'Claimed',
      [2n, account5, usd.address, 7n, amount5],
    );
    assert.equal(await usd.read.balanceOf([account5]), amount5);
  });

  it('gas: publishEpoch (2 tokens), a claim in a 100,000-leaf tree, claimMany of 100 accounts', async () => {
    const ACCOUNTS = 50_000; // x 2 tokens = 100,000 leaves
    const BATCH = 100;
    const { fair, usd, dist } = await deploy(parseEther('100000000'), 1_000_000_000_000_000n);
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => addressOf(`gas-${i}`));
    const valuesAt = (round: bigint): PayoutLeaf[] =>
      accounts.flatMap((account, i): PayoutLeaf[] => [
        [account, fair.address, (BigInt(i) + 1n) * 1_000_000_000_000_000n * round],
        [account, usd.address, (BigInt(i) + 1n) * 1_000n * round],
      ]);

    // Epoch 0 initialises the per-token totals (a first publish also pays for those zero-to-non-zero writes).
    const first = valuesAt(1n).slice(0, 4);
    const firstTotals = totalsOf(first);
    const firstPublishGas = await gasOf(
      dist.write.publishEpoch(
        [
          0n,
          StandardMerkleTree.of(first, LEAF_ENCODING).root as Hex,
          keccak256('0x01'),
          keccak256('0x02'),
          firstTotals.tokens,
          firstTotals.totals,
        ],
        {
          account: operator.account,
        },
      ),
    );

    let started = performance.now();
    const round1 = valuesAt(1n);
    const tree1 = StandardMerkleTree.of(round1, LEAF_ENCODING);
    const buildSeconds = ((performance.now() - started) / 1000).toFixed(1);
    assert.equal(tree1.length, 100_000);
    const totals1 = totalsOf(round1);
    const publishGas = await gasOf(
      dist.write.publishEpoch(
        [1n, tree1.root as Hex, keccak256('0x03'), keccak256('0x04'), totals1.tokens, totals1.totals],
        {
          account: operator.account,
        },
      ),
    );

    // The FAIR leaves of accounts 0..BATCH: index i*2 in the values.
    const claimOf = (tree: StandardMerkleTree<PayoutLeaf>, values: PayoutLeaf[], accountIndex: number) => {
      const valueIndex = accountIndex * 2;
      const [account, token, cumulativeAmount] = values[valueIndex] as PayoutLeaf;
      return { account, token, cumulativeAmount, proof: tree.getProof(valueIndex) as Hex[] };
    };

    // First-ever claims: `claimed` and the recipient's token balance go from zero to non-zero.
    const c0 = claimOf(tree1, round1, 0);
    const firstClaimGas = await gasOf(
      dist.write.claim([1n, c0.account, c0.token, c0.cumulativeAmount, c0.proof], { account: node.account }),
    );
    const batch1 = Array.from({ length: BATCH }, (_, i) => claimOf(tree1, round1, i + 1));
    const firstBatchGas = await gasOf(dist.write.claimMany([1n, batch1], { account: node.account }));

    // Steady state: the next epoch, the same accounts (they hold tokens and have claimed before).
    started = performance.now();
    const round2 = valuesAt(2n);
    const tree2 = StandardMerkleTree.of(round2, LEAF_ENCODING);
    const buildSeconds2 = ((performance.now() - started) / 1000).toFixed(1);
    const totals2 = totalsOf(round2);
    const publishGas2 = await gasOf(
      dist.write.publishEpoch(
        [2n, tree2.root as Hex, keccak256('0x05'), keccak256('0x06'), totals2.tokens, totals2.totals],
        {
          account: operator.account,
        },
      ),
    );
    const d0 = claimOf(tree2, round2, 0);
    const claimGas = await gasOf(
      dist.write.claim([2n, d0.account, d0.token, d0.cumulativeAmount, d0.proof], { account: node.account }),
    );
    const batch2 = Array.from({ length: BATCH }, (_, i) => claimOf(tree2, round2, i + 1));
    const batchGas = await gasOf(dist.write.claimMany([2n, batch2], { account: node.account }));

    // Every claimed account got exactly its cumulative amount.
    for (const c of [d0, ...batch2]) {
      assert.equal(await fair.read.balanceOf([c.account]), c.cumulativeAmount);
    }
    assert.equal(await usd.read.balanceOf([d0.account]), 0n);

    const proofLength = c0.proof.length;
    console.log(
      `    100,000-leaf trees built in ${buildSeconds} s and ${buildSeconds2} s; proof length ${proofLength}`,
    );
    console.log(
      `    publishEpoch, 2 tokens:                         ${publishGas} gas (${publishGas2} the next epoch; ${firstPublishGas} for the very first publish)`,
    );
    console.log(`    claim, 100,000-leaf tree, returning account:    ${claimGas} gas`);
    console.log(`    claim, 100,000-leaf tree, first-ever claim:     ${firstClaimGas} gas`);
    console.log(
      `    claimMany ${BATCH} accounts, returning, per account: ${batchGas / BigInt(BATCH)} gas (total ${batchGas})`,
    );
    console.log(
      `    claimMany ${BATCH} accounts, first-ever, per account: ${firstBatchGas / BigInt(BATCH)} gas (total ${firstBatchGas})`,
    );

    // The gas goals (steady state: the node claims for the same artists every epoch).
    assert.ok(publishGas < 100_000n, `publishEpoch ${publishGas}`);
    assert.ok(publishGas2 < 100_000n, `publishEpoch ${publishGas2}`);
    assert.ok(claimGas <= 70_000n, `claim ${claimGas}`);
    assert.ok(batchGas / BigInt(BATCH) <= 40_000n, `claimMany per account ${batchGas / BigInt(BATCH)}`);
  });
});
