import { parseArgs } from 'node:util';
import { FairstreamApiError } from '@fairstream/sdk';
import { app, appHelp } from './commands/app.ts';
import { claim, claimHelp } from './commands/claim.ts';
import { earnings, earningsHelp } from './commands/earnings.ts';
import { faucet, faucetHelp } from './commands/faucet.ts';
import { feed, feedHelp } from './commands/feed.ts';
import { follow, followHelp, unfollow, unfollowHelp } from './commands/follow.ts';
import { history, historyHelp } from './commands/history.ts';
import { listen, listenHelp } from './commands/listen.ts';
import { playlist, playlistHelp } from './commands/playlist.ts';
import { profile, profileHelp } from './commands/profile.ts';
import { promote, promoteHelp } from './commands/promote.ts';
import { register, registerHelp } from './commands/register.ts';
import { rewardFans, rewardFansHelp } from './commands/reward-fans.ts';
import { rewards, rewardsHelp } from './commands/rewards.ts';
import { stake, stakeHelp } from './commands/stake.ts';
import { subscribe, subscribeHelp } from './commands/subscribe.ts';
import { tip, tipHelp } from './commands/tip.ts';
import { up, upHelp } from './commands/up.ts';
import { upload, uploadHelp } from './commands/upload.ts';
import { verify, verifyHelp } from './commands/verify.ts';
import { CliError } from './errors.ts';
import { defaultWalletPath } from './wallet.ts';

export interface GlobalOptions {
  api: string;
  key: string | undefined;
  json: boolean;
  walletPath: string;
  log: (line: string) => void;
}

const help = `Usage: fairstream [--api URL] [--key HEX] [--json] <command> [options]

Commands:
  up        Run a Fairstream node (embedded defaults: SQLite, local blobs)
  upload    Upload a track (see \`fairstream upload --help\`)
  register  Register your track on the ledger from your own wallet (after \`upload --register-self\`)
  listen    Listen to a track in real time and report playback (a headless player)
  playlist  Create playlists and albums, add and remove tracks, list them (\`playlist --help\`)
  faucet    Dev chains: fund your wallet with gas, FAIR and test stablecoin
  subscribe Pay for subscription periods (\`--periods N\`) in the stablecoin
  stake     Stake FAIR and earn a share of the platform fee
  tip       Tip a track; its collaborators are paid at once by its split
  promote   Promote your track for some days (\`--days N\`), paying FAIR that is burned
  reward-fans  Send FAIR to your top fans by counted plays in one Merkle drop (\`--amount\`, \`--top\`)
  earnings  What an address earned per epoch and track (default: your wallet), paid or pending
  rewards   Fan rewards an address earned (default: your wallet, with your progress per rule)
  claim     Claim every payout your wallet is owed that the node has not pushed yet
  history   Every FAIR and stablecoin movement of an address with its cause (\`--csv FILE\`)
  app       Register an app built on Fairstream and see what it earned (\`app --help\`)
  verify    Audit every settled epoch against the chain (\`--epoch N\`, \`--address A\`)
  profile   Show a profile, or set yours (\`--handle\`, \`--name\`, \`--bio\`)
  follow    Follow an account by handle or address; \`unfollow\` stops
  feed      The newest tracks and reposts of the accounts you follow

Global options:
  --api URL   The node to talk to (env FAIRSTREAM_API, default http://127.0.0.1:4000)
  --key HEX   Wallet private key to sign in with (env FAIRSTREAM_PRIVATE_KEY; default: a local wallet)
  --json      Print results as JSON on stdout
`;

const commands: Record<
  string,
  { run: (args: string[], global: GlobalOptions) => Promise<number>; help: string }
> = {
  up: { run: (args) => up(args), help: upHelp },
  upload: { run: upload, help: uploadHelp },
  register: { run: register, help: registerHelp },
  faucet: { run: faucet, help: faucetHelp },
  listen: { run: listen, help: listenHelp },
  playlist: { run: playlist, help: playlistHelp },
  subscribe: { run: subscribe, help: subscribeHelp },
  stake: { run: stake, help: stakeHelp },
  tip: { run: tip, help: tipHelp },
  promote: { run: promote, help: promoteHelp },
  'reward-fans': { run: rewardFans, help: rewardFansHelp },
  verify: { run: (args, global) => verify(args, global), help: verifyHelp },
  earnings: { run: earnings, help: earningsHelp },
  rewards: { run: rewards, help: rewardsHelp },
  claim: { run: claim, help: claimHelp },
  history: { run: history, help: historyHelp },
  profile: { run: profile, help: profileHelp },
  follow: { run: follow, help: followHelp },
  unfollow: { run: unfollow, help: unfollowHelp },
  feed: { run: feed, help: feedHelp },
  app: { run: app, help: appHelp },
};

export async function main(argv: string[]): Promise<number> {
  const { values, tokens } = parseArgs({
    args: argv,
    strict: false,
    tokens: true,
    options: {
      api: { type: 'string' },
      key: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
  // Global flags may come before or after the command; everything else belongs to the command.
  const commandIndex = tokens.find((token) => token.kind === 'positional')?.index;
  const name = commandIndex === undefined ? undefined : argv[commandIndex];
  const globalFlagIndexes = new Set(
    tokens
      .filter((token) => token.kind === 'option' && ['api', 'key', 'json'].includes(token.name))
      .flatMap((token) =>
        token.kind === 'option' && token.inlineValue === false && token.value !== undefined
          ? [token.index, token.index + 1]
          : [token.index],
      ),
  );
  const rest = argv.filter((_, index) => index !== commandIndex && !globalFlagIndexes.has(index));
  const command = name ? commands[name] : undefined;

  if (values.version) {
    process.stdout.write(`${(await import('@fairstream/node')).VERSION}\n`);
    return 0;
  }
  if (!command) {
    process.stdout.write(help);
    if (name) throw new CliError(`Unknown command "${name}".`, 2);
    return values.help ? 0 : 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help);
    return 0;
  }
  const global: GlobalOptions = {
    api: String(values.api ?? process.env.FAIRSTREAM_API ?? 'http://127.0.0.1:4000').replace(/\/$/, ''),
    key: (values.key as string | undefined) ?? process.env.FAIRSTREAM_PRIVATE_KEY,
    json: Boolean(values.json),
    walletPath: defaultWalletPath(),
    log: (line) => process.stderr.write(`${line}\n`),
  };
  return command.run(rest, global);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof CliError) {
    process.stderr.write(`fairstream: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else if (error instanceof FairstreamApiError) {
    process.stderr.write(`fairstream: the node refused (${error.status} ${error.code}): ${error.message}\n`);
    process.exitCode = 1;
  } else if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = (error.cause as Error | undefined)?.message ?? 'unknown reason';
    process.stderr.write(
      `fairstream: no node answers at that address (${cause}); start one with \`fairstream up\` or pass --api URL\n`,
    );
    process.exitCode = 1;
  } else if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`fairstream: ${(error as Error).message}; see --help\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
