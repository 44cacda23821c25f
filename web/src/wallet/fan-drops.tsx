import { useEffect, useId, useState } from 'react';
import { getAddress, type Hex } from 'viem';
import { api, errorMessage, unwrap } from '../api.ts';
import { UserLink } from '../components/user-link.tsx';
import { formatUnits } from '../lib/format.ts';
import type { ChainInfo } from '../session/session.tsx';
import type { Wallet } from '../session/wallet.ts';
import { TransactionError } from './chain.ts';
import { explainChainError } from './chain-errors.ts';
import { type AccountDrop, DROP_STATE_LABEL, dropState } from './fan-drops-view.ts';
import { TransactionStatus, useTransaction } from './transaction.tsx';

const fair = (amount: string | bigint) => `${formatUnits(amount, 18)} FAIR`;

/**
 * The fan drops that reward this wallet (artists thanking their top fans), newest first: who sent
 * it and why, the amount, and whether it is claimed, claimable or expired. A claimable one has a
 * Claim button: the claim goes from the wallet with the drop's Merkle proof (the FAIR always goes to
 * this address; the wallet pays the gas).
 */
export function FanDrops({
  address,
  chain,
  wallet,
  generation,
  refresh,
}: {
  address: string;
  chain: ChainInfo;
  wallet: Wallet | undefined;
  generation: number;
  refresh: () => void;
}) {
  const id = useId();
  const [drops, setDrops] = useState<AccountDrop[]>();
  const [error, setError] = useState<string>();
  const transaction = useTransaction(refresh);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` re-reads after a transaction.
  useEffect(() => {
    let live = true;
    api
      .GET('/api/v1/accounts/{address}/drops', { params: { path: { address } } })
      .then(unwrap)
      .then(
        (answer) => {
          if (!live) return;
          setDrops(answer.drops);
          setError(undefined);
        },
        (cause: unknown) => live && setError(errorMessage(cause)),
      );
    return () => {
      live = false;
    };
  }, [address, generation]);

  const claim = (drop: AccountDrop) => {
    if (!wallet) return;
    void transaction.run(`Claiming ${fair(drop.amount)} from drop #${drop.dropId}`, async (report) => {
      const [{ claimFanDrop }, { writeClient }] = await Promise.all([
        import('@fairstream/chain/writes'),
        import('./write-client.ts'),
      ]);
      const { client, deployment, step } = writeClient(wallet, chain, report);
      step('claim');
      try {
        const result = await claimFanDrop(client, {
          deployment,
          dropId: BigInt(drop.dropId),
          claim: { account: getAddress(address), amount: BigInt(drop.amount), proof: drop.proof as Hex[] },
        });
        return `${fair(result.amount)} is in your wallet.`;
      } catch (cause) {
        throw new TransactionError(explainChainError(cause, 'claim'));
      }
    });
  };

  const now = Date.now();
  return (
    <section className="card stack-small" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Fan drops</h2>
      <p className="muted">
        FAIR that artists sent to their top fans, with their reason. Artists usually push it straight to your
        wallet; anything they missed you can claim here until the drop closes.
      </p>
      {error && <p role="alert">Fan drops could not be read: {error}</p>}
      {!drops && !error && <p className="muted">Loading…</p>}
      {drops?.length === 0 && <p>No artist has rewarded you with a drop yet. Keep listening!</p>}
      {drops && drops.length > 0 && (
        <div className="wallet-scroll">
          <table className="amounts fan-drops">
            <caption className="visually-hidden">Fan drops to your wallet, newest first</caption>
            <thead>
              <tr>
                <th scope="col">From</th>
                <th scope="col">Reason</th>
                <th scope="col">State</th>
                <th scope="col">Amount</th>
              </tr>
            </thead>
            <tbody>
              {drops.map((drop) => {
                const state = dropState(drop, now);
                const closes = new Date(drop.expiresAt).toLocaleString();
                return (
                  <tr key={drop.dropId} className={`drop-${state}`}>
                    <td>
                      <UserLink address={drop.creator} />
                      <span className="muted"> · drop #{drop.dropId}</span>
                    </td>
                    <td>“{drop.reason}”</td>
                    <td>
                      <span title={state === 'claimed' ? undefined : `Claims close ${closes}`}>
                        {DROP_STATE_LABEL[state]}
                      </span>
                      {state === 'claimable' && (
                        <>
                          <span className="muted"> until {closes}</span>{' '}
                          <button
                            type="button"
                            className="secondary"
                            disabled={!wallet || transaction.busy}
                            onClick={() => claim(drop)}
                            aria-label={`Claim ${fair(drop.amount)} from drop #${drop.dropId}`}
                          >
                            Claim
                          </button>
                        </>
                      )}
                      {state === 'expired' && <span className="muted"> on {closes}</span>}
                    </td>
                    <td>{fair(drop.amount)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <TransactionStatus view={transaction.view} />
    </section>
  );
}
