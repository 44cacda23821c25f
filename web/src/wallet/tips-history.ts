/**
 * Which app track a ledger track id names, for the tips this browser sent: the ledger knows only
 * keccak256(track id), so the wallet page would otherwise show bare hashes.
 */
const KEY = 'fairstream.tippedTracks';

export interface TippedTrack {
  id: string;
  title: string;
}

function load(): Record<string, TippedTrack> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, TippedTrack>;
  } catch {
    return {};
  }
}

export function rememberTippedTrack(ledgerTrackId: string, track: TippedTrack) {
  const known = load();
  known[ledgerTrackId.toLowerCase()] = track;
  try {
    localStorage.setItem(KEY, JSON.stringify(known));
  } catch {
    // Storage full or denied: the wallet page then shows the ledger id.
  }
}

export function tippedTrack(ledgerTrackId: string): TippedTrack | undefined {
  return load()[ledgerTrackId.toLowerCase()];
}
