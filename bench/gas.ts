/**
 * Gas benchmark: what Fairstream's everyday transactions cost, read from the receipts of real
 * transactions on the contracts as `deployFairstream` deploys them (an embedded chain in a temp
 * folder: EDR, hardfork prague), against the goals from the issue tracker and public anchors.
 *
 *   npm run bench:gas            (about 20 s, most of it building one 100,000-leaf Merkle tree)
 *
 * Goals: publishEpoch (2 tokens) under 100,000 gas whatever the size of the tree; a claim in a
 * 100,000-leaf tree at most 70,000; a batch claim at most 40,000 per account (steady state: an account
 * that has claimed before). Anchors: Uniswap's MerkleDistributor, about 78,600 gas per claim in a
 * 100,000-leaf tree; 0xSplits v1, 110,069 gas to distribute to 10 recipients.
 *
 * Also the artist's token spending: a promotion (first, and extending), and a 1,000-fan reward drop:
 * createDrop, every claim pushed with claimMany, and the gas per fan of the whole drop, for fans who
 * get their first FAIR and for fans who already hold some, against a plain FAIR transfer per fan
 * (measured too).
 */
import { createHash } from 'node:crypto';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import {
  type Address,
  getAddress,
  type Hash,
  type Hex,
  hexToBytes,
  keccak256,
  parseEther,
  stringToHex,
  zeroAddress,
} from 'viem';
import { getTransaction, waitForTransactionReceipt, writeContract } from 'viem/actions';
// Module paths rather than the package index (as upload-to-ready.ts does for the node): the
// benchmark needs only the ABIs and the embedded chain.
import {
  fairTokenAbi,
  fanDropsAbi,
  payoutDistributorAbi,
  promotionsAbi,
  subscriptionVaultAbi,
  testStablecoinAbi,
  tipsAbi,
  trackRegistryAbi,
} from '../packages/chain/src/abis/index.ts';
import { claimFanDrops } from '../packages/chain/src/actions/claim-fan-drops.ts';
import { createFanDrop } from '../packages/chain/src/actions/create-fan-drop.ts';
import { embeddedPublicClient, embeddedWalletClient } from '../packages/chain/src/embedded/clients.ts';
import { startEmbeddedChain } from '../packages/chain/src/embedded/start-embedded-chain.ts';
import { buildFanDropTree, fanDropClaims } from '../packages/chain/src/merkle/fan-drop-tree.ts';
import { cleanUp, defer, runBenchmark, table, tempDir, verdict } from './lib.ts';

const TREE_LEAVES = Number(process.env.BENCH_TREE_LEAVES ?? 100_000);
const DROP_FANS = Number(process.env.BENCH_DROP_FANS ?? 1_000);
const BATCH = 100;
/** Accounts with two leaves (a first and a later cumulative amount); the measured ones are picked from them. */
const CANDIDATES = 400;
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 300);

const GOAL_PUBLISH = 100_000n;
const GOAL_CLAIM = 70_000n;
const GOAL_BATCH_PER_ACCOUNT = 40_000n;
const ANCHOR_UNISWAP_CLAIM = 78_600n;
const ANCHOR_SPLITS_10 = 110_069n;

const LEAF_ENCODING = ['address', 'address', 'uint256'];
const FREE = { kind: 0, token: zeroAddress, minBalance: 0n } as const;
type PayoutLeaf = [account: Address, token: Address, cumulativeAmount: bigint];
type ClaimArgs = { account: Address; token: Address; cumulativeAmount: bigint; proof: Hex[] };
type Measured = { gas: bigint; calldataGas: bigint };

runBenchmark(async () => {
  const started = performance.now();
  const watchdog = setTimeout(() => {
    process.stderr.write(`\ngas benchmark: no result after ${TIMEOUT_S} s, stopping\n`);
    void cleanUp().finally(() => process.exit(1));
  }, TIMEOUT_S * 1000);
  defer(() => clearTimeout(watchdog));

  step('starting an embedded chain in a temp folder; it deploys the contracts with deployFairstream');
  const chain = await startEmbeddedChain({ dataDir: await tempDir('fairstream-bench-gas-'), rpcPort: 0 });
  defer(() => chain.stop());
  const deployment = chain.deployment;
  if (!deployment) throw new Error('the embedded chain has no deployment');
  const {
    FairToken: fair,
    TestStablecoin: usd,
    PayoutDistributor: dist,
    TrackRegistry,
    Tips,
    SubscriptionVault,
    Promotions,
    FanDrops,
  } = deployment.contracts;
  if (!usd || !dist || !TrackRegistry || !Tips || !SubscriptionVault || !Promotions || !FanDrops) {
    throw new Error(`the deployment lacks a contract: ${JSON.stringify(deployment.contracts)}`);
  }
  const publicClient = embeddedPublicClient(chain);
  const wallet = (index: number) => {
    const account = chain.accounts[index];
    if (!account) throw new Error(`no dev account #${index}`);
    return embeddedWalletClient(chain, account);
  };
  // Account 0 deploys and is treasury, admin (tUSD minter) and operator; account 2 holds FAIR's dev faucet.
  const operator = wallet(0);
  const faucet = wallet(2);
  const artist = wallet(4);
  const fan = wallet(5);
  const subscribers = [wallet(6), wallet(7)] as const;

  const measure = async (hash: Promise<Hash>): Promise<Measured> => {
    const sent = await hash;
    const receipt = await waitForTransactionReceipt(publicClient, { hash: sent });
    if (receipt.status !== 'success') throw new Error(`transaction ${sent} reverted`);
    const { input } = await getTransaction(publicClient, { hash: sent });
    return { gas: receipt.gasUsed, calldataGas: calldataGas(input) };
  };
  const confirm = async (hash: Promise<Hash>) => void (await measure(hash));

  // ---------------------------------------------------------------------------------------------
  step('TrackRegistry.register with 1, 3, 4 and 100 recipients');
  const register: Record<number, Measured> = {};
  for (const n of [1, 3, 4, 100]) {
    const recipients = ascending(Array.from({ length: n }, (_, i) => addressOf(`split-${n}-${i}`)));
    register[n] = await measure(
      writeContract(artist, {
        address: TrackRegistry,
        abi: trackRegistryAbi,
        functionName: 'register',
        args: [idOf(`track-${n}`), idOf(`metadata-${n}`), FREE, recipients, evenShares(n)],
      }),
    );
  }

  // ---------------------------------------------------------------------------------------------
  step('Tips.tip in FAIR to a 60/25/15 split, twice');
  const tipTrack = idOf('track-tips');
  await confirm(
    writeContract(artist, {
      address: TrackRegistry,
      abi: trackRegistryAbi,
      functionName: 'register',
      args: [
        tipTrack,
        idOf('metadata-tips'),
        FREE,
        ascending([addressOf('tip-a'), addressOf('tip-b'), addressOf('tip-c')]),
        [600_000, 250_000, 150_000],
      ],
    }),
  );
  await confirm(
    writeContract(faucet, {
      address: fair,
      abi: fairTokenAbi,
      functionName: 'transfer',
      args: [fan.account.address, parseEther('100')],
    }),
  );
  // A finite allowance, as a wallet asks for: each tip lowers it.
  await confirm(
    writeContract(fan, {
      address: fair,
      abi: fairTokenAbi,
      functionName: 'approve',
      args: [Tips, parseEther('100')],
    }),
  );
  const tipOnce = () =>
    measure(
      writeContract(fan, {
        address: Tips,
        abi: tipsAbi,
        functionName: 'tip',
        args: [tipTrack, fair, parseEther('1.234567')],
      }),
    );
  // The first tip makes the recipients' FAIR balances non-zero (new storage); the second is the steady state.
  const tipFirst = await tipOnce();
  const tipSteady = await tipOnce();

  // ---------------------------------------------------------------------------------------------
  step('SubscriptionVault.subscribe(1 period) by a first and a second subscriber');
  const subscribe: Measured[] = [];
  for (const subscriber of subscribers) {
    await confirm(
      writeContract(operator, {
        address: usd,
        abi: testStablecoinAbi,
        functionName: 'mint',
        args: [subscriber.account.address, 100_000_000n],
      }),
    );
    await confirm(
      writeContract(subscriber, {
        address: usd,
        abi: testStablecoinAbi,
        functionName: 'approve',
        args: [SubscriptionVault, 100_000_000n],
      }),
    );
    subscribe.push(
      await measure(
        writeContract(subscriber, {
          address: SubscriptionVault,
          abi: subscriptionVaultAbi,
          functionName: 'subscribe',
          args: [1],
        }),
      ),
    );
  }

  // ---------------------------------------------------------------------------------------------
  step(
    `Promotions.promote (first, then extending) and a ${DROP_FANS.toLocaleString('en')}-fan FanDrops drop`,
  );
  // The artist pays from FAIR the faucet sends, with a standing approval (as after a first approve).
  await confirm(
    writeContract(faucet, {
      address: fair,
      abi: fairTokenAbi,
      functionName: 'transfer',
      args: [artist.account.address, parseEther('100000')],
    }),
  );
  for (const spender of [Promotions, FanDrops]) {
    await confirm(
      writeContract(artist, {
        address: fair,
        abi: fairTokenAbi,
        functionName: 'approve',
        args: [spender, parseEther('100000')],
      }),
    );
  }
  const promote = (days: bigint) =>
    measure(
      writeContract(artist, {
        address: Promotions,
        abi: promotionsAbi,
        functionName: 'promote',
        args: [tipTrack, days, parseEther('10') * days],
      }),
    );
  const promoteFirst = await promote(7n);
  const promoteExtend = await promote(1n);

  // Plain transfers, the anchor: to an address that holds no FAIR yet, and to one that does.
  const transferTo = (to: Address) =>
    measure(
      writeContract(artist, {
        address: fair,
        abi: fairTokenAbi,
        functionName: 'transfer',
        args: [to, parseEther('0.5')],
      }),
    );
  const transferNew = await transferTo(addressOf('transfer-new'));
  const transferHolder = await transferTo(addressOf('transfer-new'));

  // Drop 1 pays fans who hold no FAIR yet (each claim creates a balance); drop 2 pays the same fans
  // again, who now hold FAIR: the steady state of an artist rewarding their regulars.
  const dropFans = Array.from({ length: DROP_FANS }, (_, i) => ({
    account: getAddress(addressOf(`drop-fan-${i}`)),
    amount: fairAmount(i),
  }));
  const runDrop = async (label: string) => {
    const dropTree = buildFanDropTree(dropFans);
    const created = await createFanDrop(artist, { deployment, tree: dropTree, reason: label });
    const claims = fanDropClaims(dropTree);
    // One fan claims alone first (a single claim), the rest are pushed in batches.
    const [first, ...rest] = claims;
    if (!first) throw new Error('an empty drop');
    const single = await measure(
      writeContract(operator, {
        address: FanDrops,
        abi: fanDropsAbi,
        functionName: 'claim',
        args: [created.dropId, first.account, first.amount, first.proof],
      }),
    );
    const pushed = await claimFanDrops(operator, { deployment, dropId: created.dropId, claims: rest });
    const pushGas = pushed.transactions.reduce((sum, transaction) => sum + transaction.gasUsed, 0n);
    if (pushed.paid.length !== rest.length)
      throw new Error(`${label}: ${pushed.paid.length} of ${rest.length} paid`);
    return {
      create: created.gasUsed,
      single: single.gas,
      push: pushGas,
      pushTransactions: pushed.transactions.length,
      perFan: (created.gasUsed + single.gas + pushGas) / BigInt(DROP_FANS),
      pushPerFan: pushGas / BigInt(rest.length),
      proofLength: Math.max(...claims.map((claim) => claim.proof.length)),
    };
  };
  const dropNew = await runDrop('bench drop 1: first FAIR for every fan');
  const dropHolders = await runDrop('bench drop 2: the same fans again');

  // ---------------------------------------------------------------------------------------------
  // The payout tree: TREE_LEAVES leaves (account, token, cumulative amount) in FAIR and tUSD. The
  // CANDIDATES accounts have two FAIR leaves each, a first and a later cumulative amount: claiming
  // the first is their first-ever claim, claiming the second (in a later epoch) the steady state. So
  // the tree is built once, and every measured claim has a proof of the full 100,000-leaf tree.
  if (TREE_LEAVES < 2 * CANDIDATES + 2)
    throw new Error(`BENCH_TREE_LEAVES must be at least ${2 * CANDIDATES + 2}`);
  const tokens = ascending([fair, usd]);
  const fillers = TREE_LEAVES - 2 * CANDIDATES;
  const candidates = Array.from({ length: CANDIDATES }, (_, i) => addressOf(`claimant-${i}`));
  const leaves: PayoutLeaf[] = [];
  for (const [i, account] of candidates.entries()) {
    const amount = fairAmount(i);
    leaves.push([account, fair, amount], [account, fair, amount + fairAmount(i + 7)]);
  }
  for (let i = 0; i < fillers; i++) {
    leaves.push(
      i % 2 === 0
        ? [addressOf(`payee-${i}`), fair, fairAmount(i)]
        : [addressOf(`payee-${i}`), usd, usdAmount(i)],
    );
  }
  const tenLeaves: PayoutLeaf[] = Array.from({ length: 10 }, (_, i) =>
    i % 2 === 0
      ? [addressOf(`small-${i}`), fair, fairAmount(i)]
      : [addressOf(`small-${i}`), usd, usdAmount(i)],
  );

  step(`building a ${TREE_LEAVES.toLocaleString('en')}-leaf StandardMerkleTree (the slow part)`);
  let clock = performance.now();
  const tree = StandardMerkleTree.of(leaves, LEAF_ENCODING);
  const treeSeconds = (performance.now() - clock) / 1000;
  const bigTotals = totalsOf(leaves, tokens);
  const smallTree = StandardMerkleTree.of(tenLeaves, LEAF_ENCODING);
  const smallTotals = totalsOf(tenLeaves, tokens);

  // The measured accounts: the candidates whose two leaves have the longest proofs (a 100,000-leaf
  // tree has leaves 16 and 17 levels deep), so the figures are the worst case.
  const proofOf = (valueIndex: number) => {
    const [account, token, cumulativeAmount] = leaves[valueIndex]!;
    return { account, token, cumulativeAmount, proof: tree.getProof(valueIndex) as Hex[] };
  };
  const ranked = candidates
    .map((_, i) => ({ first: proofOf(2 * i), later: proofOf(2 * i + 1) }))
    .sort(
      (a, b) => b.first.proof.length + b.later.proof.length - a.first.proof.length - a.later.proof.length,
    );
  const measured = ranked.slice(0, BATCH + 1);
  if (measured.length < BATCH + 1) throw new Error('not enough claim candidates');
  const proofLengths = measured.flatMap((m) => [m.first.proof.length, m.later.proof.length]);

  step('funding the PayoutDistributor from the treasury (FAIR, and tUSD minted by its admin)');
  for (const [index, token] of tokens.entries()) {
    const amount = bigTotals[index]!;
    if (token === usd) {
      await confirm(
        writeContract(operator, {
          address: usd,
          abi: testStablecoinAbi,
          functionName: 'mint',
          args: [operator.account.address, amount],
        }),
      );
    }
    await confirm(
      writeContract(operator, {
        address: token,
        abi: fairTokenAbi,
        functionName: 'approve',
        args: [dist, amount],
      }),
    );
    await confirm(
      writeContract(operator, {
        address: dist,
        abi: payoutDistributorAbi,
        functionName: 'fund',
        args: [token, amount],
      }),
    );
  }

  const publish = (epoch: bigint, root: string, totals: bigint[]) =>
    measure(
      writeContract(operator, {
        address: dist,
        abi: payoutDistributorAbi,
        functionName: 'publishEpoch',
        args: [epoch, root as Hex, idOf(`plays-${epoch}`), idOf(`data-${epoch}`), tokens, totals],
      }),
    );
  const claim = (epoch: bigint, c: ClaimArgs) =>
    measure(
      writeContract(operator, {
        address: dist,
        abi: payoutDistributorAbi,
        functionName: 'claim',
        args: [epoch, c.account, c.token, c.cumulativeAmount, c.proof],
      }),
    );
  const claimMany = (epoch: bigint, claims: ClaimArgs[]) =>
    measure(
      writeContract(operator, {
        address: dist,
        abi: payoutDistributorAbi,
        functionName: 'claimMany',
        args: [epoch, claims],
      }),
    );

  step('PayoutDistributor: publish epochs 1 to 4, claims single and batched, first and steady state');
  // Epoch 1: the very first publish sets each token's published total from zero (new storage).
  const publishFirst = await publish(
    1n,
    smallTree.root,
    smallTotals.map((total) => total / 2n),
  );
  // Epochs 2 and 3: the steady state, a 10-leaf and the 100,000-leaf tree. Same work, only the
  // calldata bytes of the root and totals differ.
  const publishSmall = await publish(2n, smallTree.root, smallTotals);
  const publishBig = await publish(3n, tree.root, bigTotals);
  // First-ever claims against epoch 3: `claimed` and the account's FAIR balance go from zero to non-zero.
  const [single, ...batch] = measured;
  const claimFirst = await claim(3n, single!.first);
  const batchFirst = await claimMany(
    3n,
    batch.map((m) => m.first),
  );
  // Epoch 4 republishes the root (the totals unchanged); the later leaves pay each account the
  // difference: its `claimed` and balance go from non-zero to non-zero, as for an artist every epoch.
  const publishAgain = await publish(4n, tree.root, bigTotals);
  const claimSteady = await claim(4n, single!.later);
  const batchSteady = await claimMany(
    4n,
    batch.map((m) => m.later),
  );
  clock = performance.now();

  // ---------------------------------------------------------------------------------------------
  const perAccount = (m: Measured) => m.gas / BigInt(BATCH);
  const execution = (m: Measured) => m.gas - 21_000n - m.calldataGas;
  const publishIndependent = execution(publishSmall) === execution(publishBig);
  const goals = {
    publishSmall: {
      goal: `< ${GOAL_PUBLISH}`,
      value: publishSmall.gas,
      met: publishSmall.gas < GOAL_PUBLISH,
    },
    publishBig: { goal: `< ${GOAL_PUBLISH}`, value: publishBig.gas, met: publishBig.gas < GOAL_PUBLISH },
    publishIndependentOfTree: {
      goal: 'same gas besides calldata',
      value: execution(publishBig) - execution(publishSmall),
      met: publishIndependent,
    },
    claimSteady: { goal: `<= ${GOAL_CLAIM}`, value: claimSteady.gas, met: claimSteady.gas <= GOAL_CLAIM },
    claimManySteadyPerAccount: {
      goal: `<= ${GOAL_BATCH_PER_ACCOUNT}`,
      value: perAccount(batchSteady),
      met: perAccount(batchSteady) <= GOAL_BATCH_PER_ACCOUNT,
    },
  };

  const g = (value: bigint) => value.toLocaleString('en');
  const ratio = (value: bigint, anchor: bigint) => `${((Number(value) / Number(anchor)) * 100).toFixed(0)}%`;
  const leavesLabel = `${TREE_LEAVES.toLocaleString('en')}-leaf`;
  const fansLabel = DROP_FANS.toLocaleString('en');
  const rows: Array<Array<string | number>> = [
    ['register, 1 recipient', g(register[1]!.gas), '', '', '', ''],
    ['register, 3 recipients', g(register[3]!.gas), '', '', '', ''],
    ['register, 4 recipients (split as a data contract)', g(register[4]!.gas), '', '', '', ''],
    ['register, 100 recipients', g(register[100]!.gas), '', '', '', ''],
    ['publishEpoch, 2 tokens, very first (totals from 0)', g(publishFirst.gas), '', '', '', ''],
    [
      'publishEpoch, 2 tokens, 10-leaf tree',
      g(publishSmall.gas),
      '',
      `< ${g(GOAL_PUBLISH)}`,
      '',
      verdict(goals.publishSmall.met),
    ],
    [
      `publishEpoch, 2 tokens, ${leavesLabel} tree`,
      g(publishBig.gas),
      '',
      `< ${g(GOAL_PUBLISH)}`,
      '',
      verdict(goals.publishBig.met),
    ],
    ['publishEpoch, same root again (totals unchanged)', g(publishAgain.gas), '', '', '', ''],
    [
      `claim, ${leavesLabel} tree, account's first`,
      g(claimFirst.gas),
      '',
      '',
      `${g(ANCHOR_UNISWAP_CLAIM)} (${ratio(claimFirst.gas, ANCHOR_UNISWAP_CLAIM)})`,
      '',
    ],
    [
      `claim, ${leavesLabel} tree, steady state`,
      g(claimSteady.gas),
      '',
      `<= ${g(GOAL_CLAIM)}`,
      `${g(ANCHOR_UNISWAP_CLAIM)} (${ratio(claimSteady.gas, ANCHOR_UNISWAP_CLAIM)})`,
      verdict(goals.claimSteady.met),
    ],
    [
      `claimMany ${BATCH} accounts, first`,
      g(batchFirst.gas),
      g(perAccount(batchFirst)),
      '',
      `${g(ANCHOR_UNISWAP_CLAIM)} (${ratio(perAccount(batchFirst), ANCHOR_UNISWAP_CLAIM)})`,
      '',
    ],
    [
      `claimMany ${BATCH} accounts, steady state`,
      g(batchSteady.gas),
      g(perAccount(batchSteady)),
      `<= ${g(GOAL_BATCH_PER_ACCOUNT)}`,
      `${g(ANCHOR_UNISWAP_CLAIM)} (${ratio(perAccount(batchSteady), ANCHOR_UNISWAP_CLAIM)})`,
      verdict(goals.claimManySteadyPerAccount.met),
    ],
    [
      'tip, FAIR, 3-way split, first',
      g(tipFirst.gas),
      '',
      '',
      `${g(ANCHOR_SPLITS_10)} (${ratio(tipFirst.gas, ANCHOR_SPLITS_10)})`,
      '',
    ],
    [
      'tip, FAIR, 3-way split, steady state',
      g(tipSteady.gas),
      '',
      '',
      `${g(ANCHOR_SPLITS_10)} (${ratio(tipSteady.gas, ANCHOR_SPLITS_10)})`,
      '',
    ],
    ['subscribe 1 period, first subscriber', g(subscribe[0]!.gas), '', '', '', ''],
    ['subscribe 1 period, second subscriber', g(subscribe[1]!.gas), '', '', '', ''],
    ['promote 7 days, first promotion of the track', g(promoteFirst.gas), '', '', '', ''],
    ['promote 1 day, extending the running promotion', g(promoteExtend.gas), '', '', '', ''],
    [`createDrop, ${fansLabel} fans`, g(dropNew.create), '', '', '', ''],
    [
      `drop push (claimMany), fans' first FAIR, ${dropNew.pushTransactions} tx`,
      g(dropNew.push),
      g(dropNew.pushPerFan),
      '',
      `${g(transferNew.gas)} (${ratio(dropNew.pushPerFan, transferNew.gas)})`,
      '',
    ],
    [
      `drop per fan: (create + every claim) / ${fansLabel}, first FAIR`,
      g(dropNew.perFan),
      g(dropNew.perFan),
      '',
      `${g(transferNew.gas)} (${ratio(dropNew.perFan, transferNew.gas)})`,
      '',
    ],
    [
      `drop push (claimMany), fans holding FAIR, ${dropHolders.pushTransactions} tx`,
      g(dropHolders.push),
      g(dropHolders.pushPerFan),
      '',
      `${g(transferHolder.gas)} (${ratio(dropHolders.pushPerFan, transferHolder.gas)})`,
      '',
    ],
    [
      `drop per fan: (create + every claim) / ${fansLabel}, fans holding FAIR`,
      g(dropHolders.perFan),
      g(dropHolders.perFan),
      '',
      `${g(transferHolder.gas)} (${ratio(dropHolders.perFan, transferHolder.gas)})`,
      '',
    ],
    ['drop claim, single, fan already holding FAIR (steady state)', g(dropHolders.single), '', '', '', ''],
    ['FAIR transfer to a new holder (anchor)', g(transferNew.gas), '', '', '', ''],
    ['FAIR transfer to a holder (anchor)', g(transferHolder.gas), '', '', '', ''],
  ];

  const out: string[] = [''];
  out.push(
    `Gas from transaction receipts: Fairstream's contracts deployed by deployFairstream on the embedded ` +
      `chain (EDR, hardfork prague, chain id ${chain.chainId}). All figures include the 21,000 base and the calldata.`,
  );
  out.push(
    `Payout tree: ${TREE_LEAVES.toLocaleString('en')} leaves (account, token, cumulative amount) in FAIR and ` +
      `tUSD, built with StandardMerkleTree in ${treeSeconds.toFixed(1)} s; the measured claims have proofs of ` +
      `${Math.min(...proofLengths)}-${Math.max(...proofLengths)} hashes (the deepest leaves).`,
  );
  out.push('');
  out.push(table(['operation', 'gas', 'per account', 'goal', 'anchor (ratio)', 'verdict'], rows));
  out.push('');
  out.push(
    `publishEpoch without its calldata (gas - 21,000 - calldata): 10-leaf tree ${g(execution(publishSmall))}, ` +
      `${leavesLabel} tree ${g(execution(publishBig))} -> independent of the tree size: ` +
      verdict(publishIndependent),
  );
  out.push(
    `  (the totals differ by ${g(publishBig.gas - publishSmall.gas)} gas, all of it calldata: the root and ` +
      'the per-token totals are just other bytes.)',
  );
  out.push(
    `First claims write new storage (the account's claimed amount and its first FAIR balance): ` +
      `${g(claimFirst.gas)} single, ${g(perAccount(batchFirst))} per account in a batch. The goals apply to ` +
      'the steady state: the node claims for the same artists every epoch.',
  );
  out.push(
    'Anchors: Uniswap MerkleDistributor, ~78,600 gas per claim in a 100,000-leaf tree (a claimed bitmap bit and ' +
      'a transfer); 0xSplits v1, 110,069 gas to distribute to 10 recipients (a different shape: it credits ' +
      'internal balances, withdrawn later; a tip pays the recipients at once).',
  );
  out.push(
    `Fan drop: ${fansLabel} fans, proofs of up to ${dropNew.proofLength} hashes; one fan claims alone, the ` +
      'others are pushed with claimMany in as many transactions as half a block allows. Per fan = (createDrop + ' +
      `every claim) / ${fansLabel}. The anchor is a plain FAIR transfer per fan (measured): the drop adds the ` +
      'claimed mark and the proof, and saves the artist one transaction and signature per fan.',
  );
  out.push('');
  for (const [name, { goal, value, met }] of Object.entries(goals)) {
    out.push(`${`${name}:`.padEnd(28)} ${String(value).padStart(8)} (goal ${goal}) -> ${verdict(met)}`);
  }
  out.push(`Done in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
  out.push('');
  process.stdout.write(`${out.join('\n')}\n`);

  const n = (value: bigint) => Number(value);
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'gas',
      date: new Date().toISOString(),
      evm: { chain: 'embedded EDR', hardfork: 'prague', chainId: chain.chainId },
      treeLeaves: TREE_LEAVES,
      treeBuildS: Math.round(treeSeconds * 10) / 10,
      proofLength: { min: Math.min(...proofLengths), max: Math.max(...proofLengths) },
      gas: {
        register1: n(register[1]!.gas),
        register3: n(register[3]!.gas),
        register4: n(register[4]!.gas),
        register100: n(register[100]!.gas),
        publishFirst: n(publishFirst.gas),
        publish10Leaves: n(publishSmall.gas),
        publishBigTree: n(publishBig.gas),
        publishSameRoot: n(publishAgain.gas),
        claimFirst: n(claimFirst.gas),
        claimSteady: n(claimSteady.gas),
        claimManyFirstPerAccount: n(perAccount(batchFirst)),
        claimManySteadyPerAccount: n(perAccount(batchSteady)),
        tip3First: n(tipFirst.gas),
        tip3Steady: n(tipSteady.gas),
        subscribeFirst: n(subscribe[0]!.gas),
        subscribeSecond: n(subscribe[1]!.gas),
        promoteFirst: n(promoteFirst.gas),
        promoteExtend: n(promoteExtend.gas),
        dropCreate: n(dropNew.create),
        dropPushFirstPerFan: n(dropNew.pushPerFan),
        dropPerFanFirst: n(dropNew.perFan),
        dropPushHoldersPerFan: n(dropHolders.pushPerFan),
        dropPerFanHolders: n(dropHolders.perFan),
        dropClaimSteady: n(dropHolders.single),
        transferNewHolder: n(transferNew.gas),
        transferHolder: n(transferHolder.gas),
      },
      dropFans: DROP_FANS,
      anchors: { uniswapMerkleClaim: n(ANCHOR_UNISWAP_CLAIM), splitsV1Distribute10: n(ANCHOR_SPLITS_10) },
      goals: Object.fromEntries(
        Object.entries(goals).map(([name, { goal, value, met }]) => [name, { goal, value: n(value), met }]),
      ),
    })}\n`,
  );
  return 0;
});

function step(message: string): void {
  process.stdout.write(`· ${message}\n`);
}

/** A deterministic, distinct address per label, from a native hash (100,000 of them take ~0.2 s). */
function addressOf(label: string): Address {
  return `0x${createHash('sha256').update(`fairstream-bench:${label}`).digest('hex').slice(0, 40)}`;
}

function idOf(label: string): Hex {
  return keccak256(stringToHex(`fairstream-bench:${label}`));
}

/** Sorts addresses strictly ascending (splits and publishEpoch's token list need it), checksummed. */
function ascending(addresses: Address[]): Address[] {
  return [...addresses]
    .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0))
    .map((address) => getAddress(address));
}

/** Shares in ppm summing to 1,000,000, the rounding to the first recipient. */
function evenShares(n: number): number[] {
  const base = Math.floor(1_000_000 / n);
  return Array.from({ length: n }, (_, i) => (i === 0 ? 1_000_000 - base * (n - 1) : base));
}

/** 0.001 to 100 FAIR, spread deterministically. */
function fairAmount(i: number): bigint {
  return BigInt(1 + ((i * 7919) % 100_000)) * 10n ** 15n;
}

/** 0.0001 to 1 tUSD (6 decimals). */
function usdAmount(i: number): bigint {
  return BigInt(1 + ((i * 104_729) % 10_000)) * 100n;
}

/** Per-token sums of the leaves' cumulative amounts, in the order of `tokens`, as publishEpoch takes them. */
function totalsOf(values: PayoutLeaf[], tokens: Address[]): bigint[] {
  const sums = new Map<string, bigint>();
  for (const [, token, amount] of values) {
    sums.set(token.toLowerCase(), (sums.get(token.toLowerCase()) ?? 0n) + amount);
  }
  return tokens.map((token) => sums.get(token.toLowerCase()) ?? 0n);
}

/** The intrinsic gas of calldata: 4 per zero byte, 16 per other byte. */
function calldataGas(input: Hex): bigint {
  let gas = 0n;
  for (const byte of hexToBytes(input)) gas += byte === 0 ? 4n : 16n;
  return gas;
}
