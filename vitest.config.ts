import { defineConfig } from 'vitest/config';

/**
 * Two groups: everything else first, then the fault tests that restart Postgres, Redis and NATS,
 * one file at a time. A restart under other service-backed tests would fail them for no fault of theirs.
 */
const SERVICE_FAULTS = 'test/faults/services/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    env: {
      // The AWS SDK (DynamoDB suites) warns once per process that its releases after January 2027 will
      // need Node 22. It is about future versions, not the pinned one we run; every test worker and
      // spawned server repeated it. This is the SDK's own switch for that one notice; other warnings stay.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [SERVICE_FAULTS, '**/node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'service-faults',
          include: [SERVICE_FAULTS],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
