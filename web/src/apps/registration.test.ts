import { describe, expect, it } from 'vitest';
import { registrationProblem } from './registration.ts';

describe('registrationProblem', () => {
  it('accepts a reverse domain name and a name', () => {
    expect(registrationProblem('com.example.player', 'Example Player')).toBeUndefined();
    expect(registrationProblem('a', '  padded  ')).toBeUndefined();
  });

  it('says what to fix before the wallet is asked to sign', () => {
    expect(registrationProblem('has space', 'X')).toMatch(/app id must be 1–64 characters/);
    expect(registrationProblem('x'.repeat(65), 'X')).toMatch(/app id must be/);
    expect(registrationProblem('', 'X')).toMatch(/app id must be/);
    expect(registrationProblem('com.example', '   ')).toBe('Give the app a name.');
    expect(registrationProblem('com.example', 'n'.repeat(65))).toMatch(/at most 64 characters/);
    expect(registrationProblem('com.example', 'two\nlines')).toBe('The name must fit on one line.');
  });
});
