import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['controller/**/*.test.ts', 'deploy/**/*.test.ts', 'bench/**/*.test.ts'],
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Never let a test reach a real account: credentials and region are fake, and every client a
      // test builds is either attached to the simulated account or pointed at a local server.
      AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTESTTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret-key',
      AWS_REGION: 'ap-northeast-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      NO_COLOR: '1',
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
