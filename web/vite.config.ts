import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// In development (`npm run dev -w @fairstream/web`) the API comes from a node started with `npm start`.
const node = process.env.FAIRSTREAM_API ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    sourcemap: true,
    // Budgets are checked by bench/web.ts; a warning here is an early hint.
    chunkSizeWarningLimit: 400,
  },
  // Module workers: the ledger explorer's verification worker uses top-level await (the keccak WASM).
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(['/api', '/blobs', '/t', '/embed', '/oembed'].map((path) => [path, node])),
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
