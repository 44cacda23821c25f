import type { Track } from '@fairstream/sdk';
import { describe, expect, it } from 'vitest';
import { gateAmount, playsInFullWithoutCheck, previewReason } from './access.ts';

const FAIR = '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0';
const OWNER = '0x00000000000000000000000000000000000000bb';
const COLLABORATOR = '0x00000000000000000000000000000000000000cc';

function track(access: Track['access']): Track {
  return {
    owner: OWNER,
    access,
    splits: [
      { address: OWNER, ppm: 600_000, percent: '60' },
      { address: COLLABORATOR, ppm: 400_000, percent: '40' },
    ],
  } as Track;
}

const gated = (token: string, minBalance: string) => track({ kind: 'token', token, minBalance });

describe('gate wording', () => {
  it('names FAIR amounts in FAIR, exactly', () => {
    expect(
      gateAmount(gated(FAIR, '1500000000000000000'), { FairToken: FAIR.toUpperCase().replace('0X', '0x') }),
    ).toBe('at least 1.5 FAIR');
    expect(gateAmount(gated(FAIR, '1000000000000000000000000000'), { FairToken: FAIR })).toBe(
      'at least 1,000,000,000 FAIR',
    );
  });

  it('gives an unknown token in base units with its address', () => {
    expect(gateAmount(gated('0x1234567890123456789012345678901234567890', '250'), { FairToken: FAIR })).toBe(
      'at least 250 base units of token 0x1234…7890',
    );
  });

  it('tells a signed-out listener to sign in, and a signed-in one what the wallet lacks', () => {
    const t = gated(FAIR, '1000000000000000000');
    expect(previewReason(t, undefined, { FairToken: FAIR })).toBe(
      'The full track is for holders of at least 1 FAIR: sign in with a wallet that holds them.',
    );
    expect(previewReason(t, '0xaa', { FairToken: FAIR })).toBe(
      'The full track is for holders of at least 1 FAIR; your wallet holds less.',
    );
  });
});

describe('playsInFullWithoutCheck', () => {
  it('is true for free tracks and for the artists of a gated one, and asks the node for everyone else', () => {
    expect(playsInFullWithoutCheck(track({ kind: 'free', token: null, minBalance: null }), undefined)).toBe(
      true,
    );
    const t = gated(FAIR, '1');
    expect(playsInFullWithoutCheck(t, undefined)).toBe(false);
    expect(playsInFullWithoutCheck(t, '0x00000000000000000000000000000000000000dd')).toBe(false);
    expect(playsInFullWithoutCheck(t, OWNER.toUpperCase().replace('0X', '0x'))).toBe(true);
    expect(playsInFullWithoutCheck(t, COLLABORATOR)).toBe(true);
  });
});
