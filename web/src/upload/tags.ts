/**
 * Reads the tags an artist already put in their file (title, artist, genre, date, cover picture),
 * to prefill the upload form: ID3v2.2–2.4 (MP3, and ahead of other formats), FLAC and Ogg
 * Vorbis/Opus comments (with their pictures), MP4/M4A items and WAV INFO lists. Only the few tags
 * the form uses, in a few kilobytes: a general tag library would cost the upload page ten times that.
 * Reads slices of the file, never all of it.
 */

export interface AudioTags {
  title?: string;
  artist?: string;
  genre?: string;
  /** As written in the file: "2019", "2019-05", "2019-05-03"… */
  date?: string;
  picture?: { mime: string; data: Uint8Array };
}

/** Tags or pictures larger than this are skipped rather than read. */
const MAX_TAG_BYTES = 24 * 1024 * 1024;

export async function readTags(file: Blob): Promise<AudioTags> {
  const head = await bytes(file, 0, 64 * 1024);
  let offset = 0;
  let tags: AudioTags = {};
  if (ascii(head, 0, 3) === 'ID3' && head.length >= 10) {
    const size = 10 + syncsafe(head, 6) + (head[5]! & 0x10 ? 10 : 0);
    if (size <= MAX_TAG_BYTES) tags = parseId3v2(size <= head.length ? head : await bytes(file, 0, size));
    offset = size;
  }
  const start = offset === 0 ? head : await bytes(file, offset, 64 * 1024);
  const magic = ascii(start, 0, 4);
  let more: AudioTags = {};
  if (magic === 'fLaC') more = await readFlac(file, offset + 4);
  else if (magic === 'OggS') more = parseOgg(await bytes(file, offset, MAX_TAG_BYTES));
  else if (ascii(start, 4, 8) === 'ftyp') more = await readMp4(file, offset);
  else if (magic === 'RIFF' && ascii(start, 8, 12) === 'WAVE') more = await readWav(file, offset);
  // ID3 first: when both are there it is the one the uploader's tools most likely wrote last.
  return { ...more, ...tags };
}

async function bytes(file: Blob, start: number, length: number): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(start, Math.min(file.size, start + length)).arrayBuffer());
}

function ascii(data: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...data.subarray(from, Math.min(to, data.length)));
}

function syncsafe(data: Uint8Array, at: number): number {
  return (
    ((data[at]! & 0x7f) << 21) |
    ((data[at + 1]! & 0x7f) << 14) |
    ((data[at + 2]! & 0x7f) << 7) |
    (data[at + 3]! & 0x7f)
  );
}

function u32be(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

function u32le(data: Uint8Array, at: number): number {
  return (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0;
}

const decoders: Record<string, TextDecoder> = {};
function decode(data: Uint8Array, encoding: string): string {
  decoders[encoding] ??= new TextDecoder(encoding);
  return decoders[encoding].decode(data);
}

/** Removes ID3 unsynchronisation: every 0xFF 0x00 back to 0xFF. */
function resync(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    out[n++] = data[i]!;
    if (data[i] === 0xff && data[i + 1] === 0x00) i++;
  }
  return out.subarray(0, n);
}

function clean(text: string | undefined): string | undefined {
  const trimmed = text?.replace(/\0[\s\S]*$/, '').trim();
  return trimmed ? trimmed : undefined;
}

/** ID3v1's genre numbers (0–79), which ID3v2 may still use as "(17)". */
const ID3_GENRES =
  'Blues,Classic Rock,Country,Dance,Disco,Funk,Grunge,Hip-Hop,Jazz,Metal,New Age,Oldies,Other,Pop,R&B,Rap,Reggae,Rock,Techno,Industrial,Alternative,Ska,Death Metal,Pranks,Soundtrack,Euro-Techno,Ambient,Trip-Hop,Vocal,Jazz+Funk,Fusion,Trance,Classical,Instrumental,Acid,House,Game,Sound Clip,Gospel,Noise,AlternRock,Bass,Soul,Punk,Space,Meditative,Instrumental Pop,Instrumental Rock,Ethnic,Gothic,Darkwave,Techno-Industrial,Electronic,Pop-Folk,Eurodance,Dream,Southern Rock,Comedy,Cult,Gangsta,Top 40,Christian Rap,Pop/Funk,Jungle,Native American,Cabaret,New Wave,Psychadelic,Rave,Showtunes,Trailer,Lo-Fi,Tribal,Acid Punk,Acid Jazz,Polka,Retro,Musical,Rock & Roll,Hard Rock'.split(
    ',',
  );

export function genreName(raw: string | undefined): string | undefined {
  const text = clean(raw);
  if (!text) return undefined;
  const match = /^\((\d+)\)(.*)$/.exec(text) ?? /^(\d+)()$/.exec(text);
  if (!match) return text;
  return clean(match[2]) ?? ID3_GENRES[Number(match[1])];
}

const ID3_ENCODINGS = ['windows-1252', 'utf-16', 'utf-16be', 'utf-8'];

/** An ID3 text (encoding byte, then text); the first of several values. */
function id3Text(frame: Uint8Array): string | undefined {
  const encoding = ID3_ENCODINGS[frame[0]!] ?? 'windows-1252';
  return clean(decode(frame.subarray(1), encoding));
}

/** Where a string that ends with its encoding's terminator ends, and where what follows begins. */
function terminated(data: Uint8Array, from: number, wide: boolean): [end: number, next: number] {
  if (!wide) {
    const end = data.indexOf(0, from);
    return end < 0 ? [data.length, data.length] : [end, end + 1];
  }
  for (let i = from; i + 1 < data.length; i += 2) if (data[i] === 0 && data[i + 1] === 0) return [i, i + 2];
  return [data.length, data.length];
}

function id3Picture(frame: Uint8Array, v22: boolean): { type: number; mime: string; data: Uint8Array } {
  const wide = frame[0] === 1 || frame[0] === 2;
  let at = 1;
  let mime: string;
  if (v22) {
    const format = ascii(frame, 1, 4).toUpperCase();
    mime = format === 'PNG' ? 'image/png' : 'image/jpeg';
    at = 4;
  } else {
    const [end, next] = terminated(frame, 1, false);
    mime = ascii(frame, 1, end).toLowerCase() || 'image/jpeg';
    if (!mime.includes('/')) mime = `image/${mime === 'jpg' ? 'jpeg' : mime}`;
    at = next;
  }
  const type = frame[at]!;
  const [, dataStart] = terminated(frame, at + 1, wide);
  return { type, mime, data: frame.slice(dataStart) };
}

export function parseId3v2(tag: Uint8Array): AudioTags {
  const version = tag[3]!;
  const flags = tag[5]!;
  if (version < 2 || version > 4) return {};
  let body = tag.subarray(10, 10 + syncsafe(tag, 6));
  if (flags & 0x80 && version < 4) body = resync(body);
  let at = 0;
  if (flags & 0x40 && version > 2) at = version === 4 ? syncsafe(body, 0) : u32be(body, 0) + 4;
  const v22 = version === 2;
  const headerSize = v22 ? 6 : 10;
  const text: Record<string, string> = {};
  let picture: { type: number; mime: string; data: Uint8Array } | undefined;
  while (at + headerSize <= body.length && body[at] !== 0) {
    const id = ascii(body, at, at + (v22 ? 3 : 4));
    const size = v22
      ? (body[at + 3]! << 16) | (body[at + 4]! << 8) | body[at + 5]!
      : version === 4
        ? syncsafe(body, at + 4)
        : u32be(body, at + 4);
    const formatFlags = v22 ? 0 : body[at + 9]!;
    let frame = body.subarray(at + headerSize, at + headerSize + size);
    at += headerSize + size;
    if (version === 4) {
      if (formatFlags & 0x0c) continue; // compressed or encrypted: not for a form prefill
      if (formatFlags & 0x01) frame = frame.subarray(4);
      if (formatFlags & 0x02) frame = resync(frame);
    }
    if (frame.length === 0) continue;
    if (id === 'APIC' || id === 'PIC') {
      const found = id3Picture(frame, v22);
      // The front cover (type 3) wins over any other picture.
      if (!picture || (found.type === 3 && picture.type !== 3)) picture = found;
    } else if (id[0] === 'T' && !(id in text)) {
      const value = id3Text(frame);
      if (value) text[id] = value;
    }
  }
  const year = text.TDRC ?? text.TYER ?? text.TYE ?? text.TDRL;
  // ID3v2.3 keeps the day apart from the year, as DDMM.
  const day = text.TDAT ?? text.TDA;
  const date =
    year && day && /^\d{4}$/.test(year) && /^\d{4}$/.test(day)
      ? `${year}-${day.slice(2)}-${day.slice(0, 2)}`
      : year;
  return compact({
    title: text.TIT2 ?? text.TT2,
    artist: text.TPE1 ?? text.TP1 ?? text.TPE2 ?? text.TP2,
    genre: genreName(text.TCON ?? text.TCO),
    date,
    picture: picture && { mime: picture.mime, data: picture.data },
  });
}

function compact(tags: AudioTags): AudioTags {
  return Object.fromEntries(Object.entries(tags).filter(([, value]) => value !== undefined)) as AudioTags;
}

/** Vorbis comments (FLAC, Ogg Vorbis, Opus): little-endian lengths, "KEY=value" strings. */
export function parseVorbisComments(data: Uint8Array): AudioTags {
  const fields: Record<string, string> = {};
  let picture: AudioTags['picture'];
  let at = 4 + u32le(data, 0);
  const count = u32le(data, at);
  at += 4;
  for (let i = 0; i < count && at + 4 <= data.length; i++) {
    const length = u32le(data, at);
    const entry = data.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    const equals = entry.indexOf(0x3d);
    if (equals < 0) continue;
    const key = ascii(entry, 0, equals).toUpperCase();
    if (key === 'METADATA_BLOCK_PICTURE') {
      if (!picture) picture = parseFlacPicture(base64(decode(entry.subarray(equals + 1), 'utf-8')));
    } else if (!(key in fields)) {
      const value = clean(decode(entry.subarray(equals + 1), 'utf-8'));
      if (value) fields[key] = value;
    }
  }
  return compact({
    title: fields.TITLE,
    artist: fields.ARTIST ?? fields.ALBUMARTIST,
    genre: fields.GENRE,
    date: fields.DATE ?? fields.YEAR,
    picture,
  });
}

function base64(text: string): Uint8Array {
  const binary = atob(text.replace(/\s/g, ''));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** FLAC's PICTURE block (also Vorbis comments' METADATA_BLOCK_PICTURE): big-endian fields. */
export function parseFlacPicture(block: Uint8Array): AudioTags['picture'] {
  const mimeLength = u32be(block, 4);
  const mime = ascii(block, 8, 8 + mimeLength).toLowerCase();
  const descriptionLength = u32be(block, 8 + mimeLength);
  const at = 8 + mimeLength + 4 + descriptionLength + 16;
  const length = u32be(block, at);
  if (!mime.startsWith('image/') || at + 4 + length > block.length) return undefined;
  return { mime, data: block.slice(at + 4, at + 4 + length) };
}

async function readFlac(file: Blob, start: number): Promise<AudioTags> {
  let at = start;
  let tags: AudioTags = {};
  for (let blocks = 0; blocks < 64 && at + 4 <= file.size; blocks++) {
    const header = await bytes(file, at, 4);
    const last = header[0]! & 0x80;
    const type = header[0]! & 0x7f;
    const length = (header[1]! << 16) | (header[2]! << 8) | header[3]!;
    if (length <= MAX_TAG_BYTES && (type === 4 || (type === 6 && !tags.picture))) {
      const block = await bytes(file, at + 4, length);
      if (type === 4)
        tags = { ...parseVorbisComments(block), ...(tags.picture && { picture: tags.picture }) };
      else {
        const picture = parseFlacPicture(block);
        if (picture) tags = { ...tags, picture };
      }
    }
    at += 4 + length;
    if (last) break;
  }
  return tags;
}

/** The comment header of an Ogg Vorbis or Opus stream: its second packet, across pages. */
export function parseOgg(data: Uint8Array): AudioTags {
  const packets: Uint8Array[] = [];
  let current: [number, number][] = [];
  let currentLength = 0;
  let at = 0;
  while (at + 27 <= data.length && packets.length < 2 && ascii(data, at, at + 4) === 'OggS') {
    const segments = data[at + 26]!;
    const table = data.subarray(at + 27, at + 27 + segments);
    let body = at + 27 + segments;
    for (const lacing of table) {
      current.push([body, body + lacing]);
      currentLength += lacing;
      body += lacing;
      if (lacing < 255) {
        const packet = new Uint8Array(currentLength);
        let n = 0;
        for (const [from, to] of current) {
          packet.set(data.subarray(from, to), n);
          n += to - from;
        }
        packets.push(packet);
        current = [];
        currentLength = 0;
        if (packets.length === 2) break;
      }
    }
    at = body;
  }
  const comments = packets[1];
  if (!comments) return {};
  if (ascii(comments, 0, 7) === '\x03vorbis') return parseVorbisComments(comments.subarray(7));
  if (ascii(comments, 0, 8) === 'OpusTags') return parseVorbisComments(comments.subarray(8));
  return {};
}

interface Atom {
  type: string;
  start: number;
  body: number;
  end: number;
}

function atomsIn(data: Uint8Array, from: number, to: number): Atom[] {
  const atoms: Atom[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = u32be(data, at);
    let body = at + 8;
    if (size === 1) {
      size = u32be(data, at + 8) * 2 ** 32 + u32be(data, at + 12);
      body = at + 16;
    } else if (size === 0) size = to - at;
    if (size < 8) break;
    atoms.push({ type: ascii(data, at + 4, at + 8), start: at, body, end: Math.min(at + size, to) });
    at += size;
  }
  return atoms;
}

async function readMp4(file: Blob, start: number): Promise<AudioTags> {
  // Top-level atoms are walked by their headers alone: "moov" may sit after megabytes of audio.
  let at = start;
  while (at + 8 <= file.size) {
    const header = await bytes(file, at, 16);
    let size = u32be(header, 0);
    if (size === 1) size = u32be(header, 8) * 2 ** 32 + u32be(header, 12);
    else if (size === 0) size = file.size - at;
    if (size < 8) return {};
    if (ascii(header, 4, 8) === 'moov') {
      if (size > MAX_TAG_BYTES) return {};
      return parseMoov(await bytes(file, at, size));
    }
    at += size;
  }
  return {};
}

export function parseMoov(moov: Uint8Array): AudioTags {
  const find = (atoms: Atom[], type: string) => atoms.find((atom) => atom.type === type);
  const top = atomsIn(moov, 0, moov.length);
  const root = find(top, 'moov');
  const udta = root && find(atomsIn(moov, root.body, root.end), 'udta');
  const meta = udta && find(atomsIn(moov, udta.body, udta.end), 'meta');
  if (!meta) return {};
  // "meta" is a full box (4 bytes of version and flags) in MP4, a plain one in some QuickTime files.
  const metaBody = ascii(moov, meta.body + 4, meta.body + 8) === 'hdlr' ? meta.body : meta.body + 4;
  const ilst = find(atomsIn(moov, metaBody, meta.end), 'ilst');
  if (!ilst) return {};
  const values: Record<string, { kind: number; payload: Uint8Array }> = {};
  for (const item of atomsIn(moov, ilst.body, ilst.end)) {
    const data = find(atomsIn(moov, item.body, item.end), 'data');
    if (!data || item.type in values) continue;
    values[item.type] = {
      kind: u32be(moov, data.body) & 0xffffff,
      payload: moov.subarray(data.body + 8, data.end),
    };
  }
  const text = (key: string) => {
    const value = values[key];
    return value ? clean(decode(value.payload, 'utf-8')) : undefined;
  };
  const gnre = values.gnre?.payload;
  const cover = values.covr;
  return compact({
    title: text('©nam'),
    artist: text('©ART') ?? text('aART'),
    genre:
      text('©gen') ?? (gnre && gnre.length >= 2 ? ID3_GENRES[((gnre[0]! << 8) | gnre[1]!) - 1] : undefined),
    date: text('©day'),
    picture: cover && {
      mime:
        cover.kind === 14 || (cover.payload[0] === 0x89 && cover.payload[1] === 0x50)
          ? 'image/png'
          : 'image/jpeg',
      data: cover.payload.slice(),
    },
  });
}

async function readWav(file: Blob, start: number): Promise<AudioTags> {
  let at = start + 12;
  for (let chunks = 0; chunks < 64 && at + 8 <= file.size; chunks++) {
    const header = await bytes(file, at, 12);
    const id = ascii(header, 0, 4);
    const size = u32le(header, 4);
    if (size <= MAX_TAG_BYTES && id === 'LIST' && ascii(header, 8, 12) === 'INFO') {
      const list = await bytes(file, at + 12, size - 4);
      const fields: Record<string, string> = {};
      let i = 0;
      while (i + 8 <= list.length) {
        const key = ascii(list, i, i + 4);
        const length = u32le(list, i + 4);
        const value = clean(decode(list.subarray(i + 8, i + 8 + length), 'utf-8'));
        if (value) fields[key] = value;
        i += 8 + length + (length & 1);
      }
      return compact({ title: fields.INAM, artist: fields.IART, genre: fields.IGNR, date: fields.ICRD });
    }
    if (size <= MAX_TAG_BYTES && (id === 'id3 ' || id === 'ID3 ')) {
      return parseId3v2(await bytes(file, at + 8, size));
    }
    at += 8 + size + (size & 1);
  }
  return {};
}

/** A tag's date as the form's YYYY-MM-DD, and whether the day was really there. */
export function releaseDateOf(date: string | undefined): { value: string; exact: boolean } | undefined {
  const match = /^(\d{4})(?:[-/.](\d{2})(?:[-/.](\d{2}))?)?/.exec(date?.trim() ?? '');
  if (!match) return undefined;
  const [, year, month, day] = match;
  if (month && day) return { value: `${year}-${month}-${day}`, exact: true };
  return { value: `${year}-${month ?? '01'}-01`, exact: false };
}
