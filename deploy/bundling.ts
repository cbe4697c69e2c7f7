/**
 * How the Lambda's artefact is built, in one place: the CDK app's `NodejsFunction` and the tests
 * (and `npm run bundle`) build it with the same esbuild options, so the tests exercise what is
 * deployed.
 *
 * - ESM, one file, everything inside: the AWS SDK clients are bundled rather than taken from the
 *   runtime, so the artefact's SDK versions are the ones the tests ran, and it loads on any Node.js
 *   (Node 20 locally, the newest runtime on Lambda).
 * - `target: node20`: the oldest Node.js steady supports; the code stays valid on newer ones.
 * - Minified, but with names kept: steady's errors take their `name` from their class
 *   (`new.target.name`), and logs and reports show it.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

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

/** `NodejsFunction`'s `bundling`. */
export function lambdaBundling(): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: BUNDLE.target,
    minify: BUNDLE.minify,
    keepNames: BUNDLE.keepNames,
    mainFields: [...BUNDLE.mainFields],
    banner: BUNDLE.banner,
    sourceMap: false,
    // Bundle the SDK too (the default leaves @aws-sdk/* to the runtime).
    bundleAwsSDK: true,
    externalModules: [],
    forceDockerBundling: false,
  };
}

/**
 * Builds the artefact into `outdir/index.mjs` (what `NodejsFunction` deploys) and returns its
 * path and size.
 *
 * @example
 * const { file, bytes } = await buildHandlerBundle(mkdtempSync(path.join(tmpdir(), 'steady-')));
 */
export async function buildHandlerBundle(outdir: string): Promise<{ file: string; bytes: number }> {
  const esbuild = await import('esbuild');
  const file = path.join(outdir, 'index.mjs');
  await esbuild.build({
    entryPoints: [HANDLER_ENTRY],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE.target,
    minify: BUNDLE.minify,
    keepNames: BUNDLE.keepNames,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    external: [],
    logLevel: 'error',
  });
  return { file, bytes: statSync(file).size };
}
