import type { Ledger } from '../chain/ledger.ts';
import { chainTrackId, entryMismatches, expectedEntry, readEntry } from '../chain/track-registrar.ts';
import { AppError, forbidden } from '../errors.ts';
import type { TracksService, Viewer } from './tracks.service.ts';

/**
 * What an artist needs to register their own track in TrackRegistry: the exact arguments of
 * `register`, as the node will check them, and whether the ledger already holds a matching entry.
 */
export class TrackRegistrationService {
  readonly #tracks: TracksService;
  readonly #ledger: Ledger;

  constructor(tracks: TracksService, ledger: Ledger) {
    this.#tracks = tracks;
    this.#ledger = ledger;
  }

  async registrationOf(id: string, viewer: Viewer) {
    // Others learn nothing of a track they may not see (404); one they see is not theirs to register.
    const track = await this.#tracks.get(id, viewer);
    if (track.owner !== viewer.address) {
      throw forbidden(
        `Only the owner of track ${id} (${track.owner}) registers it on the ledger; sign in with that wallet`,
      );
    }
    const registry = this.#ledger.deployment.contracts.TrackRegistry;
    if (!registry) {
      throw new AppError(503, 'ledger_unavailable', "This node's chain has no TrackRegistry deployed");
    }
    const ledgerTrackId = chainTrackId(track.id);
    const expected = expectedEntry(track);
    const existing = await readEntry(this.#ledger, ledgerTrackId);
    return {
      trackId: track.id,
      registration: track.registration,
      chainId: this.#ledger.chainId,
      registry,
      ledgerTrackId,
      owner: expected.owner,
      metadataDigest: expected.metadataDigest,
      access: {
        kind: expected.access.kind,
        token: expected.access.token,
        minBalance: expected.access.minBalance.toString(),
      },
      recipients: expected.recipients,
      shares: expected.shares,
      registered: existing !== undefined,
      mismatches: existing ? entryMismatches(existing, expected) : [],
      transaction: track.chain_tx,
    };
  }
}
