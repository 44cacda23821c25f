export {
  decodeCheckArgs,
  type PreviewWindow,
  previewWindow,
  probeArgs,
  type RenditionOptions,
  renditionArgs,
} from './args.ts';
export { type CoverFile, checkImage, type ImagePurpose, renderAvatar, renderCoverArt } from './artwork.ts';
export { type FfmpegBinaries, type FindFfmpegOptions, findFfmpeg } from './binaries.ts';
export { MediaError } from './errors.ts';
export { type Loudness, parseEbur128Summary } from './loudness.ts';
export { type AudioProbe, checkDecodes, probeAudio } from './probe.ts';
export { type AudioTags, readTags } from './tags.ts';
export { createMediaToolkit } from './toolkit.ts';
export {
  createFfmpegTranscoder,
  type RenditionFile,
  type Renditions,
  type Transcoder,
} from './transcoder.ts';
export { type AudiowaveformJson, WaveformBuilder } from './waveform.ts';
