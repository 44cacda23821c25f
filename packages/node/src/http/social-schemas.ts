import { Type } from 'typebox';
import { NOTIFICATION_KINDS } from '../services/notifications.service.ts';
import { BIO_MAX, DISPLAY_NAME_MAX, HANDLE_MAX, LINKS_MAX } from '../services/profile-fields.ts';
import { trackRef } from './schemas.ts';

/**
 * The social API's contract (profiles, follows, reposts, favorites, feed, notifications). Bounds
 * here only stop absurd input early; the services check the real rules and say what to fix.
 */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

/**
 * For request bodies: null first. The node coerces types (querystrings need it), and Ajv coerces
 * inside the first union branch it tries, so a string-first union would turn null into "".
 */
const NullableInput = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([Type.Null(), schema]);

export const AvatarImage = Type.Object({
  variant: Type.String({ description: '150.webp, 150.jpeg, 480.webp or 480.jpeg' }),
  mime: Type.String(),
  url: Type.String(),
});

export const UserSummary = Type.Object(
  {
    address: Type.String({ description: 'Lower-case wallet address' }),
    handle: Nullable(Type.String({ description: 'As its owner typed it; unique whatever the case' })),
    displayName: Nullable(Type.String()),
    avatar: Type.Array(AvatarImage, { description: 'Empty when the account has no avatar' }),
  },
  { $id: 'UserSummary' },
);
export const userSummaryRef = Type.Ref('UserSummary');

export const ProfileLink = Type.Object({ label: Type.String(), url: Type.String() });

export const Profile = Type.Object(
  {
    ...UserSummary.properties,
    bio: Nullable(Type.String({ description: 'Plain text (show it as text, never as HTML)' })),
    links: Type.Array(ProfileLink),
  },
  { $id: 'Profile' },
);
export const profileRef = Type.Ref('Profile');

/** An account in a list, with when it got there (followed, reposted, favorited). */
export const ListedUser = Type.Object({
  ...UserSummary.properties,
  at: Type.Integer({ description: 'When it followed, reposted or favorited; Unix ms' }),
  followedByViewer: Type.Boolean({ description: 'Whether the signed-in viewer follows this account' }),
});

export const UserPage = Type.Object({
  users: Type.Array(ListedUser),
  nextCursor: Nullable(Type.String()),
});

export const DatedTrack = Type.Object({
  at: Type.Integer({ description: 'When it was reposted or favorited; Unix ms' }),
  track: trackRef,
});

export const DatedTrackPage = Type.Object({
  items: Type.Array(DatedTrack),
  nextCursor: Nullable(Type.String()),
});

export const ProfilePage = Type.Object({
  ...Profile.properties,
  followers: Type.Integer(),
  following: Type.Integer(),
  followedByViewer: Type.Boolean({ description: 'Whether the signed-in viewer follows this account' }),
  tracks: Type.Object({
    items: Type.Array(trackRef),
    nextCursor: Nullable(Type.String({ description: 'Continues at GET /tracks?owner={address}' })),
  }),
  reposts: Type.Object({
    items: Type.Array(DatedTrack),
    nextCursor: Nullable(Type.String({ description: 'Continues at GET /users/{address}/reposts' })),
  }),
});

export const ProfileInput = Type.Object(
  {
    handle: Type.Optional(
      NullableInput(
        Type.String({
          maxLength: 200,
          description: `${HANDLE_MAX} characters at most of a-z, 0-9, _ and . (case kept, unique whatever the case); null removes it`,
        }),
      ),
    ),
    displayName: Type.Optional(
      NullableInput(Type.String({ maxLength: 1000, description: `At most ${DISPLAY_NAME_MAX} characters` })),
    ),
    bio: Type.Optional(
      NullableInput(
        Type.String({ maxLength: 20_000, description: `Plain text, at most ${BIO_MAX} characters` }),
      ),
    ),
    // Not nullable: with type coercion on, a union with null would mangle a one-item array.
    links: Type.Optional(
      Type.Array(
        Type.Object(
          { label: Type.String({ maxLength: 1000 }), url: Type.String({ maxLength: 4000 }) },
          { additionalProperties: false },
        ),
        {
          maxItems: 50,
          description: `At most ${LINKS_MAX} http(s) links with labels; replaces the list ([] removes all)`,
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const HandleOrAddressParams = Type.Object({
  handleOrAddress: Type.String({
    maxLength: 100,
    description: 'A wallet address (0x and 40 hex digits) or a handle (any case)',
  }),
});

export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 1024 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});

export const TrackSocial = Type.Object({
  trackId: Type.String(),
  reposts: Type.Integer(),
  favorites: Type.Integer(),
  reposted: Type.Boolean(),
  favorited: Type.Boolean(),
});

export const FeedPage = Type.Object({
  items: Type.Array(
    Type.Object({
      type: Type.Union([Type.Literal('track'), Type.Literal('repost')], {
        description: 'track: the account posted it; repost: the account reposted it',
      }),
      at: Type.Integer({ description: 'When it was posted or reposted; Unix ms' }),
      actor: Type.Ref('UserSummary', { description: "The track's owner, or who reposted it" }),
      track: trackRef,
    }),
  ),
  nextCursor: Nullable(Type.String()),
});

export const Notification = Type.Object({
  id: Type.String(),
  kind: Type.Union(
    NOTIFICATION_KINDS.map((kind) => Type.Literal(kind)),
    {
      description:
        'follow: actor followed you; repost/favorite: actor reposted/favorited your track; comment: actor commented on your track (data: commentId, atMs when pinned to a moment); reply: actor replied to your comment (data: commentId, replyTo); payout: an epoch paid you (data: epoch, token, amount in base units)',
    },
  ),
  actor: Nullable(userSummaryRef),
  track: Nullable(
    Type.Object({ id: Type.String(), title: Type.String() }, { description: 'Null once you may not see it' }),
  ),
  data: Nullable(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
  createdAt: Type.Integer(),
  readAt: Nullable(Type.Integer()),
});

export const NotificationPage = Type.Object({
  notifications: Type.Array(Notification),
  unreadCount: Type.Integer(),
  nextCursor: Nullable(Type.String()),
});
