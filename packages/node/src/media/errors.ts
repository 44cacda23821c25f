/**
 * A problem with user-supplied media. `code` is stable and machine-readable; `message` is written
 * for the person who uploaded the file, because the HTTP layer passes it through as a 4xx/422 body.
 */
export class MediaError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MediaError';
    this.code = code;
  }
}

export const SUPPORTED_AUDIO_HINT = 'Upload WAV, FLAC, MP3, AAC, Ogg or Opus.';
