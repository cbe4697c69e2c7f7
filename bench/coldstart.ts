/**
 * Cold start: the entry point bundled as the Lambda would deploy it (esbuild, minified, Node
 * target, the AWS SDK clients inside the bundle, code imported with `import()` in chunks loaded when
 * first used), the size of what a cold start loads, and how long a fresh `node` process takes to
 * import it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { BUNDLE, bundleOptions } from '../deploy/bundling.js';
import { median } from './stats.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The Lambda handler: what is deployed, and so what is measured by default. */
export const HANDLER_ENTRY = 'controller/lambda/handler.ts';

/** ESM bundles of CommonJS packages call `require` for Node built-ins; the deployed artefact's banner gives them one. */
export const ESM_REQUIRE_BANNER = BUNDLE.banner;

export interface BundleResult {
  file: string;
  /** What a cold start loads: the entry file and the chunks it imports statically (gzip: the same). */
  bytes: number;
  gzipBytes: number;
  /** Every file of the artefact, the chunks loaded only when first used (`import()`) included. */
  totalBytes?: number;
  /** Files a cold start loads, and all files. */
  files?: { loaded: number; all: number };
  /** The biggest inputs by bytes in the output, package-level (`@aws-sdk/client-ecs`, `controller/`). */
  largest: { input: string; bytes: number }[];
}

/**
 * Bundles `entry` (relative to the repository root) into `outDir`.
 *
 * @example
 * const bundle = await bundleEntry('controller/pass.ts', await mkdtemp('/tmp/steady-'));
 */
export async function bundleEntry(entry: string, outDir: string): Promise<BundleResult> {
  const file = path.join(outDir, `${path.basename(entry, path.extname(entry))}.mjs`);
  // Exactly the options the deployed artefact is built with.
  const out = await build({ ...bundleOptions(path.resolve(REPO_ROOT, entry), file), absWorkingDir: REPO_ROOT, metafile: true, logLevel: 'silent' });
  const outputs = out.metafile!.outputs;
  const entryKey = Object.keys(outputs).find((o) => path.resolve(REPO_ROOT, o) === file)!;
  // The files a cold start loads: the entry and, transitively, the chunks it imports statically.
  const loaded = new Set<string>();
  const visit = (key: string) => {
    if (loaded.has(key)) return;
    loaded.add(key);
    for (const i of outputs[key].imports) if (i.kind === 'import-statement' && outputs[i.path]) visit(i.path);
  };
  visit(entryKey);
  const contents = await Promise.all([...loaded].map((o) => readFile(path.resolve(REPO_ROOT, o))));
  return {
    file,
    bytes: contents.reduce((n, c) => n + c.length, 0),
    gzipBytes: contents.reduce((n, c) => n + gzipSync(c).length, 0),
    totalBytes: Object.values(outputs).reduce((n, o) => n + o.bytes, 0),
    files: { loaded: loaded.size, all: Object.keys(outputs).length },
    largest: largestInputs(out.metafile!, [...loaded].map((o) => path.resolve(REPO_ROOT, o))),
  };
}

function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m) return m[1];
  return input.split('/')[0] + '/';
}

function largestInputs(meta: Metafile, files: string[]): { input: string; bytes: number }[] {
  const byPackage = new Map<string, number>();
  for (const [name, output] of Object.entries(meta.outputs)) {
    if (!files.includes(path.resolve(REPO_ROOT, name))) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage].map(([input, bytes]) => ({ input, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 8);
}

export interface LoadTimes {
  runs: number;
  /** `import()` of the bundle inside a fresh process, median and all runs (ms). */
  importMs: number;
  /** The slowest of the runs (ms). */
  importMaxMs: number;
  importRuns: number[];
  /** The whole process, spawn to exit (Node's own start-up included), median (ms). */
  processMs: number;
}

/**
 * Imports `file` in `runs` fresh `node` processes, one after the other, and takes the medians.
 */
export async function measureLoad(file: string, runs: number): Promise<LoadTimes> {
  const probe = path.join(await mkdtemp(path.join(tmpdir(), 'steady-load-')), 'probe.mjs');
  await writeFile(
    probe,
    `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(JSON.stringify({ importMs: performance.now() - t }));\n`,
  );
  const imports: number[] = [];
  const processes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    // The handler checks its configuration when it loads, as on Lambda: give it one.
    const stdout = await run(process.execPath, [probe], { ...process.env, STEADY_SPEC_BUCKET: 'bench-specs', STEADY_TABLE: 'bench-state', AWS_REGION: process.env.AWS_REGION ?? 'ap-northeast-1' });
    processes.push(performance.now() - start);
    imports.push(JSON.parse(stdout).importMs);
  }
  const r = (n: number) => Math.round(n * 10) / 10;
  return { runs, importMs: r(median(imports)), importMaxMs: r(Math.max(...imports)), importRuns: imports.map(r), processMs: r(median(processes)) };
}

/** Runs a command; resolves with its stdout, rejects with its stderr if it fails. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${path.basename(command)} ${args.join(' ')} exited with ${code}:\n${stderr.trim()}`))));
  });
}
