import { type ApiError, FairstreamApiError } from './index.ts';
import type { components, operations } from './schema.ts';

/** A form field or a file, for a streamed multipart/form-data body. */
export type MultipartPart =
  | { name: string; value: string }
  | { name: string; filename: string; type: string; size: number; stream: () => ReadableStream<Uint8Array> };

/**
 * Builds a multipart/form-data body as a stream with an exact Content-Length, reporting how many
 * bytes were handed to the network so far: uploads of hundreds of megabytes show progress without
 * being held in memory.
 */
export function multipartBody(parts: MultipartPart[], onProgress?: (sent: number, total: number) => void) {
  const boundary = `----fairstream${crypto.randomUUID().replaceAll('-', '')}`;
  const encoder = new TextEncoder();
  const heads = parts.map((part) => {
    const disposition =
      'filename' in part
        ? `form-data; name="${escapeQuoted(part.name)}"; filename="${escapeQuoted(part.filename)}"\r\nContent-Type: ${part.type}`
        : `form-data; name="${escapeQuoted(part.name)}"`;
    return encoder.encode(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`);
  });
  const values = parts.map((part) => ('value' in part ? encoder.encode(part.value) : undefined));
  const lineBreak = encoder.encode('\r\n');
  const closing = encoder.encode(`--${boundary}--\r\n`);
  const total =
    parts.reduce(
      (sum, part, i) => sum + heads[i]!.length + ('value' in part ? values[i]!.length : part.size) + 2,
      0,
    ) + closing.length;

  let sent = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (const [i, part] of parts.entries()) {
      yield heads[i]!;
      if ('value' in part) yield values[i]!;
      else yield* part.stream() as unknown as AsyncIterable<Uint8Array>;
      yield lineBreak;
    }
    yield closing;
  }
  const iterator = chunks();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      sent += next.value.length;
      controller.enqueue(next.value);
      onProgress?.(sent, total);
    },
  });
  return { stream, contentType: `multipart/form-data; boundary=${boundary}`, contentLength: total };
}

function escapeQuoted(text: string): string {
  return text.replace(/["\r\n\\]/g, (c) => encodeURIComponent(c));
}

/**
 * Uploads a track as a streamed multipart body with upload progress. It calls fetch directly
 * because a streamed request body needs `duplex: 'half'`, which the generated client cannot pass.
 */
export async function uploadTrack(options: {
  baseUrl: string;
  token: string;
  parts: MultipartPart[];
  onProgress?: (sent: number, total: number) => void;
}): Promise<{ status: number; body: unknown }> {
  const body = multipartBody(options.parts, options.onProgress);
  const response = await fetch(`${options.baseUrl.replace(/\/$/, '')}/api/v1/tracks`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${options.token}`,
      'content-type': body.contentType,
      'content-length': String(body.contentLength),
    },
    body: body.stream,
    duplex: 'half',
  } as RequestInit);
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

/** The text fields of POST /api/v1/tracks, named as the API names them. */
export type TrackUploadFields = Omit<
  operations['uploadTrack']['requestBody']['content']['multipart/form-data'],
  'audio' | 'cover'
>;

/**
 * The multipart form of POST /api/v1/tracks: text fields first (absent ones left out), then the
 * audio, then the cover.
 */
export function trackUploadForm(
  fields: TrackUploadFields,
  files: { audio: Blob; audioName: string; cover?: Blob | undefined; coverName?: string | undefined },
): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) form.append(name, String(value));
  }
  form.append('audio', files.audio, files.audioName);
  if (files.cover) form.append('cover', files.cover, files.coverName ?? 'cover');
  return form;
}

/**
 * Uploads a track from a browser with upload progress, which fetch cannot report: an XMLHttpRequest
 * of `trackUploadForm`'s form. Signed in by the session cookie of the same origin, or by `token`.
 * Resolves with the track (state "processing") once the node accepted it; rejects with
 * FairstreamApiError carrying the node's own message when it refused, a TypeError when the node
 * could not be reached, and an AbortError DOMException when `signal` aborted it.
 */
export function uploadTrackWithProgress(options: {
  baseUrl: string;
  form: FormData;
  token?: string | undefined;
  onProgress?: ((sent: number, total: number) => void) | undefined;
  signal?: AbortSignal | undefined;
}): Promise<components['schemas']['Track']> {
  const Xhr = (globalThis as unknown as { XMLHttpRequest?: new () => BrowserXhr }).XMLHttpRequest;
  if (!Xhr) throw new Error('uploadTrackWithProgress runs in a browser; elsewhere use uploadTrack');
  return new Promise((resolve, reject) => {
    const request = new Xhr();
    request.open('POST', `${options.baseUrl.replace(/\/$/, '')}/api/v1/tracks`);
    request.withCredentials = true;
    request.responseType = 'json';
    if (options.token) request.setRequestHeader('authorization', `Bearer ${options.token}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded, event.total);
    };
    request.onload = () => {
      const body = request.response as { error?: ApiError } | null;
      if (request.status === 202 && body) resolve(body as components['schemas']['Track']);
      else reject(new FairstreamApiError(request.status, body?.error, `HTTP ${request.status}`));
    };
    request.onerror = () => reject(new TypeError('The upload could not reach the node'));
    request.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    if (options.signal?.aborted) {
      reject(new DOMException('The upload was cancelled', 'AbortError'));
      return;
    }
    options.signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(options.form);
  });
}

/** The part of a browser's XMLHttpRequest this uses (the SDK is typed for Node too, which has none). */
interface BrowserXhr {
  open(method: string, url: string): void;
  withCredentials: boolean;
  responseType: string;
  readonly status: number;
  readonly response: unknown;
  readonly upload: {
    onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null;
  };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  setRequestHeader(name: string, value: string): void;
  send(body: FormData): void;
  abort(): void;
}
