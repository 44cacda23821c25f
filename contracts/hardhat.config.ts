import { createRequire } from 'node:module';
import hardhatNetworkHelpers from '@nomicfoundation/hardhat-network-helpers';
import hardhatNodeTestRunner from '@nomicfoundation/hardhat-node-test-runner';
import hardhatViem from '@nomicfoundation/hardhat-viem';
import hardhatViemAssertions from '@nomicfoundation/hardhat-viem-assertions';
import { defineConfig } from 'hardhat/config';

// The Solidity compiler comes from the `solc` npm package (soljson.js, the official WASM build), never
// from binaries.soliditylang.org: builds work offline and every machine uses the very same compiler.
// Hardhat treats a `path` that is not a native binary as solc-js, reads its long version from it, and
// skips its download step for that compiler. `version` must equal the package's version.
const require = createRequire(import.meta.url);
const solcVersion: string = require('solc/package.json').version;
const solcPath = require.resolve('solc/soljson.js');

export default defineConfig({
  plugins: [hardhatViem, hardhatViemAssertions, hardhatNetworkHelpers, hardhatNodeTestRunner],
  paths: {
    sources: 'src',
    tests: { solidity: 'test', nodejs: 'test' },
  },
  solidity: {
    // One compiler, one set of settings: the `default` (tests) and `production` profiles build the
    // same bytecode.
    version: solcVersion,
    path: solcPath,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'prague',
    },
  },
  test: {
    solidity: {
      fuzz: { runs: 256 },
      invariant: { runs: 64, depth: 32, failOnRevert: true },
    },
  },
});
