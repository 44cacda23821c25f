import { shortAddress } from '../lib/format.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session/session.tsx';
import { injectedProvider } from '../session/wallet.ts';

/** The header's account area: sign-in choices, or the signed-in account with its menu. */
export function SignIn() {
  const session = useSession();
  if (session.loading) return null;
  if (session.busy) {
    return (
      <span className="muted" role="status">
        {session.busy}
      </span>
    );
  }
  if (session.address) {
    return (
      <span className="account">
        <Link href={`/u/${session.address}`} title={session.address}>
          {shortAddress(session.address)}
        </Link>
        {session.wallet?.kind === 'dev' && <span className="badge">dev wallet</span>}
        <button type="button" className="link-button" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </span>
    );
  }
  return (
    <span className="account">
      {session.error && (
        <span role="alert" className="error-text">
          {session.error}
        </span>
      )}
      {injectedProvider() && (
        <button type="button" onClick={() => void session.signIn('injected')}>
          Sign in with wallet
        </button>
      )}
      {session.chain?.devChain && (
        <button
          type="button"
          className={injectedProvider() ? 'secondary' : undefined}
          onClick={() => void session.signIn('dev')}
          title="A wallet kept in this browser, funded by the dev faucet. For testing only."
        >
          Sign in with a dev wallet
        </button>
      )}
      {!injectedProvider() && !session.chain?.devChain && (
        <span className="muted">Install a browser wallet (e.g. MetaMask) to sign in.</span>
      )}
    </span>
  );
}
