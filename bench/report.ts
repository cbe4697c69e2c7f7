/**
 * The benchmark's results: the JSON document written to bench/results/, the targets of issue 16
 * (and the status page's of issue 9) checked against it, and the Markdown rendering printed and
 * committed beside it.
 */
import type { BundleResult, LoadTimes } from './coldstart.js';
import type { OrganisationResult, OrganisationTick } from './organisation.js';
import { COLLECT_EVERY_MB, INTERVAL_MS, PERIOD_MS, SETTLE_MS, type PassMeasurement, type SizeResult } from './scenario.js';
import type { StartupMeasurement } from './startup.js';
import type { StatusPageMeasurement } from './status-page.js';

export interface BenchResults {
  measuredAt: string;
  /** The commit measured, and whether the tree had uncommitted changes outside bench/results/. */
  commit: string;
  dirty: boolean;
  node: string;
  machine: string;
  options: { latencyMs: number; sizes: number[]; quick: boolean; loadRuns: number };
  sizes: SizeResult[];
  /** `measured`: when the start-up rows were measured apart from the others (`--only-start`), at which commit and load average. */
  coldStart: { entry: string; bundle: Omit<BundleResult, 'file'>; load: LoadTimes; measured?: { at: string; commit: string; loadAverage: number } };
  /** The status page at 1,000 services (or the largest size below), read from a state table and rendered. */
  statusPage?: StatusPageMeasurement;
  /** `steady --version`, `--help`, `plan --help`: spawn to exit (issue 22). */
  cliStartup?: StartupMeasurement[];
  /** The organisation row (bench/organisation.ts), measured with the other rows or alone (`--only-org`). */
  organisation?: OrganisationRow;
  targets: TargetCheck[];
}

/** The organisation, and one worker container alone (its peak RSS is a worker's). */
export interface OrganisationRow {
  measuredAt: string;
  commit: string;
  result: OrganisationResult;
  worker: OrganisationResult;
}

export interface TargetCheck {
  target: string;
  measured: string;
  /** null: not measured in this run (size not included). */
  met: boolean | null;
  /** By how much and why, when missed; what the number includes otherwise. */
  note: string;
}

/** The issue's targets (issue 16; the status page's from issue 9). */
export const TARGETS = {
  wall1000Ms: 30_000,
  calls1000: 350,
  wall5000Ms: 150_000,
  lambdaMs: 900_000,
  /** "With margin": a pass uses at most two thirds of the Lambda's time. */
  lambdaMargin: 2 / 3,
  rss5000MB: 512,
  minimumRatio: 1.1,
  cpuGrowth: 6,
  naiveRatio: 0.1,
  bundleBytes: 2_000_000,
  importMs: 250,
  pageRenderMs: 1000,
  pageBytes: 2_000_000,
  /** `steady --help` and `--version`, spawn to exit (issue 22). */
  cliStartMs: 300,
};

const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(2)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function opsList(counts: Record<string, number>, sign = '+'): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([op, n]) => `${op} ${sign}${n}`).join(', ') : '—';
}

const passOf = (s: SizeResult, name: PassMeasurement['pass']) => s.passes.find((p) => p.pass === name)!;
const perPass = (p: PassMeasurement) => Math.round(p.totalCalls / p.passes);

/** Where a pass's time on AWS goes, from what was measured. */
export function timeBreakdown(p: PassMeasurement): string {
  return `${seconds(p.simMs)} waiting on AWS (simulated: latency, rate limits, steady's pacing, ${p.throttled} throttled attempts) + ${seconds(p.steadyCpuMs)} of steady's CPU`;
}

function sizeTarget(results: Omit<BenchResults, 'targets'>, size: number, target: string, check: (s: SizeResult) => Omit<TargetCheck, 'target'>): TargetCheck {
  const s = results.sizes.find((x) => x.size === size);
  return s ? { target, ...check(s) } : { target, measured: '—', met: null, note: `not measured: run with --sizes including ${size}` };
}

/** The 5,000-service memory target: judged on the estimate of steady's own memory (bench/README.md). */
function memoryTarget(s: SizeResult): Omit<TargetCheck, 'target'> {
  const rows = ['cold', 'warm', 'drift'].map((n) => passOf(s, n as PassMeasurement['pass']));
  const worst = rows.reduce((a, b) => (b.rssPeakMB > a.rssPeakMB ? b : a));
  const whole = `the whole process, which holds the simulated account too, peaked at ${worst.rssPeakMB} MB (${worst.pass} pass; ${worst.heapBeforeMB} MB of heap in use before it, mostly the account's); the process's high-water mark is ${s.maxRssMB} MB`;
  const m = s.lambdaMemory;
  if (!m) return { measured: `${worst.rssPeakMB} MB (${worst.pass} pass)`, met: null, note: `not estimated for steady alone (a run before the estimate): ${whole}` };
  return {
    measured: `${m.estimateMB} MB (estimated, steady alone)`,
    met: m.estimateMB <= TARGETS.rss5000MB,
    note: `an estimate from parts, not a measurement of a process (bench/README.md, "steady's own memory"): ${m.baselineRssMB} MB RSS of the process with its code loaded + ${m.specsMB} MB of parsed specs + ${m.cachesMB} MB the warm Lambda keeps between passes + ${m.passPeakMB} MB, the peak growth of the heap in a drift pass collected whenever it grew ${COLLECT_EVERY_MB} MB (${m.passLiveMB} MB of it live at most after a collection; never collected on purpose, a ${m.passGrowthOf} pass grew ${m.passGrowthMB} MB, the first pass ${m.firstPassGrowthMB} MB). ${whole[0].toUpperCase()}${whole.slice(1)}`,
  };
}

/** Checks the issue's targets against a run. */
export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const [size, limit] of [
    [1000, TARGETS.wall1000Ms],
    [5000, TARGETS.wall5000Ms],
  ] as const) {
    const label = `${size.toLocaleString('en')} services with wiring, under real rate limits: ≤ ${limit / 1000} s wall`;
    checks.push(
      sizeTarget(results, size, `${label}, steady state`, (s) => {
        const w = passOf(s, 'warm');
        return { measured: `${seconds(w.awsWallMs)} (slowest of ${w.passes} warm passes)`, met: w.awsWallMs <= limit, note: `time on AWS, estimated as the simulated time plus steady's CPU: ${timeBreakdown(w)}` };
      }),
      sizeTarget(results, size, `${label}, the cold pass after a deploy`, (s) => {
        const c = passOf(s, 'cold');
        return { measured: seconds(c.awsWallMs), met: c.awsWallMs <= limit, note: `${timeBreakdown(c)}. A cold Lambda starts its rotation's target-health reads once observe has read the target groups` };
      }),
    );
  }
  checks.push(
    sizeTarget(results, 1000, '1,000 services: ≤ 350 calls a pass in steady state', (s) => {
      const w = passOf(s, 'warm');
      return { measured: `${w.maxPassCalls} (busiest of ${w.passes} warm passes; mean ${perPass(w)})`, met: w.maxPassCalls <= TARGETS.calls1000, note: `the cold pass after a deploy makes ${passOf(s, 'cold').totalCalls}` };
    }),
  );
  checks.push(
    sizeTarget(results, 5000, '5,000 services: inside a 900 s Lambda with margin (≤ 600 s)', (s) => {
      const rows = ['cold', 'warm', 'drift'].map((n) => passOf(s, n as PassMeasurement['pass']));
      const worst = rows.reduce((a, b) => (b.awsWallMs > a.awsWallMs ? b : a));
      const first = passOf(s, 'first');
      return {
        measured: `${seconds(worst.awsWallMs)} (${worst.pass} pass)`,
        met: worst.awsWallMs <= TARGETS.lambdaMs * TARGETS.lambdaMargin,
        note: `every pass but the first: cold, warm and drift. The first pass (creating everything, ${first.passes} step(s)) took ${seconds(first.awsWallMs)} at its longest step, bound by RegisterTaskDefinition's rate (1 a second, steady uses half); it needs the deadline (issue 15) to stop in time and go on in the next pass`,
      };
    }),
  );
  checks.push(
    sizeTarget(results, 5000, '5,000 services: ≤ 512 MB peak RSS', memoryTarget),
  );
  const ratios = results.sizes.flatMap((s) => (['cold', 'warm'] as const).map((n) => ({ size: s.size, p: passOf(s, n) })));
  const over = ratios.filter(({ p }) => p.ratio > TARGETS.minimumRatio);
  checks.push({
    target: 'no-drift calls / independent minimum ≤ 1.10 at every size',
    measured: ratios.map(({ size, p }) => `${size} ${p.pass}: ${p.totalCalls}/${p.minimumCalls} = ${p.ratio.toFixed(2)}`).join('; '),
    met: ratios.length > 0 && over.length === 0,
    note: ratios
      .filter(({ p }) => Object.keys(p.excess).length + Object.keys(p.missing).length > 0)
      .map(({ size, p }) => `${size} ${p.pass}: above by ${opsList(p.excess)}${Object.keys(p.missing).length ? `; below by ${opsList(p.missing, '-')}` : ''}`)
      .join('; '),
  });
  const s1 = results.sizes.find((s) => s.size === 1000);
  const s5 = results.sizes.find((s) => s.size === 5000);
  checks.push(
    !s1 || !s5
      ? { target: 'CPU grows linearly: CPU at 5,000 ≤ 6 × CPU at 1,000', measured: '—', met: null, note: 'not measured: run with --sizes including 1000 and 5000' }
      : (() => {
          const w1 = passOf(s1, 'warm').steadyCpuMeanMs;
          const w5 = passOf(s5, 'warm').steadyCpuMeanMs;
          const c1 = passOf(s1, 'cold').steadyCpuMs;
          const c5 = passOf(s5, 'cold').steadyCpuMs;
          return {
            target: 'CPU grows linearly: CPU at 5,000 ≤ 6 × CPU at 1,000',
            measured: `warm ${seconds(w5)} / ${seconds(w1)} = ×${(w5 / w1).toFixed(1)}; cold ${seconds(c5)} / ${seconds(c1)} = ×${(c5 / c1).toFixed(1)}`,
            met: w5 <= TARGETS.cpuGrowth * w1 && c5 <= TARGETS.cpuGrowth * c1,
            note: "steady's CPU (the process's minus the simulated account's handlers) per pass: the mean of the warm passes, and the cold pass",
          };
        })(),
  );
  checks.push(
    sizeTarget(results, 1000, 'steady / naive at 1,000 services: ≤ 0.10 calls and ≤ 0.10 wall time', (s) => {
      const w = passOf(s, 'warm');
      const c = passOf(s, 'cold');
      const naiveMs = s.naive.simMs + s.naive.cpuMs;
      const callRatio = w.maxPassCalls / s.naive.calls;
      const timeRatio = w.awsWallMs / naiveMs;
      return {
        measured: `calls ${callRatio.toFixed(3)}, time ${timeRatio.toFixed(3)}`,
        met: callRatio <= TARGETS.naiveRatio && timeRatio <= TARGETS.naiveRatio,
        note: `steady's busiest and slowest warm pass (${w.maxPassCalls} calls, ${seconds(w.awsWallMs)}) against the naive controller's pass over the same account (${s.naive.calls} calls, ${s.naive.throttled} throttled attempts, ${seconds(naiveMs)}), both under the same rate limits, in the same run. The cold pass: calls ${(c.totalCalls / s.naive.calls).toFixed(3)}, time ${(c.awsWallMs / naiveMs).toFixed(3)}`,
      };
    }),
  );
  const { bundle, load, entry } = results.coldStart;
  checks.push({
    target: 'bundle ≤ 2 MB',
    measured: `${mb(bundle.bytes)} (${entry}${bundle.files ? `: what a cold start loads, ${bundle.files.loaded} of ${bundle.files.all} files; all of them ${mb(bundle.totalBytes!)}` : ''})`,
    met: bundle.bytes <= TARGETS.bundleBytes,
    note: `largest inputs: ${bundle.largest
      .slice(0, 4)
      .map((l) => `${l.input} ${mb(l.bytes)}`)
      .join(', ')}`,
  });
  checks.push({
    target: 'median import ≤ 250 ms',
    measured: `${load.importMs} ms (slowest ${load.importMaxMs} ms)`,
    met: load.importMs <= TARGETS.importMs,
    note: `import() of the bundle in ${load.runs} fresh processes, one after another, ${results.coldStart.measured ? `alone (--only-start, commit ${results.coldStart.measured.commit}, load average ${results.coldStart.measured.loadAverage})` : 'on a machine shared with other work'}; the whole process (Node start-up included) ${load.processMs} ms`,
  });
  checks.push(statusPageTarget(results.statusPage));
  if (results.cliStartup) {
    const node = results.cliStartup.find((c) => c.command === 'node -e 0');
    const slowest = results.cliStartup.filter((c) => c !== node).reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
    checks.push({
      target: 'steady --help and --version under 300 ms',
      measured: results.cliStartup.filter((c) => c !== node).map((c) => `${c.command} ${c.medianMs} ms`).join(', '),
      met: slowest.medianMs < TARGETS.cliStartMs,
      note: `${slowest.medianMs < TARGETS.cliStartMs ? '' : `${slowest.command} over by ${(slowest.medianMs - TARGETS.cliStartMs).toFixed(0)} ms. `}median of ${slowest.runs} fresh processes each, spawn to exit (Node's own start-up included), from the cached bundle of the command definitions; Node alone (node -e 0) took ${node?.medianMs ?? '?'} ms on the same machine`,
    });
  }
  checks.push(...organisationTargets(results.organisation));
  return checks;
}

function organisationTargets(row: OrganisationRow | undefined): TargetCheck[] {
  const targets = ["organisation: every environment converges in a tick with nothing to change", "organisation: every environment's worker inside a 900 s Lambda with margin (≤ 600 s)"];
  if (!row) return targets.map((target) => ({ target, measured: '—', met: null, note: 'not measured: run without --org none' }));
  const r = row.result;
  const steady = r.ticks.find((t) => t.tick === 'steady')!;
  const converged = steady.verdicts.converged ?? 0;
  const slowest = r.ticks.reduce((a, b) => (b.passMs.max > a.passMs.max ? b : a));
  return [
    {
      target: targets[0],
      measured: `${converged} of ${r.environments} (${Object.entries(steady.verdicts).map(([k, n]) => `${k} ${n}`).join(', ')})`,
      met: converged === r.environments,
      note:
        `${steady.throttled} throttled requests in that tick, ${r.concurrency} workers at once, each pacing at half of every AWS bucket of its account and Region divided by the workers that can be there at once (controller/lambda/rate-share.ts).` +
        (converged === r.environments ? '' : ` First ERROR lines: ${r.errors.first.slice(0, 2).map(errorMessage).join(' / ')}`),
    },
    {
      target: targets[1],
      measured: `${seconds(slowest.passMs.max)} (${slowest.tick} tick; p99 ${seconds(slowest.passMs.p99)})`,
      met: slowest.passMs.max <= TARGETS.lambdaMs * TARGETS.lambdaMargin,
      note: `${r.environments} environments x ${r.services} services, ${r.concurrency} workers at once; each worker has the whole Lambda timeout for its one environment (simulated time: its lease, the commit, the pass, the record)`,
    },
  ];
}

/** The message (and environment) of a JSON log line, which may have been cut short. */
function errorMessage(line: string): string {
  const field = (name: string) => new RegExp(`"${name}":"((?:[^"\\\\]|\\\\.)*)`).exec(line)?.[1];
  const message = field('message');
  const environment = field('environment');
  return message ? `${environment ? `${environment}: ` : ''}${message}` : line.slice(0, 200);
}

function statusPageTarget(page: StatusPageMeasurement | undefined): TargetCheck {
  const target = '1,000-service status page renders under 1 s, under 2 MB';
  if (!page || page.services !== 1000) return { target, measured: '—', met: null, note: `not measured: run with --sizes including 1000` };
  const fast = page.renderMs.max < TARGETS.pageRenderMs;
  const small = page.bytes < TARGETS.pageBytes;
  return {
    target,
    measured: `${page.renderMs.median} ms, ${mb(page.bytes)}`,
    met: fast && small,
    note: `${fast ? '' : `slowest render ${page.renderMs.max} ms. `}${small ? '' : `over by ${mb(page.bytes - TARGETS.pageBytes)}. `}median of ${page.runs} renders (slowest ${page.renderMs.max} ms) of ${page.statuses} statuses, ${page.brokenChains} broken chains and ${page.driftEvents} drift events after the first, a quiet and the drift pass; reading them from the table took ${page.loadMs} ms`,
  };
}

// ---------------------------------------------------------------------------------- Markdown

function table(head: string[], rows: (string | number)[][], align: ('l' | 'r')[]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(head), `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`, ...rows.map(line)].join('\n');
}

const PASS_LABEL: Record<PassMeasurement['pass'], string> = { first: 'first', cold: 'cold (after a deploy)', warm: 'warm (10 passes)', drift: 'drift' };
const mark = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : '**missed**');

/** The results as Markdown: targets, environments, passes, the naive controller, heal times, cold start. */
export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [
    ...renderIntro(r),
    ...renderTargets(r),
    ...renderEnvironments(r),
    ...renderPasses(r),
    ...renderNaive(r),
    ...renderCallsByOperation(r),
    ...renderHeal(r),
    ...renderColdStart(r),
  ];
  if (r.cliStartup) out.push(...renderCliStartup(r.cliStartup));
  if (r.organisation) out.push(renderOrganisation(r.organisation));
  if (r.statusPage) out.push(...renderStatusPage(r.statusPage));
  return out.join('\n');
}

/** The title and what was measured how. */
function renderIntro(r: BenchResults): string[] {
  const out: string[] = [];
  out.push('# steady benchmark results', '');
  out.push(
    `Measured ${r.measuredAt} at commit ${r.commit}${r.dirty ? ' (with uncommitted changes)' : ''}, Node ${r.node}, ${r.machine}. ` +
      `Simulated account enforcing AWS's rate limits (controller/sim/SIMPLIFICATIONS.md), ${r.options.latencyMs} ms of simulated latency per call, ` +
      `the SDK's standard retries backing off on its clock; passes ${INTERVAL_MS / 60_000} simulated minute apart, wiring rotation ${PERIOD_MS / 60_000} minutes where a quarter of ELB's Describe* rate covers it (longer above ~1,250 services: "rotation" in Environments). ` +
      '"On AWS" is the simulated time a pass waited plus the CPU steady spent: what it would take on AWS. "Real wall" is this process on a shared machine. How to read this: bench/README.md.',
    '',
  );
  return out;
}

/** Each target, what was measured and whether it was met. */
function renderTargets(r: BenchResults): string[] {
  return ['## Targets', '', table(['target', 'measured', 'result', 'note'], r.targets.map((t) => [t.target, t.measured, mark(t.met), t.note]), ['l', 'l', 'l', 'l']), ''];
}

/** The size of each environment measured, and how long it took to build. */
function renderEnvironments(r: BenchResults): string[] {
  const out: string[] = [];
  out.push('## Environments', '');
  out.push(
    table(
      ['services', 'ALBs', 'target groups', 'zones', 'ECR repositories (image ids)', 'migrations', 'aliases', 'change budget', 'rotation', 'drift events', 'build', 'load average (start → end)'],
      r.sizes.map((s) => [
        s.size,
        s.environment.loadBalancers,
        s.environment.targetGroups,
        s.environment.zones,
        `${s.environment.repositories} (${s.environment.imageIds})`,
        s.environment.migrations,
        s.environment.aliases,
        s.environment.changeBudget,
        s.environment.rotationMinutes !== undefined ? `${s.environment.rotationMinutes} min` : '—',
        s.drift.events.length,
        seconds(s.setupMs),
        s.loadAverage ? `${s.loadAverage[0]} → ${s.loadAverage[1]}` : '—',
      ]),
      ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  return out;
}

/** Every pass of every size: calls against the independent minimum, time, CPU and memory. */
function renderPasses(r: BenchResults): string[] {
  const out: string[] = [];
  out.push('## Passes', '');
  out.push(
    'Rows over several passes (the first pass\'s steps, the 10 warm passes) sum their calls and minima; time, CPU and memory are those of the longest pass, "CPU / pass" the mean. Every pass runs the wiring checks, as production does.',
    '',
  );
  out.push(
    table(
      ['services', 'pass', 'passes', 'calls', 'independent minimum', 'ratio', 'busiest pass', 'above the minimum', 'throttled', 'on AWS', 'waiting (simulated)', "steady's CPU (/ pass)", 'real wall', 'peak RSS (before)', 'heap (before → peak)'],
      r.sizes.flatMap((s) =>
        s.passes.map((p) => [
          s.size,
          PASS_LABEL[p.pass],
          p.passes,
          p.totalCalls,
          p.minimumCalls,
          p.ratio.toFixed(2),
          p.maxPassCalls,
          opsList(p.excess) + (Object.keys(p.missing).length ? `; below: ${opsList(p.missing, '-')}` : ''),
          p.throttled,
          seconds(p.awsWallMs),
          seconds(p.simMs),
          `${seconds(p.steadyCpuMs)} (${seconds(p.steadyCpuMeanMs)})`,
          seconds(p.wallMs),
          `${p.rssPeakMB} MB (${p.rssBeforeMB})`,
          `${p.heapBeforeMB} → ${p.heapPeakMB} MB`,
        ]),
      ),
      ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  return out;
}

/** steady beside the naive per-service controller, and any problem the naive one found. */
function renderNaive(r: BenchResults): string[] {
  const out: string[] = [];
  out.push('## steady and a naive per-service controller', '');
  out.push(
    'The naive controller (bench/naive.ts) checks one service after another with one call per thing it reads (9 a service), unpaced, with the SDK\'s standard retries, over the same account under the same limits in the same run. steady: its busiest warm pass and its cold pass.',
    '',
  );
  out.push(
    table(
      ['services', 'naive calls', 'naive throttled', 'naive on AWS', 'steady calls (warm max / cold)', 'steady on AWS (warm max / cold)', 'calls ratio (warm / cold)', 'time ratio (warm / cold)'],
      r.sizes.map((s) => {
        const w = s.passes.find((p) => p.pass === 'warm')!;
        const c = s.passes.find((p) => p.pass === 'cold')!;
        const naiveMs = s.naive.simMs + s.naive.cpuMs;
        return [
          s.size,
          s.naive.calls,
          s.naive.throttled,
          seconds(naiveMs),
          `${w.maxPassCalls} / ${c.totalCalls}`,
          `${seconds(w.awsWallMs)} / ${seconds(c.awsWallMs)}`,
          `${(w.maxPassCalls / s.naive.calls).toFixed(3)} / ${(c.totalCalls / s.naive.calls).toFixed(3)}`,
          `${(w.awsWallMs / naiveMs).toFixed(3)} / ${(c.awsWallMs / naiveMs).toFixed(3)}`,
        ];
      }),
      ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  const problems = r.sizes.filter((s) => s.naive.problems.length > 0);
  if (problems.length) out.push(`The naive controller found problems (it should find none): ${problems.map((s) => `${s.size}: ${s.naive.problems.slice(0, 3).join('; ')}`).join(' / ')}.`, '');
  return out;
}

/** Calls by operation, each pass a column, the minimum beside any count that differs from it. */
function renderCallsByOperation(r: BenchResults): string[] {
  const out: string[] = [];
  out.push('### Calls by operation', '');
  const ops = [...new Set(r.sizes.flatMap((s) => s.passes.flatMap((p) => [...Object.keys(p.calls), ...Object.keys(p.minimum)])))].sort();
  const columns = r.sizes.flatMap((s) => s.passes.map((p) => ({ s, p })));
  out.push(
    table(
      ['operation', ...columns.map(({ s, p }) => `${s.size} ${p.pass}`)],
      ops.map((op) => [op, ...columns.map(({ p }) => ((p.calls[op] ?? 0) === (p.minimum[op] ?? 0) ? String(p.calls[op] ?? '·') : `${p.calls[op] ?? 0} (min ${p.minimum[op] ?? 0})`))]),
      ['l', ...columns.map(() => 'r' as const)],
    ),
    '',
  );
  return out;
}

/** Time to heal each kind of drift, and whether the pass after it planned nothing. */
function renderHeal(r: BenchResults): string[] {
  const out: string[] = [];
  out.push('## Time to heal (drift pass)', '');
  out.push(
    'From the start of the drift pass to the healing change being done, in simulated time: for a service, its UpdateService (and the rollout tag after it); for aliases, the Route 53 change reaching INSYNC. Median and slowest event of each kind.',
    '',
  );
  out.push(
    table(
      ['services', 'drift kind', 'events', 'resources', 'healed', 'simulated (median / slowest)'],
      r.sizes.flatMap((s) =>
        s.drift.heal.map((h) => [s.size, h.kind, h.events, h.resources, `${h.healed}/${h.events}`, h.simSeconds === null ? '—' : `${h.simSeconds.median} s / ${h.simSeconds.max} s`]),
      ),
      ['r', 'l', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  const verified = r.sizes.map((s) => `${s.size}: ${s.drift.verified === null ? 'not checked' : s.drift.verified ? 'yes' : `no (${s.drift.unhealed.slice(0, 3).join('; ')})`}`).join(', ');
  out.push(`A pass after the drift pass (and ${SETTLE_MS / 60_000} simulated minutes) plans nothing: ${verified}.`, '');
  return out;
}

/** The bundle a cold start loads and how long a fresh process takes to import it. */
function renderColdStart(r: BenchResults): string[] {
  const out: string[] = [];
  out.push('## Cold start', '');
  const { bundle, load, entry } = r.coldStart;
  out.push(
    table(
      ['entry', 'loaded at a cold start (files)', 'gzip', 'all files (loaded when first used)', `import (median / slowest of ${load.runs})`, 'whole process (median)', 'runs (ms)'],
      [
        [
          entry,
          `${mb(bundle.bytes)} (${bundle.files?.loaded ?? 1})`,
          mb(bundle.gzipBytes),
          bundle.totalBytes !== undefined ? `${mb(bundle.totalBytes)} (${bundle.files!.all})` : '—',
          `${load.importMs} ms / ${load.importMaxMs} ms`,
          `${load.processMs} ms`,
          load.importRuns.join(', '),
        ],
      ],
      ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
    ),
    '',
  );
  out.push(`Largest inputs in what a cold start loads: ${bundle.largest.map((l) => `${l.input} ${mb(l.bytes)}`).join(', ')}.`, '');
  const alone = r.coldStart.measured;
  if (alone) out.push(`This row and the CLI start-up were measured apart from the others (\`--only-start\`): commit ${alone.commit}, ${alone.at}, load average ${alone.loadAverage}.`, '');
  return out;
}

/** How long the CLI takes to start, by command. */
function renderCliStartup(startup: NonNullable<BenchResults['cliStartup']>): string[] {
  const out: string[] = [];
  out.push('## CLI start-up', '');
  out.push(table(['command', 'median', 'slowest', 'runs'], startup.map((c) => [`\`${c.command}\``, `${c.medianMs} ms`, `${c.maxMs} ms`, c.runs]), ['l', 'r', 'r', 'r']), '');
  return out;
}

/** The status page: what it showed and how long it took to render. */
function renderStatusPage(p: NonNullable<BenchResults['statusPage']>): string[] {
  const out: string[] = [];
  out.push('## Status page', '');
  out.push(
    table(
      ['services', 'statuses', 'broken chains', 'drift events', 'read from the table', `render (median / slowest of ${p.runs})`, 'page'],
      [[p.services, p.statuses, p.brokenChains, p.driftEvents, `${p.loadMs} ms`, `${p.renderMs.median} ms / ${p.renderMs.max} ms`, mb(p.bytes)]],
      ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  return out;
}

const TICK_LABEL: Record<OrganisationTick['tick'], string> = { first: 'first (creates everything)', steady: 'nothing to change' };
const spreadText = (s: { p50: number; p99: number; max: number }) => `${seconds(s.p50)} / ${seconds(s.p99)} / ${seconds(s.max)}`;
const tally = (counts: Record<string, number>) => Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ');

/** The organisation row: its ticks, one worker's memory, the requests each account and Region answered. */
function renderOrganisation(row: OrganisationRow): string {
  const { result: r, worker } = row;
  const out: string[] = ['## Organisation', ''];
  out.push(
    `${r.environments} environments of ${r.services} services (${(r.environments * r.services).toLocaleString('en')} services) in ${r.accounts} simulated accounts and ${r.regions} Regions, each account and Region enforcing its own rate limits, ` +
      `environments outside the controller's account reached through their role (STS AssumeRole). One tick: the dispatcher loads the commit and sends one SQS message per environment; ` +
      `${r.concurrency} worker containers at most (the event source's maximumConcurrency) reconcile one environment each, with their leases and records in a local DynamoDB, the specs in a local S3, the queue on a local SQS; ` +
      `${r.latencyMs} ms of simulated latency per request, the local servers' too. Times are simulated. Measured ${row.measuredAt} at commit ${row.commit} (bench/organisation.ts).`,
    '',
  );
  out.push(
    table(
      ['tick', 'sent', 'dispatch → last environment done', 'worker per environment (p50 / p99 / slowest)', 'done after dispatch (p50 / p99 / slowest)', 'verdicts', 'requests (throttled)', 'AssumeRole', 'process CPU', 'real wall', 'peak RSS (before)'],
      r.ticks.map((t) => [TICK_LABEL[t.tick], t.enqueued, seconds(t.simMs), spreadText(t.passMs), spreadText(t.doneMs), tally(t.verdicts), `${t.attempts} (${t.throttled})`, t.assumeRole, seconds(t.cpuMs), seconds(t.wallMs), `${t.rssPeakMB} MB (${t.rssBeforeMB})`]),
      ['l', 'r', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  const wPeak = Math.max(...worker.ticks.map((t) => t.rssPeakMB));
  out.push(
    `**Peak RSS per worker**: ${wPeak} MB (${worker.ticks[0].rssBeforeMB} MB before its first message), measured in a process of its own running one worker container for one environment of ${worker.services} services through both ticks. ` +
      'The process also holds that environment\'s simulated account and the local DynamoDB, S3 and SQS servers, so it is an upper bound for the Lambda. ' +
      `The organisation's process (${r.concurrency} containers, ${r.accounts * r.regions} simulated accounts and Regions, the servers) peaked at ${Math.max(...r.ticks.map((t) => t.rssPeakMB))} MB.` +
      (r.errors.count ? ` The Lambda code logged ${r.errors.count} ERROR lines; the first: ${r.errors.first.map(errorMessage).join(' / ')}.` : ' The Lambda code logged no ERROR line.'),
    '',
  );
  out.push(
    table(
      ['account', 'Region', ...r.ticks.map((t) => `${t.tick}: requests (throttled)`)],
      r.ticks[0].byAccount.map((a, i) => [a.account, a.region, ...r.ticks.map((t) => `${t.byAccount[i].attempts} (${t.byAccount[i].throttled})`)]),
      ['l', 'l', ...r.ticks.map(() => 'r' as const)],
    ),
    '',
  );
  out.push("Route 53 is global: an account's Route 53 requests are counted in its first Region.", '');
  return out.join('\n');
}
