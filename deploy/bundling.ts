/**
 * How the Lambda's artefact is built, in one place: the CDK app's function code and the tests
 * (and `npm run bundle`) build it with the same esbuild options, so the tests exercise what is
 * deployed.
 *
 * - ESM, everything inside (one entry file, and chunks of code loaded only when first used): the
 *   AWS SDK clients are bundled rather than taken from the runtime, so the artefact's SDK versions are the ones the tests ran, and it loads on any Node.js
 *   (Node 20 locally, the newest runtime on Lambda).
 * - `target: node20`: the oldest Node.js steady supports; the code stays valid on newer ones.
 * - Minified, but with names kept: steady's errors take their `name` from their class
 *   (`new.target.name`), and logs and reports show it.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BuildOptions, Plugin } from 'esbuild';

export const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The entry point: `controller/lambda/handler.ts`, export `handler`. */
export const HANDLER_ENTRY = path.join(REPOSITORY_ROOT, 'controller', 'lambda', 'handler.ts');

/** esbuild's `require` inside an ESM bundle, for the CommonJS packages in it (the X-Ray SDK, ...). */
const REQUIRE_BANNER = "import { createRequire as __steadyCreateRequire } from 'node:module'; const require = __steadyCreateRequire(import.meta.url);";

/** The options both builds share. */
export const BUNDLE = {
  target: 'node20',
  minify: true,
  keepNames: true,
  mainFields: ['module', 'main'],
  banner: REQUIRE_BANNER,
} as const;

/**
 * zod's main entry re-exports every translation of its error messages (`z.locales`, ~260 KB
 * minified); steady writes its own messages and uses none of them. The bundle replaces that
 * module with English only, which zod configures by default.
 */
const ZOD_ENGLISH_ONLY: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|mini|core)[\\/]/.test(args.importer) ? { path: 'zod-locales-en', namespace: 'steady-stub' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'steady-stub' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: REPOSITORY_ROOT,
      loader: 'js',
    }));
  },
};

/**
 * The function's code: built by `buildHandlerBundle` in a child process when the CDK app is
 * synthesized (no Docker), so the deployed file is exactly what `npm run bundle` and the tests
 * build.
 */
export function handlerCode(): lambda.Code {
  return lambda.Code.fromAsset(path.join(REPOSITORY_ROOT, 'controller'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the API; never used, because local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:20'),
      local: {
        tryBundle(outputDir: string): boolean {
          execFileSync(process.execPath, ['--import', 'tsx', path.join(REPOSITORY_ROOT, 'deploy', 'bundle.ts'), outputDir], { stdio: 'inherit', cwd: REPOSITORY_ROOT });
          return true;
        },
      },
    },
  });
}

/**
 * esbuild's options for bundling `entry` into `outfile` as the Lambda artefact is built; the
 * benchmark bundles with the same ones. Code that is imported with `import()` (clients of calls
 * most passes never make: SSM and Secrets Manager for a webhook URL, CloudFront for an alias to a
 * distribution or a maintenance page, CodeDeploy for blue/green services, STS for another account,
 * SES for an email, SQS for fanning out; X-Ray's SDK when tracing is on) goes into chunks beside
 * it, in `chunks/`, loaded when first used rather than at every cold start
 * (`controller/lambda/cold-start.test.ts` keeps them there).
 */
export function bundleOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outdir: path.dirname(outfile),
    entryNames: path.basename(outfile, '.mjs'),
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE.target,
    minify: BUNDLE.minify,
    keepNames: BUNDLE.keepNames,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    external: [],
    plugins: [ZOD_ENGLISH_ONLY],
    logLevel: 'error',
  };
}

/**
 * Builds the artefact into `outdir/index.mjs` (what the function deploys; its lazily loaded chunks
 * in `outdir/chunks/`) and returns its path and size, and the size of all its files.
 *
 * @example
 * const { file, bytes } = await buildHandlerBundle(mkdtempSync(path.join(tmpdir(), 'steady-')));
 */
export async function buildHandlerBundle(outdir: string): Promise<{ file: string; bytes: number; totalBytes: number; chunks: string[] }> {
  const esbuild = await import('esbuild');
  const file = path.join(outdir, 'index.mjs');
  const out = await esbuild.build({ ...bundleOptions(HANDLER_ENTRY, file), metafile: true });
  const outputs = Object.keys(out.metafile.outputs).map((o) => path.resolve(o));
  return {
    file,
    bytes: statSync(file).size,
    totalBytes: outputs.reduce((n, o) => n + statSync(o).size, 0),
    chunks: outputs.filter((o) => o !== file).map((o) => path.relative(outdir, o)).sort(),
  };
}
