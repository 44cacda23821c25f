// Subscribing from the API on a real node and its embedded chain: a fan whose wallet holds test
// stablecoin but no gas signs a permit; the node's operator relays it. Every refusal is checked to
// answer a 4xx that says what to fix, before the operator pays for any transaction.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { faucet, getSubscription, getTokenBalance, permitTypedData } from '@fairstream/chain';
import {
  createFairstreamClient,
  FairstreamApiError,
  signIn as signInWithSdk,
  signSubscriptionPermit,
  subscribe,
} from '@fairstream/sdk';
import type { Address, Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { testDatabases } from '../testing/databases.ts';
import { newAccount, signIn, startTestNode, type TestNode } from '../testing/test-node.ts';

const PRICE = 5_000_000n;

for (const database of testDatabases()) {
  describe(`subscriptions through the API on ${database.name}`, () => {
    let test: TestNode;
    let api: string;

    const get = (url: string) => test.node.app.inject({ method: 'GET', url });
    const post = (token: string | undefined, payload: object) =>
      test.node.app.inject({
        method: 'POST',
        url: '/api/v1/subscriptions',
        payload,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    const terms = async () => (await get('/api/v1/subscriptions/terms')).json();

    /** A wallet with `usd` test stablecoin (base units) and not a wei of gas. */
    async function gaslessFan(usd = 1_000_000_000n): Promise<PrivateKeyAccount> {
      const fan = newAccount();
      const wallet = test.node.ledger.faucetWallet;
      assert.ok(wallet);
      if (usd > 0n) {
        await faucet(wallet, {
          deployment: test.node.ledger.deployment,
          to: fan.address,
          eth: 0n,
          fair: 0n,
          stablecoin: usd,
        });
      }
      assert.equal(await test.node.ledger.publicClient.getBalance({ address: fan.address }), 0n);
      return fan;
    }

    async function permit(fan: PrivateKeyAccount, periods: number, deadline: number, nonce = 0n) {
      return signSubscriptionPermit(fan, await terms(), { periods, nonce, deadline });
    }

    const chainSeconds = async () => Math.floor((await terms()).chainTime / 1000);

    before(async () => {
      test = await startTestNode(database, { port: 0 });
      api = (await test.node.listen()).replace(/\/$/, '');
    });
    after(() => test.close());

    it('tells the terms and everything a wallet signs to pay with a permit', async () => {
      const response = await get('/api/v1/subscriptions/terms');
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      const { contracts, roles } = test.node.ledger.deployment;
      const usd = contracts.TestStablecoin!.toLowerCase();
      assert.equal(body.vault, contracts.SubscriptionVault!.toLowerCase());
      assert.deepEqual(body.token, { address: usd, symbol: 'tUSD', decimals: 6 });
      assert.equal(body.pricePerPeriod, String(PRICE));
      assert.equal(body.periodSeconds, 30 * 24 * 3600);
      assert.equal(body.relayer, roles.operator.toLowerCase());
      assert.deepEqual(body.permit.domain, {
        name: 'Test USD',
        version: '1',
        chainId: 31337,
        verifyingContract: usd,
      });
      assert.equal(body.permit.primaryType, 'Permit');
      assert.equal(body.permit.spender, body.vault);
      assert.deepEqual(
        body.permit.types.Permit.map((field: { name: string }) => field.name),
        ['owner', 'spender', 'value', 'nonce', 'deadline'],
      );
      assert.ok(Math.abs(body.chainTime - Date.now()) < 60_000 || body.chainTime > Date.now());
    });

    it('subscribes a wallet without gas through the SDK: the fan pays the price, the operator the gas', async () => {
      const fan = await gaslessFan();
      const { publicClient, deployment } = test.node.ledger;
      const usd = deployment.contracts.TestStablecoin as Address;
      const before = await getTokenBalance(publicClient, { token: usd, address: fan.address });
      const fresh = (await get(`/api/v1/accounts/${fan.address}/subscription`)).json();
      assert.deepEqual(
        [fresh.active, fresh.startsAt, fresh.paidUntil, fresh.periods, fresh.permitNonce, fresh.balance],
        [false, null, null, 0, '0', String(before)],
      );

      const { token } = await signInWithSdk(createFairstreamClient({ baseUrl: api }), fan);
      const result = await subscribe(createFairstreamClient({ baseUrl: api, token }), fan, { periods: 2 });
      assert.equal(result.subscriber, fan.address.toLowerCase());
      assert.equal(result.amount, String(2n * PRICE));
      assert.equal(result.paidUntil - result.startsAt, 2 * 30 * 24 * 3600 * 1000);
      assert.match(result.transaction, /^0x[0-9a-f]{64}$/);

      assert.equal(
        await getTokenBalance(publicClient, { token: usd, address: fan.address }),
        before - 2n * PRICE,
      );
      assert.equal(await publicClient.getBalance({ address: fan.address }), 0n, 'the fan paid no gas');
      const onChain = await getSubscription(publicClient, { deployment, subscriber: fan.address });
      assert.equal(onChain.active, true);
      const status = (await get(`/api/v1/accounts/${fan.address}/subscription`)).json();
      assert.equal(status.active, true);
      assert.equal(status.startsAt, Number(onChain.start) * 1000);
      assert.equal(status.paidUntil, Number(onChain.end) * 1000);
      assert.equal(status.periods, 2);
      assert.equal(status.refundablePeriods, 1, 'the period in progress is not refundable');
      assert.equal(status.refundable, String(PRICE));
      assert.equal(status.paid, String(2n * PRICE));
      assert.equal(status.permitNonce, '1');
    });

    it('refuses a used permit, a forged one, a mismatched one and an expired one, saying what to fix', async () => {
      const fan = await gaslessFan();
      const token = await signIn(test.node, fan);
      const deadline = (await chainSeconds()) + 3600;
      const signature = await permit(fan, 1, deadline);

      const anonymous = await post(undefined, { periods: 1, deadline, signature });
      assert.equal(anonymous.statusCode, 401);

      const wrongPeriods = await post(token, { periods: 3, deadline, signature });
      assert.equal(wrongPeriods.statusCode, 401, wrongPeriods.body);
      assert.equal(wrongPeriods.json().error.code, 'invalid_signature');
      assert.match(
        wrongPeriods.json().error.message,
        /is not 0x[0-9a-f]{40}'s permit for 3 period\(s\): sign EIP-2612 Permit\(owner .*, value 15000000, nonce 0, deadline \d+\)/,
      );

      const someoneElse = await permit(newAccount(), 1, deadline);
      const forged = await post(token, { periods: 1, deadline, signature: someoneElse });
      assert.equal(forged.statusCode, 401);
      assert.equal(forged.json().error.code, 'invalid_signature');

      const garbage = await post(token, { periods: 1, deadline, signature: `0x${'00'.repeat(65)}` });
      assert.equal(garbage.statusCode, 400, garbage.body);
      assert.equal(garbage.json().error.code, 'invalid_signature');

      const past = (await chainSeconds()) - 10;
      const expired = await post(token, {
        periods: 1,
        deadline: past,
        signature: await permit(fan, 1, past),
      });
      assert.equal(expired.statusCode, 400);
      assert.equal(expired.json().error.code, 'permit_expired');
      assert.match(expired.json().error.message, /sign a new permit with a later deadline/);

      const paid = await post(token, { periods: 1, deadline, signature });
      assert.equal(paid.statusCode, 201, paid.body);
      const again = await post(token, { periods: 1, deadline, signature });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'permit_used');
      assert.match(again.json().error.message, /already used .* Sign a new permit/);
    });

    it('refuses a wallet that holds too little stablecoin, pointing at the faucet', async () => {
      const fan = await gaslessFan(3_000_000n);
      const token = await signIn(test.node, fan);
      const deadline = (await chainSeconds()) + 3600;
      const response = await post(token, { periods: 1, deadline, signature: await permit(fan, 1, deadline) });
      assert.equal(response.statusCode, 422, response.body);
      assert.equal(response.json().error.code, 'insufficient_balance');
      assert.equal(
        response.json().error.message,
        'Your wallet holds 3 tUSD; 1 period(s) cost 5 tUSD. On a dev chain, run `fairstream faucet` (or POST /api/v1/faucet) for test money.',
      );
      // Nothing was sent: the permit is still unused.
      const status = (await get(`/api/v1/accounts/${fan.address}/subscription`)).json();
      assert.equal(status.permitNonce, '0');
    });

    it('validates the body and the address', async () => {
      const fan = newAccount();
      const token = await signIn(test.node, fan);
      const deadline = (await chainSeconds()) + 3600;
      const signature = `0x${'ab'.repeat(65)}` as Hex;
      for (const [payload, pattern] of [
        [{ periods: 0, deadline, signature }, /periods must be >= 1/],
        [{ periods: 1000, deadline, signature }, /periods must be <= 999/],
        [{ periods: 1.5, deadline, signature }, /periods must be integer/],
        [{ periods: 1, deadline, signature: '0x1234' }, /signature must match pattern/],
        [{ periods: 1, signature }, /must have required property 'deadline'/],
        [{ periods: 1, deadline, signature, extra: true }, /must NOT have additional properties/],
      ] as const) {
        const response = await post(token, payload);
        assert.equal(response.statusCode, 400, JSON.stringify(payload));
        assert.equal(response.json().error.code, 'invalid_request');
        assert.match(response.json().error.message, pattern);
      }
      const badAddress = await get('/api/v1/accounts/0x1234/subscription');
      assert.equal(badAddress.statusCode, 400);
      assert.match(badAddress.json().error.message, /address must match pattern/);
    });

    it('lets an SDK client see a refusal as a FairstreamApiError', async () => {
      const fan = await gaslessFan(0n);
      const { token } = await signInWithSdk(createFairstreamClient({ baseUrl: api }), fan);
      await assert.rejects(
        subscribe(createFairstreamClient({ baseUrl: api, token }), fan, { periods: 1 }),
        (error) =>
          error instanceof FairstreamApiError &&
          error.status === 422 &&
          error.code === 'insufficient_balance',
      );
      // The permit the SDK signs is exactly the typed data the chain package builds.
      const terms = (await get('/api/v1/subscriptions/terms')).json();
      const ours = await signSubscriptionPermit(fan, terms, { periods: 2, nonce: 7n, deadline: 123 });
      const theirs = await fan.signTypedData(
        permitTypedData(
          { ...terms.permit.domain },
          {
            owner: fan.address,
            spender: terms.vault,
            value: 2n * PRICE,
            nonce: 7n,
            deadline: 123n,
          },
        ),
      );
      assert.equal(ours, theirs);
    });
  });
}
