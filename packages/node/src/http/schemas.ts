import { Type } from 'typebox';

/**
 * The API contract. These schemas validate requests, shape responses, and become the OpenAPI spec
 * from which packages/sdk is generated, so a change here is a change for every client.
 */

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. invalid_splits' }),
      message: Type.String({ description: 'What went wrong and what to do about it' }),
    }),
  },
  { $id: 'ErrorResponse' },
);

export const errorRef = Type.Ref('ErrorResponse');
export const errorResponses = {
  400: errorRef,
  401: errorRef,
  403: errorRef,
  404: errorRef,
  409: errorRef,
  413: errorRef,
  415: errorRef,
  422: errorRef,
};

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const registrationMode = (options: { default?: string } = {}) =>
  Type.Union([Type.Literal('node'), Type.Literal('artist')], {
    description:
      'Who registers the track in TrackRegistry: "node" (the node\'s operator, paying the gas) or "artist" ' +
      '(from their own wallet, with the arguments of GET /tracks/{id}/registration; the register stage waits for it)',
    ...options,
  });

export const Track = Type.Object(
  {
    id: Type.String(),
    owner: Type.String({ description: 'Lower-case wallet address of the uploader' }),
    title: Type.String(),
    artistName: Nullable(Type.String()),
    genre: Nullable(Type.String()),
    description: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    releaseDate: Nullable(Type.String({ format: 'date' })),
    visibility: Type.Union([Type.Literal('public'), Type.Literal('hidden')]),
    access: Type.Object({
      kind: Type.Union([Type.Literal('free'), Type.Literal('token')]),
      token: Nullable(Type.String({ description: 'ERC-20 contract address of a token gate' })),
      minBalance: Nullable(Type.String({ description: 'Minimum balance in the token base units' })),
    }),
    splits: Type.Array(
      Type.Object({
        address: Type.String(),
        ppm: Type.Integer({ description: 'Share in parts per million; shares sum to 1,000,000' }),
        percent: Type.String({ description: 'The same share as an exact percentage' }),
      }),
    ),
    state: Type.Union([Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')]),
    stages: Type.Array(
      Type.Object({
        name: Type.String({
          description: 'validate, transcode, loudness, waveform, artwork, register or publish',
        }),
        state: Type.String({
          description:
            "pending, running, waiting (register: for the artist's own registration transaction), done, failed or skipped",
        }),
        progress: Type.Number({ minimum: 0, maximum: 1 }),
      }),
    ),
    failure: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
    durationMs: Type.Integer(),
    loudness: Nullable(
      Type.Object({
        integratedLufs: Type.Number(),
        truePeakDbtp: Type.Number(),
        gainDb: Type.Number({ description: 'Gain that brings the track to -14 LUFS without clipping' }),
      }),
    ),
    renditions: Type.Array(
      Type.Object({
        format: Type.String({ description: 'opus, aac, preview or original' }),
        mime: Type.String(),
        size: Type.Integer(),
        cid: Type.String({ description: 'IPFS CIDv1 (raw, sha2-256) of the bytes' }),
        url: Type.String(),
      }),
    ),
    waveformUrl: Nullable(Type.String({ description: 'Peaks in audiowaveform JSON format' })),
    cover: Type.Array(Type.Object({ variant: Type.String(), mime: Type.String(), url: Type.String() })),
    registration: registrationMode(),
    ledger: Nullable(
      Type.Object({
        trackId: Type.String({ description: 'The id in TrackRegistry: keccak256 of the track id' }),
        transaction: Nullable(Type.String({ description: 'The registration transaction' })),
      }),
    ),
    commentsEnabled: Type.Boolean({
      description: 'False while the owner has turned comments off: existing ones stay, new ones are refused',
    }),
    delisted: Nullable(
      Type.Object(
        {
          at: Type.Integer({ description: 'Unix milliseconds' }),
          reason: Type.String({ description: "The operator's reason" }),
        },
        {
          description:
            'Set when an operator delisted the track; only its owner (and operators) see a delisted track',
        },
      ),
    ),
    countedPlays: Type.Integer({
      description: 'Counted plays, all time: settled plays that met the play rule (GET /rules)',
    }),
    createdAt: Type.Integer({ description: 'Unix milliseconds' }),
    updatedAt: Type.Integer({ description: 'Unix milliseconds' }),
    social: Type.Optional(
      Type.Object(
        {
          reposts: Type.Integer({ description: 'How many accounts reposted it' }),
          favorites: Type.Integer({ description: 'How many accounts favorited it' }),
          reposted: Type.Boolean({ description: 'Whether the signed-in viewer reposted it' }),
          favorited: Type.Boolean({ description: 'Whether the signed-in viewer favorited it' }),
        },
        { description: 'Present where the node shows a track with its social counts' },
      ),
    ),
  },
  { $id: 'Track' },
);

export const trackRef = Type.Ref('Track');

export const AddressParams = Type.Object({
  address: Type.String({
    pattern: '^0x[0-9a-fA-F]{40}$',
    description: 'Wallet address: 0x followed by 40 hex digits',
  }),
});

export const TrackIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });

export const ShareQuery = {
  share: Type.Optional(Type.String({ maxLength: 100, description: 'Share-link token for a hidden track' })),
};

export const TrackMetadataPatch = Type.Object(
  {
    title: Type.Optional(Type.String()),
    artistName: Type.Optional(Type.String()),
    genre: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    tags: Type.Optional(Type.Union([Type.Array(Type.String()), Type.String()])),
    releaseDate: Type.Optional(Type.String()),
    visibility: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('hidden')])),
  },
  { additionalProperties: false },
);

/** Documents the multipart upload for OpenAPI; the handler parses and validates it as a stream. */
export const TrackUploadForm = Type.Object({
  audio: Type.String({
    format: 'binary',
    description: 'The audio file (WAV, FLAC, MP3, AAC, Ogg, Opus), at most 500 MB',
  }),
  cover: Type.Optional(Type.String({ format: 'binary', description: 'Cover art image, at most 20 MB' })),
  title: Type.Optional(Type.String({ description: "Required unless the audio file's tags carry a title" })),
  artistName: Type.Optional(Type.String()),
  genre: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  tags: Type.Optional(Type.String({ description: 'Comma-separated, or a JSON array of strings' })),
  releaseDate: Type.Optional(Type.String({ description: 'YYYY-MM-DD' })),
  visibility: Type.Optional(Type.Union([Type.Literal('public'), Type.Literal('hidden')])),
  access: Type.Optional(Type.Union([Type.Literal('free'), Type.Literal('token')])),
  gateToken: Type.Optional(Type.String({ description: 'Token contract address when access is token' })),
  gateMinBalance: Type.Optional(Type.String({ description: 'Minimum balance in base units (default 1)' })),
  splits: Type.Optional(
    Type.String({
      description: 'JSON [{"address":"0x…","percent":60},…]; percentages sum to 100; default 100% to you',
    }),
  ),
  registration: Type.Optional(registrationMode({ default: 'node' })),
});

const address = (description?: string) =>
  Type.String({ pattern: '^0x[0-9a-fA-F]{40}$', ...(description && { description }) });
const bytes32 = (description: string) => Type.String({ pattern: '^0x[0-9a-fA-F]{64}$', description });

/** The exact arguments of TrackRegistry.register for a track, and what the ledger holds. */
export const TrackRegistration = Type.Object({
  trackId: Type.String(),
  registration: registrationMode(),
  chainId: Type.Integer(),
  registry: address('The TrackRegistry contract to call'),
  ledgerTrackId: bytes32('register(trackId, …): keccak256 of the track id'),
  owner: address('The wallet that must send register (the entry is owned by its sender)'),
  metadataDigest: bytes32(
    "register(…, metadataDigest, …): the sha2-256 digest inside the original audio's CID",
  ),
  access: Type.Object(
    {
      kind: Type.Integer({ description: '0 free, 1 ERC-20 holders, 2 ERC-721 holders' }),
      token: address('The gate token; the zero address when free'),
      minBalance: Type.String({ description: 'Base units, decimal; "0" when free' }),
    },
    { description: 'register(…, access, …): the AccessRule tuple' },
  ),
  recipients: Type.Array(address(), {
    description: 'register(…, recipients, …): strictly ascending, as the registry requires',
  }),
  shares: Type.Array(Type.Integer(), {
    description: 'register(…, shares): parts per million, one per recipient, summing to 1,000,000',
  }),
  registered: Type.Boolean({ description: 'Whether the ledger holds an entry under ledgerTrackId' }),
  mismatches: Type.Array(
    Type.Object({
      field: Type.String({ description: 'owner, metadataDigest, access, recipients or shares' }),
      ledger: Type.String(),
      track: Type.String(),
    }),
    {
      description:
        "Where the ledger's entry differs from the track (empty when it matches or is not there); " +
        'a track whose entry differs fails its register stage',
    },
  ),
  transaction: Nullable(
    Type.String({ description: 'The registration transaction, when the node sent it or recorded it' }),
  ),
});

/** Route params naming a comment, playlist or report: the same id alphabet as tracks. */
export const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });

export const PageQuery = {
  cursor: Type.Optional(
    Type.String({ maxLength: 1024, description: 'The nextCursor of the previous page, as returned' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
};

export const CommentText = Type.String({
  minLength: 1,
  maxLength: 2000,
  description:
    'Plain text, 1 to 2,000 characters, stored and returned exactly as written (never interpreted as HTML or markup)',
});

export const Comment = Type.Object(
  {
    id: Type.String(),
    trackId: Type.String(),
    parentId: Nullable(
      Type.String({
        description: 'For a reply: the top-level comment it is filed under (one level of replies)',
      }),
    ),
    author: Nullable(Type.String({ description: 'Lower-case wallet address; null once deleted' })),
    text: Nullable(Type.String({ description: 'Plain text exactly as written; null once deleted' })),
    atMs: Nullable(
      Type.Integer({ description: 'The moment of the track it is pinned to, in ms from the start' }),
    ),
    deleted: Type.Boolean({
      description: 'A deleted comment is shown as a placeholder while replies remain under it',
    }),
    replyCount: Type.Integer({ description: 'Replies under a top-level comment (0 for a reply)' }),
    createdAt: Type.Integer({ description: 'Unix milliseconds' }),
    editedAt: Nullable(Type.Integer({ description: 'Unix milliseconds of the last edit' })),
  },
  { $id: 'Comment' },
);
export const commentRef = Type.Ref('Comment');

const playlistFields = {
  id: Type.String(),
  owner: Type.String({ description: 'Lower-case wallet address' }),
  kind: Type.Union([Type.Literal('playlist'), Type.Literal('album')], {
    description: "An album is an artist's playlist of their own tracks",
  }),
  title: Type.String(),
  description: Nullable(Type.String()),
  visibility: Type.Union([Type.Literal('public'), Type.Literal('hidden')]),
  trackCount: Type.Integer({
    description: 'Tracks you can see in it (in a summary: listed tracks and your own)',
  }),
  createdAt: Type.Integer({ description: 'Unix milliseconds' }),
  updatedAt: Type.Integer({ description: 'Unix milliseconds' }),
};

export const PlaylistSummary = Type.Object(playlistFields, { $id: 'PlaylistSummary' });
export const playlistSummaryRef = Type.Ref('PlaylistSummary');

export const Playlist = Type.Object(
  {
    ...playlistFields,
    items: Type.Array(
      Type.Object({
        position: Type.Integer({ description: "0-based position among all of the playlist's tracks" }),
        addedAt: Type.Integer({ description: 'Unix milliseconds' }),
        track: trackRef,
      }),
      { description: 'In order; tracks you may not see are left out' },
    ),
  },
  { $id: 'Playlist' },
);
export const playlistRef = Type.Ref('Playlist');
