// GET /accounts/{address}/history and history.csv on a real node and its embedded chain: real plays
// settled and pushed (payouts and FAIR rewards with the tracks and counted plays behind them), then
// the faucet, subscriptions, a cancellation, tips, staking, a fee passed to stakers, a staking
// reward and a plain transfer, each shown with its cause, exact to the base unit.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  allocateSplit,
  buildFanDropTree,
  cancelSubscription,
  claimFanDrop,
  claimStakingRewards,
  createFanDrop,
  fairstreamDevChain,
  fanDropClaim,
  faucet,
  notifyFee,
  promoteTrack,
  requestUnstake,
  stake,
  subscribe,
  tip,
  transferFair,
  withdrawStake,
} from '@fairstream/chain';
import { type Address, createWalletClient, formatUnits, getAddress, http, parseEther } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { chainTrackId } from '../chain/track-registrar.ts';
import { ChainEventsRepository } from '../repositories/chain-events.repository.ts';
import { HistoryRepository } from '../repositories/history.repository.ts';
import { SettlementRepository } from '../repositories/settlement.repository.ts';
import { CursorCodec } from '../services/cursor.ts';
import { EarningsService } from '../services/earnings.service.ts';
import { HistoryService, type Movement } from '../services/history.service.ts';
import { historyCsv } from '../services/history-csv.ts';
import { testDatabases } from '../testing/databases.ts';
import { type SettledPlays, settlePlays } from '../testing/settle.ts';
import { signIn, startTestNode, type TestNode } from '../testing/test-node.ts';

interface Page {
  address: string;
  items: Movement[];
  nextCursor: string | null;
  indexedBlock: number | null;
}

for (const database of testDatabases()) {
  describe(`the wallet history through the API on ${database.name}`, () => {
    let test: TestNode;
    let settled: SettledPlays;
    let fair: string;
    let usd: string;
    const lower = (address: string) => address.toLowerCase();

    const get = (url: string) => test.node.app.inject({ method: 'GET', url });
    const historyOf = async (address: string, query = ''): Promise<Page> => {
      const response = await get(`/api/v1/accounts/${address}/history${query}`);
      assert.equal(response.statusCode, 200, response.body);
      return response.json();
    };
    /** The whole history, page by page. */
    const everything = async (address: string, query = '', limit = 200): Promise<Movement[]> => {
      const items: Movement[] = [];
      let cursor: string | null = null;
      do {
        const page: Page = await historyOf(
          address,
          `?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    };
    const wallet = (account: PrivateKeyAccount) =>
      createWalletClient({
        account,
        chain: fairstreamDevChain(test.node.ledger.rpcUrl, test.node.ledger.chainId),
        transport: http(test.node.ledger.rpcUrl),
      });
    /** Waits until the node's index holds every block mined so far. */
    const indexed = async () => {
      const { indexer, ledger } = test.node;
      assert.ok(indexer);
      await indexer.waitForBlock(Number(await ledger.publicClient.getBlockNumber({ cacheTime: 0 })));
    };

    before(async () => {
      test = await startTestNode(database, { epochSeconds: 10 });
      settled = await settlePlays(test.node, { state: 'done', fans: 2 });
      const { deployment } = test.node.ledger;
      fair = lower(deployment.contracts.FairToken);
      usd = lower(deployment.contracts.TestStablecoin!);
      await indexed();
    });
    after(() => test.close());

    it("explains an artist's payout by the track and the counted plays behind it, exactly", async () => {
      const { artist, epoch, trackId } = settled;
      const earnings = (await get(`/api/v1/accounts/${artist.address}/earnings`)).json() as {
        items: { epoch: number; token: string; amount: string; countedPlays: number }[];
      };
      const page = await historyOf(artist.address);
      assert.equal(page.address, lower(artist.address));
      assert.ok(page.indexedBlock !== null && page.indexedBlock > 0);
      const claims = page.items.filter(
        (item) => item.cause.kind === 'payout' || item.cause.kind === 'reward',
      );
      const earned = earnings.items.filter((entry) => entry.epoch === epoch && BigInt(entry.amount) > 0n);
      assert.equal(claims.length, earned.length, JSON.stringify(page.items, null, 2));
      for (const item of claims) {
        const cause = item.cause as Extract<Movement['cause'], { kind: 'payout' | 'reward' }>;
        const expected = earnings.items.filter(
          (entry) => entry.epoch === epoch && lower(entry.token) === item.token.address,
        );
        assert.equal(expected.length, 1, JSON.stringify(earnings));
        assert.equal(item.direction, 'in');
        assert.equal(item.amount, expected[0]!.amount, 'the claim is exactly what the epoch earned');
        assert.equal(
          item.counterparty.address,
          lower(test.node.ledger.deployment.contracts.PayoutDistributor!),
        );
        assert.equal(item.counterparty.name, 'Payout distributor');
        assert.equal(cause.kind, item.token.address === fair ? 'reward' : 'payout');
        assert.equal(cause.epoch, epoch);
        assert.equal(cause.cumulativeAmount, item.amount, 'the first claim of this account');
        assert.deepEqual(cause.epochs, [
          {
            epoch,
            amount: item.amount,
            parts: [
              {
                kind: cause.kind === 'payout' ? 'track_payout' : 'track_reward',
                track: { id: trackId, title: 'Settled' },
                countedPlays: 2,
                amount: item.amount,
              },
            ],
          },
        ]);
        assert.equal(
          item.description,
          `${cause.kind === 'payout' ? 'Payout' : 'FAIR reward'} for epoch ${epoch}: 2 plays of “Settled”`,
        );
        assert.match(item.txHash, /^0x[0-9a-f]{64}$/);
        assert.ok(item.time > 1_600_000_000_000);
      }
      assert.ok(
        claims.some((item) => item.token.address === usd && item.token.symbol === 'tUSD'),
        'the stablecoin payout is there',
      );
    });

    it("shows the operator's platform fee coming in with the payouts and going to the stakers", async () => {
      const operator = lower(test.node.ledger.deployment.roles.operator);
      const items = await everything(operator);
      const payout = items.find((item) => item.cause.kind === 'payout');
      assert.ok(payout, JSON.stringify(items, null, 2));
      const cause = payout.cause as Extract<Movement['cause'], { kind: 'payout' }>;
      const totals = (await get(`/api/v1/epochs/${settled.epoch}`)).json().totals as Record<string, string>;
      assert.deepEqual(cause.epochs.at(-1)?.parts, [{ kind: 'platform_fee', amount: totals.fee }]);
      assert.match(payout.description, /the platform fee$/);
      const fee = items.find((item) => item.cause.kind === 'fee');
      assert.ok(fee);
      assert.deepEqual([fee.direction, fee.amount, fee.counterparty.name], ['out', totals.fee, 'Staking']);
      assert.equal(fee.description, 'Platform fee passed to the stakers');
    });

    it("lists a fan's faucet and subscription, newest first", async () => {
      const fan = settled.fans[0]!;
      const items = await everything(fan.address);
      assert.deepEqual(
        items.map((item) => [item.cause.kind, item.token.symbol, item.direction]),
        [
          ['subscription', 'tUSD', 'out'],
          ['faucet', 'tUSD', 'in'],
          ['faucet', 'FAIR', 'in'],
        ],
      );
      const [subscription, usdDrip, fairDrip] = items as [Movement, Movement, Movement];
      assert.equal(subscription.amount, '5000000');
      assert.equal(subscription.counterparty.name, 'Subscription vault');
      assert.match(subscription.description, /^Subscription: 1 period, until \d{4}-\d{2}-\d{2}$/);
      assert.equal(usdDrip.amount, '1000000000');
      assert.equal(usdDrip.counterparty.address, '0x0000000000000000000000000000000000000000');
      assert.equal(fairDrip.amount, parseEther('1000').toString());
      assert.equal(fairDrip.counterparty.name, 'Dev faucet');
      assert.equal(fairDrip.description, 'Dev faucet');
      const times = items.map((item) => [item.blockNumber, item.logIndex]);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b[0]! - a[0]! || b[1]! - a[1]!),
      );
    });

    it('explains tips both ways, a cancelled subscription, staking, a fee, a staking reward and a transfer', async () => {
      const { deployment } = test.node.ledger;
      const [fan, other] = settled.fans as [PrivateKeyAccount, PrivateKeyAccount];
      const collaborator = settled.collaborators[0];
      // Renamed to a title that needs quoting in CSV: the history reads titles when it is read.
      const token = await signIn(test.node, settled.artist);
      const renamed = await test.node.app.inject({
        method: 'PATCH',
        url: `/api/v1/tracks/${settled.trackId}`,
        headers: { authorization: `Bearer ${token}` },
        payload: { title: 'Settled, "live"' },
      });
      assert.equal(renamed.statusCode, 200, renamed.body);

      const amount = parseEther('3') + 7n;
      await tip(wallet(fan), {
        deployment,
        trackId: chainTrackId(settled.trackId),
        token: deployment.contracts.FairToken,
        amount,
      });
      const subscribed = await subscribe(wallet(other), { deployment, periods: 3 });
      const cancelled = await cancelSubscription(wallet(other), { deployment });
      await stake(wallet(fan), { deployment, amount: parseEther('100') });
      await requestUnstake(wallet(fan), { deployment, amount: parseEther('40') });
      await test.node.ledger.publicClient.request({ method: 'evm_increaseTime', params: [120] } as never);
      await withdrawStake(wallet(fan), { deployment });
      await notifyFee(wallet(other), {
        deployment,
        token: deployment.contracts.TestStablecoin!,
        amount: 1234n,
      });
      const reward = await claimStakingRewards(wallet(fan), {
        deployment,
        token: deployment.contracts.TestStablecoin!,
      });
      await transferFair(wallet(fan), { deployment, to: collaborator.address, amount: 5n });
      await indexed();

      const recipients = [settled.artist.address, ...settled.collaborators.map((c) => c.address)]
        .map(lower)
        .sort();
      const shares = recipients.map((address) =>
        address === lower(settled.artist.address)
          ? 600_000
          : address === lower(settled.collaborators[0].address)
            ? 250_000
            : 150_000,
      );
      const parts = allocateSplit(amount, shares);

      const fanItems = await everything(fan.address);
      assert.deepEqual(
        fanItems.slice(0, 6).map((item) => [item.cause.kind, item.direction, item.token.symbol, item.amount]),
        [
          ['transfer', 'out', 'FAIR', '5'],
          ['staking_reward', 'in', 'tUSD', reward.amount.toString()],
          ['unstake', 'in', 'FAIR', parseEther('40').toString()],
          ['stake', 'out', 'FAIR', parseEther('100').toString()],
          ['tip_sent', 'out', 'FAIR', amount.toString()],
          ['subscription', 'out', 'tUSD', '5000000'],
        ],
      );
      assert.ok(reward.amount > 0n);
      const [sent, , , staked, tipSent] = fanItems as Movement[];
      assert.equal(sent!.counterparty.address, lower(collaborator.address));
      assert.match(sent!.description, /^Transfer to 0x[0-9a-f]{4}…[0-9a-f]{4}$/);
      assert.deepEqual(staked!.cause, { kind: 'stake', stake: parseEther('100').toString() });
      assert.deepEqual(tipSent!.cause, {
        kind: 'tip_sent',
        ledgerTrackId: chainTrackId(settled.trackId),
        track: { id: settled.trackId, title: 'Settled, "live"' },
        recipients: recipients.map((address, i) => ({ address, amount: String(parts[i]) })),
      });
      assert.equal(tipSent!.description, 'Tip to “Settled, "live"”, split among 3 recipients');

      const artistItems = await everything(settled.artist.address);
      const received = artistItems.find((item) => item.cause.kind === 'tip_received');
      assert.ok(received);
      assert.equal(received.amount, String(parts[recipients.indexOf(lower(settled.artist.address))]));
      assert.deepEqual(received.cause, {
        kind: 'tip_received',
        ledgerTrackId: chainTrackId(settled.trackId),
        track: { id: settled.trackId, title: 'Settled, "live"' },
        from: lower(fan.address),
      });
      assert.match(received.description, /^Tip from 0x[0-9a-f]{4}…[0-9a-f]{4} for “Settled, "live"”$/);
      assert.equal(received.counterparty.name, 'Tips');

      const otherItems = await everything(other.address);
      assert.deepEqual(
        otherItems.slice(0, 3).map((item) => [item.cause.kind, item.direction, item.amount]),
        [
          ['fee', 'out', '1234'],
          ['subscription_refund', 'in', cancelled.refund.toString()],
          ['subscription', 'out', subscribed.amount.toString()],
        ],
      );
      assert.equal(cancelled.refund, subscribed.amount, 'the three periods added had not started');

      const collaboratorItems = await everything(collaborator.address);
      assert.deepEqual(
        [collaboratorItems[0]?.cause.kind, collaboratorItems[0]?.direction, collaboratorItems[0]?.amount],
        ['transfer', 'in', '5'],
      );
    });

    it('pages by signed cursor without gaps or repeats, and filters by token', async () => {
      const artist = settled.artist.address;
      const all = await everything(artist);
      assert.deepEqual(await everything(artist, '', 1), all);
      assert.ok(all.length >= 2, 'a payout and a tip at least');
      const fairOnly = await everything(artist, '&token=FAIR');
      assert.deepEqual(
        fairOnly,
        all.filter((item) => item.token.address === fair),
      );
      assert.deepEqual(
        await everything(artist, '&token=usd'),
        all.filter((item) => item.token.address === usd),
      );
      assert.deepEqual(
        await everything(artist, `&token=${usd.toUpperCase().replace('0X', '0x')}`),
        await everything(artist, '&token=tUSD'),
      );
      const empty = await historyOf('0x000000000000000000000000000000000000dead');
      assert.deepEqual([empty.items, empty.nextCursor], [[], null]);
    });

    it('refuses a malformed address, an unknown token and a tampered or foreign cursor with a 400', async () => {
      const artist = settled.artist.address;
      const bad = await get('/api/v1/accounts/0x1234/history');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.message, /address must match pattern/);
      const csvBad = await get('/api/v1/accounts/not-an-address/history.csv');
      assert.equal(csvBad.statusCode, 400);

      for (const url of [
        `/api/v1/accounts/${artist}/history?token=DOGE`,
        `/api/v1/accounts/${artist}/history.csv?token=0x0000000000000000000000000000000000000001`,
      ]) {
        const response = await get(url);
        assert.equal(response.statusCode, 400, url);
        assert.equal(response.json().error.code, 'unknown_token');
        assert.match(response.json().error.message, /use FAIR, USD, tUSD or the token's address/);
      }

      const first = await historyOf(artist, '?limit=1');
      assert.ok(first.nextCursor);
      const [payload, tag] = first.nextCursor.split('.') as [string, string];
      const forged = `${Buffer.from(JSON.stringify([1, 0])).toString('base64url')}.${tag}`;
      for (const cursor of [forged, `${payload}.${tag.slice(0, -2)}xx`, 'garbage']) {
        const response = await get(`/api/v1/accounts/${artist}/history?cursor=${encodeURIComponent(cursor)}`);
        assert.equal(response.statusCode, 400, cursor);
        assert.equal(response.json().error.code, 'invalid_cursor');
      }
      // A cursor belongs to its address and token.
      for (const url of [
        `/api/v1/accounts/${settled.fans[0]!.address}/history?cursor=${encodeURIComponent(first.nextCursor)}`,
        `/api/v1/accounts/${artist}/history?token=FAIR&cursor=${encodeURIComponent(first.nextCursor)}`,
      ]) {
        assert.equal((await get(url)).statusCode, 400, url);
      }
    });

    it('exports the same rows as CSV, exact in base units and decimals, quoted per RFC 4180', async () => {
      const artist = settled.artist.address;
      const all = await everything(artist);
      const response = await get(`/api/v1/accounts/${artist}/history.csv`);
      assert.equal(response.statusCode, 200, response.body);
      assert.match(String(response.headers['content-type']), /^text\/csv; charset=utf-8/);
      assert.equal(
        response.headers['content-disposition'],
        `attachment; filename="fairstream-history-${lower(artist)}.csv"`,
      );
      assert.ok(response.body.endsWith('\r\n'));
      const rows = parseCsv(response.body);
      assert.deepEqual(rows[0], [
        'time',
        'block',
        'log_index',
        'tx_hash',
        'token',
        'token_address',
        'decimals',
        'direction',
        'amount',
        'amount_base_units',
        'counterparty',
        'counterparty_name',
        'cause',
        'description',
      ]);
      assert.equal(rows.length - 1, all.length);
      for (const [i, item] of all.entries()) {
        const row = rows[i + 1]!;
        const sign = item.direction === 'out' ? '-' : '';
        assert.deepEqual(row, [
          new Date(item.time).toISOString(),
          String(item.blockNumber),
          String(item.logIndex),
          item.txHash,
          item.token.symbol,
          item.token.address,
          String(item.token.decimals),
          item.direction,
          `${sign}${formatUnits(BigInt(item.amount), item.token.decimals)}`,
          `${sign}${item.amount}`,
          item.counterparty.address,
          item.counterparty.name ?? item.counterparty.handle ?? '',
          item.cause.kind,
          item.description,
        ]);
      }
      assert.ok(response.body.includes('"Tip from'), 'a description with quotes is quoted');
      assert.ok(response.body.includes('""live""'), 'and its quotes doubled');

      const fairCsv = await get(`/api/v1/accounts/${artist}/history.csv?token=FAIR`);
      assert.equal(
        fairCsv.headers['content-disposition'],
        `attachment; filename="fairstream-history-${lower(artist)}-FAIR.csv"`,
      );
      assert.equal(
        parseCsv(fairCsv.body).length - 1,
        all.filter((item) => item.token.address === fair).length,
      );
    });

    it('streams a long history page by page with nothing missing or repeated', async () => {
      const { node } = test;
      const earnings = new EarningsService(new SettlementRepository(node.db), node.blobs);
      const service = new HistoryService(
        new ChainEventsRepository(node.db),
        new HistoryRepository(node.db),
        earnings,
        {
          chainId: node.ledger.chainId,
          deployment: node.ledger.deployment,
          publicClient: node.ledger.publicClient,
          cursors: new CursorCodec(randomBytes(32)),
          exportPageSize: 2,
        },
      );
      const fan = settled.fans[0]!.address as Address;
      const streamed: Movement[] = [];
      for await (const movement of (await service.all(fan, {})).movements) streamed.push(movement);
      assert.deepEqual(streamed, await everything(fan));
      let csv = '';
      for await (const chunk of historyCsv((await service.all(fan, { token: 'FAIR' })).movements))
        csv += chunk;
      assert.equal(parseCsv(csv).length - 1, streamed.filter((item) => item.token.address === fair).length);
    });

    it('explains a promotion (burned, with the track and period) and a fan drop funded and claimed', async () => {
      const { artist, fans, trackId } = settled;
      const { deployment, faucetWallet } = test.node.ledger;
      assert.ok(faucetWallet);
      await faucet(faucetWallet, { deployment, to: artist.address });
      const promoted = await promoteTrack(wallet(artist), {
        deployment,
        trackId: chainTrackId(trackId),
        days: 2,
      });
      const fan = fans[0]!;
      const tree = buildFanDropTree([{ account: getAddress(fan.address), amount: 7n }]);
      const created = await createFanDrop(wallet(artist), { deployment, tree, reason: 'For my first fans' });
      const published = await test.node.app.inject({
        method: 'POST',
        url: '/api/v1/drops',
        payload: {
          dropId: created.dropId.toString(),
          transactionHash: created.hash,
          leaves: [{ account: fan.address, amount: '7' }],
        },
      });
      assert.equal(published.statusCode, 201, published.body);
      // Anyone may send a fan's claim: the artist relays it here.
      await claimFanDrop(wallet(artist), {
        deployment,
        dropId: created.dropId,
        claim: fanDropClaim(tree, getAddress(fan.address))!,
      });
      await indexed();

      // An earlier test may have renamed the track: the history names it as it is now.
      const { title } = (await get(`/api/v1/tracks/${trackId}`)).json() as { title: string };
      const artistItems = (await historyOf(artist.address, '?token=FAIR&limit=5')).items;
      const promotion = artistItems.find((item) => item.cause.kind === 'promotion');
      assert.ok(promotion, JSON.stringify(artistItems, null, 2));
      assert.equal(promotion.direction, 'out');
      assert.equal(promotion.amount, promoted.amount.toString());
      assert.equal(promotion.counterparty.name, 'Burn address');
      assert.deepEqual(promotion.cause, {
        kind: 'promotion',
        ledgerTrackId: chainTrackId(trackId).toLowerCase(),
        track: { id: trackId, title },
        startsAt: Number(promoted.startsAt) * 1000,
        endsAt: Number(promoted.endsAt) * 1000,
      });
      assert.ok(promotion.description.startsWith(`Promotion of “${title}”, `), promotion.description);
      assert.match(promotion.description, /, \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d$/);
      const funding = artistItems.find((item) => item.cause.kind === 'fan_drop');
      assert.ok(funding);
      assert.equal(funding.amount, '7');
      assert.equal(funding.counterparty.name, 'Fan drops');
      assert.deepEqual(funding.cause, {
        kind: 'fan_drop',
        action: 'funded',
        dropId: created.dropId.toString(),
        from: lower(artist.address),
        reason: 'For my first fans',
      });

      const fanItem = (await historyOf(fan.address, '?token=FAIR&limit=1')).items[0]!;
      assert.equal(fanItem.direction, 'in');
      assert.equal(fanItem.amount, '7');
      assert.deepEqual(fanItem.cause, {
        kind: 'fan_drop',
        action: 'claimed',
        dropId: created.dropId.toString(),
        from: lower(artist.address),
        reason: 'For my first fans',
      });
      assert.match(fanItem.description, /^Fan reward from .+ \(drop #\d+\): “For my first fans”$/);
    });
  });
}

/** A small RFC 4180 parser: quoted fields, doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += char;
  }
  assert.equal(field, '', 'the last line ends with CRLF');
  return rows;
}
