import { parseArgs } from 'node:util';
import { APP_ID_PATTERN, appRegistrationMessage, MAX_APP_NAME_LENGTH } from '@fairstream/protocol';
import { createFairstreamClient, unwrap } from '@fairstream/sdk';
import { formatUnits } from 'viem';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import { signedInClient } from '../session.ts';
import { table } from '../table.ts';
import { loadAccount } from '../wallet.ts';

export const appHelp = `Usage: fairstream app register <appId> --name NAME
       fairstream app show <appId>
       fairstream app list [ADDRESS]

For developers of apps built on Fairstream. \`register\` registers an app id (1–64 characters of
A-Z a-z 0-9 _ . : -, a reverse domain name will do) owned by your wallet, which signs the
registration; your app then names it in the playback reports its listeners sign (\`appId\`, and
\`fairstream listen --app\`). Each epoch a published share of the FAIR rewards (GET /api/v1/rules,
appRewards) is divided among apps by the counted plays they delivered, weighted by what each
listener paid, and paid to the owner through the epoch's payouts; \`fairstream verify\` rechecks it.
\`show\` prints an app's registration and what it delivered and earned per epoch; \`list\` the apps
an address registered (default: your wallet).
`;

const FAIR_DECIMALS = 18;

export async function app(args: string[], global: GlobalOptions): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'register':
      return register(rest, global);
    case 'show':
      return show(rest, global);
    case 'list':
      return list(rest, global);
    default:
      throw new CliError(
        `${subcommand ? `Unknown app command "${subcommand}".` : 'Give an app command.'}\n\n${appHelp}`,
        2,
      );
  }
}

async function register(args: string[], global: GlobalOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: 'string' } },
  });
  const [appId, ...extra] = positionals;
  if (!appId || extra.length > 0 || values.name === undefined)
    throw new CliError(`Give an app id and --name.\n\n${appHelp}`, 2);
  if (!APP_ID_PATTERN.test(appId))
    throw new CliError(`"${appId}" is not an app id: 1–64 characters of A-Z a-z 0-9 _ . : -`, 2);
  const name = values.name.trim();
  if (name.length === 0 || [...name].length > MAX_APP_NAME_LENGTH)
    throw new CliError(`--name must be 1–${MAX_APP_NAME_LENGTH} characters`, 2);

  const { account, client } = await signedInClient(global);
  const chain = unwrap(await client.GET('/api/v1/chain'));
  const fields = {
    appId,
    name,
    owner: account.address.toLowerCase(),
    chainId: chain.chainId,
    registeredAt: Date.now(),
  };
  let message: string;
  try {
    message = appRegistrationMessage(fields);
  } catch (error) {
    throw new CliError((error as Error).message, 2);
  }
  global.log(`Signing the registration of ${appId} with ${account.address}…`);
  const signature = await account.signMessage({ message });
  const result = await client.POST('/api/v1/apps', { body: { ...fields, signature } });
  const registered = unwrap(result);
  if (global.json) {
    process.stdout.write(`${JSON.stringify(registered, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    `${result.response.status === 201 ? 'Registered' : 'Already registered'}: ${registered.appId} ("${registered.name}"), owned by ${registered.owner}.\n` +
      `Name it in your playback reports (appId "${registered.appId}", source "app"); its FAIR is paid to the owner.\n`,
  );
  return 0;
}

async function show(args: string[], global: GlobalOptions): Promise<number> {
  const [appId, ...extra] = args;
  if (!appId || extra.length > 0 || appId.startsWith('-'))
    throw new CliError(`Give one app id.\n\n${appHelp}`, 2);
  const client = createFairstreamClient({ baseUrl: global.api });
  const dashboard = unwrap(await client.GET('/api/v1/apps/{appId}', { params: { path: { appId } } }));
  if (global.json) {
    process.stdout.write(`${JSON.stringify(dashboard, null, 2)}\n`);
    return 0;
  }
  const fair = (amount: string) => formatUnits(BigInt(amount), FAIR_DECIMALS);
  const share = dashboard.policy.sharePpm / 10_000;
  let out =
    `${dashboard.appId} — ${dashboard.name}\n` +
    `Owner ${dashboard.owner}, registered ${new Date(dashboard.registeredAt).toISOString()}\n` +
    `Apps share ${share}% of each epoch's FAIR rewards (policy version ${dashboard.policy.version}).\n\n`;
  if (dashboard.epochs.length === 0) {
    out += 'No counted plays delivered in a published epoch yet.\n';
  } else {
    const rows = dashboard.epochs.map((epoch) => [
      String(epoch.epoch),
      String(epoch.countedPlays),
      String(epoch.listeners),
      fair(epoch.amount),
    ]);
    out += `${table(['EPOCH', 'PLAYS', 'LISTENERS', 'FAIR'], rows)}\n\n`;
    out += `Total ${dashboard.countedPlays} counted plays, ${fair(dashboard.earned)} FAIR.\n`;
  }
  process.stdout.write(out);
  return 0;
}

async function list(args: string[], global: GlobalOptions): Promise<number> {
  if (args.length > 1 || args[0]?.startsWith('-'))
    throw new CliError(`app list takes at most one address.\n\n${appHelp}`, 2);
  const address = args[0] ?? (await loadAccount(global.key, global.walletPath, global.log)).address;
  if (!/^0x[0-9a-fA-F]{40}$/.test(address))
    throw new CliError(`"${address}" is not an address (0x followed by 40 hex digits).`, 2);
  const client = createFairstreamClient({ baseUrl: global.api });
  const { apps } = unwrap(
    await client.GET('/api/v1/accounts/{address}/apps', { params: { path: { address } } }),
  );
  if (global.json) {
    process.stdout.write(`${JSON.stringify({ apps }, null, 2)}\n`);
    return 0;
  }
  if (apps.length === 0) {
    process.stdout.write(`${address.toLowerCase()} has registered no app.\n`);
    return 0;
  }
  const rows = apps.map((entry) => [entry.appId, entry.name, new Date(entry.registeredAt).toISOString()]);
  process.stdout.write(`${table(['APP', 'NAME', 'REGISTERED'], rows)}\n`);
  return 0;
}
