import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { BlobInfo, BlobStore, ByteRange, PutFileOptions } from './blob-store.ts';
import { assertRangeShape, BlobNotFoundError, BlobRangeError } from './blob-store.ts';
import { assertCid, hashFile } from './cid.ts';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Key prefix without leading or trailing slash, e.g. "fairstream/blobs". */
  prefix?: string;
  /** For S3-compatible services (MinIO, Garage, R2…); AWS when omitted. */
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  /**
   * Normally left out: the AWS SDK default chain then reads AWS_ACCESS_KEY_ID /
   * AWS_SECRET_ACCESS_KEY (or a profile, or an instance role). Secrets never come from the URL.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Multipart part size in bytes (S3 minimum 5 MiB). */
  partSize?: number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;

/** Same `<shard>/<cid>` layout as the fs store, so a bucket can be filled by syncing a blobs dir. */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly bucket: string;
  readonly prefix: string;
  readonly #client: S3Client;
  readonly #partSize: number;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.#partSize = options.partSize ?? 16 * 1024 * 1024;
    if (this.#partSize < MIN_PART_SIZE) throw new Error(`partSize must be at least ${MIN_PART_SIZE} bytes`);
    this.#client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      // Integrity is already guaranteed by the CID; the SDK's default extra checksums use
      // aws-chunked uploads that several S3-compatible servers reject.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  keyFor(cid: string): string {
    assertCid(cid);
    const key = `${cid.slice(-2)}/${cid}`;
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  async putFile(localPath: string, knownCid?: BlobInfo, options: PutFileOptions = {}): Promise<BlobInfo> {
    const { size } = await stat(localPath);
    if (knownCid) {
      assertCid(knownCid.cid);
      if (size !== knownCid.size) {
        throw new Error(`putFile: ${localPath} is ${size} bytes but its CID says ${knownCid.size}`);
      }
    }
    const info = knownCid ? { cid: knownCid.cid, size: knownCid.size } : await hashFile(localPath);

    // A HEAD is far cheaper than re-uploading a large master that is already there.
    if (!(await this.stat(info.cid))) {
      const upload = new Upload({
        client: this.#client,
        partSize: this.#partSize,
        queueSize: 4,
        leavePartsOnError: false,
        params: {
          Bucket: this.bucket,
          Key: this.keyFor(info.cid),
          Body: size === 0 ? Buffer.alloc(0) : createReadStream(localPath, { highWaterMark: 1024 * 1024 }),
          ContentType: 'application/octet-stream',
          // Content-addressed objects never change under their key.
          CacheControl: 'public, max-age=31536000, immutable',
        },
      });
      await upload.done();
    }
    if (!options.keepSource) await rm(localPath, { force: true });
    return info;
  }

  async stat(cid: string): Promise<BlobInfo | undefined> {
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyFor(cid) }),
      );
      return { cid, size: head.ContentLength ?? 0 };
    } catch (error) {
      if (httpStatus(error) === 404) return undefined;
      throw error;
    }
  }

  async createReadStream(cid: string, range?: ByteRange): Promise<Readable> {
    if (range) assertRangeShape(cid, range);
    try {
      const object = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.keyFor(cid),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      // In Node the SDK's body is an http.IncomingMessage, i.e. a Readable.
      const body = object.Body as Readable;
      return range ? checkedRangeBody(cid, range, object.ContentRange, body) : body;
    } catch (error) {
      const status = httpStatus(error);
      if (status === 404) throw new BlobNotFoundError(cid);
      if (status === 416 && range) throw new BlobRangeError(cid, range);
      throw error;
    }
  }

  async delete(cid: string): Promise<void> {
    // S3 answers 204 for a missing key too, which gives the idempotence the interface promises.
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyFor(cid) }));
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}

/**
 * Guards against S3-compatible servers that get ranges wrong: serving the wrong bytes as a 206
 * would corrupt playback silently. Some (s3rver among them) treat a range end of 0 as "to the
 * end of the object"; the extra tail is cut off here, anything else is refused.
 */
function checkedRangeBody(cid: string, range: ByteRange, contentRange: string | undefined, body: Readable) {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange ?? '');
  if (!match || Number(match[1]) !== range.start) {
    body.destroy();
    throw new Error(
      `S3 answered range ${range.start}-${range.end} of ${cid} with "${contentRange ?? 'no Content-Range'}"`,
    );
  }
  if (Number(match[2]) <= range.end) return body;
  return Readable.from(takeBytes(body, range.end - range.start + 1), { objectMode: false });
}

async function* takeBytes(source: Readable, length: number): AsyncGenerator<Buffer> {
  let remaining = length;
  try {
    for await (const chunk of source) {
      const buffer = chunk as Buffer;
      if (buffer.length >= remaining) {
        yield buffer.subarray(0, remaining);
        return;
      }
      remaining -= buffer.length;
      yield buffer;
    }
  } finally {
    source.destroy();
  }
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

const S3_URL_FORMS = 's3://bucket[/prefix][?endpoint=http://host:port&region=…&forcePathStyle=true]';
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses `s3://bucket/prefix?endpoint=…&region=…&forcePathStyle=true`. Unknown parameters are
 * rejected so a typo fails at start-up instead of silently talking to AWS.
 */
export function parseStorageUrl(text: string): S3BlobStoreOptions {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`Invalid S3 storage URL "${text}"; expected ${S3_URL_FORMS}`);
  }
  if (url.protocol !== 's3:') throw new Error(`Storage URL must start with s3://, got "${text}"`);
  if (url.username || url.password) {
    throw new Error(
      'S3 credentials do not belong in the storage URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  const bucket = url.hostname;
  if (!BUCKET_NAME.test(bucket)) {
    throw new Error(`Invalid S3 bucket name "${bucket}" in "${text}"; expected ${S3_URL_FORMS}`);
  }
  if (url.port) throw new Error(`S3 storage URL has a port; put the server in ?endpoint= instead: "${text}"`);

  const options: S3BlobStoreOptions = { bucket };
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  if (prefix) options.prefix = prefix;

  for (const [name, value] of url.searchParams) {
    switch (name) {
      case 'endpoint': {
        let endpoint: URL;
        try {
          endpoint = new URL(value);
        } catch {
          throw new Error(`Invalid endpoint "${value}" in storage URL; expected http(s)://host[:port]`);
        }
        if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
          throw new Error(`Invalid endpoint "${value}" in storage URL; expected http(s)://host[:port]`);
        }
        options.endpoint = value;
        break;
      }
      case 'region':
        if (!/^[a-z0-9-]+$/i.test(value)) throw new Error(`Invalid region "${value}" in storage URL`);
        options.region = value;
        break;
      case 'forcePathStyle':
        if (value !== 'true' && value !== 'false') {
          throw new Error(`forcePathStyle must be true or false in storage URL, got "${value}"`);
        }
        options.forcePathStyle = value === 'true';
        break;
      default:
        throw new Error(
          `Unknown parameter "${name}" in storage URL; accepted: endpoint, region, forcePathStyle (${S3_URL_FORMS})`,
        );
    }
  }
  return options;
}
