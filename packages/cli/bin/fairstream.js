#!/usr/bin/env node
// The CLI is TypeScript run by Node's type stripping (Node 22.18+). When the Node on PATH is older,
// run it with the Node the project installs (the `node` npm package) instead of failing.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number);
if (major > 22 || (major === 22 && minor >= 18)) {
  await import(main);
} else {
  let nodeBinary;
  try {
    nodeBinary = createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    console.error(
      `fairstream needs Node 22.18 or newer (this is ${process.version}); run \`npm install\` in the Fairstream folder.`,
    );
    process.exit(1);
  }
  const result = spawnSync(nodeBinary, [main, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
