import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  APP_ID_PATTERN,
  type PlaybackReport,
  requiredHeardMs,
  type UnsignedPlaybackReport,
} from '@fairstream/protocol';
import {
  createFairstreamClient,
  createSessionKey,
  delegateSessionKey,
  signIn,
  signReport,
  unwrap,
} from '@fairstream/sdk';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import { ProgressBar } from '../progress.ts';
import { loadAccount } from '../wallet.ts';

export const listenHelp = `Usage: fairstream listen <trackId> [--seconds N] [--format opus|aac] [--app APP_ID]

A real, headless listener: streams the track in real time and reports playback, signed with a
session key your wallet delegates, as a player does. Stops after N seconds (default: the whole
track). Whether the play counts is decided at settlement by the published rule (GET /api/v1/rules).
--app names the registered app the play is delivered through (\`fairstream app register\`), as an
app built on Fairstream does: its owner earns the apps' share of the FAIR rewards for it.
`;

const REPORT_EVERY_MS = 10_000;
/** How long reports wait for an unreachable node before the command gives up. */
const DELIVERY_PATIENCE_MS = 120_000;

export async function listen(args: string[], global: GlobalOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seconds: { type: 'string' },
      format: { type: 'string', default: 'opus' },
      app: { type: 'string' },
    },
  });
  const [trackId, ...extra] = positionals;
  if (!trackId || extra.length > 0) throw new CliError(`Give one track id.\n\n${listenHelp}`);
  if (values.format !== 'opus' && values.format !== 'aac') throw new CliError('--format must be opus or aac');
  if (values.app !== undefined && !APP_ID_PATTERN.test(values.app)) {
    throw new CliError('--app must be an app id: 1–64 characters of A-Z a-z 0-9 _ . : -');
  }
  if (values.seconds !== undefined && !/^\d{1,5}$/.test(values.seconds)) {
    throw new CliError('--seconds must be a whole number of seconds');
  }

  const account = await loadAccount(global.key, global.walletPath, global.log);
  const anonymous = createFairstreamClient({ baseUrl: global.api });
  const { token } = await signIn(anonymous, account);
  const client = createFairstreamClient({ baseUrl: global.api, token });
  const track = unwrap(await client.GET('/api/v1/tracks/{id}', { params: { path: { id: trackId } } }));
  if (values.app !== undefined) {
    // Checked before listening: the node refuses every report naming an app it does not know.
    const app = await client.GET('/api/v1/apps/{appId}', { params: { path: { appId: values.app } } });
    if (app.response.status === 404)
      throw new CliError(
        `No app ${values.app} is registered on ${global.api}; register it first: fairstream app register ${values.app} --name "…"`,
      );
    unwrap(app);
  }
  const key = await createSessionKey();
  await delegateSessionKey(client, account, key);

  const listenMs = Math.min(
    track.durationMs,
    values.seconds ? Number(values.seconds) * 1000 : track.durationMs,
  );
  const response = await fetch(`${global.api}/api/v1/tracks/${trackId}/stream?format=${values.format}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => undefined)) as
      | { error?: { message: string } }
      | undefined;
    throw new CliError(
      `The node would not stream it (${response.status}): ${body?.error?.message ?? 'no details'}`,
    );
  }
  // A player buffers ahead; what counts is the audio that played, which advances with real time.
  const reader = response.body.getReader();
  let buffered = 0;
  const drain = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += value.byteLength;
    }
  })();

  const playId = randomUUID();
  const startedAt = Date.now();
  const progress = new ProgressBar();
  const results = { accepted: 0, rejected: [] as string[] };
  let reportedUpTo = 0;
  let reportStartedAt = startedAt;
  // Signed reports the node has not acknowledged yet. A player keeps them and sends them again with
  // the same ids (the node stores each id once), so a node restart loses and doubles nothing.
  const unsent: PlaybackReport[] = [];
  let failingSince: number | undefined;
  const deliver = async () => {
    if (unsent.length === 0) return;
    const answer = await client
      .POST('/api/v1/plays', { body: { reports: [...unsent] } })
      .catch(() => undefined); // the node is unreachable: keep the reports
    if (!answer || answer.response.status >= 500) {
      if (failingSince === undefined) {
        failingSince = Date.now();
        global.log(`The node does not answer; keeping ${unsent.length} report(s) to send again.`);
      }
      if (Date.now() - failingSince > DELIVERY_PATIENCE_MS) {
        throw new CliError(
          `The node at ${global.api} has not taken playback reports for ${DELIVERY_PATIENCE_MS / 1000} s; ` +
            `${unsent.length} report(s) of play ${playId} were not delivered. Check that it runs, then listen again.`,
        );
      }
      return;
    }
    if (failingSince !== undefined) global.log('The node answers again; reports delivered.');
    failingSince = undefined;
    for (const result of unwrap(answer).results) {
      if (result.status === 'rejected') results.rejected.push(result.reason ?? 'unknown');
      else results.accepted += 1;
    }
    unsent.length = 0;
  };
  const report = async (position: number) => {
    if (position > reportedUpTo) {
      const endedAt = Date.now();
      const unsigned: UnsignedPlaybackReport = {
        id: randomUUID(),
        playId,
        trackId,
        listener: account.address.toLowerCase(),
        sessionKey: key.publicKey,
        segments: [[reportedUpTo, position]],
        startedAt: reportStartedAt,
        endedAt,
        source: values.app === undefined ? 'cli' : 'app',
        appId: values.app ?? null,
      };
      unsent.push(await signReport(key, unsigned));
      reportedUpTo = position;
      reportStartedAt = endedAt;
    }
    await deliver();
  };

  let lastReport = startedAt;
  for (;;) {
    const position = Math.min(Date.now() - startedAt, listenMs);
    progress.update('listening', position / listenMs, `${format(position)} / ${format(listenMs)}`);
    if (position >= listenMs) break;
    if (Date.now() - lastReport >= REPORT_EVERY_MS) {
      await report(position);
      lastReport = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await report(listenMs);
  while (unsent.length > 0) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await deliver();
  }
  await reader.cancel().catch(() => {});
  await drain.catch(() => {});
  progress.done();

  const summary = {
    trackId,
    playId,
    listener: account.address.toLowerCase(),
    heardMs: listenMs,
    requiredMs: requiredHeardMs(track.durationMs),
    bytesStreamed: buffered,
    reportsAccepted: results.accepted,
    reportsRejected: results.rejected,
  };
  if (global.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    process.stdout.write(
      `Listened to ${format(listenMs)} of "${track.title}"; ${results.accepted} report(s) accepted` +
        `${results.rejected.length ? `, rejected: ${results.rejected.join(', ')}` : ''}. ` +
        `${listenMs >= summary.requiredMs ? 'Long enough to count' : `Counting needs ${format(summary.requiredMs)}`}` +
        ' (settlement applies the whole rule).\n',
    );
  }
  return results.rejected.length > 0 ? 1 : 0;
}

function format(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
