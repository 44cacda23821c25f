import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest, payloadTooLarge } from '../errors.ts';
import type { ReceivedFile } from '../services/tracks.service.ts';
import { HashingPassThrough } from '../storage/cid.ts';

export interface UploadLimits {
  audioBytes: number;
  imageBytes: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = {
  audioBytes: 500 * 1024 * 1024,
  imageBytes: 20 * 1024 * 1024,
};

export interface ReceivedUpload {
  files: Partial<Record<'audio' | 'cover', ReceivedFile>>;
  fields: Record<string, string>;
  /** Every temp file written; the caller removes them whatever happens. */
  tempPaths: string[];
}

/**
 * Streams a multipart upload straight to temp files, hashing on the way, and enforces per-file
 * limits while the bytes arrive, so an oversized file is refused without being stored whole.
 */
export async function receiveUpload(
  request: FastifyRequest,
  tempPath: (suffix: string) => string,
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
): Promise<ReceivedUpload> {
  if (!request.isMultipart()) {
    throw new AppError(
      415,
      'not_multipart',
      'Send the upload as multipart/form-data with an "audio" file part',
    );
  }
  const received: ReceivedUpload = { files: {}, fields: {}, tempPaths: [] };
  try {
    const parts = request.parts({
      limits: { fileSize: limits.audioBytes, files: 2, fields: 20, fieldSize: 64 * 1024 },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (typeof part.value !== 'string')
          throw badRequest('invalid_field', `Field ${part.fieldname} must be text`);
        if (part.valueTruncated) throw payloadTooLarge(`Field ${part.fieldname} is longer than 64 KiB`);
        received.fields[part.fieldname] = part.value;
        continue;
      }
      const name = part.fieldname;
      if (name !== 'audio' && name !== 'cover') {
        throw badRequest(
          'unknown_file_field',
          `Unexpected file field "${name}"; send the audio as "audio" and art as "cover"`,
        );
      }
      if (received.files[name]) throw badRequest('duplicate_file', `Send only one "${name}" file`);
      const filename = checkFilename(part.filename);
      const path = tempPath(`.${name}`);
      received.tempPaths.push(path);
      const limit = name === 'audio' ? limits.audioBytes : limits.imageBytes;
      const hasher = new HashingPassThrough();
      await pipeline(part.file, new SizeLimit(limit, name), hasher, createWriteStream(path, { flags: 'wx' }));
      if (part.file.truncated) throw tooLarge(name, limit);
      received.files[name] = { path, filename, mimetype: part.mimetype, content: hasher.result() };
    }
  } catch (error) {
    await discard(received.tempPaths);
    throw translateMultipartError(error, limits);
  }
  return received;
}

export async function discard(paths: string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { force: true })));
}

/** Browsers send only a base name; a name with path parts is a client bug or an attack. */
function checkFilename(filename: string): string {
  if (filename === '' || filename.length > 255) {
    throw badRequest('invalid_filename', 'The file needs a name of 1 to 255 characters');
  }
  if (/[/\\\0]/.test(filename) || filename === '.' || filename === '..') {
    throw badRequest(
      'invalid_filename',
      `The file name "${filename.slice(0, 80)}" contains path parts; send only the file's own name`,
    );
  }
  return filename;
}

class SizeLimit extends Transform {
  readonly #limit: number;
  readonly #name: string;
  #seen = 0;
  constructor(limit: number, name: string) {
    super();
    this.#limit = limit;
    this.#name = name;
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#limit) callback(tooLarge(this.#name, this.#limit));
    else callback(null, chunk);
  }
}

function tooLarge(name: string, limit: number): AppError {
  return payloadTooLarge(`The ${name} file is larger than ${formatMegabytes(limit)}; send a smaller file`);
}

function translateMultipartError(error: unknown, limits: UploadLimits): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge('audio', limits.audioBytes);
  if (code === 'FST_FILES_LIMIT')
    return badRequest('too_many_files', 'Send at most two files: "audio" and "cover"');
  if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT')
    return badRequest('too_many_fields', 'Too many form fields');
  if (code?.startsWith('FST_'))
    return badRequest(
      'invalid_multipart',
      `The multipart body could not be read: ${(error as Error).message}`,
    );
  return error;
}

function formatMegabytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${bytes} bytes`;
}
