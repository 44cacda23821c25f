import { type Track, trackUploadForm, uploadTrackWithProgress } from '@fairstream/sdk';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { encodeFunctionData, type Hex } from 'viem';
import { api, errorMessage, FairstreamApiError, unwrap } from '../api.ts';
import { SignIn } from '../components/sign-in.tsx';
import { Link } from '../router.tsx';
import { type ChainInfo, useSession } from '../session/session.tsx';
import type { Wallet } from '../session/wallet.ts';
import { AUDIO_ACCEPT, checkAudioFile, checkImageFile, formatBytes, IMAGE_ACCEPT } from '../upload/files.ts';
import { initialRows, SplitEditor, type SplitRow } from '../upload/split-editor.tsx';
import { checkSplit, splitsField } from '../upload/splits.ts';
import type { AudioTags } from '../upload/tags.ts';
import { parseAmount } from '../wallet/amounts.ts';
import {
  sendTransaction,
  type TokenInfo,
  tokenInfo,
  trackRegistryAbi,
  transactionErrorMessage,
} from '../wallet/chain.ts';
import '../upload/upload.css';
import '../wallet/wallet.css';

export default function UploadPage() {
  const session = useSession();
  useEffect(() => {
    document.title = 'Upload · Fairstream';
  }, []);
  if (session.loading) return <p className="muted">Loading…</p>;
  if (!session.address) {
    return (
      <section className="stack-small">
        <h1>Upload a track</h1>
        <p>Sign in to upload: your wallet is where your share of every play and tip is paid.</p>
        <SignIn />
      </section>
    );
  }
  return (
    <Uploader key={session.address} owner={session.address} chain={session.chain} wallet={session.wallet} />
  );
}

type Phase =
  | { kind: 'editing' }
  | { kind: 'uploading'; sent: number; total: number }
  | { kind: 'processing'; track: Track };

interface Picked {
  file: File;
  error: string | undefined;
}

const STAGE_LABELS: Record<string, string> = {
  validate: 'Checking the audio',
  transcode: 'Encoding Opus and AAC',
  loudness: 'Measuring loudness',
  waveform: 'Drawing the waveform',
  artwork: 'Sizing the cover art',
  register: 'Registering on the ledger',
  publish: 'Publishing',
};

const STATE_LABELS: Record<string, string> = {
  pending: 'waiting',
  running: 'in progress',
  waiting: 'waiting for your transaction',
  done: 'done',
  failed: 'failed',
  skipped: 'skipped',
};

function DropZone(props: {
  id: string;
  label: string;
  accept: string;
  hint: string;
  picked: Picked | undefined;
  onFile: (file: File) => void;
  children?: React.ReactNode;
}) {
  const [over, setOver] = useState(false);
  const helpId = `${props.id}-help`;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: dropping is a shortcut; the file input inside is the keyboard way.
    <div
      className={`drop-zone${over ? ' over' : ''}${props.picked?.error ? ' invalid' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        const file = event.dataTransfer.files[0];
        if (file) props.onFile(file);
      }}
    >
      {props.children}
      <div className="drop-text">
        <label htmlFor={props.id}>{props.label}</label>
        <p className="muted help" id={`${props.id}-hint`}>
          {props.hint}
        </p>
        <input
          id={props.id}
          type="file"
          accept={props.accept}
          aria-describedby={`${props.id}-hint ${helpId}`}
          aria-invalid={props.picked?.error !== undefined}
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) props.onFile(file);
            event.target.value = '';
          }}
        />
        <p
          id={helpId}
          className={props.picked?.error ? 'error-text help' : 'help'}
          role={props.picked?.error ? 'alert' : undefined}
        >
          {props.picked?.error ??
            (props.picked ? `${props.picked.file.name} · ${formatBytes(props.picked.file.size)}` : '')}
        </p>
      </div>
    </div>
  );
}

function useObjectUrl(blob: Blob | undefined): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!blob) {
      setUrl(undefined);
      return;
    }
    const next = URL.createObjectURL(blob);
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [blob]);
  return url;
}

function Uploader({
  owner,
  chain,
  wallet,
}: {
  owner: string;
  chain: ChainInfo | undefined;
  wallet: Wallet | undefined;
}) {
  const id = useId();
  const [audio, setAudio] = useState<Picked>();
  const [cover, setCover] = useState<Picked>();
  const [tagPicture, setTagPicture] = useState<Blob>();
  const [fromTags, setFromTags] = useState<string>();
  const [title, setTitle] = useState('');
  const [artistName, setArtistName] = useState('');
  const [genre, setGenre] = useState('');
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const [releaseDate, setReleaseDate] = useState('');
  const [releaseHint, setReleaseHint] = useState<string>();
  const [visibility, setVisibility] = useState<'public' | 'hidden'>('public');
  const [access, setAccess] = useState<'free' | 'token'>('free');
  const [gateToken, setGateToken] = useState('');
  const [gateAmount, setGateAmount] = useState('1');
  const [gateInfo, setGateInfo] = useState<{ token?: TokenInfo; error?: string }>({});
  const [registration, setRegistration] = useState<'node' | 'artist'>('node');
  const [rows, setRows] = useState<SplitRow[]>(() => initialRows(owner));
  const [phase, setPhase] = useState<Phase>({ kind: 'editing' });
  const [submitError, setSubmitError] = useState<string>();
  const [tried, setTried] = useState(false);
  const abort = useRef<AbortController | undefined>(undefined);
  const coverUrl = useObjectUrl(cover && !cover.error ? cover.file : tagPicture);

  useEffect(() => () => abort.current?.abort(), []);

  const check = checkSplit(rows);
  const latest = useRef({ title, artistName, genre, releaseDate });
  latest.current = { title, artistName, genre, releaseDate };

  const pickAudio = async (file: File) => {
    const error = await checkAudioFile(file);
    setAudio({ file, error });
    setSubmitError(undefined);
    setTagPicture(undefined);
    setFromTags(undefined);
    if (error) return;
    // The tag reader loads only when a file is chosen.
    const { readTags, releaseDateOf } = await import('../upload/tags.ts');
    const found: AudioTags = await readTags(file).catch(() => ({}));
    // Prefill only what the artist has not typed yet.
    const filled: string[] = [];
    const fill = (value: string | undefined, current: string, set: (value: string) => void, name: string) => {
      if (value && current.trim() === '') {
        set(value);
        filled.push(name);
      }
    };
    // What the artist typed while the tags were read, not what the form held when the file was chosen.
    const typed = latest.current;
    fill(found.title ?? file.name.replace(/\.[^.]+$/, ''), typed.title, setTitle, 'title');
    fill(found.artist, typed.artistName, setArtistName, 'artist');
    fill(found.genre, typed.genre, setGenre, 'genre');
    const date = releaseDateOf(found.date);
    if (date && typed.releaseDate === '') {
      setReleaseDate(date.value);
      setReleaseHint(
        date.exact ? undefined : `The file gives only ${found.date}; set the exact day if you know it.`,
      );
      filled.push('release date');
    }
    if (found.picture) {
      setTagPicture(new Blob([found.picture.data as BlobPart], { type: found.picture.mime }));
      filled.push('cover art');
    }
    setFromTags(
      filled.length > 0 && (found.title || filled.length > 1)
        ? `Filled in from the file’s tags: ${filled.join(', ')}.`
        : undefined,
    );
  };

  const pickCover = async (file: File) => {
    setCover({ file, error: await checkImageFile(file) });
    setSubmitError(undefined);
  };

  // The gate token's symbol and decimals, so the minimum is typed in tokens and sent in base units.
  useEffect(() => {
    if (access !== 'token' || !chain || !/^0x[0-9a-fA-F]{40}$/.test(gateToken.trim())) {
      setGateInfo({});
      return;
    }
    let live = true;
    tokenInfo(chain.rpcUrl, gateToken.trim()).then(
      (token) => live && setGateInfo({ token }),
      () => live && setGateInfo({ error: 'No ERC-20 token answers at this address on this node’s chain.' }),
    );
    return () => {
      live = false;
    };
  }, [access, gateToken, chain]);

  const gateParsed = gateInfo.token
    ? parseAmount(gateAmount, gateInfo.token.decimals, gateInfo.token.symbol)
    : undefined;
  const gateProblem =
    access !== 'token'
      ? undefined
      : !/^0x[0-9a-fA-F]{40}$/.test(gateToken.trim())
        ? 'Enter the gate token’s contract address (0x and 40 hex digits).'
        : gateInfo.error
          ? gateInfo.error
          : !gateParsed
            ? 'Reading the token…'
            : 'error' in gateParsed
              ? gateParsed.error
              : undefined;

  const problems = [
    !audio ? 'Choose an audio file.' : audio.error,
    cover?.error,
    title.trim() === '' ? 'Enter a title.' : undefined,
    check.problem && `Split: ${check.problem}`,
    gateProblem && `Token gate: ${gateProblem}`,
  ].filter((problem): problem is string => Boolean(problem));

  const start = async () => {
    setTried(true);
    setSubmitError(undefined);
    if (problems.length > 0 || !audio || !check.splits) return;
    const splits = check.splits;
    const onlyOwner = splits.length === 1 && splits[0]!.address === owner.toLowerCase();
    const form = trackUploadForm(
      {
        title: title.trim(),
        artistName: artistName.trim() || undefined,
        genre: genre.trim() || undefined,
        description: description.trim() || undefined,
        tags: tags.trim() || undefined,
        releaseDate: releaseDate || undefined,
        visibility,
        access,
        ...(access === 'token' &&
          gateParsed &&
          'amount' in gateParsed && {
            gateToken: gateToken.trim(),
            gateMinBalance: gateParsed.amount.toString(),
          }),
        splits: onlyOwner ? undefined : splitsField(splits),
        registration,
      },
      {
        audio: audio.file,
        audioName: audio.file.name,
        cover: cover && !cover.error ? cover.file : undefined,
        coverName: cover?.file.name,
      },
    );
    const controller = new AbortController();
    abort.current = controller;
    setPhase({ kind: 'uploading', sent: 0, total: audio.file.size });
    try {
      const track = await uploadTrackWithProgress({
        baseUrl: window.location.origin,
        form,
        signal: controller.signal,
        onProgress: (sent, total) => setPhase({ kind: 'uploading', sent, total }),
      });
      setPhase({ kind: 'processing', track });
    } catch (error) {
      setPhase({ kind: 'editing' });
      if (error instanceof DOMException && error.name === 'AbortError') {
        setSubmitError('Upload cancelled. Nothing was stored.');
      } else if (error instanceof FairstreamApiError) {
        setSubmitError(`The node refused the upload: ${error.message}`);
      } else {
        setSubmitError(`${errorMessage(error)} Nothing was stored; your form is kept, so you can try again.`);
      }
    } finally {
      abort.current = undefined;
    }
  };

  if (phase.kind === 'uploading') {
    const percent = phase.total > 0 ? Math.floor((phase.sent / phase.total) * 100) : 0;
    return (
      <section className="stack-small upload-progress" aria-labelledby={`${id}-progress`}>
        <h1 id={`${id}-progress`}>Uploading “{title.trim()}”</h1>
        <label htmlFor={`${id}-bar`}>Sending the files</label>
        <progress id={`${id}-bar`} max={phase.total} value={phase.sent} />
        <p>
          {percent}% · {formatBytes(phase.sent)} of {formatBytes(phase.total)}
        </p>
        {/* Announced in tenths: every progress event would drown a screen reader. */}
        <p className="visually-hidden" role="status" aria-live="polite">
          {Math.floor(percent / 10) * 10}% sent
        </p>
        <div>
          <button type="button" className="secondary" onClick={() => abort.current?.abort()}>
            Cancel upload
          </button>
        </div>
      </section>
    );
  }
  if (phase.kind === 'processing') {
    return (
      <Processing
        initial={phase.track}
        chain={chain}
        wallet={wallet}
        onAgain={() => {
          setPhase({ kind: 'editing' });
          setTried(false);
        }}
        onReset={() => {
          setPhase({ kind: 'editing' });
          setAudio(undefined);
          setCover(undefined);
          setTagPicture(undefined);
          setFromTags(undefined);
          setTitle('');
          setArtistName('');
          setGenre('');
          setDescription('');
          setTags('');
          setReleaseDate('');
          setReleaseHint(undefined);
          setRows(initialRows(owner));
          setTried(false);
        }}
      />
    );
  }

  return (
    <form
      className="upload-form"
      noValidate
      aria-labelledby={`${id}-heading`}
      onSubmit={(event) => {
        event.preventDefault();
        void start();
      }}
    >
      <h1 id={`${id}-heading`}>Upload a track</h1>
      <div className="upload-files">
        <DropZone
          id={`${id}-audio`}
          label="Audio file"
          accept={AUDIO_ACCEPT}
          hint="Drop it here or choose it: WAV, FLAC, MP3, AAC/M4A, Ogg or Opus, up to 500 MB. Lossless is best."
          picked={audio}
          onFile={(file) => void pickAudio(file)}
        />
        <DropZone
          id={`${id}-cover`}
          label="Cover art (optional)"
          accept={IMAGE_ACCEPT}
          hint={
            tagPicture && !cover
              ? 'Using the picture in the file’s tags. Drop or choose another to replace it.'
              : 'Square, at least 1000 px: JPEG, PNG, WebP, GIF or AVIF, up to 20 MB.'
          }
          picked={cover}
          onFile={(file) => void pickCover(file)}
        >
          {coverUrl ? (
            <img className="cover-preview" src={coverUrl} alt="Cover art preview" />
          ) : (
            <div className="cover-preview empty" />
          )}
        </DropZone>
      </div>
      {fromTags && (
        <p className="muted" role="status">
          {fromTags}
        </p>
      )}

      <div className="upload-fields">
        <div>
          <label htmlFor={`${id}-title`}>Title</label>
          <input
            id={`${id}-title`}
            required
            maxLength={200}
            value={title}
            onChange={(event) => setTitle(event.target.value)}
            aria-invalid={tried && title.trim() === ''}
          />
        </div>
        <div>
          <label htmlFor={`${id}-artist`}>Artist name</label>
          <input
            id={`${id}-artist`}
            maxLength={200}
            value={artistName}
            onChange={(event) => setArtistName(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor={`${id}-genre`}>Genre</label>
          <input
            id={`${id}-genre`}
            maxLength={50}
            value={genre}
            onChange={(event) => setGenre(event.target.value)}
          />
        </div>
        <div>
          <label htmlFor={`${id}-date`}>Release date</label>
          <input
            id={`${id}-date`}
            type="date"
            value={releaseDate}
            onChange={(event) => {
              setReleaseDate(event.target.value);
              setReleaseHint(undefined);
            }}
            aria-describedby={`${id}-date-help`}
          />
          <p id={`${id}-date-help`} className="muted help">
            {releaseHint ?? ''}
          </p>
        </div>
        <div className="wide">
          <label htmlFor={`${id}-description`}>Description</label>
          <textarea
            id={`${id}-description`}
            rows={3}
            maxLength={5000}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </div>
        <div className="wide">
          <label htmlFor={`${id}-tags`}>Tags</label>
          <input
            id={`${id}-tags`}
            value={tags}
            placeholder="ambient, field recordings"
            onChange={(event) => setTags(event.target.value)}
            aria-describedby={`${id}-tags-help`}
          />
          <p id={`${id}-tags-help`} className="muted help">
            Separated by commas; at most 20.
          </p>
        </div>
      </div>

      <div className="upload-choices">
        <fieldset>
          <legend>Visibility</legend>
          <label className="inline">
            <input
              type="radio"
              name={`${id}-visibility`}
              checked={visibility === 'public'}
              onChange={() => setVisibility('public')}
            />{' '}
            Public
          </label>
          <label className="inline">
            <input
              type="radio"
              name={`${id}-visibility`}
              checked={visibility === 'hidden'}
              onChange={() => setVisibility('hidden')}
            />{' '}
            Hidden
          </label>
          <p className="muted help">
            {visibility === 'hidden'
              ? 'Only you, your collaborators and people you give a share link can see it.'
              : 'Listed in search, feeds and your profile.'}
          </p>
        </fieldset>
        <fieldset>
          <legend>Access</legend>
          <label className="inline">
            <input
              type="radio"
              name={`${id}-access`}
              checked={access === 'free'}
              onChange={() => setAccess('free')}
            />{' '}
            Free
          </label>
          <label className="inline">
            <input
              type="radio"
              name={`${id}-access`}
              checked={access === 'token'}
              onChange={() => setAccess('token')}
            />{' '}
            Token holders only
          </label>
          {access === 'token' && (
            <div className="stack-small gate">
              <div>
                <label htmlFor={`${id}-gate-token`}>Token contract address</label>
                <input
                  id={`${id}-gate-token`}
                  value={gateToken}
                  spellCheck={false}
                  placeholder="0x…"
                  onChange={(event) => setGateToken(event.target.value)}
                  aria-invalid={tried && gateProblem !== undefined}
                />
                {chain?.contracts.FairToken && (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => setGateToken(chain.contracts.FairToken!)}
                  >
                    Use FAIR
                  </button>
                )}
              </div>
              <div>
                <label htmlFor={`${id}-gate-amount`}>
                  Minimum balance{gateInfo.token ? ` (${gateInfo.token.symbol})` : ''}
                </label>
                <input
                  id={`${id}-gate-amount`}
                  inputMode="decimal"
                  value={gateAmount}
                  onChange={(event) => setGateAmount(event.target.value)}
                  aria-describedby={`${id}-gate-help`}
                  aria-invalid={tried && gateProblem !== undefined}
                />
                <p id={`${id}-gate-help`} className={gateProblem && tried ? 'error-text help' : 'muted help'}>
                  {gateProblem ??
                    (gateInfo.token && gateParsed && 'amount' in gateParsed
                      ? `= ${gateParsed.amount.toString()} base units (${gateInfo.token.symbol} has ${gateInfo.token.decimals} decimals). Others hear the 30-second preview.`
                      : '')}
                </p>
              </div>
            </div>
          )}
        </fieldset>
        <fieldset>
          <legend>Ledger registration</legend>
          <label className="inline">
            <input
              type="radio"
              name={`${id}-registration`}
              checked={registration === 'node'}
              onChange={() => setRegistration('node')}
            />{' '}
            The node registers it (and pays the gas)
          </label>
          <label className="inline">
            <input
              type="radio"
              name={`${id}-registration`}
              checked={registration === 'artist'}
              onChange={() => setRegistration('artist')}
            />{' '}
            I register it from my wallet
          </label>
          <p className="muted help">
            {registration === 'artist'
              ? 'Your wallet owns the ledger entry; you send one transaction when processing reaches that step.'
              : 'Either way the split is fixed on the public ledger and cannot be changed later.'}
          </p>
        </fieldset>
      </div>

      <SplitEditor owner={owner} rows={rows} onChange={setRows} check={check} />

      <div className="upload-submit">
        {tried && problems.length > 0 && (
          <div role="alert" className="error-text">
            <p>Nothing was uploaded. Fix this first:</p>
            <ul>
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </div>
        )}
        {submitError && (
          <p role="alert" className="error-text">
            {submitError}
          </p>
        )}
        <button type="submit">Upload</button>
      </div>
    </form>
  );
}

function Processing(props: {
  initial: Track;
  chain: ChainInfo | undefined;
  wallet: Wallet | undefined;
  onAgain: () => void;
  onReset: () => void;
}) {
  const { initial, chain, wallet } = props;
  const [track, setTrack] = useState(initial);
  const [pollError, setPollError] = useState<string>();
  const [register, setRegister] = useState<{ state: 'sending' | 'sent' | 'failed'; message: string }>();
  const [deleted, setDeleted] = useState<string>();
  const registering = useRef(false);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (track.state !== 'processing') return;
    let live = true;
    const timer = setTimeout(async () => {
      try {
        const next = unwrap(await api.GET('/api/v1/tracks/{id}', { params: { path: { id: track.id } } }));
        if (live) {
          setTrack(next);
          setPollError(undefined);
        }
      } catch (error) {
        if (live) {
          setPollError(`${errorMessage(error)} Still trying…`);
          setTrack((current) => ({ ...current }));
        }
      }
    }, 500);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [track]);

  useEffect(() => {
    if (track.state !== 'processing') heading.current?.focus();
  }, [track.state]);

  const registerFromWallet = useCallback(async () => {
    if (registering.current || !wallet || !chain) return;
    registering.current = true;
    setRegister({ state: 'sending', message: 'Confirm the registration in your wallet…' });
    try {
      const args = unwrap(
        await api.GET('/api/v1/tracks/{id}/registration', { params: { path: { id: track.id } } }),
      );
      if (args.registered) {
        setRegister({ state: 'sent', message: 'Already registered on the ledger from your wallet.' });
        return;
      }
      const receipt = await sendTransaction(wallet, chain, {
        to: args.registry,
        data: encodeFunctionData({
          abi: trackRegistryAbi,
          functionName: 'register',
          args: [
            args.ledgerTrackId as Hex,
            args.metadataDigest as Hex,
            {
              kind: args.access.kind,
              token: args.access.token as Hex,
              minBalance: BigInt(args.access.minBalance),
            },
            args.recipients as Hex[],
            args.shares,
          ],
        }),
      });
      setRegister({
        state: 'sent',
        message: `Registered in block ${receipt.blockNumber}; the node is checking it…`,
      });
    } catch (error) {
      registering.current = false;
      setRegister({ state: 'failed', message: transactionErrorMessage(error) });
    }
  }, [track.id, wallet, chain]);

  const registerStage = track.stages.find((stage) => stage.name === 'register');
  useEffect(() => {
    if (registerStage?.state === 'waiting') void registerFromWallet();
  }, [registerStage?.state, registerFromWallet]);

  const active =
    track.stages.find((stage) => stage.state === 'running' || stage.state === 'waiting') ??
    track.stages.find((stage) => stage.state === 'pending');
  const remove = async () => {
    try {
      unwrap(await api.DELETE('/api/v1/tracks/{id}', { params: { path: { id: track.id } } }));
      setDeleted('The failed track and its files were deleted.');
    } catch (error) {
      setDeleted(errorMessage(error));
    }
  };

  return (
    <section className="stack-small upload-progress" aria-labelledby="processing-heading">
      <h1 id="processing-heading" ref={heading} tabIndex={-1}>
        {track.state === 'ready'
          ? `“${track.title}” is ready`
          : track.state === 'failed'
            ? `Processing “${track.title}” failed`
            : `Processing “${track.title}”`}
      </h1>
      <p className="muted">
        Uploaded. Fairstream now prepares it for streaming; each step is shown as it runs.
      </p>
      <ol className="stages" aria-label="Processing steps">
        {track.stages.map((stage) => (
          <li key={stage.name} className={`stage ${stage.state}`}>
            <span className="stage-name">{STAGE_LABELS[stage.name] ?? stage.name}</span>
            <span className="stage-state">
              {STATE_LABELS[stage.state] ?? stage.state}
              {stage.state === 'running' && stage.progress > 0 ? ` ${Math.round(stage.progress * 100)}%` : ''}
            </span>
            <progress
              max={1}
              value={stage.state === 'done' || stage.state === 'skipped' ? 1 : stage.progress}
              aria-label={`${STAGE_LABELS[stage.name] ?? stage.name} progress`}
            />
          </li>
        ))}
      </ol>
      <p role="status" aria-live="polite">
        {track.state === 'processing'
          ? active
            ? `${STAGE_LABELS[active.name] ?? active.name}: ${STATE_LABELS[active.state] ?? active.state}`
            : 'Processing…'
          : track.state === 'ready'
            ? 'Ready to stream.'
            : ''}
      </p>
      {pollError && <p className="muted">{pollError}</p>}
      {register && (
        <p
          role={register.state === 'failed' ? 'alert' : 'status'}
          className={register.state === 'failed' ? 'error-text' : undefined}
        >
          {register.message}
        </p>
      )}
      {register?.state === 'failed' && (
        <div>
          <button type="button" onClick={() => void registerFromWallet()}>
            Register from my wallet again
          </button>
        </div>
      )}
      {registerStage?.state === 'waiting' && !wallet && (
        <p role="alert">
          Your wallet is not connected in this tab: sign out and in again, then reopen this upload to register
          it.
        </p>
      )}
      {track.state === 'failed' && (
        <div role="alert" className="error-text">
          <p>
            {track.failure?.message ?? 'Processing failed.'} The track is not listed anywhere; delete it, or
            fix the file and upload it again.
          </p>
        </div>
      )}
      <div className="row">
        {track.state === 'ready' && (
          <Link className="button" href={`/t/${track.id}`}>
            Open the track page
          </Link>
        )}
        {track.state === 'failed' && !deleted && (
          <button type="button" className="danger" onClick={() => void remove()}>
            Delete the failed track
          </button>
        )}
        {track.state === 'failed' && (
          <button type="button" className="secondary" onClick={props.onAgain}>
            Back to the form
          </button>
        )}
        {track.state !== 'processing' && (
          <button type="button" className="secondary" onClick={props.onReset}>
            Upload another track
          </button>
        )}
      </div>
      {deleted && <p role="status">{deleted}</p>}
    </section>
  );
}
