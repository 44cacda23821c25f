import { useEffect, useState } from 'react';
import { AccountView } from '../explorer/account-view.tsx';
import { EpochList } from '../explorer/epoch-list.tsx';
import { EpochView } from '../explorer/epoch-view.tsx';
import '../explorer/explorer.css';
import { Link, navigate } from '../router.tsx';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * The public ledger: every epoch with its roots, transactions, totals and published data; any
 * account's payouts with their Merkle proofs; and a Verify button that recomputes an epoch in the
 * browser. Nothing here needs a session.
 */
export default function ExplorerPage({
  epoch,
  account,
}: {
  epoch?: string | undefined;
  account?: string | undefined;
}) {
  const n = epoch === undefined ? undefined : /^\d{1,9}$/.test(epoch) ? Number(epoch) : Number.NaN;
  useEffect(() => {
    document.title =
      n !== undefined
        ? `Epoch ${epoch} · Ledger · Fairstream`
        : account
          ? 'Account · Ledger · Fairstream'
          : 'Ledger · Fairstream';
  }, [n, epoch, account]);

  return (
    <div className="explorer stack">
      <header className="explorer-header">
        <h1>
          <Link href="/explorer">Ledger</Link>
        </h1>
        <p className="muted">
          Every counted play is settled here, epoch by epoch: one Merkle root on-chain per epoch, and the data
          behind it published for anyone to check.
        </p>
        <AddressSearch initial={account ?? ''} />
      </header>
      {account !== undefined ? (
        ADDRESS.test(account) ? (
          <AccountView address={account} />
        ) : (
          <p role="alert">
            “{account}” is not an account address. An address is 0x followed by 40 hexadecimal digits.
          </p>
        )
      ) : n !== undefined ? (
        Number.isNaN(n) ? (
          <p role="alert">
            “{epoch}” is not an epoch number. Epochs are numbered 0, 1, 2…{' '}
            <Link href="/explorer">See every epoch</Link>.
          </p>
        ) : (
          <>
            <nav aria-label="Epochs" className="row epoch-nav">
              {n > 0 && <Link href={`/explorer/epochs/${n - 1}`}>← Epoch {n - 1}</Link>}
              <Link href="/explorer">All epochs</Link>
              <Link href={`/explorer/epochs/${n + 1}`}>Epoch {n + 1} →</Link>
            </nav>
            <EpochView key={n} n={n} />
          </>
        )
      ) : (
        <EpochList />
      )}
    </div>
  );
}

function AddressSearch({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string>();
  useEffect(() => setText(initial), [initial]);
  return (
    <search>
      <form
        className="address-search"
        aria-label="Find an account"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const value = text.trim();
          if (!ADDRESS.test(value)) {
            setError(
              value === ''
                ? 'Enter an account address to see its payouts.'
                : `“${value}” is not an address: enter 0x followed by 40 hexadecimal digits.`,
            );
            return;
          }
          setError(undefined);
          navigate(`/explorer/accounts/${value.toLowerCase()}`);
        }}
      >
        <label htmlFor="account-search">Account address</label>
        <div className="row">
          <input
            id="account-search"
            type="text"
            inputMode="text"
            autoComplete="off"
            spellCheck={false}
            placeholder="0x…"
            value={text}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'account-search-error' : undefined}
            onChange={(event) => {
              setText(event.target.value);
              if (error) setError(undefined);
            }}
          />
          <button type="submit">Show payouts</button>
        </div>
        {error && (
          <p id="account-search-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </search>
  );
}
