import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabases } from '../testing/databases.ts';
import { newAccount, signedLogin, startTestNode, type TestNode } from '../testing/test-node.ts';

for (const database of testDatabases()) {
  describe(`sign-in with Ethereum on ${database.name}`, () => {
    let test: TestNode;
    before(async () => {
      test = await startTestNode(database);
    });
    after(() => test.close());
    const login = (payload: object) =>
      test.node.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });

    it('signs in with a signed EIP-4361 message and keeps the session by bearer token and cookie', async () => {
      const account = newAccount();
      const response = await login(await signedLogin(test.node, account));
      assert.equal(response.statusCode, 200, response.body);
      const { token, address } = response.json();
      assert.equal(address, account.address.toLowerCase());
      const cookie = response.cookies.find((c) => c.name === 'fairstream_session');
      assert.equal(cookie?.httpOnly, true);
      const byBearer = await test.node.app.inject({
        method: 'GET',
        url: '/api/v1/auth/session',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(byBearer.json().address, address);
      const byCookie = await test.node.app.inject({
        method: 'GET',
        url: '/api/v1/auth/session',
        cookies: { fairstream_session: token },
      });
      assert.equal(byCookie.json().address, address);

      const logout = await test.node.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(logout.statusCode, 204);
      const after = await test.node.app.inject({
        method: 'GET',
        url: '/api/v1/auth/session',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(after.statusCode, 401);
    });

    it('refuses a replayed sign-in: the nonce is single-use', async () => {
      const body = await signedLogin(test.node, newAccount());
      assert.equal((await login(body)).statusCode, 200);
      const replay = await login(body);
      assert.equal(replay.statusCode, 401);
      assert.match(replay.json().error.message, /nonce was already used/);
    });

    it('refuses an expired message', async () => {
      const body = await signedLogin(test.node, newAccount(), {
        issuedAt: new Date(Date.now() - 3_600_000),
        expirationTime: new Date(Date.now() - 60_000),
      });
      const response = await login(body);
      assert.equal(response.statusCode, 401);
      assert.match(response.json().error.message, /expired/);
    });

    it('refuses a message for another domain or chain, a nonce it never issued, and a forged signature', async () => {
      const account = newAccount();
      assert.equal(
        (await login(await signedLogin(test.node, account, { domain: 'evil.example' }))).statusCode,
        401,
      );
      assert.equal((await login(await signedLogin(test.node, account, { chainId: 1 }))).statusCode, 401);
      assert.equal(
        (await login(await signedLogin(test.node, account, { nonce: 'neverissued123' }))).statusCode,
        401,
      );
      const genuine = await signedLogin(test.node, account);
      const forged = { ...genuine, signature: await newAccount().signMessage({ message: genuine.message }) };
      const response = await login(forged);
      assert.equal(response.statusCode, 401);
      assert.match(response.json().error.message, /signature does not match/);
      // The forged attempt must not have burned the genuine nonce.
      assert.equal((await login(genuine)).statusCode, 200);
    });

    it('refuses malformed input with 400', async () => {
      assert.equal((await login({ message: 'hello', signature: '0x1234' })).statusCode, 400);
      assert.equal((await login({ message: 'hello' })).statusCode, 400);
      assert.equal((await login({ message: 'x', signature: 'not hex' })).statusCode, 400);
      const notSiwe = await login({ message: 'just some text', signature: `0x${'ab'.repeat(65)}` });
      assert.equal(notSiwe.statusCode, 400);
      assert.equal(notSiwe.json().error.code, 'invalid_siwe_message');
    });
  });
}
