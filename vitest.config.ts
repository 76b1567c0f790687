import { defineConfig } from 'vitest/config';

// Three kinds of test, one run: `npm test` runs them all. Integration and
// end-to-end tests start real servers, databases and browsers, so they get
// longer timeouts. The kinds run one after another (groupOrder): a browser
// waiting on its page should not share two cores with a 5,000-socket burst.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
