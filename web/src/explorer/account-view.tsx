import { useEffect, useState } from 'react';
import { api, errorMessage, unwrap } from '../api.ts';
import { money, useTokens } from '../dashboard/tokens.ts';
import { useLoad } from '../dashboard/use-load.ts';
import { formatUnits } from '../lib/format.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session/session.tsx';
import { Hash, ScrollTable } from './bits.tsx';
import type { ClaimCheck } from './chain-checks.ts';
import type { Claims } from './types.ts';

/** Any account's payouts: what it is owed per token with the Merkle proofs, and its earnings by epoch. */
export function AccountView({ address }: { address: string }) {
  const account = address.toLowerCase();
  const token = useTokens();
  const claims = useLoad(`claims:${account}`, () =>
    api.GET('/api/v1/accounts/{address}/claims', { params: { path: { address: account } } }).then(unwrap),
  );
  const earnings = useLoad(`earnings:${account}`, () =>
    api.GET('/api/v1/accounts/{address}/earnings', { params: { path: { address: account } } }).then(unwrap),
  );

  return (
    <div className="stack">
      <section aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <p>
          <Hash value={account} label="Account address" />
        </p>
        <p>
          <Link href={`/u/${account}`}>Profile</Link>
        </p>
      </section>

      <section aria-labelledby="proofs-heading">
        <h2 id="proofs-heading">Payouts and their Merkle proofs</h2>
        {claims.error && <p role="alert">Could not load the claims: {claims.error}</p>}
        {!claims.data && !claims.error && <p className="muted">Loading…</p>}
        {claims.data && <ClaimProofs claims={claims.data} />}
      </section>

      <section aria-labelledby="account-earnings-heading">
        <h2 id="account-earnings-heading">Earnings from tracks</h2>
        {earnings.error && <p role="alert">Could not load the earnings: {earnings.error}</p>}
        {earnings.data &&
          (earnings.data.items.length === 0 ? (
            <p className="muted">This account has earned nothing from tracks in settled epochs.</p>
          ) : (
            <ScrollTable label="Earnings by epoch" stack>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Epoch</th>
                    <th scope="col">Track</th>
                    <th scope="col" className="number">
                      Counted plays
                    </th>
                    <th scope="col" className="number">
                      Amount
                    </th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {earnings.data.items.map((item) => (
                    <tr key={`${item.epoch}:${item.trackId}:${item.token}`}>
                      <td data-label="Epoch">
                        <Link href={`/explorer/epochs/${item.epoch}`}>{item.epoch}</Link>
                      </td>
                      <td data-label="Track">
                        <Link href={`/t/${item.trackId}`}>{item.title ?? item.trackId}</Link>
                      </td>
                      <td className="number" data-label="Counted plays">
                        {item.countedPlays}
                      </td>
                      <td className="number" data-label="Amount">
                        {money(item.amount, token(item.token))}
                      </td>
                      <td data-label="Status">{item.status === 'paid' ? 'Paid' : 'Pending'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollTable>
          ))}
      </section>
    </div>
  );
}

function ClaimProofs({ claims }: { claims: Claims }) {
  const { chain } = useSession();
  const [check, setCheck] = useState<ClaimCheck>();
  const [checkError, setCheckError] = useState<string>();

  useEffect(() => {
    setCheck(undefined);
    setCheckError(undefined);
    if (claims.epoch === null || !claims.payoutRoot || !chain || claims.claims.length === 0) return;
    let live = true;
    import('./chain-checks.ts')
      .then(({ checkClaims }) =>
        checkClaims({
          rpcUrl: chain.rpcUrl,
          distributor: chain.contracts.PayoutDistributor,
          epoch: claims.epoch!,
          payoutRoot: claims.payoutRoot!,
          account: claims.address,
          claims: claims.claims,
        }),
      )
      .then(
        (result) => live && setCheck(result),
        (error: unknown) => live && setCheckError(errorMessage(error)),
      );
    return () => {
      live = false;
    };
  }, [claims, chain]);

  if (claims.epoch === null)
    return (
      <p className="muted">
        No epoch is open for claims yet
        {claims.pending
          ? ` (epoch ${claims.pending.epoch} opens at ${new Date(claims.pending.claimableAt).toLocaleString()})`
          : ''}
        .
      </p>
    );
  return (
    <>
      <p>
        Proofs against the payout root of{' '}
        <Link href={`/explorer/epochs/${claims.epoch}`}>epoch {claims.epoch}</Link>, the newest open for
        claims (roots are cumulative: it holds everything ever owed):{' '}
        <Hash value={claims.payoutRoot} label="Payout root" />
      </p>
      {check?.onChain && (
        <p className={check.onChain.matches && !check.onChain.voided ? 'check-ok' : 'check-failed'}>
          <span aria-hidden="true">{check.onChain.matches && !check.onChain.voided ? '✓ ' : '✗ '}</span>
          {check.onChain.voided
            ? 'The PayoutDistributor says this epoch was voided.'
            : check.onChain.matches
              ? 'This root is the one the PayoutDistributor holds for the epoch (checked on the chain just now).'
              : `The PayoutDistributor holds a different root for the epoch (starting ${check.onChain.prefix}).`}
        </p>
      )}
      {checkError && <p role="alert">Could not check the proofs against the chain: {checkError}</p>}
      {claims.pending && (
        <p className="muted">
          Epoch {claims.pending.epoch} is published and in its challenge window until{' '}
          {new Date(claims.pending.claimableAt).toLocaleString()}.
        </p>
      )}
      {claims.claims.length === 0 ? (
        <p className="muted">This account has no payout leaf: nothing was ever owed to it.</p>
      ) : (
        <ul className="plain claims-list">
          {claims.claims.map((claim) => {
            const ok = check?.proofs[claim.token];
            return (
              <li key={claim.token} className="card">
                <h3>{claim.symbol}</h3>
                <dl className="facts">
                  <dt>Ever owed (cumulative)</dt>
                  <dd>
                    {formatUnits(claim.cumulativeAmount, claim.decimals)} {claim.symbol}
                  </dd>
                  <dt>Paid to the wallet</dt>
                  <dd>
                    {formatUnits(claim.claimed, claim.decimals)} {claim.symbol}
                  </dd>
                  <dt>Claimable now</dt>
                  <dd>
                    {formatUnits(claim.claimable, claim.decimals)} {claim.symbol}
                  </dd>
                  <dt>Token</dt>
                  <dd>
                    <Hash value={claim.token} />
                  </dd>
                </dl>
                {ok !== undefined && (
                  <p className={ok ? 'check-ok' : 'check-failed'}>
                    <span aria-hidden="true">{ok ? '✓ ' : '✗ '}</span>
                    {ok
                      ? 'The proof leads from this leaf to the payout root (checked in this browser).'
                      : 'The proof does NOT lead to the payout root.'}
                  </p>
                )}
                <details>
                  <summary>Merkle proof ({claim.proof.length} hashes)</summary>
                  <ol className="proof">
                    {claim.proof.map((hash) => (
                      <li key={hash}>
                        <Hash value={hash} />
                      </li>
                    ))}
                  </ol>
                </details>
              </li>
            );
          })}
        </ul>
      )}
      {claims.owed.length > 0 && (
        <p>
          Owed after a refused push (the account withdraws it itself):{' '}
          {claims.owed.map((owed) => `${formatUnits(owed.amount, owed.decimals)} ${owed.symbol}`).join(', ')}
        </p>
      )}
    </>
  );
}
