import { defineConfig } from 'vitest/config';

// The cluster test compares a 2 + 2 cluster's accuracy with one process's. Asynchrony is part of what
// it measures, and other test files competing for the 2 cores move it (61.5 % against 64.1 % in one
// CI run). So it runs alone, after everything else.
const alone = ['test/cli/cluster.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'parallel', include: ['test/**/*.test.ts'], exclude: alone, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'alone', include: alone, sequence: { groupOrder: 1 } } },
    ],
  },
});
