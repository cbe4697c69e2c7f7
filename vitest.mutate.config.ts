/**
 * The test configuration `npm run mutate` (Stryker) runs each mutant with: the normal one, without
 * the tests that cannot tell mutants apart or cannot run in Stryker's sandbox, and with room for a
 * busy machine. Left out: tests that run steady in a child process (the mutant lives in Stryker's
 * process, so they cannot see it, and each costs seconds), the bundle and CDK tests (esbuild and
 * synth of code outside the mutated folders), the repository-structure test (it asks git, and the
 * sandbox is no git checkout), the browser tests and the benchmark's sanity test. With
 * STEADY_MUTATE_TESTS=controller/<folder> (`npm run mutate -- --own-tests`) only that folder's tests run;
 * it may name several folders or globs, comma-separated (`--tests`).
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Spread, not mergeConfig: mergeConfig concatenates `include`, which would keep every test.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: process.env.STEADY_MUTATE_TESTS
      ? process.env.STEADY_MUTATE_TESTS.split(',').map((t) => (t.endsWith('.ts') ? t : `${t}/**/*.test.ts`))
      : base.test!.include,
    exclude: [
      '**/node_modules/**',
      'controller/cli/binary.test.ts',
      'controller/cli/spawn.test.ts',
      'controller/lambda/bundle.test.ts',
      'controller/structure.test.ts',
      'controller/status-page/browser.test.ts',
      'deploy/**',
      'bench/**',
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
