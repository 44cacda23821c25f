import { describe, expect, it } from 'vitest';
import { contractError, explainChainError } from './chain-errors.ts';

/** A ChainError as the chain actions throw it (the class itself needs nothing but these fields). */
function chainError(shortMessage: string, cause?: unknown) {
  return Object.assign(new Error(shortMessage, { cause }), { name: 'ChainError', shortMessage });
}

const FAIR = 10n ** 18n;

describe('contractError', () => {
  it('finds the contract error and its arguments in an action’s message', () => {
    expect(
      contractError(
        'Promoting track 0xab for 3 day(s) failed: NotTrackOwner(0xab, 0x1234)\nNothing was sent',
      ),
    ).toEqual({ name: 'NotTrackOwner', args: ['0xab', '0x1234'] });
    expect(contractError('failed: ZeroDays()')).toEqual({ name: 'ZeroDays', args: [] });
    expect(
      contractError('Promoting track 0xab for 3 day(s) failed: reverted without a reason'),
    ).toBeUndefined();
  });
});

describe('explainChainError', () => {
  it('says a promotion of someone else’s track is not yours, naming the wallet', () => {
    const error = chainError(
      'Promoting track 0xab for 3 day(s) failed: NotTrackOwner(0xab, 0x00000000000000000000000000000000000000f1)',
    );
    expect(explainChainError(error, 'promote')).toBe(
      'This track is not yours: only its owner can promote it (your wallet is 0x00000000000000000000000000000000000000f1). Nothing was paid.',
    );
  });
  it('says how much FAIR was needed and held, exactly', () => {
    const error = chainError(
      `Promoting track 0xab for 3 day(s) failed: InsufficientBalance(${5n * FAIR + 1n}, ${30n * FAIR})`,
    );
    expect(explainChainError(error, 'promote')).toBe(
      'Not enough FAIR: this costs 30 FAIR and your wallet holds 5.000000000000000001 FAIR. Nothing was paid; choose fewer days or get more FAIR.',
    );
    const drop = chainError(`Creating a fan drop failed: InsufficientBalance(${10n * FAIR}, ${12n * FAIR})`);
    expect(explainChainError(drop, 'drop')).toBe(
      'You hold 10 FAIR, less than the 12 FAIR to reward. Nothing was sent.',
    );
  });
  it('explains a claim refused for an expired drop or one already paid', () => {
    expect(explainChainError(chainError('Claiming failed: AlreadyClaimed(3, 0xab)'), 'claim')).toBe(
      'This reward was already paid to your wallet: there is nothing left to claim.',
    );
    expect(explainChainError(chainError('Claiming failed: DropExpired(3, 1893456000)'), 'claim')).toMatch(
      /^This drop's claims closed on .+: what is left went back to its artist\. Nothing was claimed\.$/,
    );
  });
  it('says the person declined in their wallet, wherever the code 4001 is', () => {
    const rejected = chainError('Creating a fan drop failed: User rejected the request.', { code: 4001 });
    expect(explainChainError(rejected, 'drop')).toBe('You declined in your wallet. Nothing was sent.');
  });
  it('falls back to the action’s own one-line message', () => {
    const error = chainError('Pushing 2 claim(s) of fan drop 1 failed: the RPC timed out');
    expect(explainChainError(error, 'drop')).toBe(
      'Pushing 2 claim(s) of fan drop 1 failed: the RPC timed out',
    );
  });
});
