import { useEffect, useState } from 'react';
import { api, errorMessage, unwrap } from '../api.ts';
import { SignIn } from '../components/sign-in.tsx';
import { useDocumentTitle } from '../components/use-document-title.ts';
import {
  type Awards,
  awardPeriodLabel,
  capLabel,
  evidenceLabel,
  fairAmount,
  periodLabel,
  progressByRule,
  progressLabel,
  type RewardsProgress,
  type RuleProgress,
  type Rules,
} from '../rewards/rewards-view.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session/session.tsx';
import '../rewards/rewards.css';

/** A node answer, reloaded when `key` changes; undefined `key` loads nothing. */
function useAnswer<T>(key: string | undefined, load: () => Promise<T>): { value?: T; error?: string } {
  const [state, setState] = useState<{ key?: string; value?: T; error?: string }>({});
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names everything `load` reads.
  useEffect(() => {
    if (key === undefined) return;
    let live = true;
    load().then(
      (value) => live && setState({ key, value }),
      (error: unknown) => live && setState({ key, error: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  return state.key === key ? state : {};
}

/**
 * Fan rewards: the published rules (what each pays, how often, its caps, what it rests on); signed
 * in, how far you are toward each and every award you earned, with its reason. Awards come only
 * from epoch settlements, paid in FAIR through the same Merkle payouts as the artists.
 */
export default function RewardsPage() {
  useDocumentTitle('Rewards');
  const session = useSession();
  const address = session.address;
  const rules = useAnswer('rules', () => api.GET('/api/v1/rules').then(unwrap));
  const progress = useAnswer<RewardsProgress>(address && `progress:${address}`, () =>
    api.GET('/api/v1/me/rewards/progress').then(unwrap),
  );
  const awards = useAnswer<Awards>(address && `awards:${address}`, () =>
    api.GET('/api/v1/accounts/{address}/rewards', { params: { path: { address: address! } } }).then(unwrap),
  );

  return (
    <div className="rewards-page stack">
      <header>
        <h1>Rewards</h1>
        <p className="lead">
          Fans earn FAIR for listening and discovering: published challenges, checked at every settlement and
          paid through the same public ledger as the artists.
        </p>
      </header>

      {session.loading ? null : !address ? (
        <section className="card stack-small" aria-labelledby="rewards-signin-heading">
          <h2 id="rewards-signin-heading">Your rewards</h2>
          <p>
            Sign in to see how far you are toward each reward, and the rewards you earned with their reasons.
          </p>
          <SignIn />
        </section>
      ) : (
        <YourRewards awards={awards.value} error={awards.error} />
      )}

      <section aria-labelledby="rules-heading" className="stack-small">
        <h2 id="rules-heading">The rules</h2>
        {rules.error && <p role="alert">The rules could not be read: {rules.error}</p>}
        {!rules.value && !rules.error && <p className="muted">Loading…</p>}
        {rules.value && (
          <RuleList
            rules={rules.value}
            progress={address ? progress.value : undefined}
            progressError={address ? progress.error : undefined}
          />
        )}
      </section>
    </div>
  );
}

function RuleList({
  rules,
  progress,
  progressError,
}: {
  rules: Rules;
  progress: RewardsProgress | undefined;
  progressError: string | undefined;
}) {
  const byRule = progressByRule(progress);
  const fan = rules.fanRewards;
  return (
    <>
      <p>{fan.summary}</p>
      {progressError && <p role="alert">Your progress could not be read: {progressError}</p>}
      <ul className="rule-list">
        {fan.rules.map((rule) => (
          <li key={rule.id} className="card rule-card">
            <article aria-labelledby={`rule-${rule.id}`} className="stack-small">
              <div className="rule-head">
                <h3 id={`rule-${rule.id}`}>{rule.title}</h3>
                <span className="rule-amount">{fairAmount(rule.amount)}</span>
              </div>
              <p>{rule.description}</p>
              <dl className="rule-facts">
                <div>
                  <dt>How often</dt>
                  <dd>{periodLabel(rule.period)}</dd>
                </div>
                <div>
                  <dt>Cap</dt>
                  <dd>{capLabel(rule)}</dd>
                </div>
                <div>
                  <dt>Checked</dt>
                  <dd>{evidenceLabel(rule.evidence)}</dd>
                </div>
              </dl>
              {byRule.get(rule.id) && <Progress rule={byRule.get(rule.id)!} />}
            </article>
          </li>
        ))}
      </ul>
      {progress && <p className="muted">{progress.note}</p>}
      <details>
        <summary>Who cannot earn, and what anyone can check</summary>
        <p>{fan.botPattern}</p>
        <p>{fan.verifiability}</p>
        <p>
          The fans’ share is {fan.sharePpm / 10_000}% of each epoch’s FAIR rewards; what awards do not spend
          goes to the artists in the same epoch. Check any epoch in the{' '}
          <Link href="/explorer">ledger explorer</Link>.
        </p>
      </details>
    </>
  );
}

function Progress({ rule }: { rule: RuleProgress }) {
  return (
    <div className="rule-progress">
      <p className="rule-progress-label">
        <strong>Your progress:</strong>{' '}
        {rule.earned ? (
          <span className="check-ok">
            Earned{rule.period === 'week' ? ' this week' : rule.period === 'once' ? '' : ' at least once'}
          </span>
        ) : rule.progress ? (
          progressLabel(rule.progress)
        ) : (
          'not earned yet'
        )}
        {rule.awards > 0 && ` · ${rule.awards} ${rule.awards === 1 ? 'award' : 'awards'} so far`}
      </p>
      {rule.progress && !rule.earned && (
        <progress
          max={rule.progress.target}
          value={rule.progress.current}
          aria-label={`${rule.title}: ${progressLabel(rule.progress)}`}
        />
      )}
      <p className="muted help">{rule.detail}</p>
    </div>
  );
}

function YourRewards({ awards, error }: { awards: Awards | undefined; error: string | undefined }) {
  return (
    <section className="card stack-small" aria-labelledby="your-rewards-heading">
      <h2 id="your-rewards-heading">Your rewards</h2>
      {error && <p role="alert">Your rewards could not be read: {error}</p>}
      {!awards && !error && <p className="muted">Loading…</p>}
      {awards &&
        (awards.items.length === 0 ? (
          <p>
            No rewards yet. Every settlement checks the rules below for each listener with counted plays in
            it: keep listening, and watch your progress here.
          </p>
        ) : (
          <>
            <p>
              <strong>{fairAmount(awards.totals.amount)}</strong> earned: {fairAmount(awards.totals.paid)}{' '}
              paid to your wallet, {fairAmount(awards.totals.pending)} pending (paid when its epoch’s payouts
              are pushed).
            </p>
            <div className="rewards-scroll">
              <table className="amounts award-table">
                <caption className="visually-hidden">Your rewards, newest first, with their reasons</caption>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Reward</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Epoch</th>
                    <th scope="col">Status</th>
                    <th scope="col">Amount</th>
                  </tr>
                </thead>
                <tbody>
                  {awards.items.map((award) => (
                    <tr key={`${award.rule}|${award.period}`}>
                      <td>
                        <time dateTime={new Date(award.awardedAt).toISOString()}>
                          {new Date(award.awardedAt).toLocaleString()}
                        </time>
                      </td>
                      <td>
                        {award.title} <span className="muted">({awardPeriodLabel(award.period)})</span>
                      </td>
                      <td>{award.reason}</td>
                      <td>
                        <Link href={`/explorer/epochs/${award.epoch}`}>{award.epoch}</Link>
                      </td>
                      <td>{award.status === 'paid' ? 'Paid' : 'Pending'}</td>
                      <td>{fairAmount(award.amount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ))}
    </section>
  );
}
