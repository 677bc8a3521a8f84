import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for the Apollo packages; Vite would give our code the
    // ESM build, and graphql-js refuses to mix types from two copies of itself.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // One embedded engine for the whole run; each test file works in databases of its own.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: files in parallel would mostly fight over the one engine.
    fileParallelism: false,
  },
});
