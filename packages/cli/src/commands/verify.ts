import { parseArgs } from 'node:util';
import { getClaimed } from '@fairstream/chain/reads';
import { createFairstreamClient, unwrap } from '@fairstream/sdk';
import { type Address, createPublicClient, getAddress, http, isAddress } from 'viem';
import { CliError } from '../errors.ts';
import type { GlobalOptions } from '../main.ts';
import {
  AuditError,
  auditEpochs,
  type EpochAudit,
  type ListedEpoch,
  NO_DELEGATIONS_NOTE,
} from '../verify/audit.ts';

export const verifyHelp = `Usage: fairstream verify [--address A] [--epoch N]

Audits the node's settled epochs from public data alone. For each epoch (or only epoch N) it downloads
the published epoch data, checks its sha2-256 against the digest on the PayoutDistributor, checks every
counted play's report signatures and that the listener's wallet delegated each report's session key
(the delegation's wallet signature, its chain, and that it was in force when the report was signed),
recomputes every verdict, allocation (with the fee), reward, the cumulative payout leaves and both
roots, and compares them and the per-token totals with the chain.

Options:
  --epoch N     Verify epoch N only (earlier epochs are still read, for their cumulative leaves)
  --address A   Also show that account's leaves and what it has claimed on-chain

Exit status: 0 when everything matches, 1 otherwise.
`;

export type { ListedEpoch };

/** Tests only: replace where the epoch list and data come from (e.g. to serve altered data). */
export interface VerifyHooks {
  listEpochs?: () => Promise<ListedEpoch[]>;
  fetchEpochData?: (epoch: ListedEpoch) => Promise<Uint8Array>;
  out?: (text: string) => void;
}

export async function verify(
  args: string[],
  global: GlobalOptions,
  hooks: VerifyHooks = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { address: { type: 'string' }, epoch: { type: 'string' } },
  });
  if (positionals.length > 0) throw new CliError(`verify takes no arguments.\n\n${verifyHelp}`, 2);
  const address = values.address;
  if (address !== undefined && !isAddress(address, { strict: false })) {
    throw new CliError(`--address must be a 0x address, not "${address}"`, 2);
  }
  const only = values.epoch === undefined ? undefined : Number(values.epoch);
  if (only !== undefined && (!Number.isSafeInteger(only) || only < 0)) {
    throw new CliError(`--epoch must be a whole number, not "${values.epoch}"`, 2);
  }
  const out = hooks.out ?? ((text: string) => void process.stdout.write(text));
  const say = (line: string) => {
    if (!global.json) out(`${line}\n`);
  };

  const info = unwrap(await createFairstreamClient({ baseUrl: global.api }).GET('/api/v1/chain'));
  const contracts = info.contracts as Record<string, Address | undefined>;
  const client = createPublicClient({ transport: http(info.rpcUrl) });

  let reportedDelegationGap = false;
  const show = (audit: EpochAudit) => {
    const n = audit.epoch;
    if (audit.notes.includes(NO_DELEGATIONS_NOTE) && !reportedDelegationGap) {
      say('note: the epoch data carries no session-key delegations; report signatures are checked against');
      say('      the session keys they name, but not that each listener delegated that key');
      reportedDelegationGap = true;
    }
    if (audit.outcome === 'unpublished') say(`epoch ${n}: ${audit.state} (nothing published)`);
    else if (audit.outcome === 'not-on-chain')
      say(`epoch ${n}: ${audit.state}, data ${audit.dataCid} not on-chain yet; skipped`);
    else if (!audit.ok) {
      say(`epoch ${n}: MISMATCH`);
      for (const p of audit.problems)
        say(`  ${p.what}:\n    published  ${p.published}\n    recomputed ${p.recomputed}`);
    } else {
      const c = audit.checked!;
      say(
        `epoch ${n}: ok — data sha2-256 matches the chain; ${c.plays} counted plays, ${c.reports} signed reports` +
          (c.delegations !== undefined ? `, ${c.delegations} wallet delegations; ` : '; ') +
          `${c.payouts} payouts, ${c.rewards} rewards, ` +
          (c.fanRewards !== undefined ? `${c.fanRewards} fan rewards, ` : '') +
          `${c.leaves} leaves; roots and totals match`,
      );
    }
  };

  let audited: Awaited<ReturnType<typeof auditEpochs>>;
  try {
    audited = await auditEpochs({
      api: global.api,
      chainId: info.chainId,
      contracts,
      client,
      only,
      listEpochs: hooks.listEpochs,
      fetchEpochData: hooks.fetchEpochData,
      onEpoch: show,
    });
  } catch (error) {
    if (error instanceof AuditError) throw new CliError(error.message);
    throw error;
  }
  let failures = audited.epochs.filter((entry) => !entry.ok).length;
  const deployment = { contracts } as Parameters<typeof getClaimed>[1]['deployment'];

  const account:
    | { address: string; leaves: { token: string; cumulative: string; claimed: string; status: string }[] }
    | undefined = address ? { address: getAddress(address), leaves: [] } : undefined;
  if (account) {
    const mine = audited.leaves.filter(
      (leaf) => leaf.account.toLowerCase() === account.address.toLowerCase(),
    );
    say(`account ${account.address}: ${mine.length === 0 ? 'no payout leaves' : `${mine.length} leaves`}`);
    for (const leaf of mine) {
      const claimed = await getClaimed(client, { deployment, account: leaf.account, token: leaf.token });
      const status =
        claimed === leaf.cumulativeAmount
          ? 'claimed'
          : claimed < leaf.cumulativeAmount
            ? 'pending'
            : 'MISMATCH';
      if (status === 'MISMATCH') failures++;
      account.leaves.push({
        token: leaf.token,
        cumulative: String(leaf.cumulativeAmount),
        claimed: String(claimed),
        status,
      });
      say(
        `  token ${leaf.token}: cumulative ${leaf.cumulativeAmount}, claimed on-chain ${claimed} — ${status}`,
      );
    }
  }

  const report = audited.epochs.map(({ epoch, ok, problems, notes }) => ({ epoch, ok, problems, notes }));
  if (global.json) out(`${JSON.stringify({ ok: failures === 0, epochs: report, account }, null, 2)}\n`);
  else say(failures === 0 ? 'All verified: everything matches the chain.' : `${failures} mismatch(es).`);
  return failures === 0 ? 0 : 1;
}
