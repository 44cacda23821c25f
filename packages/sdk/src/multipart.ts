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
