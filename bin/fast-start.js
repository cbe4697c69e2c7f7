// @ts-check
/**
 * The fast start of `steady`. Its command definitions (controller/cli/main.ts and commands/, which
 * load only commander) are compiled once with esbuild into a JavaScript bundle kept in the user's
 * cache folder, and imported from there without the TypeScript loader: `steady --help` and
 * `steady --version` start as fast as Node does. A command's own code is not in the bundle: the
 * bundle imports it from the TypeScript sources when the command runs, through tsx (see
 * docs/architecture.md, "The CLI").
 *
 * The bundle is rebuilt whenever one of its inputs changes (their SHA-1s are kept beside it), so it
 * never runs stale code. Anything wrong here (no esbuild, a cache folder that cannot be written)
 * makes bin/steady.js fall back to loading everything through tsx: slower, never wrong.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The CLI's entry: what `steady --help` needs, and nothing more. */
export const CLI_ENTRY = path.join(ROOT, 'controller', 'cli', 'main.ts');
/** esbuild's `require` inside an ESM bundle, for the CommonJS packages in it (commander, picocolors). */
const REQUIRE_BANNER = "import { createRequire as __steadyCreateRequire } from 'node:module'; const require = __steadyCreateRequire(import.meta.url);";

/** @param {string | Uint8Array} content */
const sha1 = (content) => createHash('sha1').update(content).digest('hex');

/**
 * Where the bundle of this checkout (or installed package) is kept, per Node version:
 * `$XDG_CACHE_HOME/steady/` or `~/.cache/steady/`.
 * @param {NodeJS.ProcessEnv} [env]
 */
export function cacheDir(env = process.env) {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'steady', `cli-${sha1(`${ROOT}\0${process.version}`).slice(0, 16)}`);
}

/**
 * The esbuild options of the bundle: the entry and everything it imports statically (commander
 * included), with every dynamic `import()` left out, pointed at its TypeScript source.
 * @param {string} outfile
 * @returns {import('esbuild').BuildOptions}
 */
export function bundleOptions(outfile) {
  return {
    entryPoints: [CLI_ENTRY],
    outfile,
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: REQUIRE_BANNER },
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'commands-stay-lazy',
        setup(build) {
          build.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind !== 'dynamic-import') return undefined;
            const source = path.resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
            return { path: pathToFileURL(existsSync(source) ? source : path.resolve(args.resolveDir, args.path)).href, external: true };
          });
        },
      },
    ],
  };
}

/**
 * The path of an up-to-date bundle, built first when there is none or one of its inputs changed.
 * @param {string} [dir]
 * @returns {Promise<string>}
 */
export async function cliBundle(dir = cacheDir()) {
  const manifestFile = path.join(dir, 'manifest.json');
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    const fresh = Object.entries(manifest.inputs).every(([file, hash]) => existsSync(path.join(ROOT, file)) && sha1(readFileSync(path.join(ROOT, file))) === hash);
    if (fresh && existsSync(path.join(dir, manifest.bundle))) return path.join(dir, manifest.bundle);
  } catch {
    // No manifest yet, or a damaged one: build.
  }
  const esbuild = await import('esbuild');
  const result = await esbuild.build(bundleOptions(path.join(dir, 'cli.mjs')));
  const code = /** @type {import('esbuild').OutputFile[]} */ (result.outputFiles)[0].contents;
  /** @type {Record<string, string>} */
  const inputs = {};
  for (const input of Object.keys(result.metafile?.inputs ?? {})) inputs[input] = sha1(readFileSync(path.join(ROOT, input)));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const bundle = `cli-${sha1(code).slice(0, 16)}.mjs`;
  writeAtomically(path.join(dir, bundle), code);
  writeAtomically(manifestFile, JSON.stringify({ bundle, inputs }, null, 2));
  // Earlier bundles are never used again (a process still starting from one falls back to tsx).
  for (const old of readdirSync(dir)) if (/^cli-[0-9a-f]{16}\.mjs$/.test(old) && old !== bundle) rmSync(path.join(dir, old), { force: true });
  return path.join(dir, bundle);
}

/**
 * Writes a file whole or not at all: two processes building at once never see half a file.
 * @param {string} file
 * @param {string | Uint8Array} content
 */
function writeAtomically(file, content) {
  const temporary = `${file}.${process.pid}.${Math.random().toString(16).slice(2)}`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, file);
}
