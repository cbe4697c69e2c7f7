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
 * `--tests a,b` names the test folders or globs instead (also a lower bound).
 *
 * Each run folds the files it measured into bench/results/mutation.json (committed: per file its
 * counts, the tests, the commit, the load and the surviving mutants), and docs/mutation.md's
 * scores are rendered from that file, so a run of some files keeps every other file's last score.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { readEquivalents, renderAreas, RULE_AREAS } from './mutation-areas.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FOLDERS = ['plan', 'model', 'state', 'converge', 'source'] as const;
/** The scores docs/mutation.md holds each folder to (issue 26). */
export const TARGETS: Record<string, number> = { plan: 85, model: 85, state: 80, converge: 80, source: 80 };
const REPORTS = 'bench/results/mutation';
const SUMMARY = 'docs/mutation.md';
const SCORES = 'bench/results/mutation.json';

const USAGE = `usage: npm run mutate -- [options]
  --folders plan,model   which of ${FOLDERS.join(', ')} (default: all, one after another)
  --concurrency N        Stryker workers (default: cores - 1, at least 1)
  --files a.ts,b.ts      only these files of the folder (one folder; e.g. --folders model --files image.ts)
  --own-tests            run each mutant against the folder's own tests only (fast; a lower bound)
  --tests a,b            run each mutant against these test folders or globs only, e.g.
                         controller/converge,controller/pass*.test.ts (a lower bound)
  --force                ignore the incremental file: test every mutant again
  --summary-only         only rewrite ${SUMMARY} from ${SCORES}`;

function parse() {
  const { values } = parseArgs({
    options: {
      folders: { type: 'string' },
      concurrency: { type: 'string' },
      force: { type: 'boolean', default: false },
      'own-tests': { type: 'boolean', default: false },
      tests: { type: 'string' },
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
  if (values['own-tests'] && values.tests) throw new Error(`--own-tests and --tests cannot be used together\n${USAGE}`);
  const tests = values.tests?.split(',').map((t) => t.trim());
  return { folders, concurrency, force: values.force!, ownTests: values['own-tests']!, tests, files, summaryOnly: values['summary-only']! };
}

/** The tests a run of one folder runs each mutant against: `undefined` for every related test. */
const testsOf = (folder: string, ownTests: boolean, tests?: string[]) => (ownTests ? [`controller/${folder}`] : tests);

/** The report (and incremental file) of one folder in one mode: `plan`, `plan.own-tests` or `plan.some-tests`. */
const reportName = (folder: string, tests?: string[]) =>
  !tests ? folder : tests.length === 1 && tests[0] === `controller/${folder}` ? `${folder}.own-tests` : `${folder}.some-tests`;

/** Stryker's options for one folder (also what stryker.config.mjs would hold). */
export function strykerOptions(folder: string, concurrency: number, force: boolean, tests?: string[], files?: string[]) {
  const name = reportName(folder, tests);
  return {
    // testkit.ts files are test helpers, not engine code.
    mutate: files ? files.map((f) => `controller/${folder}/${f}`) : [`controller/${folder}/**/*.ts`, `!controller/${folder}/**/*.test.ts`, `!controller/${folder}/**/testkit.ts`],
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
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number } };
}
interface Report {
  files: Record<string, { mutants: Mutant[] }>;
}
interface Counts {
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
}

/** One file's last measurement, as kept in bench/results/mutation.json (committed). */
export interface FileScore extends Counts {
  /** `related`, or the test folders and globs each mutant ran against. */
  tests: string;
  /** The commit measured (`+changes` when the checkout had uncommitted changes). */
  commit: string;
  measuredAt: string;
  /** 1-minute load average at the start and end of the run. */
  load: string;
  /** The mutants no test noticed: `line:column Mutator → replacement`. */
  survivors: string[];
  uncovered: string[];
}
export type Summary = Record<string, FileScore>;

function count(mutants: Mutant[]): Counts {
  const c: Counts = { killed: 0, survived: 0, noCoverage: 0, timeout: 0 };
  for (const m of mutants) {
    if (m.status === 'Killed') c.killed++;
    else if (m.status === 'Survived') c.survived++;
    else if (m.status === 'NoCoverage') c.noCoverage++;
    else if (m.status === 'Timeout') c.timeout++;
  }
  return c;
}

/** Stryker's mutation score: detected / (detected + undetected); compile and runtime errors and ignored mutants do not count. */
export function score(c: Counts): number {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  return valid === 0 ? 100 : (100 * (c.killed + c.timeout)) / valid;
}

const describe = (m: Mutant) =>
  `${m.location.start.line}:${m.location.start.column} ${m.mutatorName}${m.replacement === undefined ? '' : ` → ${m.replacement.replace(/\s+/g, ' ').slice(0, 80)}`}`;
const byPlace = (a: Mutant, b: Mutant) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column;

/** Folds one Stryker report (`measuredOnly`) into the summary: each file it holds replaces that file's entry. */
export function record(summary: Summary, report: Report, run: Pick<FileScore, 'tests' | 'commit' | 'measuredAt' | 'load'>): Summary {
  const out = { ...summary };
  for (const [name, { mutants }] of Object.entries(report.files)) {
    const sorted = [...mutants].sort(byPlace);
    out[name.replace(/^controller\//, '')] = {
      ...count(mutants),
      ...run,
      survivors: sorted.filter((m) => m.status === 'Survived').map(describe),
      uncovered: sorted.filter((m) => m.status === 'NoCoverage').map(describe),
    };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The files this run measured, from its report: with `--files`, Stryker's report also carries the
 * other files of its incremental file (their old results), which must not be stamped with this
 * run's commit and time. A file with no mutant at all (types, re-exports) is in no report: it is
 * recorded as measured, with none.
 */
export function measuredOnly(report: Report, folder: string, files?: string[], root = REPO_ROOT): Report {
  const measured = files ? files.map((f) => `controller/${folder}/${f}`) : engineFiles(folder, root).map((f) => `controller/${f}`);
  return { files: Object.fromEntries(measured.filter((f) => report.files[f] || existsSync(path.join(root, f))).map((f) => [f, report.files[f] ?? { mutants: [] }])) };
}

// Rounded down: a score shown as 85.0% is at least 85%.
const pct = (n: number) => `${(Math.floor(n * 10) / 10).toFixed(1)}%`;
const add = (a: Counts, b: Counts): Counts => ({
  killed: a.killed + b.killed,
  survived: a.survived + b.survived,
  noCoverage: a.noCoverage + b.noCoverage,
  timeout: a.timeout + b.timeout,
});
const counts = (c: Counts) => `${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage}`;
const valid = (c: Counts) => c.killed + c.timeout + c.survived + c.noCoverage;

/** The engine files of a folder Stryker mutates (what `strykerOptions` globs). */
export function engineFiles(folder: string, root = REPO_ROOT): string[] {
  return readdirSync(path.join(root, 'controller', folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && path.basename(f) !== 'testkit.ts')
    .map((f) => `${folder}/${f.split(path.sep).join('/')}`)
    .sort();
}

/** The generated part of docs/mutation.md: the folders' totals, then one table per folder, file by file. */
export function renderScores(summary: Summary, root = REPO_ROOT): string {
  const totals: string[] = ['| folder | score | target | killed | timeout | survived | no coverage | not measured |', '|---|---|---|---|---|---|---|---|'];
  const tables: string[] = [];
  for (const folder of FOLDERS) {
    let total: Counts = { killed: 0, survived: 0, noCoverage: 0, timeout: 0 };
    const rows: string[] = [];
    const notMeasured: string[] = [];
    for (const file of engineFiles(folder, root)) {
      const s = summary[file];
      if (!s) {
        notMeasured.push(file.slice(folder.length + 1));
        rows.push(`| ${file} | not measured | | | | | | |`);
        continue;
      }
      total = add(total, s);
      const when = `${s.measuredAt.slice(0, 16).replace('T', ' ')} UTC, ${s.commit}, load ${s.load}`;
      rows.push(`| ${file} | ${valid(s) === 0 ? 'no mutants' : pct(score(s))} | ${counts(s)} | ${s.tests} | ${when} |`);
    }
    const s = score(total);
    const met = s >= TARGETS[folder]! && notMeasured.length === 0;
    totals.push(
      `| ${folder}/ | ${valid(total) === 0 ? '—' : pct(s)} | ≥ ${TARGETS[folder]}% ${met ? '(met)' : '(**not met**)'} | ${counts(total)} | ${notMeasured.length === 0 ? '—' : notMeasured.join(', ')} |`,
    );
    tables.push(`### ${folder}/`, '', '| file | score | killed | timeout | survived | no coverage | tests | measured |', '|---|---|---|---|---|---|---|---|', ...rows, '');
  }
  return [...totals, '', ...tables].join('\n');
}

const START = '<!-- scores:start (written by `npm run mutate`; edit outside these markers) -->';
const END = '<!-- scores:end -->';

async function readScores(root = REPO_ROOT): Promise<Summary> {
  const file = path.join(root, SCORES);
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Summary) : {};
}

export async function writeSummary(root = REPO_ROOT): Promise<void> {
  const file = path.join(root, SUMMARY);
  const text = await readFile(file, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${SUMMARY}: the markers ${START} … ${END} are missing`);
  const scores = await readScores(root);
  const generated = `${renderScores(scores, root)}\n${renderAreas(scores, readEquivalents(root), RULE_AREAS, root)}`;
  await writeFile(file, `${text.slice(0, a + START.length)}\n${generated}\n${text.slice(b)}`);
}

function commitMeasured(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'controller', 'vitest.mutate.config.ts') ? '+changes' : ''}`;
}

async function main() {
  const { folders, concurrency, force, ownTests, tests: chosen, files, summaryOnly } = parse();
  process.chdir(REPO_ROOT);
  await mkdir(REPORTS, { recursive: true });
  if (!summaryOnly) {
    const { Stryker } = await import('@stryker-mutator/core');
    for (const folder of folders) {
      const tests = testsOf(folder, ownTests, chosen);
      console.log(`\n== mutation testing controller/${folder}/ (concurrency ${concurrency}, ${tests ? `tests: ${tests.join(', ')}` : 'every related test'}) ==`);
      // vitest.mutate.config.ts reads this to narrow the tests.
      if (tests) process.env.STEADY_MUTATE_TESTS = tests.join(',');
      else delete process.env.STEADY_MUTATE_TESTS;
      const run = { tests: tests ? tests.join(' + ') : 'related', commit: commitMeasured(), measuredAt: new Date().toISOString(), load: os.loadavg()[0]!.toFixed(1) };
      // Stryker's option types are a large generated interface; the object above is checked by Stryker itself at start.
      try {
        await new Stryker(strykerOptions(folder, concurrency, force, tests, files) as never).runMutationTest();
      } catch (err) {
        // One folder failing (a timed-out first run, say) does not stop the others.
        process.exitCode = 1;
        console.error(`controller/${folder}/ was not measured: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      const report = measuredOnly(JSON.parse(await readFile(path.join(REPORTS, `${reportName(folder, tests)}.json`), 'utf8')) as Report, folder, files);
      const scores = record(await readScores(), report, { ...run, load: `${run.load}→${os.loadavg()[0]!.toFixed(1)}` });
      await writeFile(SCORES, `${JSON.stringify(scores, null, 1)}\n`);
      await writeSummary();
    }
  }
  await writeSummary();
  console.log(`\n${SUMMARY} updated from ${SCORES}.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
