import { appRegistrationMessage, MAX_APP_NAME_LENGTH } from '@fairstream/protocol';
import type { paths } from '@fairstream/sdk';
import { type FormEvent, useId, useState } from 'react';
import { api, errorMessage, unwrap } from '../api.ts';
import { registrationProblem } from '../apps/registration.ts';
import { FAIR_DECIMALS } from '../components/split-preview.ts';
import { useDocumentTitle } from '../components/use-document-title.ts';
import { useLoad } from '../dashboard/use-load.ts';
import { formatUnits, shortAddress } from '../lib/format.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session/session.tsx';
import './apps.css';

type AppView =
  paths['/api/v1/accounts/{address}/apps']['get']['responses'][200]['content']['application/json']['apps'][number];

const fair = (amount: string) => formatUnits(amount, FAIR_DECIMALS);

/**
 * The app developer's corner: what apps earn, the apps you registered, and registering one (your
 * wallet signs the registration, so its FAIR share is paid to you).
 */
export default function AppsPage() {
  const session = useSession();
  useDocumentTitle('Apps');
  const rules = useLoad('rules', async () => unwrap(await api.GET('/api/v1/rules')).appRewards);
  return (
    <div className="stack apps-page">
      <div>
        <h1>Apps</h1>
        <p>
          Build a player on Fairstream and earn FAIR for the listening it delivers. Register an app id, then
          put it in the playback reports your listeners sign (<code>appId</code>, with{' '}
          <code>source: "app"</code>).
        </p>
        {rules.data && (
          <p className="muted" data-testid="app-share">
            Apps share {rules.data.sharePpm / 10_000}% of each epoch's FAIR rewards. {rules.data.summary}
          </p>
        )}
      </div>
      {session.loading ? (
        <p className="muted">Loading…</p>
      ) : session.address ? (
        <MyApps key={session.address} address={session.address} />
      ) : (
        <p>Sign in with the button at the top of the page to register an app and see your apps.</p>
      )}
    </div>
  );
}

function MyApps({ address }: { address: string }) {
  const mine = useLoad(address, async () =>
    unwrap(await api.GET('/api/v1/accounts/{address}/apps', { params: { path: { address } } })),
  );
  return (
    <>
      <section aria-labelledby="my-apps-heading">
        <h2 id="my-apps-heading">Your apps</h2>
        {mine.error && <p role="alert">{mine.error}</p>}
        {mine.data && mine.data.apps.length === 0 && (
          <p className="muted">You have not registered an app yet.</p>
        )}
        {mine.data && mine.data.apps.length > 0 && (
          <ul className="app-list">
            {mine.data.apps.map((app) => (
              <li key={app.appId}>
                <Link href={`/apps/${encodeURIComponent(app.appId)}`}>{app.name}</Link>{' '}
                <code>{app.appId}</code>
              </li>
            ))}
          </ul>
        )}
      </section>
      <RegisterForm onRegistered={(app) => navigate(`/apps/${encodeURIComponent(app.appId)}`)} />
    </>
  );
}

function RegisterForm({ onRegistered }: { onRegistered: (app: AppView) => void }) {
  const session = useSession();
  const id = useId();
  const [appId, setAppId] = useState('');
  const [name, setName] = useState('');
  const [status, setStatus] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const problem = registrationProblem(appId, name);
    if (problem) {
      setError(problem);
      return;
    }
    const { wallet, chain, address } = session;
    if (!wallet || !chain || !address) {
      setError('Your wallet is not connected in this tab: sign out and sign in again to register an app.');
      return;
    }
    setBusy(true);
    try {
      const fields = {
        appId,
        name: name.trim(),
        owner: address,
        chainId: chain.chainId,
        registeredAt: Date.now(),
      };
      setStatus('Sign the registration in your wallet…');
      const signature = await wallet.signMessage({ message: appRegistrationMessage(fields) });
      setStatus('Registering…');
      const app = unwrap(await api.POST('/api/v1/apps', { body: { ...fields, signature } }));
      setStatus(`Registered ${app.appId}.`);
      onRegistered(app);
    } catch (cause) {
      setStatus(undefined);
      setError(errorMessage(cause));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Register an app</h2>
      <form className="stack app-register" onSubmit={submit} noValidate>
        <label htmlFor={`${id}-app-id`}>App id</label>
        <input
          id={`${id}-app-id`}
          value={appId}
          onChange={(event) => setAppId(event.target.value.trim())}
          placeholder="com.example.player"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-app-id-help`}
        />
        <small id={`${id}-app-id-help`} className="muted">
          What your reports name; it is yours once registered and cannot change.
        </small>
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          value={name}
          onChange={(event) => setName(event.target.value)}
          maxLength={MAX_APP_NAME_LENGTH * 2}
        />
        <p className="muted">
          Your wallet signs the registration; the app's share of the rewards is paid to{' '}
          {session.address ? shortAddress(session.address) : 'it'}.
        </p>
        <div>
          <button type="submit" disabled={busy}>
            Register
          </button>
        </div>
        <p role="status" aria-live="polite">
          {status}
        </p>
        {error && <p role="alert">{error}</p>}
      </form>
    </section>
  );
}

/** An app's public dashboard: what it delivered and earned in each published epoch. */
export function AppDashboardPage({ appId }: { appId: string }) {
  useDocumentTitle(appId);
  const session = useSession();
  const app = useLoad(appId, async () =>
    unwrap(await api.GET('/api/v1/apps/{appId}', { params: { path: { appId } } })),
  );
  if (app.error) {
    return (
      <section className="message">
        <h1>App</h1>
        <p role="alert">{app.error}</p>
        <Link href="/apps">All about apps</Link>
      </section>
    );
  }
  if (!app.data) return <p className="muted">Loading…</p>;
  const data = app.data;
  const yours = session.address === data.owner;
  return (
    <div className="stack apps-page">
      <div>
        <h1>{data.name}</h1>
        <p>
          <code>{data.appId}</code>, owned by{' '}
          <Link href={`/explorer/accounts/${data.owner}`}>{yours ? 'you' : shortAddress(data.owner)}</Link>,
          registered {new Date(data.registeredAt).toLocaleString()}.
        </p>
      </div>
      <dl className="app-totals">
        <div>
          <dt>Counted plays delivered</dt>
          <dd data-testid="app-plays">{data.countedPlays.toLocaleString()}</dd>
        </div>
        <div>
          <dt>FAIR earned</dt>
          <dd data-testid="app-earned">{fair(data.earned)}</dd>
        </div>
        <div>
          <dt>Share of each epoch's FAIR rewards for all apps</dt>
          <dd>{data.policy.sharePpm / 10_000}%</dd>
        </div>
      </dl>
      <section aria-labelledby="app-epochs-heading">
        <h2 id="app-epochs-heading">By epoch</h2>
        {data.epochs.length === 0 ? (
          <p className="muted">No counted plays delivered in a published epoch yet.</p>
        ) : (
          <table className="app-epochs">
            <thead>
              <tr>
                <th scope="col">Epoch</th>
                <th scope="col">Counted plays</th>
                <th scope="col">Listeners</th>
                <th scope="col">FAIR</th>
              </tr>
            </thead>
            <tbody>
              {data.epochs.map((epoch) => (
                <tr key={epoch.epoch}>
                  <td>
                    <Link href={`/explorer/epochs/${epoch.epoch}`}>{epoch.epoch}</Link>
                  </td>
                  <td>{epoch.countedPlays.toLocaleString()}</td>
                  <td>{epoch.listeners.toLocaleString()}</td>
                  <td>{fair(epoch.amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <details>
        <summary>The signed registration</summary>
        <pre className="app-message">{data.message}</pre>
        <p className="muted">
          Signature <code className="break">{data.signature}</code>: anyone can check it against the owner,
          and <code>fairstream verify</code> does for every epoch the app earns in.
        </p>
      </details>
      {yours && (
        <section aria-labelledby="app-howto-heading">
          <h2 id="app-howto-heading">Reporting plays as this app</h2>
          <p>
            Sign each playback report with the listener's session key as usual, with{' '}
            <code>source: "app"</code> and <code>appId: "{data.appId}"</code>. Your app earns by the paying
            listeners it serves: each one's part of the apps' share follows the counted plays you delivered to
            them.
          </p>
        </section>
      )}
    </div>
  );
}
