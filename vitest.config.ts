import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Integration tests start daemons, pseudo-terminals and brokers: keep CPU contention bounded on 2 cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
