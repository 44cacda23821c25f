import { subscribe, type Track } from '@fairstream/sdk';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { decodeEventLog, encodeEventTopics, encodeFunctionData, type Hex, pad } from 'viem';
import { api, errorMessage, FairstreamApiError, unwrap } from '../api.ts';
import { SignIn } from '../components/sign-in.tsx';
import { formatUnits, shortAddress } from '../lib/format.ts';
import { Link } from '../router.tsx';
import { type ChainInfo, useSession } from '../session/session.tsx';
import { rpc, type Wallet } from '../session/wallet.ts';
import { formatPeriod, parseAmount } from '../wallet/amounts.ts';
import {
  approveIfNeeded,
  contract,
  ethBalance,
  formatToken,
  payoutDistributorAbi,
  readContract,
  sendTransaction,
  stakingAbi,
  type TokenInfo,
  tipsAbi,
  tokenBalance,
  tokenInfo,
} from '../wallet/chain.ts';
import { FanDrops } from '../wallet/fan-drops.tsx';
import { WalletHistory } from '../wallet/history.tsx';
import { typedDataSigner } from '../wallet/signer.ts';
import { TipButton } from '../wallet/tip-button.tsx';
import { tippedTrack } from '../wallet/tips-history.ts';
import { type PlatformTokens, usePlatformTokens } from '../wallet/tokens.ts';
import { type PhaseReporter, TransactionStatus, useTransaction } from '../wallet/transaction.tsx';
import '../wallet/wallet.css';

export default function WalletPage() {
  const session = useSession();
  useEffect(() => {
    document.title = 'Wallet · Fairstream';
  }, []);
  if (session.loading) return <p className="muted">Loading…</p>;
  if (!session.address) {
    return (
      <section className="stack-small">
        <h1>Wallet</h1>
        <p>Sign in to see your balances, subscribe, stake and follow your payouts.</p>
        <SignIn />
      </section>
    );
  }
  if (!session.chain) {
    return (
      <section>
        <h1>Wallet</h1>
        <p role="alert">This node’s chain is not reachable right now. Try again in a moment.</p>
      </section>
    );
  }
  return <WalletView address={session.address} chain={session.chain} wallet={session.wallet} />;
}

interface ViewProps {
  address: string;
  chain: ChainInfo;
  wallet: Wallet | undefined;
  tokens: PlatformTokens;
  generation: number;
  refresh: () => void;
}

function WalletView({
  address,
  chain,
  wallet,
}: {
  address: string;
  chain: ChainInfo;
  wallet: Wallet | undefined;
}) {
  const tokens = usePlatformTokens(chain);
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((n) => n + 1), []);
  const props: ViewProps = { address, chain, wallet, tokens, generation, refresh };
  // Signing in with a dev wallet funds it from the faucet after the page shows: read again once done.
  const { busy } = useSession();
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-read when sign-in's steps finish.
  useEffect(() => {
    if (!busy) refresh();
  }, [busy]);
  return (
    <div className="wallet-page">
      <div>
        <h1>Wallet</h1>
        <p className="muted">
          <span title={address}>{address}</span>
          {wallet?.kind === 'dev' &&
            ' · a dev wallet kept in this browser: for testing only, never for real money'}
        </p>
        {!wallet && (
          <p role="alert">
            Your wallet is not connected in this tab, so nothing can be sent from it. Sign out and sign in
            again to reconnect it.
          </p>
        )}
        {tokens.error && <p role="alert">{tokens.error}</p>}
      </div>
      <Balances {...props} />
      <div className="wallet-grid">
        <Subscription {...props} />
        <Staking {...props} />
      </div>
      <div className="wallet-grid">
        <Payouts {...props} />
        <TipsSent {...props} />
      </div>
      <FanDrops {...props} />
      <WalletHistory {...props} />
    </div>
  );
}

/**
 * Loads `load` again whenever `key` changes (it names everything `load` reads, the page's
 * generation included); keeps the last value while reloading.
 */
function useLoaded<T>(
  load: () => Promise<T>,
  key: string,
): { value: T | undefined; error: string | undefined } {
  const [state, setState] = useState<{ value: T | undefined; error: string | undefined }>({
    value: undefined,
    error: undefined,
  });
  const latest = useRef(load);
  latest.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is what asks for a reload.
  useEffect(() => {
    let live = true;
    latest.current().then(
      (value) => live && setState({ value, error: undefined }),
      (error: unknown) =>
        live && setState((current) => ({ value: current.value, error: errorMessage(error) })),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state;
}

function Balances({ address, chain, tokens, generation, refresh }: ViewProps) {
  const balances = useLoaded(async () => {
    const [eth, fair, stable] = await Promise.all([
      ethBalance(chain.rpcUrl, address),
      tokens.fair ? tokenBalance(chain.rpcUrl, tokens.fair.address, address) : undefined,
      tokens.stable ? tokenBalance(chain.rpcUrl, tokens.stable.address, address) : undefined,
    ]);
    return { eth, fair, stable };
  }, `${address} ${chain.chainId} ${tokens.fair?.address} ${tokens.stable?.address} ${generation}`);
  const [faucet, setFaucet] = useState<{ busy: boolean; message?: string; error?: string }>({ busy: false });
  const fund = async () => {
    setFaucet({ busy: true });
    try {
      const result = unwrap(await api.POST('/api/v1/faucet'));
      const parts = [`${formatUnits(result.eth, 18)} ETH`];
      if (tokens.fair) parts.push(formatToken(result.fair, tokens.fair));
      if (tokens.stable && result.stablecoin !== '0')
        parts.push(formatToken(result.stablecoin, tokens.stable));
      setFaucet({ busy: false, message: `The faucet sent ${parts.join(', ')}.` });
    } catch (error) {
      const message = errorMessage(error);
      setFaucet({
        busy: false,
        error:
          error instanceof FairstreamApiError && error.status === 429
            ? `${message} The faucet funds each wallet at most once an hour, so everyone can test; try again later.`
            : message,
      });
    } finally {
      refresh();
    }
  };
  const value = balances.value;
  return (
    <section className="card stack-small" aria-labelledby="balances-heading">
      <div className="row tip-head">
        <h2 id="balances-heading">Balances</h2>
        <button type="button" className="link-button" onClick={refresh}>
          Refresh
        </button>
      </div>
      <dl className="balance-list">
        <div>
          <dt>ETH (for gas)</dt>
          <dd>{value ? formatUnits(value.eth, 18) : '…'}</dd>
        </div>
        <div>
          <dt>{tokens.fair?.symbol ?? 'FAIR'}</dt>
          <dd>
            {value?.fair !== undefined && tokens.fair ? formatUnits(value.fair, tokens.fair.decimals) : '…'}
          </dd>
        </div>
        <div>
          <dt>{tokens.stable?.symbol ?? 'Stablecoin'}</dt>
          <dd>
            {value?.stable !== undefined && tokens.stable
              ? formatUnits(value.stable, tokens.stable.decimals)
              : '…'}
          </dd>
        </div>
      </dl>
      {balances.error && <p role="alert">Balances could not be read: {balances.error}</p>}
      {chain.devChain && (
        <div className="row">
          <button type="button" className="secondary" disabled={faucet.busy} onClick={() => void fund()}>
            {faucet.busy ? 'Asking the faucet…' : 'Get test tokens from the faucet'}
          </button>
          <p className="muted help">Dev chain only: ETH for gas, FAIR and test stablecoin, once an hour.</p>
        </div>
      )}
      <p role="status" aria-live="polite" className={faucet.error ? 'error-text' : undefined}>
        {faucet.error ?? faucet.message ?? ''}
      </p>
    </section>
  );
}

function Subscription({ address, wallet, generation, refresh }: ViewProps) {
  const id = useId();
  const data = useLoaded(async () => {
    const [terms, account] = await Promise.all([
      api.GET('/api/v1/subscriptions/terms').then(unwrap),
      api.GET('/api/v1/accounts/{address}/subscription', { params: { path: { address } } }).then(unwrap),
    ]);
    return { terms, account };
  }, `${address} ${generation}`);
  const [periods, setPeriods] = useState('1');
  const transaction = useTransaction(refresh);
  const value = data.value;
  const token = value?.terms.token;
  const count = /^\d+$/.test(periods) ? Number(periods) : Number.NaN;
  const validCount = value ? count >= 1 && count <= value.terms.maxPeriods : false;
  const cost = value && validCount ? BigInt(value.terms.pricePerPeriod) * BigInt(count) : undefined;
  const short = value && cost !== undefined && cost > BigInt(value.account.balance);

  const pay = () => {
    if (!wallet || !value || !validCount) return;
    void transaction.run(`Subscribing for ${count} period${count === 1 ? '' : 's'}`, async () => {
      const result = await subscribe(api, typedDataSigner(wallet), { periods: count });
      return `Paid ${formatToken(result.amount, value.terms.token)}; subscribed until ${new Date(result.paidUntil).toLocaleString()} (transaction ${shortAddress(result.transaction)}).`;
    });
  };

  return (
    <section className="card stack-small" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Subscription</h2>
      {data.error && !value && <p role="alert">{data.error}</p>}
      {!value ? (
        !data.error && <p className="muted">Loading…</p>
      ) : (
        <>
          <p>
            {value.account.active && value.account.paidUntil ? (
              <strong>Active until {new Date(value.account.paidUntil).toLocaleString()}.</strong>
            ) : value.account.paidUntil ? (
              `Not active: your last subscription ended ${new Date(value.account.paidUntil).toLocaleString()}.`
            ) : (
              'You are not subscribed.'
            )}{' '}
            A subscription costs {formatToken(value.terms.pricePerPeriod, value.terms.token)} per{' '}
            {formatPeriod(value.terms.periodSeconds)}. Your money goes only to the artists you listen to, less
            a visible platform fee for stakers.
          </p>
          <form
            className="amount-form"
            onSubmit={(event) => {
              event.preventDefault();
              pay();
            }}
          >
            <div>
              <label htmlFor={`${id}-periods`}>Periods to pay for</label>
              <input
                id={`${id}-periods`}
                type="number"
                min={1}
                max={value.terms.maxPeriods}
                step={1}
                value={periods}
                onChange={(event) => setPeriods(event.target.value)}
                aria-invalid={!validCount}
                aria-describedby={`${id}-cost`}
              />
            </div>
            <button type="submit" disabled={!wallet || !validCount || short || transaction.busy}>
              Subscribe
            </button>
          </form>
          <p id={`${id}-cost`} className={!validCount || short ? 'error-text help' : 'muted help'}>
            {!validCount
              ? `Enter a whole number of periods from 1 to ${value.terms.maxPeriods}.`
              : cost !== undefined && token
                ? `${short ? 'Not enough: ' : ''}${formatToken(cost, token)} from your balance of ${formatToken(value.account.balance, token)}. You sign a permit; the node sends the transaction and pays its gas.`
                : ''}
          </p>
          <TransactionStatus view={transaction.view} />
        </>
      )}
    </section>
  );
}

function Staking({ address, chain, wallet, tokens, generation, refresh }: ViewProps) {
  const id = useId();
  const fair = tokens.fair;
  const data = useLoaded(async () => {
    const staking = contract(chain, 'Staking');
    const read = { address: staking, abi: stakingAbi } as const;
    const owner = address as Hex;
    const [staked, cooling, cooldown, rewardTokens] = await Promise.all([
      readContract(chain.rpcUrl, { ...read, functionName: 'stakeOf', args: [owner] }),
      readContract(chain.rpcUrl, { ...read, functionName: 'coolingOf', args: [owner] }),
      readContract(chain.rpcUrl, { ...read, functionName: 'cooldownSeconds' }),
      readContract(chain.rpcUrl, { ...read, functionName: 'rewardTokens' }),
    ]);
    const rewards = await Promise.all(
      rewardTokens.map(async (token) => ({
        token: await tokenInfo(chain.rpcUrl, token),
        earned: await readContract(chain.rpcUrl, { ...read, functionName: 'earned', args: [owner, token] }),
      })),
    );
    return {
      staking,
      staked,
      cooling: { amount: cooling[0], unlockAt: Number(cooling[1]) },
      cooldown: Number(cooldown),
      rewards,
    };
  }, `${address} ${chain.chainId} ${generation}`);
  const [stakeText, setStakeText] = useState('');
  const [unstakeText, setUnstakeText] = useState('');
  const transaction = useTransaction(refresh);
  const value = data.value;
  const stakeParsed = fair ? parseAmount(stakeText, fair.decimals, fair.symbol) : undefined;
  const unstakeParsed = fair ? parseAmount(unstakeText, fair.decimals, fair.symbol) : undefined;

  const act = (label: string, build: (report: PhaseReporter) => Promise<string>) => {
    if (!wallet) return;
    void transaction.run(label, build);
  };
  const stake = () => {
    if (!wallet || !fair || !value || !stakeParsed || !('amount' in stakeParsed)) return;
    const amount = stakeParsed.amount;
    act(`Staking ${formatToken(amount, fair)}`, async (report) => {
      await approveIfNeeded(wallet, chain, fair.address, value.staking, amount, report('approve FAIR'));
      await sendTransaction(
        wallet,
        chain,
        {
          to: value.staking,
          data: encodeFunctionData({ abi: stakingAbi, functionName: 'stake', args: [amount] }),
        },
        report('stake'),
      );
      setStakeText('');
      return `Staked ${formatToken(amount, fair)}.`;
    });
  };
  const unstake = () => {
    if (!wallet || !fair || !value || !unstakeParsed || !('amount' in unstakeParsed)) return;
    const amount = unstakeParsed.amount;
    act(`Unstaking ${formatToken(amount, fair)}`, async (report) => {
      await sendTransaction(
        wallet,
        chain,
        {
          to: value.staking,
          data: encodeFunctionData({ abi: stakingAbi, functionName: 'requestUnstake', args: [amount] }),
        },
        report(''),
      );
      setUnstakeText('');
      return `${formatToken(amount, fair)} is cooling down; withdraw it once the cooldown has passed.`;
    });
  };
  const withdraw = () => {
    if (!wallet || !fair || !value) return;
    act(`Withdrawing ${formatToken(value.cooling.amount, fair)}`, async (report) => {
      await sendTransaction(
        wallet,
        chain,
        {
          to: value.staking,
          data: encodeFunctionData({ abi: stakingAbi, functionName: 'withdraw' }),
        },
        report(''),
      );
      return `${formatToken(value.cooling.amount, fair)} is back in your wallet.`;
    });
  };
  const claim = (token: TokenInfo, earned: bigint) => {
    if (!wallet || !value) return;
    act(`Claiming ${formatToken(earned, token)} of staking rewards`, async (report) => {
      await sendTransaction(
        wallet,
        chain,
        {
          to: value.staking,
          data: encodeFunctionData({
            abi: stakingAbi,
            functionName: 'claimRewards',
            args: [token.address as Hex],
          }),
        },
        report(''),
      );
      return `${formatToken(earned, token)} is in your wallet.`;
    });
  };

  // Progress of each step, approve then stake, shows through the status line.
  const busy = transaction.busy || !wallet;
  return (
    <section className="card stack-small" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Staking</h2>
      <p className="muted">
        Stakers share the platform fee of every epoch, in proportion to their stake. Unstaked FAIR cools down
        {value ? ` for ${formatPeriod(value.cooldown, 'one')}` : ''} before you can withdraw it, and earns
        nothing meanwhile.
      </p>
      {data.error && <p role="alert">Staking could not be read: {data.error}</p>}
      {value && fair && (
        <>
          <dl className="balance-list">
            <div>
              <dt>Staked</dt>
              <dd>{formatToken(value.staked, fair)}</dd>
            </div>
            <div>
              <dt>Cooling down</dt>
              <dd>{formatToken(value.cooling.amount, fair)}</dd>
            </div>
            {value.rewards.map((reward) => (
              <div key={reward.token.address}>
                <dt>Rewards to claim</dt>
                <dd>{formatToken(reward.earned, reward.token)}</dd>
              </div>
            ))}
          </dl>
          {value.cooling.amount > 0n && (
            <div className="row">
              <button type="button" className="secondary" disabled={busy} onClick={withdraw}>
                Withdraw {formatToken(value.cooling.amount, fair)}
              </button>
              <span className="muted help">
                Withdrawable from {new Date(value.cooling.unlockAt * 1000).toLocaleString()}.
              </span>
            </div>
          )}
          {value.rewards
            .filter((reward) => reward.earned > 0n)
            .map((reward) => (
              <button
                key={reward.token.address}
                type="button"
                className="secondary"
                disabled={busy}
                onClick={() => claim(reward.token, reward.earned)}
              >
                Claim {formatToken(reward.earned, reward.token)}
              </button>
            ))}
          <AmountForm
            label={`Amount to stake (${fair.symbol})`}
            action="Stake"
            text={stakeText}
            setText={setStakeText}
            parsed={stakeParsed}
            disabled={busy}
            onSubmit={stake}
            help="Your wallet approves the staking contract for this amount first, when needed."
          />
          <AmountForm
            label={`Amount to unstake (${fair.symbol})`}
            action="Unstake"
            text={unstakeText}
            setText={setUnstakeText}
            parsed={unstakeParsed}
            disabled={busy || value.staked === 0n}
            onSubmit={unstake}
            help={value.staked === 0n ? 'Nothing is staked.' : `At most ${formatToken(value.staked, fair)}.`}
          />
        </>
      )}
      <TransactionStatus view={transaction.view} />
    </section>
  );
}

function AmountForm(props: {
  label: string;
  action: string;
  text: string;
  setText: (text: string) => void;
  parsed: ReturnType<typeof parseAmount> | undefined;
  disabled: boolean;
  onSubmit: () => void;
  help: string;
}) {
  const id = useId();
  const invalid = props.text !== '' && props.parsed !== undefined && 'error' in props.parsed;
  return (
    <form
      className="amount-form"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      <div>
        <label htmlFor={id}>{props.label}</label>
        <input
          id={id}
          inputMode="decimal"
          autoComplete="off"
          value={props.text}
          onChange={(event) => props.setText(event.target.value)}
          aria-invalid={invalid}
          aria-describedby={`${id}-help`}
        />
      </div>
      <button type="submit" disabled={props.disabled || !props.parsed || 'error' in props.parsed}>
        {props.action}
      </button>
      <p
        id={`${id}-help`}
        className={invalid ? 'error-text help' : 'muted help'}
        style={{ flexBasis: '100%' }}
      >
        {invalid && props.parsed && 'error' in props.parsed ? props.parsed.error : props.help}
      </p>
    </form>
  );
}

function Payouts({ address, chain, wallet, generation, refresh }: ViewProps) {
  const id = useId();
  const data = useLoaded(async () => {
    const [claims, earnings] = await Promise.all([
      api.GET('/api/v1/accounts/{address}/claims', { params: { path: { address } } }).then(unwrap),
      api.GET('/api/v1/accounts/{address}/earnings', { params: { path: { address } } }).then(unwrap),
    ]);
    const totals = await Promise.all(
      earnings.totals.map(async (total) => ({ ...total, info: await tokenInfo(chain.rpcUrl, total.token) })),
    );
    return { claims, totals };
  }, `${address} ${chain.chainId} ${generation}`);
  const transaction = useTransaction(refresh);
  const value = data.value;
  const claimable = value?.claims.claims.filter((claim) => BigInt(claim.claimable) > 0n) ?? [];

  const claimAll = () => {
    if (!wallet || !value || value.claims.epoch === null) return;
    const epoch = BigInt(value.claims.epoch);
    void transaction.run('Claiming your payouts', async (report) => {
      await sendTransaction(
        wallet,
        chain,
        {
          to: contract(chain, 'PayoutDistributor'),
          data: encodeFunctionData({
            abi: payoutDistributorAbi,
            functionName: 'claimMany',
            args: [
              epoch,
              claimable.map((claim) => ({
                account: address as Hex,
                token: claim.token as Hex,
                cumulativeAmount: BigInt(claim.cumulativeAmount),
                proof: claim.proof as Hex[],
              })),
            ],
          }),
        },
        report(''),
      );
      return `Paid ${claimable.map((claim) => `${formatUnits(claim.claimable, claim.decimals)} ${claim.symbol}`).join(' and ')} to your wallet.`;
    });
  };
  const withdrawOwed = (token: string, label: string) => {
    if (!wallet) return;
    void transaction.run(`Withdrawing ${label}`, async (report) => {
      await sendTransaction(
        wallet,
        chain,
        {
          to: contract(chain, 'PayoutDistributor'),
          data: encodeFunctionData({
            abi: payoutDistributorAbi,
            functionName: 'withdraw',
            args: [token as Hex],
          }),
        },
        report(''),
      );
      return `${label} is in your wallet.`;
    });
  };

  return (
    <section className="card stack-small" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Earnings and rewards</h2>
      <p className="muted">
        What your tracks earned (stablecoin) and the FAIR rewards, epoch by epoch. The node pays them to your
        wallet after each epoch; anything it could not push can be claimed here. The{' '}
        <Link href="/dashboard">dashboard</Link> shows them per track.
      </p>
      {data.error && <p role="alert">Earnings could not be read: {data.error}</p>}
      {value &&
        (value.totals.length === 0 ? (
          <p>Nothing earned yet.</p>
        ) : (
          <table className="amounts">
            <caption className="visually-hidden">Earnings per token</caption>
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col">Paid</th>
                <th scope="col">Pending</th>
              </tr>
            </thead>
            <tbody>
              {value.totals.map((total) => (
                <tr key={total.token}>
                  <td>{total.info.symbol}</td>
                  <td>{formatUnits(total.paid, total.info.decimals)}</td>
                  <td>{formatUnits(total.pending, total.info.decimals)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      {claimable.length > 0 && (
        <button type="button" disabled={!wallet || transaction.busy} onClick={claimAll}>
          Claim{' '}
          {claimable
            .map((claim) => `${formatUnits(claim.claimable, claim.decimals)} ${claim.symbol}`)
            .join(' and ')}
        </button>
      )}
      {value?.claims.pending && (
        <p className="muted">
          Epoch {value.claims.pending.epoch} becomes claimable at{' '}
          {new Date(value.claims.pending.claimableAt).toLocaleString()}.
        </p>
      )}
      {value?.claims.owed
        .filter((owed) => BigInt(owed.amount) > 0n)
        .map((owed) => {
          const label = `${formatUnits(owed.amount, owed.decimals)} ${owed.symbol}`;
          return (
            <button
              key={owed.token}
              type="button"
              className="secondary"
              disabled={!wallet || transaction.busy}
              onClick={() => withdrawOwed(owed.token, label)}
            >
              Withdraw {label} owed to you
            </button>
          );
        })}
      <TransactionStatus view={transaction.view} />
    </section>
  );
}

const tippedTopic = encodeEventTopics({ abi: tipsAbi, eventName: 'Tipped' })[0];

/** The track a pasted link ("…/t/abc") or id names. */
export function trackIdFrom(text: string): string | undefined {
  const trimmed = text.trim();
  const fromLink = /\/t\/([A-Za-z0-9_-]{1,64})(?:[/?#]|$)/.exec(trimmed)?.[1];
  if (fromLink) return fromLink;
  return /^[A-Za-z0-9_-]{1,64}$/.test(trimmed) ? trimmed : undefined;
}

function TipATrack({ onTipped }: { onTipped: () => void }) {
  const id = useId();
  const [text, setText] = useState('');
  const [track, setTrack] = useState<Track>();
  const [error, setError] = useState<string>();
  const find = async () => {
    setTrack(undefined);
    const trackId = trackIdFrom(text);
    if (!trackId) {
      setError('Paste a track’s link (…/t/…) or its id.');
      return;
    }
    try {
      const found = unwrap(await api.GET('/api/v1/tracks/{id}', { params: { path: { id: trackId } } }));
      if (!found.ledger || found.state !== 'ready') {
        setError(`“${found.title}” is not on the ledger yet; tip it once it is ready.`);
        return;
      }
      setError(undefined);
      setTrack(found);
    } catch (cause) {
      setError(errorMessage(cause));
    }
  };
  return (
    <div className="stack-small">
      <form
        className="amount-form"
        onSubmit={(event) => {
          event.preventDefault();
          void find();
        }}
      >
        <div>
          <label htmlFor={`${id}-track`}>Tip a track: its link or id</label>
          <input
            id={`${id}-track`}
            value={text}
            spellCheck={false}
            autoComplete="off"
            onChange={(event) => setText(event.target.value)}
            aria-invalid={error !== undefined}
            aria-describedby={`${id}-help`}
          />
        </div>
        <button type="submit" className="secondary">
          Find track
        </button>
        <p
          id={`${id}-help`}
          className={error ? 'error-text help' : 'muted help'}
          style={{ flexBasis: '100%' }}
        >
          {error ?? 'Or use the Tip button on any track’s page.'}
        </p>
      </form>
      {track && <TipButton key={track.id} track={track} defaultOpen onTipped={onTipped} />}
    </div>
  );
}

function TipsSent({ address, chain, generation, refresh }: ViewProps) {
  const id = useId();
  const data = useLoaded(async () => {
    const tips = contract(chain, 'Tips');
    const info = unwrap(await api.GET('/api/v1/chain'));
    const logs = (await rpc(chain.rpcUrl, 'eth_getLogs', [
      {
        address: tips,
        fromBlock: `0x${info.deployedAt.blockNumber.toString(16)}`,
        toBlock: 'latest',
        topics: [tippedTopic, null, pad(address as Hex)],
      },
    ])) as { data: Hex; topics: [Hex, ...Hex[]]; transactionHash: Hex; blockNumber: Hex }[];
    const rows = await Promise.all(
      logs.map(async (log) => {
        const event = decodeEventLog({
          abi: tipsAbi,
          eventName: 'Tipped',
          data: log.data,
          topics: log.topics,
        });
        return {
          key: `${log.transactionHash}-${event.args.trackId}`,
          trackId: event.args.trackId,
          amount: event.args.amount,
          token: await tokenInfo(chain.rpcUrl, event.args.token),
          transaction: log.transactionHash,
          block: BigInt(log.blockNumber),
        };
      }),
    );
    return rows.reverse();
  }, `${address} ${chain.chainId} ${generation}`);
  return (
    <section className="card stack-small" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Tips</h2>
      <TipATrack onTipped={refresh} />
      <h3>Tips you sent</h3>
      {data.error && <p role="alert">Tips could not be read: {data.error}</p>}
      {data.value &&
        (data.value.length === 0 ? (
          <p>
            You have not tipped anyone yet. Tip a track from its page: the tip reaches its artists at once.
          </p>
        ) : (
          <table className="amounts">
            <caption className="visually-hidden">Tips you sent, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Track</th>
                <th scope="col">Block</th>
                <th scope="col">Amount</th>
              </tr>
            </thead>
            <tbody>
              {data.value.map((tip) => {
                const known = tippedTrack(tip.trackId);
                return (
                  <tr key={tip.key}>
                    <td>
                      {known ? (
                        <Link href={`/t/${known.id}`}>{known.title}</Link>
                      ) : (
                        <span title={tip.trackId}>track {shortAddress(tip.trackId)}</span>
                      )}
                    </td>
                    <td title={tip.transaction}>{tip.block.toString()}</td>
                    <td>{formatToken(tip.amount, tip.token)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ))}
    </section>
  );
}
