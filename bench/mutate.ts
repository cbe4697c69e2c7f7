/**
 * `npm run mutate`: mutation testing (Stryker) on the engine — controller/plan, model, state,
 * converge and source — one folder at a time, incremental, then the per-file summary in
 * docs/mutation.md. Not part of `npm test` or .ci/run: it takes about an hour from cold on two
 * cores, minutes after a small change. See docs/mutation.md.
 *
 *   npm run mutate -- [--folders plan,model] [--concurrency 1] [--own-tests] [--summary-only] [--force]
 *
 * By default each mutant runs every test that imports its file (vitest `related`), which is what
 * the scores mean. `--own-tests` runs only the folder's own tests (controller/<folder>/**): ten
 * times faster, and a lower bound of the real score (the rest of the suite can only kill more).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FOLDERS = ['plan', 'model', 'state', 'converge', 'source'] as const;
/** The scores docs/mutation.md holds each folder to (issue 26). */
export const TARGETS: Record<string, number> = { plan: 85, model: 85, state: 80, converge: 80, source: 80 };
const REPORTS = 'bench/results/mutation';
const SUMMARY = 'docs/mutation.md';

const USAGE = `usage: npm run mutate -- [options]
  --folders plan,model   which of ${FOLDERS.join(', ')} (default: all, one after another)
  --concurrency N        Stryker workers (default: cores - 1, at least 1)
  --files a.ts,b.ts      only these files of the folder (one folder; e.g. --folders model --files image.ts)
  --own-tests            run each mutant against the folder's own tests only (fast; a lower bound)
  --force                ignore the incremental file: test every mutant again
  --summary-only         only rewrite ${SUMMARY} from the reports in ${REPORTS}/`;

function parse() {
  const { values } = parseArgs({
    options: {
      folders: { type: 'string' },
      concurrency: { type: 'string' },
      force: { type: 'boolean', default: false },
      'own-tests': { type: 'boolean', default: false },
      files: { type: 'string' },
      'summary-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const folders = (values.folders ?? FOLDERS.join(',')).split(',').map((f) => f.trim());
  for (const f of folders) {
    if (!(FOLDERS as readonly string[]).includes(f)) throw new Error(`--folders: unknown folder "${f}"\n${USAGE}`);
  }
  const concurrency = Number(values.concurrency ?? Math.max(1, os.availableParallelism() - 1));
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency expects a whole number ≥ 1\n${USAGE}`);
  const files = values.files?.split(',').map((f) => f.trim());
  if (files && folders.length !== 1) throw new Error(`--files needs exactly one folder in --folders\n${USAGE}`);
  return { folders, concurrency, force: values.force!, ownTests: values['own-tests']!, files, summaryOnly: values['summary-only']! };
}

/** The report (and incremental file) of one folder in one mode: `plan`, or `plan.own-tests`. */
const reportName = (folder: string, ownTests: boolean) => (ownTests ? `${folder}.own-tests` : folder);

/** Stryker's options for one folder (also what stryker.config.mjs would hold). */
export function strykerOptions(folder: string, concurrency: number, force: boolean, ownTests = false, files?: string[]) {
  const name = reportName(folder, ownTests);
  return {
    mutate: files ? files.map((f) => `controller/${folder}/${f}`) : [`controller/${folder}/**/*.ts`, `!controller/${folder}/**/*.test.ts`],
    testRunner: 'vitest',
    // Each mutant runs only the tests that import its file (and, of those, the ones that cover it).
    vitest: { configFile: 'vitest.mutate.config.ts', related: true },
    coverageAnalysis: 'perTest',
    // The TypeScript checker halves throughput on two cores; `npm run typecheck` covers types.
    checkers: [],
    // A sandbox inside the checkout breaks the `apply` tests (they print paths relative to the git
    // root), so it lives in the system temp folder.
    tempDirName: path.join(os.tmpdir(), `steady-stryker-${path.basename(REPO_ROOT)}-${folder}`),
    cleanTempDir: 'always',
    // A mutant that only runs while a module loads would need every test again; not worth it here.
    ignoreStatic: true,
    incremental: true,
    incrementalFile: `${REPORTS}/${name}.incremental.json`,
    force,
    concurrency,
    // The machine is shared: a mutant is a timeout only when it runs far past the normal time.
    timeoutMS: 15_000,
    // The first run (every related test, with coverage per test) takes minutes on a busy machine.
    dryRunTimeoutMinutes: 60,
    reporters: ['progress-append-only', 'json', 'clear-text'],
    jsonReporter: { fileName: `${REPORTS}/${name}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    ignorePatterns: ['cdk.out', 'coverage', 'bench/results', '.steady', 'test-output', 'dist'],
    logLevel: 'info',
    fileLogLevel: 'off',
  };
}

interface Mutant {
  status: string;
}
interface Report {
  files: Record<string, { mutants: Mutant[] }>;
}
interface Counts {
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  other: number;
}

function count(mutants: Mutant[]): Counts {
  const c: Counts = { killed: 0, survived: 0, noCoverage: 0, timeout: 0, other: 0 };
  for (const m of mutants) {
    if (m.status === 'Killed') c.killed++;
    else if (m.status === 'Survived') c.survived++;
    else if (m.status === 'NoCoverage') c.noCoverage++;
    else if (m.status === 'Timeout') c.timeout++;
    else c.other++;
  }
  return c;
}

/** Stryker's mutation score: detected / (detected + undetected); compile and runtime errors and ignored mutants do not count. */
export function score(c: Counts): number {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  return valid === 0 ? 100 : (100 * (c.killed + c.timeout)) / valid;
}

const pct = (n: number) => `${n.toFixed(1)}%`;
const row = (name: string, c: Counts) =>
  `| ${name} | ${pct(score(c))} | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} |`;
const add = (a: Counts, b: Counts): Counts => ({
  killed: a.killed + b.killed,
  survived: a.survived + b.survived,
  noCoverage: a.noCoverage + b.noCoverage,
  timeout: a.timeout + b.timeout,
  other: a.other + b.other,
});

/** The generated part of docs/mutation.md: one table per measured folder, and which were not measured. */
export async function renderScores(root = REPO_ROOT): Promise<string> {
  const lines: string[] = [];
  const missing: string[] = [];
  const totals: string[] = ['| folder | score | target | killed | timeout | survived | no coverage |', '|---|---|---|---|---|---|---|'];
  const tables: string[] = [];
  for (const folder of FOLDERS) {
    const related = path.join(root, REPORTS, `${reportName(folder, false)}.json`);
    const own = path.join(root, REPORTS, `${reportName(folder, true)}.json`);
    const file = existsSync(related) ? related : own;
    if (!existsSync(file)) {
      missing.push(folder);
      continue;
    }
    const mode = file === related ? 'every related test' : "the folder's own tests only (a lower bound)";
    const report = JSON.parse(await readFile(file, 'utf8')) as Report;
    let total = count([]);
    const fileRows: string[] = [];
    for (const name of Object.keys(report.files).sort()) {
      const c = count(report.files[name]!.mutants);
      total = add(total, c);
      fileRows.push(row(name.replace(/^controller\//, ''), c));
    }
    const s = score(total);
    totals.push(
      `| ${folder}/ (${Object.keys(report.files).length} files, ${file === related ? 'related tests' : 'own tests'}) | ${pct(s)} | ≥ ${TARGETS[folder]}% ${s >= TARGETS[folder]! ? '(met)' : '(**not met**)'} | ${total.killed} | ${total.timeout} | ${total.survived} | ${total.noCoverage} |`,
    );
    tables.push(`### ${folder}/`, '', `Measured with ${mode}.`, '', '| file | score | killed | timeout | survived | no coverage |', '|---|---|---|---|---|---|', ...fileRows, '');
  }
  lines.push(...totals, '');
  if (missing.length > 0) lines.push(`Not measured (no report in ${REPORTS}/): ${missing.map((f) => `${f}/`).join(', ')}.`, '');
  lines.push(...tables);
  return lines.join('\n');
}

const START = '<!-- scores:start (written by `npm run mutate`; edit outside these markers) -->';
const END = '<!-- scores:end -->';

export async function writeSummary(root = REPO_ROOT): Promise<void> {
  const file = path.join(root, SUMMARY);
  const text = await readFile(file, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${SUMMARY}: the markers ${START} … ${END} are missing`);
  await writeFile(file, `${text.slice(0, a + START.length)}\n${await renderScores(root)}\n${text.slice(b)}`);
}

async function main() {
  const { folders, concurrency, force, ownTests, files, summaryOnly } = parse();
  process.chdir(REPO_ROOT);
  await mkdir(REPORTS, { recursive: true });
  if (!summaryOnly) {
    const { Stryker } = await import('@stryker-mutator/core');
    for (const folder of folders) {
      console.log(`\n== mutation testing controller/${folder}/ (concurrency ${concurrency}${ownTests ? ", the folder's own tests" : ''}) ==`);
      // vitest.mutate.config.ts reads this to narrow the tests to the folder's own.
      if (ownTests) process.env.STEADY_MUTATE_TESTS = `controller/${folder}`;
      else delete process.env.STEADY_MUTATE_TESTS;
      // Stryker's option types are a large generated interface; the object above is checked by Stryker itself at start.
      try {
        await new Stryker(strykerOptions(folder, concurrency, force, ownTests, files) as never).runMutationTest();
      } catch (err) {
        // One folder failing (a timed-out first run, say) does not stop the others.
        process.exitCode = 1;
        console.error(`controller/${folder}/ was not measured: ${err instanceof Error ? err.message : String(err)}`);
      }
      await writeSummary();
    }
  }
  await writeSummary();
  console.log(`\n${SUMMARY} updated.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
