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
        state: Type.String({ description: 'pending, running, done, failed or skipped' }),
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
    ledger: Nullable(
      Type.Object({
        trackId: Type.String({ description: 'The id in TrackRegistry: keccak256 of the track id' }),
        transaction: Nullable(Type.String({ description: 'The registration transaction' })),
      }),
    ),
    countedPlays: Type.Integer({
      description: 'Counted plays, all time: settled plays that met the play rule (GET /rules)',
    }),
    createdAt: Type.Integer({ description: 'Unix milliseconds' }),
    updatedAt: Type.Integer({ description: 'Unix milliseconds' }),
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
});
