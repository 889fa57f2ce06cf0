import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    env: {
      // The AWS SDK (DynamoDB suites) warns once per process that its releases after January 2027 will
      // need Node 22. It is about future versions, not the pinned one we run; every test worker and
      // spawned server repeated it. This is the SDK's own switch for that one notice; other warnings stay.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
