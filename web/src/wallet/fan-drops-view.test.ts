import { describe, expect, it } from 'vitest';
import { dropState } from './fan-drops-view.ts';

describe('dropState', () => {
  const now = Date.UTC(2030, 0, 1);
  const open = { paid: false, claimable: true, reclaimed: false, expiresAt: now + 1000 };
  it('is claimed once the drop paid this wallet, whatever else holds', () => {
    expect(dropState({ ...open, paid: true, claimable: false }, now)).toBe('claimed');
    expect(dropState({ ...open, paid: true, claimable: false, expiresAt: now - 1 }, now)).toBe('claimed');
  });
  it('is claimable while unpaid and open', () => {
    expect(dropState(open, now)).toBe('claimable');
  });
  it('is expired once claims closed or the artist took back the rest', () => {
    expect(dropState({ ...open, expiresAt: now }, now)).toBe('expired');
    expect(dropState({ ...open, claimable: false, expiresAt: now - 1 }, now)).toBe('expired');
    expect(dropState({ ...open, claimable: false, reclaimed: true }, now)).toBe('expired');
  });
});
