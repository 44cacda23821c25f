import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { webAppRoutes } from './web.routes.ts';

async function appServing(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(webAppRoutes({ root, publicUrl: 'http://127.0.0.1:4000' }));
  return app;
}

describe('the web app routes', () => {
  let root: string;
  let app: FastifyInstance;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fairstream-web-'));
    await mkdir(join(root, 'dist', 'assets'), { recursive: true });
    await writeFile(join(root, 'dist', 'index.html'), '<!doctype html><title>Fairstream</title>');
    await writeFile(join(root, 'dist', 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(join(root, 'secret.txt'), 'not for the web');
    app = await appServing(join(root, 'dist'));
  });

  after(async () => {
    await app.close();
    await rm(root, { recursive: true, force: true });
  });

  it('answers every app path with index.html, so deep links and reloads work', async () => {
    for (const url of [
      '/',
      '/search?q=x',
      '/u/someone?tab=reposts',
      '/explorer/epochs/3',
      '/apps/com.example.player',
    ]) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.match(response.body, /<title>Fairstream<\/title>/);
      assert.equal(response.headers['cache-control'], 'no-cache');
      assert.match(String(response.headers['content-security-policy']), /default-src 'self'/);
    }
  });

  it('serves hashed assets with immutable caching and their content type', async () => {
    const response = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body, 'console.log(1)');
    assert.match(String(response.headers['content-type']), /^text\/javascript/);
    assert.match(String(response.headers['cache-control']), /immutable/);
  });

  it('refuses a missing asset with 404 instead of handing out the app', async () => {
    for (const url of ['/assets/index-old.js', '/favicon-old.ico']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json().error.code, 'not_found');
    }
  });

  it('never serves a file outside its folder, however the path is spelled', async () => {
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%E0%A4%A']) {
      const response = await app.inject({ url });
      assert.doesNotMatch(response.body, /not for the web/, url);
    }
  });

  it('leaves the API paths to the API: an unknown one is a JSON 404, not the app', async () => {
    const response = await app.inject({ url: '/api/v1/no-such-thing' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().error.code, 'not_found');
  });

  it('says how to build the app when it has not been built', async () => {
    const bare = await appServing(join(root, 'nowhere'));
    const response = await bare.inject({ url: '/' });
    assert.equal(response.statusCode, 503);
    assert.match(response.body, /npm run build/);
    await bare.close();
  });
});
