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

export interface ReceivedUpload<F extends string = 'audio' | 'cover'> {
  files: Partial<Record<F, ReceivedFile>>;
  fields: Record<string, string>;
  /** Every temp file written; the caller removes them whatever happens. */
  tempPaths: string[];
}

/** The file parts a form takes, each with its byte limit, and how to name them in refusals. */
export interface FileParts<F extends string> {
  limits: Record<F, number>;
  /** The part the form cannot do without, named when the body is not multipart. */
  main: F;
  /** Says which parts to send, for a refused part: 'send the audio as "audio" and art as "cover"'. */
  hint: string;
}

export function trackFileParts(limits: UploadLimits): FileParts<'audio' | 'cover'> {
  return {
    limits: { audio: limits.audioBytes, cover: limits.imageBytes },
    main: 'audio',
    hint: 'send the audio as "audio" and art as "cover"',
  };
}

/**
 * Streams a multipart upload straight to temp files, hashing on the way, and enforces per-file
 * limits while the bytes arrive, so an oversized file is refused without being stored whole.
 */
export async function receiveUpload<F extends string = 'audio' | 'cover'>(
  request: FastifyRequest,
  tempPath: (suffix: string) => string,
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
  fileParts: FileParts<F> = trackFileParts(limits) as unknown as FileParts<F>,
): Promise<ReceivedUpload<F>> {
  if (!request.isMultipart()) {
    throw new AppError(
      415,
      'not_multipart',
      `Send the upload as multipart/form-data with an "${fileParts.main}" file part`,
    );
  }
  const names = Object.keys(fileParts.limits) as F[];
  const largest = Math.max(...names.map((name) => fileParts.limits[name]));
  const received: ReceivedUpload<F> = { files: {}, fields: {}, tempPaths: [] };
  try {
    const parts = request.parts({
      limits: { fileSize: largest, files: names.length, fields: 20, fieldSize: 64 * 1024 },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (typeof part.value !== 'string')
          throw badRequest('invalid_field', `Field ${part.fieldname} must be text`);
        if (part.valueTruncated) throw payloadTooLarge(`Field ${part.fieldname} is longer than 64 KiB`);
        received.fields[part.fieldname] = part.value;
        continue;
      }
      const name = part.fieldname as F;
      if (!names.includes(name)) {
        throw badRequest('unknown_file_field', `Unexpected file field "${name}"; ${fileParts.hint}`);
      }
      if (received.files[name]) throw badRequest('duplicate_file', `Send only one "${name}" file`);
      const filename = checkFilename(part.filename);
      const path = tempPath(`.${name}`);
      received.tempPaths.push(path);
      const limit = fileParts.limits[name];
      const hasher = new HashingPassThrough();
      await pipeline(part.file, new SizeLimit(limit, name), hasher, createWriteStream(path, { flags: 'wx' }));
      if (part.file.truncated) throw tooLarge(name, limit);
      received.files[name] = { path, filename, mimetype: part.mimetype, content: hasher.result() };
    }
  } catch (error) {
    await discard(received.tempPaths);
    throw translateMultipartError(error, fileParts);
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

function translateMultipartError<F extends string>(error: unknown, fileParts: FileParts<F>): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return tooLarge(fileParts.main, fileParts.limits[fileParts.main]);
  if (code === 'FST_FILES_LIMIT') {
    const names = Object.keys(fileParts.limits).map((name) => `"${name}"`);
    return badRequest(
      'too_many_files',
      names.length === 1 ? `Send one file: ${names[0]}` : `Send at most these files: ${names.join(' and ')}`,
    );
  }
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
