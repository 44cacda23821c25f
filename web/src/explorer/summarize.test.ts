import type { EpochAudit } from '@fairstream/cli/verify';
import { describe, expect, it } from 'vitest';
import { checkOf, progressFraction, summarize, totalsBalance } from './summarize.ts';

const root = `0x${'ab'.repeat(32)}` as const;
const other = `0x${'cd'.repeat(32)}` as const;

const verified: EpochAudit = {
  epoch: 4,
  ok: true,
  outcome: 'verified',
  state: 'done',
  problems: [],
  notes: [],
  checked: {
    plays: 1,
    reports: 3,
    delegations: 1,
    payouts: 4,
    rewards: 3,
    leaves: 7,
    dataDigest: { onChain: root, ofData: root },
    payoutRoot: { onChain: root, published: root, recomputed: root },
    playsRoot: { onChain: other, published: other, recomputed: other },
    totals: [{ token: '0xusd', onChain: '900', recomputed: '900' }],
  },
};

describe('summarize', () => {
  it('says an epoch matches when every check passed, and lists what was checked', () => {
    const summary = summarize(4, [{ ...verified, epoch: 3 }, verified]);
    expect(summary.verdict).toBe('match');
    expect(summary.headline).toMatch(/^Epoch 4 matches the chain/);
    expect(summary.checks.map((check) => [check.id, check.ok])).toEqual([
      ['data', true],
      ['payoutRoot', true],
      ['playsRoot', true],
      ['totals', true],
      ['amounts', true],
      ['signatures', true],
      ['delegations', true],
      ['verdicts', true],
    ]);
    expect(summary.checks.find((check) => check.id === 'signatures')!.detail).toBe(
      '3 signed reports of 1 counted play',
    );
    expect(summary.checks.find((check) => check.id === 'payoutRoot')!.detail).toBe(
      'on chain 0xabababab…abababab, recomputed 0xabababab…abababab',
    );
  });

  it('groups every difference under the check it fails', () => {
    const problems = [
      { what: 'data sha2-256', published: root, recomputed: `${other} (of the bytes served)` },
      { what: 'payout 0xaa', published: '10', recomputed: '11' },
      { what: 'payoutRoot (on-chain)', published: root, recomputed: other },
      {
        what: 'report r1 of play p1',
        published: 'signature by …',
        recomputed: 'the signature does not verify',
      },
      {
        what: 'report r2 of play p1',
        published: '…',
        recomputed: 'no delegation of the session key in the data',
      },
      { what: 'totals.paid', published: '10', recomputed: '11' },
    ];
    const summary = summarize(4, [{ ...verified, ok: false, outcome: 'mismatch', problems }]);
    expect(summary.verdict).toBe('mismatch');
    expect(summary.headline).toBe('Epoch 4 does NOT match: 6 differences in 6 checks.');
    const failed = Object.fromEntries(
      summary.checks.filter((c) => !c.ok).map((c) => [c.id, c.problems.length]),
    );
    expect(failed).toEqual({ data: 1, amounts: 1, payoutRoot: 1, signatures: 1, delegations: 1, totals: 1 });
  });

  it('does not call an epoch verified when an earlier one it builds on failed', () => {
    const earlier = {
      ...verified,
      epoch: 2,
      ok: false,
      outcome: 'mismatch' as const,
      problems: [{ what: 'data sha2-256', published: 'x', recomputed: 'y' }],
    };
    const summary = summarize(4, [earlier, verified]);
    expect(summary.verdict).toBe('mismatch');
    expect(summary.earlier).toEqual([earlier]);
  });

  it('says why an epoch cannot be verified', () => {
    expect(
      summarize(5, [
        { epoch: 5, ok: true, outcome: 'unpublished', state: 'empty', problems: [], notes: ['empty'] },
      ]),
    ).toMatchObject({
      verdict: 'not-verifiable',
      headline: expect.stringMatching(/published nothing/),
    });
    expect(summarize(9, []).headline).toBe('Epoch 9 is not one the node lists.');
  });

  it('sorts the audit’s differences into checks', () => {
    expect(checkOf({ what: 'play p1', published: 'counted', recomputed: 'not counted (owner)' })).toBe(
      'verdicts',
    );
    expect(checkOf({ what: 'play p1', published: 'counted', recomputed: 'has no signed reports' })).toBe(
      'signatures',
    );
    expect(checkOf({ what: 'delegation of session key ab… by 0x1', published: '', recomputed: '' })).toBe(
      'delegations',
    );
    expect(checkOf({ what: 'cumulative total of 0xusd (on-chain)', published: '1', recomputed: '2' })).toBe(
      'totals',
    );
    expect(checkOf({ what: 'leaf 0xa 0xb', published: '1', recomputed: '2' })).toBe('amounts');
    expect(
      checkOf({
        what: 'track t1',
        published: 'has counted plays',
        recomputed: 'unknown to TrackRegistry or the node',
      }),
    ).toBe('other');
  });
});

describe('progressFraction', () => {
  it('moves forward through the steps and within a step by its items', () => {
    const a = progressFraction({ step: 'list', message: '' }, 4);
    const b = progressFraction({ step: 'data', epoch: 2, message: '' }, 4);
    const c = progressFraction({ step: 'signatures', epoch: 4, message: '', done: 50, total: 100 }, 4);
    const d = progressFraction({ step: 'compare', epoch: 4, message: '' }, 4);
    expect(a).toBe(0);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
    expect(d).toBeGreaterThan(c);
    expect(d).toBeLessThanOrEqual(1);
  });
});

describe('totalsBalance', () => {
  it('checks that what subscribers brought is paid or carried, to the unit', () => {
    expect(totalsBalance({ released: '100', carriedIn: '20', paid: '90', carriedOut: '30' })).toEqual({
      brought: 120n,
      accounted: 120n,
      balanced: true,
    });
    expect(totalsBalance({ released: '100', paid: '99' })?.balanced).toBe(false);
    expect(totalsBalance({})).toBeUndefined();
  });
});
