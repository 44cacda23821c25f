import type { AvatarRow } from '../repositories/profiles.repository.ts';
import type { Profile, UserSummary } from '../services/profiles.service.ts';
import type { SocialTrack } from '../services/social.service.ts';
import { toTrackView } from '../services/tracks.service.ts';

/** The public shapes of the social API; `apiBase` is the node's origin plus /api/v1. */

export function toAvatarView(avatar: readonly AvatarRow[], apiBase: string) {
  return avatar.map((image) => ({
    variant: image.variant,
    mime: image.mime,
    url: `${apiBase}/blobs/${image.cid}`,
  }));
}

export function toUserSummaryView(user: UserSummary, apiBase: string) {
  return {
    address: user.address,
    handle: user.handle,
    displayName: user.displayName,
    avatar: toAvatarView(user.avatar, apiBase),
  };
}

export function toProfileView(profile: Profile, apiBase: string) {
  return { ...toUserSummaryView(profile, apiBase), bio: profile.bio, links: profile.links };
}

export function toSocialTrackView(item: SocialTrack, apiBase: string) {
  return { ...toTrackView(item.track, apiBase), social: item.social };
}
