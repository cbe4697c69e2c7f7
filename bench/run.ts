/**
 * `npm run bench`: the passes production runs, on a simulated account that enforces AWS's rate
 * limits, at 10, 100, 1,000 and 5,000 services, against an independent minimum of API calls and a
 * naive per-service controller, with the time they would take on AWS, memory, CPU, heal times,
 * cold start and the CLI's start-up (`steady --help`, `--version`). Writes
 * bench/results/results.{json,md} and prints the Markdown. See bench/README.md.
 *
 *   npm run bench -- [--sizes 10,100,1000,5000] [--latency 40] [--quick]
 *                    [--entry controller/lambda/handler.ts] [--load-runs 10] [--out-dir bench/results] [--no-write]
 *                    [--org 200x20] [--org-concurrency 10] [--only-org] [--only-start]
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import pc from 'picocolors';
import { bundleEntry, ESM_REQUIRE_BANNER, HANDLER_ENTRY, measureLoad, REPO_ROOT, run } from './coldstart.js';
import type { OrganisationResult } from './organisation.js';
import { checkTargets, renderMarkdown, type BenchResults, type OrganisationRow } from './report.js';
import type { SizeResult } from './scenario.js';
import { measureStartup } from './startup.js';
import { measureStatusPage } from './status-page.js';

const USAGE = `usage: npm run bench -- [options]
  --sizes 10,100,1000,5000  environment sizes (services); --quick defaults to 10,100
  --latency 40          simulated latency of every API call (ms)
  --entry FILE          entry point for the cold-start bundle (default: the Lambda handler)
  --load-runs 10        fresh processes for the load-time median (--quick: 3)
  --quick               fewer sizes and runs, no check pass after the drift pass
  --out-dir DIR         where results go (default bench/results)
  --no-write            print only
  --keep DIR            keep each size's results in DIR/size-N.json, and take a size from there
                        instead of running it when the file exists (run the big sizes once, apart)
  --sizes-only          run the sizes (into --keep) and stop: no status page, cold start or results
  --org 200x20          the organisation row: environments x services (3 accounts, 2 Regions); --quick: 20x20; none: skip it
  --org-concurrency 10  workers at once (the SQS event source's maximumConcurrency)
  --only-org            measure only the organisation row; keep the other rows of the results in --out-dir
  --only-start          measure only the cold start and the CLI start-up (on a quiet machine); keep the other rows`;

function parse() {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      latency: { type: 'string', default: '40' },
      entry: { type: 'string' },
      'load-runs': { type: 'string' },
      quick: { type: 'boolean', default: false },
      'out-dir': { type: 'string', default: 'bench/results' },
      'no-write': { type: 'boolean', default: false },
      keep: { type: 'string' },
      'sizes-only': { type: 'boolean', default: false },
      org: { type: 'string' },
      'org-concurrency': { type: 'string', default: '10' },
      'only-org': { type: 'boolean', default: false },
      'only-start': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name: string, v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} expects a number, got ${v}\n${USAGE}`);
    return n;
  };
  const sizes = (values.sizes ?? (values.quick ? '10,100' : '10,100,1000,5000')).split(',').map((s) => number('sizes', s.trim()));
  const orgText = values.org ?? (values.quick ? '20x20' : '200x20');
  const org = /^(\d+)x(\d+)$/.exec(orgText);
  if (!org && orgText !== 'none') throw new Error(`--org expects ENVIRONMENTSxSERVICES (e.g. 200x20) or none, got ${orgText}\n${USAGE}`);
  if (values['only-org'] && !org) throw new Error(`--only-org with --org none measures nothing\n${USAGE}`);
  if (values['only-org'] && values['only-start']) throw new Error(`--only-org and --only-start measure different rows: give one\n${USAGE}`);
  return {
    sizes,
    latencyMs: number('latency', values.latency!),
    entry: values.entry ?? HANDLER_ENTRY,
    loadRuns: number('load-runs', values['load-runs'] ?? (values.quick ? '3' : '10')),
    quick: values.quick!,
    outDir: path.resolve(REPO_ROOT, values['out-dir']!),
    write: !values['no-write'],
    keep: values.keep ? path.resolve(REPO_ROOT, values.keep) : undefined,
    sizesOnly: values['sizes-only']!,
    org: org ? { environments: Number(org[1]), services: Number(org[2]), concurrency: number('org-concurrency', values['org-concurrency']!) } : undefined,
    onlyOrg: values['only-org']!,
    onlyStart: values['only-start']!,
  };
}

type Options = ReturnType<typeof parse>;

const say = (line: string) => process.stderr.write(`${pc.dim('[bench]')} ${line}\n`);

async function gitState(): Promise<{ commit: string; dirty: boolean }> {
  try {
    const commit = (await run('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD'])).trim();
    const status = await run('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', '.', ':(exclude)bench/results']);
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

/** Bundles a child script (`child.ts`, `org-child.ts`) to run in a fresh Node process, no TypeScript loader in it. */
async function bundleChild(entry: string, outfile: string, external: string[] = []): Promise<string> {
  await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    // The simulated account and countCalls tell SDK clients apart by class name.
    keepNames: true,
    banner: { js: ESM_REQUIRE_BANNER },
    external,
  });
  return outfile;
}

const CHILD_ENV = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** Each size in a fresh process: its peak RSS is its own. */
async function measureSizes(options: Options, work: string): Promise<SizeResult[]> {
  const child = await bundleChild('bench/child.ts', path.join(work, 'child.mjs'));
  const sizes: SizeResult[] = [];
  if (options.keep) await mkdir(options.keep, { recursive: true });
  for (const size of options.sizes) {
    const kept = options.keep && path.join(options.keep, `size-${size}.json`);
    if (kept && existsSync(kept)) {
      say(`${size} services: taken from ${path.relative(process.cwd(), kept)}`);
      sizes.push(JSON.parse(await readFile(kept, 'utf8')) as SizeResult);
      continue;
    }
    const started = performance.now();
    const loadAtStart = os.loadavg()[0];
    say(`${size} services: first pass, a cold and 10 warm no-drift passes, the naive controller, the drift pass${options.quick ? '' : ', check pass'} (${options.latencyMs} ms simulated latency, AWS's rate limits; load average ${loadAtStart.toFixed(1)}) ...`);
    const out = kept || path.join(work, `size-${size}.json`);
    const args = ['--expose-gc', child, '--size', String(size), '--latency', String(options.latencyMs), '--out', out];
    await run(process.execPath, options.quick ? [...args, '--skip-verify'] : args, CHILD_ENV);
    // The machine is shared: the load around the run says how far its real times can be trusted.
    const result = { ...(JSON.parse(await readFile(out, 'utf8')) as SizeResult), loadAverage: [Number(loadAtStart.toFixed(2)), Number(os.loadavg()[0].toFixed(2))] as [number, number] };
    await writeFile(out, JSON.stringify(result));
    sizes.push(result);
    say(`${size} services: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  return sizes;
}

/**
 * The organisation, then one environment with one worker container in a process of its own (its
 * peak RSS: a worker's). The local servers' packages stay outside the bundle (native modules), so
 * it is written where Node finds them: under the repository's node_modules.
 */
async function measureOrganisation(options: Options, commit: string): Promise<OrganisationRow> {
  const org = options.org!;
  const dir = path.join(REPO_ROOT, 'node_modules', '.cache', 'steady-bench');
  await mkdir(dir, { recursive: true });
  const child = await bundleChild('bench/org-child.ts', path.join(dir, 'org-child.mjs'), ['dynalite', 's3rver', 'aws-ses-v2-local']);
  const one = async (environments: number, concurrency: number) => {
    const out = path.join(dir, `org-${environments}.json`);
    const args = ['--expose-gc', child, '--environments', String(environments), '--services', String(org.services), '--concurrency', String(concurrency), '--latency', String(options.latencyMs), '--out', out];
    await run(process.execPath, args, CHILD_ENV);
    return JSON.parse(await readFile(out, 'utf8')) as OrganisationResult;
  };
  const started = performance.now();
  say(`organisation: ${org.environments} environments x ${org.services} services in 3 accounts and 2 Regions, ${org.concurrency} workers at once: a first tick, then a tick with nothing to change ...`);
  const result = await one(org.environments, org.concurrency);
  say(`organisation: one worker container, one environment, for its peak RSS ...`);
  const worker = await one(1, 1);
  say(`organisation: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { measuredAt: new Date().toISOString(), commit, result, worker };
}

/** The cold start and the CLI's start-up; `alone` (a commit) when measured apart from the other rows (`--only-start`). */
async function measureStart(options: Options, work: string, alone?: string): Promise<Pick<BenchResults, 'coldStart' | 'cliStartup'>> {
  const loadAverage = os.loadavg()[0];
  say(`cold start: bundling ${options.entry}, importing it in ${options.loadRuns} fresh processes (load average ${loadAverage.toFixed(1)}) ...`);
  const { file, ...bundle } = await bundleEntry(options.entry, work);
  const load = await measureLoad(file, options.loadRuns);
  say(`CLI start-up: steady --version, --help and plan --help, ${options.loadRuns} fresh processes each ...`);
  const cliStartup = await measureStartup(options.loadRuns);
  const measured = alone ? { measured: { at: new Date().toISOString(), commit: alone, loadAverage: Number(loadAverage.toFixed(1)) } } : {};
  return { coldStart: { entry: options.entry, bundle, load, ...measured }, cliStartup };
}

async function main(): Promise<void> {
  const options = parse();
  const work = await mkdtemp(path.join(os.tmpdir(), 'steady-bench-'));
  try {
    const { commit, dirty } = await gitState();
    let partial: Omit<BenchResults, 'targets'>;
    if (options.onlyOrg || options.onlyStart) {
      // The other rows as last committed; only the organisation, or only the start-up rows, are measured again.
      const { targets: _, ...kept } = JSON.parse(await readFile(path.join(options.outDir, 'results.json'), 'utf8')) as BenchResults;
      const at = `${commit}${dirty ? ' (with uncommitted changes)' : ''}`;
      partial = options.onlyOrg ? { ...kept, organisation: await measureOrganisation(options, at) } : { ...kept, ...(await measureStart(options, work, at)) };
    } else {
      const sizes = await measureSizes(options, work);
      if (options.sizesOnly) return;
      // The status page's target is at 1,000 services: measured there (or at the largest size below it).
      const pageSize = Math.max(...options.sizes.filter((s) => s <= 1000), Math.min(...options.sizes));
      say(`status page: ${pageSize} services, three passes recorded in a local state table, then read and rendered ...`);
      const statusPage = await measureStatusPage(pageSize);
      const { coldStart, cliStartup } = await measureStart(options, work);
      const organisation = options.org ? await measureOrganisation(options, `${commit}${dirty ? ' (with uncommitted changes)' : ''}`) : undefined;
      partial = {
        measuredAt: new Date().toISOString(),
        commit,
        dirty,
        node: process.versions.node,
        machine: `${os.cpus()[0]?.model.trim() ?? 'unknown CPU'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.arch()}`,
        options: { latencyMs: options.latencyMs, sizes: options.sizes, quick: options.quick, loadRuns: options.loadRuns },
        sizes,
        coldStart,
        statusPage,
        cliStartup,
        ...(organisation ? { organisation } : {}),
      };
    }
    const results: BenchResults = { ...partial, targets: checkTargets(partial) };
    const markdown = renderMarkdown(results);
    if (options.write) {
      await mkdir(options.outDir, { recursive: true });
      await writeFile(path.join(options.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
      await writeFile(path.join(options.outDir, 'results.md'), `${markdown}\n`);
      say(`wrote ${path.relative(process.cwd(), path.join(options.outDir, 'results.{json,md}'))}`);
    }
    process.stdout.write(`${markdown}\n`);
    if (results.targets.some((t) => t.met === false)) say(pc.yellow(`missed: ${results.targets.filter((t) => t.met === false).map((t) => t.target).join('; ')}`));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${pc.red('bench failed:')} ${(err as Error).message}\n`);
  process.exit(1);
});
