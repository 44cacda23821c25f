/**
 * Builds the web app into web/dist for the node to serve (`npm start` runs this first; about a
 * second). `--if-missing` skips the build when web/dist already has an app.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../web/', import.meta.url));
if (process.argv.includes('--if-missing') && existsSync(`${root}dist/index.html`)) process.exit(0);

const started = performance.now();
const { build } = await import('vite');
try {
  await build({ root, configFile: `${root}vite.config.ts`, logLevel: 'warn' });
} catch (error) {
  console.error(`The web app did not build: ${(error as Error).message}`);
  console.error(
    'The node can still start with --web none (API only). Run `npm install` if a package is missing.',
  );
  process.exit(1);
}
console.log(`web app built in ${Math.round(performance.now() - started)} ms`);
