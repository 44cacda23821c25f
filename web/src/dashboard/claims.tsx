import { useState } from 'react';
import { errorMessage } from '../api.ts';
import type { Claims } from '../explorer/types.ts';
import { formatUnits } from '../lib/format.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session/session.tsx';

/**
 * What the PayoutDistributor holds for the account: ever owed, already in the wallet, and claimable
 * now, with a Claim button for whatever the node has not pushed yet.
 */
export function ClaimsPanel({ claims, onClaimed }: { claims: Claims; onClaimed: () => void }) {
  const { wallet, chain } = useSession();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const due = claims.claims.filter((claim) => BigInt(claim.claimable) > 0n);

  const claim = async () => {
    if (!wallet || !chain || claims.epoch === null) return;
    const distributor = chain.contracts.PayoutDistributor;
    if (!distributor) {
      setError('This node’s chain has no PayoutDistributor.');
      return;
    }
    setBusy(true);
    setError(undefined);
    setStatus('Confirm the claim in your wallet…');
    try {
      const { sendClaim } = await import('./claim.ts');
      const hash = await sendClaim({
        wallet,
        rpcUrl: chain.rpcUrl,
        distributor,
        account: claims.address,
        epoch: claims.epoch,
        claims: due,
      });
      setStatus(`Claimed: the money is in your wallet (transaction ${hash.slice(0, 10)}…).`);
      onClaimed();
    } catch (cause) {
      setStatus(undefined);
      setError(`${errorMessage(cause)}. Nothing was claimed; try again, or wait for the node to push it.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="claims">
      {claims.claims.length === 0 ? (
        <p className="muted">Nothing has been owed to this wallet on-chain yet.</p>
      ) : (
        <section className="table-scroll stack-on-phone" aria-label="Payouts on-chain">
          <table>
            <thead>
              <tr>
                <th scope="col">Token</th>
                <th scope="col" className="number">
                  Settled on-chain (ever)
                </th>
                <th scope="col" className="number">
                  Paid to your wallet
                </th>
                <th scope="col" className="number">
                  Claimable now
                </th>
              </tr>
            </thead>
            <tbody>
              {claims.claims.map((c) => (
                <tr key={c.token}>
                  <th scope="row">{c.symbol}</th>
                  <td className="number" data-label="Settled on-chain (ever)">
                    {formatUnits(c.cumulativeAmount, c.decimals)}
                  </td>
                  <td className="number" data-label="Paid to your wallet">
                    {formatUnits(c.claimed, c.decimals)}
                  </td>
                  <td className="number" data-label="Claimable now">
                    {formatUnits(c.claimable, c.decimals)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {claims.epoch !== null && (
        <p className="muted">
          As of <Link href={`/explorer/epochs/${claims.epoch}`}>epoch {claims.epoch}</Link>, the newest final
          one. <Link href={`/explorer/accounts/${claims.address}`}>See the Merkle proofs</Link>.
        </p>
      )}
      {claims.pending && (
        <p className="muted">
          Epoch {claims.pending.epoch} is published and final at{' '}
          {new Date(claims.pending.claimableAt).toLocaleTimeString()}; the node pays it out then.
        </p>
      )}
      {due.length === 0 ? (
        claims.claims.length > 0 && (
          <p className="check-ok">
            <span aria-hidden="true">✓ </span>Everything settled so far is in your wallet: the node pushes
            each payout itself once its epoch is final, so there is nothing to claim.
          </p>
        )
      ) : (
        <div className="row">
          <p>
            {due.map((c) => `${formatUnits(c.claimable, c.decimals)} ${c.symbol}`).join(' and ')} can be
            claimed now (the node pushes it soon anyway).
          </p>
          {wallet ? (
            <button type="button" onClick={claim} disabled={busy}>
              {busy ? 'Claiming…' : 'Claim'}
            </button>
          ) : (
            <p className="muted">Sign in again with your wallet to claim from here.</p>
          )}
        </div>
      )}
      <p role="status" aria-live="polite">
        {status}
      </p>
      {error && <p role="alert">{error}</p>}
    </div>
  );
}
