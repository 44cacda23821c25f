import { rm } from 'node:fs/promises';
import { badRequest, conflict, notFound } from '../errors.ts';
import { isUniqueViolation } from '../repositories/keyset.ts';
import type {
  AvatarRow,
  ProfileRecord,
  ProfilesRepository,
  ProfileUpdate,
} from '../repositories/profiles.repository.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import type { MediaToolkit } from './media-toolkit.ts';
import {
  handleKey,
  type ProfileLink,
  parseBio,
  parseDisplayName,
  parseHandle,
  parseLinks,
} from './profile-fields.ts';
import type { ReceivedFile } from './tracks.service.ts';

/** An account as lists show it; an address without a profile has nulls and no avatar. */
export interface UserSummary {
  address: string;
  handle: string | null;
  displayName: string | null;
  avatar: AvatarRow[];
}

export interface Profile extends UserSummary {
  bio: string | null;
  links: ProfileLink[];
}

/** What PUT /me/profile takes: absent fields are kept, null clears one. */
export interface ProfileInput {
  handle?: string | null | undefined;
  displayName?: string | null | undefined;
  bio?: string | null | undefined;
  links?: { label: string; url: string }[] | null | undefined;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export interface ProfilesServiceOptions {
  /** A fresh temp path on the blob store's file system (rendered avatar sizes go there first). */
  tempPath: (suffix: string) => string;
  now?: () => number;
}

/** Profiles: handle, display name, bio, links and avatar; everyone's address has a (bare) one. */
export class ProfilesService {
  readonly #repo: ProfilesRepository;
  readonly #blobs: BlobStore;
  readonly #media: MediaToolkit;
  readonly #options: ProfilesServiceOptions;
  readonly #now: () => number;

  constructor(
    repo: ProfilesRepository,
    blobs: BlobStore,
    media: MediaToolkit,
    options: ProfilesServiceOptions,
  ) {
    this.#repo = repo;
    this.#blobs = blobs;
    this.#media = media;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The address a path segment names: an address as it is (lower-cased; it needs no profile), a
   * handle in any case when someone holds it. Anything else is a 400, an unknown handle a 404.
   */
  async resolve(handleOrAddress: string): Promise<string> {
    if (ADDRESS.test(handleOrAddress)) return handleOrAddress.toLowerCase();
    if (!/^[A-Za-z0-9_.]{1,30}$/.test(handleOrAddress)) {
      throw badRequest(
        'invalid_user',
        `"${handleOrAddress.slice(0, 60)}" is neither an address (0x and 40 hex digits) nor a handle (up to 30 of a-z, 0-9, _ and .)`,
      );
    }
    const address = await this.#repo.addressOfHandle(handleKey(handleOrAddress));
    if (!address) throw notFound(`User @${handleOrAddress}`);
    return address;
  }

  async get(address: string): Promise<Profile> {
    return toProfile(address, await this.#repo.find(address));
  }

  /** Validates every field before writing any; a handle someone else holds is a 409. */
  async update(address: string, input: ProfileInput): Promise<Profile> {
    const update: ProfileUpdate = {};
    if (input.handle !== undefined) {
      const handle = input.handle === null ? null : parseHandle(input.handle);
      update.handle = handle;
      update.handle_key = handle === null ? null : handleKey(handle);
    }
    if (input.displayName !== undefined)
      update.display_name = input.displayName === null ? null : parseDisplayName(input.displayName);
    if (input.bio !== undefined) update.bio = input.bio === null ? null : parseBio(input.bio);
    if (input.links !== undefined)
      update.links = JSON.stringify(input.links === null ? [] : parseLinks(input.links));
    if (Object.keys(update).length === 0) {
      throw badRequest('empty_update', 'Send at least one of handle, displayName, bio, links');
    }
    const taken = () =>
      conflict('handle_taken', `The handle "${update.handle}" belongs to someone else; choose another one`);
    if (update.handle_key) {
      const holder = await this.#repo.addressOfHandle(update.handle_key);
      if (holder && holder !== address) throw taken();
    }
    try {
      await this.#repo.save(address, update, this.#now());
    } catch (error) {
      // Two accounts claiming one handle at once: the unique index lets one win.
      if (isUniqueViolation(error)) throw taken();
      throw error;
    }
    return this.get(address);
  }

  /**
   * Checks the image, renders 150 and 480 px WebP and JPEG like cover art, stores them and then
   * swaps them in; the old avatar's blobs go once nothing else uses them. A refused image leaves
   * the current avatar as it was.
   */
  async setAvatar(address: string, file: ReceivedFile): Promise<Profile> {
    await this.#media.checkImage(file.path, 'avatar');
    const outDir = this.#options.tempPath('.avatar');
    try {
      const rendered = await this.#media.renderAvatar(file.path, outDir);
      const rows: AvatarRow[] = [];
      for (const image of rendered) {
        const blob = await this.#blobs.putFile(image.path);
        rows.push({
          variant: `${image.size}.${image.format}`,
          cid: blob.cid,
          mime: image.mime,
          size: blob.size,
        });
      }
      let orphans: string[];
      try {
        orphans = await this.#repo.replaceAvatar(address, rows, this.#now());
      } catch (error) {
        await this.#deleteBlobs(await this.#repo.unusedCids(rows.map((row) => row.cid)));
        throw error;
      }
      await this.#deleteBlobs(orphans);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
    return this.get(address);
  }

  async removeAvatar(address: string): Promise<void> {
    await this.#deleteBlobs(await this.#repo.replaceAvatar(address, [], this.#now()));
  }

  /** Handle, name and avatar of each address (bare for addresses without a profile). */
  async summaries(addresses: readonly string[]): Promise<Map<string, UserSummary>> {
    return userSummaries(this.#repo, addresses);
  }

  /** An avatar blob: avatars are public, whoever asks. */
  async avatarBlob(cid: string): Promise<AvatarRow | undefined> {
    return this.#repo.avatarBlob(cid);
  }

  async #deleteBlobs(cids: readonly string[]): Promise<void> {
    for (const cid of cids) await this.#blobs.delete(cid);
  }
}

function toProfile(address: string, record: ProfileRecord | undefined): Profile {
  return {
    address,
    handle: record?.handle ?? null,
    displayName: record?.display_name ?? null,
    bio: record?.bio ?? null,
    links: record ? (JSON.parse(record.links) as ProfileLink[]) : [],
    avatar: record?.avatar ?? [],
  };
}

/** Handle, name and avatar of each address, bare for addresses without a profile. */
export async function userSummaries(
  repo: ProfilesRepository,
  addresses: readonly string[],
): Promise<Map<string, UserSummary>> {
  const found = await repo.summaries(addresses);
  return new Map(
    [...new Set(addresses)].map((address) => {
      const profile = found.get(address);
      return [
        address,
        {
          address,
          handle: profile?.handle ?? null,
          displayName: profile?.display_name ?? null,
          avatar: profile?.avatar ?? [],
        },
      ];
    }),
  );
}
