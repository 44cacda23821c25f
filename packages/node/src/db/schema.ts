/** Times are Unix milliseconds. Large integers that may leave the safe range later are text. */
export interface Database {
  profiles: ProfileTable;
  profile_avatars: ProfileAvatarTable;
  follows: FollowTable;
  reposts: TrackActionTable;
  favorites: TrackActionTable;
  account_counts: AccountCountsTable;
  track_counts: TrackCountsTable;
  notifications: NotificationTable;
  node_settings: NodeSettingTable;
  accounts: AccountTable;
  auth_nonces: AuthNonceTable;
  sessions: SessionTable;
  tracks: TrackTable;
  track_splits: TrackSplitTable;
  track_assets: TrackAssetTable;
  track_stages: TrackStageTable;
  share_links: ShareLinkTable;
  jobs: JobTable;
  faucet_drips: FaucetDripTable;
  session_keys: SessionKeyTable;
  session_key_delegations: SessionKeyDelegationTable;
  play_reports: PlayReportTable;
  chain_events: ChainEventTable;
  chain_event_accounts: ChainEventAccountTable;
  chain_checkpoints: ChainCheckpointTable;
  chain_blocks: ChainBlockTable;
  epochs: EpochTable;
  plays: SettledPlayTable;
  epoch_allocations: EpochAllocationTable;
  payout_cumulative: PayoutCumulativeTable;
  carried: CarriedTable;
  comments: CommentTable;
  playlists: PlaylistTable;
  playlist_tracks: PlaylistTrackTable;
  reports: ReportTable;
  track_play_counts: TrackPlayCountTable;
  track_plays_hourly: TrackPlaysHourlyTable;
  track_listener_days: TrackListenerDayTable;
  track_source_days: TrackSourceDayTable;
  trending_scores: TrendingScoreTable;
  trending_state: TrendingStateTable;
  fan_privacy: FanPrivacyTable;
  fan_drops: FanDropTable;
  fan_drop_leaves: FanDropLeafTable;
  fan_rewards: FanRewardTable;
  fan_reward_tracks: FanRewardTrackTable;
  apps: AppTable;
  app_rewards: AppRewardTable;
  fan_reward_first_listeners: FanRewardFirstListenerTable;
}

export interface AccountTable {
  address: string;
  created_at: number;
}

export interface AuthNonceTable {
  nonce: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface SessionTable {
  /** sha256 of the bearer token: a leaked database does not leak sessions. */
  token_hash: string;
  address: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export type TrackState = 'processing' | 'ready' | 'failed';
export type Visibility = 'public' | 'hidden';
export type TrackRegistrationMode = 'node' | 'artist';

export interface TrackTable {
  id: string;
  owner: string;
  title: string;
  artist_name: string | null;
  genre: string | null;
  description: string | null;
  /** JSON array of strings. */
  tags: string;
  release_date: string | null;
  visibility: Visibility;
  access_kind: 'free' | 'token';
  gate_token: string | null;
  /** Base units of the gate token, decimal text. */
  gate_min_balance: string | null;
  state: TrackState;
  failure_code: string | null;
  failure_message: string | null;
  duration_ms: number;
  original_cid: string;
  original_name: string;
  original_mime: string;
  integrated_lufs: number | null;
  true_peak_dbtp: number | null;
  gain_db: number | null;
  /** keccak256 of the id: the track's id in TrackRegistry, once registered. */
  chain_track_id: string | null;
  /** The registration transaction (null when found already registered: a crash, or the artist's own). */
  chain_tx: string | null;
  /** Set when the operator delisted the track (moderation); it then streams to no one but its owner. */
  delisted_at: number | null;
  delist_reason: string | null;
  /** Who sends the TrackRegistry registration: the node's operator (paying the gas) or the artist. */
  registration: TrackRegistrationMode;
  /** Set while the owner has turned comments off. */
  comments_disabled_at: number | null;
  /** When processing finished and the track became ready (null before). */
  ready_at?: number | null;
  /**
   * Where the track sorts among new releases: its release date (UTC midnight), else the time it
   * became ready. Null until ready.
   */
  release_at?: number | null;
  created_at: number;
  updated_at: number;
}

export interface TrackSplitTable {
  track_id: string;
  address: string;
  ppm: number;
}

export type AssetKind = 'original' | 'opus' | 'aac' | 'preview' | 'waveform' | 'cover' | 'cover_source';

export interface TrackAssetTable {
  track_id: string;
  kind: AssetKind;
  /** '' for single assets; '480.webp' style for cover sizes. */
  variant: string;
  cid: string;
  mime: string;
  size: number;
}

export type StageName =
  | 'validate'
  | 'transcode'
  | 'loudness'
  | 'waveform'
  | 'artwork'
  | 'register'
  | 'publish';
/** 'waiting': the register stage of a track the artist registers, until their transaction lands. */
export type StageState = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'skipped';

export interface TrackStageTable {
  track_id: string;
  stage: StageName;
  state: StageState;
  progress: number;
  updated_at: number;
}

export interface ShareLinkTable {
  id: string;
  token_hash: string;
  track_id: string;
  created_at: number;
  revoked_at: number | null;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobTable {
  id: string;
  kind: string;
  /** JSON payload. */
  payload: string;
  state: JobState;
  attempts: number;
  last_error: string | null;
  locked_at: number | null;
  /** A queued job is not claimed before this time (a job waiting for something outside the node). */
  run_after: number | null;
  created_at: number;
  updated_at: number;
}

export interface FaucetDripTable {
  address: string;
  last_at: number;
}

/** An Ed25519 key a wallet delegated to sign its playback reports. */
export interface SessionKeyTable {
  /** 64 lower-case hex characters. */
  public_key: string;
  address: string;
  expires_at: number;
  /** The exact text the wallet signed, kept so anyone can re-check the delegation. */
  delegation_message: string;
  delegation_signature: string;
  created_at: number;
  revoked_at: number | null;
}

/**
 * Every delegation a wallet signed for a key, kept when a renewal replaces it in session_keys: the
 * epoch data publishes the one in force when each counted report was signed.
 */
export interface SessionKeyDelegationTable {
  public_key: string;
  /** Lower-case. */
  address: string;
  domain: string;
  chain_id: number;
  issued_at: number;
  expires_at: number;
  /** The wallet's personal_sign signature of sessionKeyDelegationMessage(these fields). */
  signature: string;
  created_at: number;
}

/** An accepted playback report, exactly as signed (segments as JSON), with when it arrived. */
export interface PlayReportTable {
  id: string;
  play_id: string;
  track_id: string;
  listener: string;
  session_key: string;
  /** JSON array of [start, end) millisecond pairs. */
  segments: string;
  started_at: number;
  ended_at: number;
  source: 'web' | 'cli' | 'api' | 'app';
  app_id: string | null;
  signature: string;
  received_at: number;
}

/** A decoded log of a Fairstream contract, as the ledger indexer stored it. */
export interface ChainEventTable {
  chain_id: number;
  block_number: number;
  log_index: number;
  block_hash: string;
  /** The block's timestamp in Unix milliseconds. */
  block_time: number;
  tx_hash: string;
  tx_index: number;
  /** The contract's name in the deployment ('Tips', 'FairToken', …). */
  contract: string;
  /** The contract's address, lower-case. */
  address: string;
  /** The event's name ('TipPaid', …), or 'UnknownEvent' for a log its contract's ABI does not decode. */
  event: string;
  /** JSON of the decoded arguments by name; integers as decimal strings, never floats. */
  args: string;
}

/** An address (lower-case) that an event names; one row per address and event. */
export interface ChainEventAccountTable {
  chain_id: number;
  account: string;
  block_number: number;
  log_index: number;
}

/** The last block the indexer finished, with its hash to notice a reorg below it. */
export interface ChainCheckpointTable {
  chain_id: number;
  block_number: number;
  block_hash: string;
  updated_at: number;
}

export interface ChainBlockTable {
  chain_id: number;
  block_number: number;
  block_hash: string;
}

/**
 * The next step of an epoch's settlement ('judge' → 'release' → 'compute' → 'publish' → 'claim' →
 * 'done'), or 'empty' when the epoch had no money to pay and everything was carried.
 */
export type EpochState = 'judge' | 'release' | 'compute' | 'publish' | 'claim' | 'done' | 'empty';

export interface EpochTable {
  n: number;
  state: EpochState;
  /** Chain time (block timestamps), Unix ms: [starts_at, ends_at). */
  starts_at: number;
  ends_at: number;
  release_tx: string | null;
  publish_tx: string | null;
  /** CID of the published epoch data (JSON) in the blob store. */
  data_cid: string | null;
  payout_root: string | null;
  plays_root: string | null;
  /** JSON of the epoch's sums, amounts as decimal strings. */
  totals: string | null;
  /** JSON array of claim and fee transaction hashes. */
  claim_txs: string | null;
  /** The last failure of the current step (cleared when a step commits). */
  error: string | null;
  attempts: number;
  updated_at: number;
  /**
   * JSON of the epoch's fan-reward summary, set by the compute step: { version, sharePpm, budget,
   * spent, botAccounts } (amounts as decimal strings); null before, or for epochs before fan rewards.
   */
  fan_rewards?: string | null;
  /** The epoch's app-reward summary as published (version, sharePpm, budget, spent), JSON. */
  app_rewards?: string | null;
}

/** A judged play: every play keeps its verdict, counted or not. */
export interface SettledPlayTable {
  play_id: string;
  listener: string;
  track_id: string;
  epoch: number;
  verdict: 'counted' | 'not_counted';
  reason: string | null;
  heard_ms: number;
  wall_ms: number;
  /** UTC day (YYYY-MM-DD) of first_started_at: the daily cap's key. */
  day: string;
  first_started_at: number;
  /** The `source` of the play's first report (web, cli, api, app); null for plays judged before it was kept. */
  source?: string | null;
  /** The app that delivered the play (appOfPlay of its reports); null for none or plays judged before it was kept. */
  app_id?: string | null;
}

export type AllocationKind =
  | 'released_before'
  | 'released'
  | 'payout'
  | 'track'
  | 'reward'
  | 'prorata'
  | 'leaf'
  | 'carried'
  | 'fan_reward'
  | 'app_reward';

/** An epoch's money by kind; account/token/track_id are '' where they do not apply. */
export interface EpochAllocationTable {
  epoch: number;
  kind: AllocationKind;
  account: string;
  token: string;
  track_id: string;
  /** Base units, decimal text. */
  amount: string;
}

/** The cumulative payout leaves after the last published epoch. */
export interface PayoutCumulativeTable {
  account: string;
  token: string;
  amount: string;
}

/** Subscriber money released but not yet paid (no counted plays yet), carried to the next epoch. */
export interface CarriedTable {
  subscriber: string;
  amount: string;
}

export interface NodeSettingTable {
  key: string;
  value: string;
}

/** A comment on a track, or a reply (parent_id: the top-level comment it belongs under). */
export interface CommentTable {
  id: string;
  track_id: string;
  author: string;
  parent_id: string | null;
  /** Plain text exactly as written ('' once deleted); never interpreted as markup. */
  body: string;
  /** The moment of the track the comment is pinned to; replies have none. */
  at_ms: number | null;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
}

export type PlaylistKind = 'playlist' | 'album';

/** A playlist, or an album: an artist's playlist of their own tracks. */
export interface PlaylistTable {
  id: string;
  owner: string;
  kind: PlaylistKind;
  title: string;
  description: string | null;
  visibility: Visibility;
  created_at: number;
  updated_at: number;
}

export interface PlaylistTrackTable {
  playlist_id: string;
  track_id: string;
  /** 0-based order; rewritten inside the transaction that changes the playlist. */
  position: number;
  added_at: number;
}

export type ReportTargetKind = 'track' | 'comment';
export type ReportState = 'open' | 'closed';
export type ReportOutcome = 'track_delisted' | 'comment_removed' | 'dismissed';

/** Someone's report of a track or a comment, for the node's operators. */
export interface ReportTable {
  id: string;
  reporter: string;
  target_kind: ReportTargetKind;
  target_id: string;
  /** The track itself, or the track the comment is on. */
  track_id: string;
  reason: string;
  note: string | null;
  state: ReportState;
  outcome: ReportOutcome | null;
  /** Who closed it: an operator, or the comment's author or track owner by deleting the comment. */
  closed_by: string | null;
  created_at: number;
  closed_at: number | null;
}

/** What an account says about itself; an address without a row still has a (bare) page. */
export interface ProfileTable {
  /** Lower-case wallet address. */
  address: string;
  /** As the owner typed it (case kept for display). */
  handle: string | null;
  /** The handle in lower case: unique, so a handle has one owner whatever its case. */
  handle_key: string | null;
  display_name: string | null;
  bio: string | null;
  /** JSON array of { label, url }. */
  links: string;
  created_at: number;
  updated_at: number;
}

/** The rendered sizes of an account's avatar ('150.webp', '480.jpeg', …), like track cover art. */
export interface ProfileAvatarTable {
  address: string;
  variant: string;
  cid: string;
  mime: string;
  size: number;
}

export interface FollowTable {
  follower: string;
  followee: string;
  created_at: number;
}

/** A repost or a favorite: one per (account, track). */
export interface TrackActionTable {
  account: string;
  track_id: string;
  created_at: number;
}

/**
 * Counters kept in the same transaction as the rows they count, so a profile page reads two numbers
 * instead of counting a popular account's followers on every view.
 */
export interface AccountCountsTable {
  address: string;
  followers: number;
  following: number;
}

export interface TrackCountsTable {
  track_id: string;
  reposts: number;
  favorites: number;
}

export interface NotificationTable {
  id: string;
  /** Lower-case address of the account notified. */
  recipient: string;
  /** 'follow', 'repost', 'favorite', 'payout' (services/notifications.service.ts lists them). */
  kind: string;
  /** Who caused it, when someone did. */
  actor: string | null;
  track_id: string | null;
  /** JSON of kind-specific details (a payout's epoch, token and amount), or null. */
  data: string | null;
  /** Unique per recipient: the same event notified twice (a retry, a redone step) is stored once. */
  dedupe_key: string;
  created_at: number;
  read_at: number | null;
}

/*
 * Counted-play aggregates, maintained in the transaction that stores an epoch's verdicts (see
 * DiscoveryRepository.recordCountedPlays). Hours and days are the Unix ms of their UTC start, by
 * the play's first report.
 */

export interface TrackPlayCountTable {
  track_id: string;
  counted: number;
}

export interface TrackPlaysHourlyTable {
  track_id: string;
  hour: number;
  counted: number;
}

/** Per track, UTC day and listener: unique listeners and top fans. */
export interface TrackListenerDayTable {
  track_id: string;
  day: number;
  listener: string;
  counted: number;
}

export interface TrackSourceDayTable {
  track_id: string;
  day: number;
  source: string;
  counted: number;
}

export type TrendingSpan = 'day' | 'week' | 'month';

/**
 * Trending per span: `score` is the time-decayed sum of the track's hourly counted plays in the
 * span, scaled to the span's reference time (trending_state.ref): score·2^((ref − now)/halfLife) is
 * the score now. `counted` is the plain sum in the span; a row leaves when it reaches 0.
 */
export interface TrendingScoreTable {
  span: TrendingSpan;
  track_id: string;
  /** The track's genre, kept in step with tracks.genre so one index serves each genre's chart. */
  genre: string | null;
  counted: number;
  score: number;
}

export interface TrendingStateTable {
  span: TrendingSpan;
  /** Unix ms the scores are scaled to. */
  ref: number;
  /** Hours before this (Unix ms) have been taken out of the scores. */
  expired_before: number;
}

/** A listener's choices about what artists see of them. */
export interface FanPrivacyTable {
  address: string;
  /** 1: counted among an artist's top fans only anonymously. */
  hide_from_top_fans: number;
  updated_at: number;
}

/** A fan drop as FanDrops created it (checked against the chain before it is stored). */
export interface FanDropTable {
  drop_id: number;
  /** Lower case. */
  creator: string;
  root: string;
  /** FAIR base units, decimal text. */
  total: string;
  recipients: number;
  reason: string;
  /** When claims close, Unix seconds. */
  expires_at: number;
  transaction_hash: string;
  block_number: number;
  published_at: number;
}

/** One (account, amount) leaf of a fan drop's tree. */
export interface FanDropLeafTable {
  drop_id: number;
  /** Lower case. */
  account: string;
  /** FAIR base units, decimal text. */
  amount: string;
}

/** A fan reward (protocol's rewards/rules.ts): one per account, rule and period. */
export interface FanRewardTable {
  /** Lower-case. */
  account: string;
  rule: string;
  /** 'once', 'week:2025-W02' or 'track:<trackId>'. */
  period: string;
  /** The epoch whose settlement awarded it (paid through that epoch's leaves). */
  epoch: number;
  /** FAIR base units, decimal text. */
  amount: string;
  reason: string;
  /** JSON of the award's evidence, as published in the epoch data. */
  evidence: string;
  created_at: number;
}

/** When a track entered trending ('trending') or reached its 100-play milestone ('milestone'). */
export interface FanRewardTrackTable {
  track_id: string;
  kind: 'trending' | 'milestone';
  /** The epoch whose settlement found it. */
  epoch: number;
  /** The play's firstStartedAt (Unix ms). */
  at: number;
  play_id: string;
  /** trending: the tenth distinct listener; null for a milestone. */
  listener: string | null;
  /** trending: the UTC day 'YYYY-MM-DD'; null for a milestone. */
  day: string | null;
}

/** A milestone's first distinct counted listeners (rank 1…10). */
export interface FanRewardFirstListenerTable {
  track_id: string;
  rank: number;
  listener: string;
  /** The listener's first counted play of the track. */
  play_id: string;
  at: number;
  epoch: number;
}

/** An app registered by its owner's signature (protocol's rewards/apps.ts). */
export interface AppTable {
  app_id: string;
  name: string;
  /** Lower-case. */
  owner: string;
  chain_id: number;
  /** Unix ms, as signed. */
  registered_at: number;
  signature: string;
  created_at: number;
}

/** What an app delivered and earned in a settled epoch. */
export interface AppRewardTable {
  epoch: number;
  app_id: string;
  owner: string;
  counted_plays: number;
  listeners: number;
  /** FAIR base units, decimal. */
  amount: string;
}
