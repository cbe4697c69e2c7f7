/**
 * The benchmark's results: the JSON document written to bench/results/, the targets of issue 9
 * checked against it, and the Markdown rendering printed and committed beside it.
 */
import type { BundleResult, LoadTimes } from './coldstart.js';
import { SETTLE_MS, type PassMeasurement, type SizeResult } from './scenario.js';
import type { StartupMeasurement } from './startup.js';
import type { StatusPageMeasurement } from './status-page.js';

export interface BenchResults {
  measuredAt: string;
  /** The commit measured, and whether the tree had uncommitted changes outside bench/results/. */
  commit: string;
  dirty: boolean;
  node: string;
  machine: string;
  options: { latencyMs: number; route53PerSecond: number; sizes: number[]; quick: boolean; loadRuns: number };
  sizes: SizeResult[];
  coldStart: { entry: string; bundle: Omit<BundleResult, 'file'>; load: LoadTimes };
  /** The status page of the largest size, read from a state table and rendered. */
  statusPage?: StatusPageMeasurement;
  /** `steady --version`, `--help`, `plan --help`: spawn to exit (issue 22). */
  cliStartup?: StartupMeasurement[];
  targets: TargetCheck[];
}

export interface TargetCheck {
  target: string;
  measured: string;
  /** null: not measured in this run (size or latency not included). */
  met: boolean | null;
  /** By how much and why, when missed; what the number includes otherwise. */
  note: string;
}

export const TARGET_WALL_MS = 10_000;
export const TARGET_RSS_MB = 256;
export const TARGET_BUNDLE_BYTES = 2_000_000;
export const TARGET_LOAD_MS = 300;
export const TARGET_PAGE_RENDER_MS = 1000;
export const TARGET_PAGE_BYTES = 2_000_000;
export const TARGET_CLI_START_MS = 300;
const TARGET_SIZE = 1000;
const TARGET_LATENCY_MS = 40;

const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(2)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (value: number, target: number) => `${Math.round((value / target - 1) * 100)}%`;

function opsList(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([op, n]) => `${op} +${n}`).join(', ') : '—';
}

/** Where a pass's wall time went, from what was measured. */
export function wallBreakdown(p: PassMeasurement): string {
  const waiting = Math.max(0, p.wallMs - p.cpuMs);
  return `CPU ${seconds(p.cpuMs)} (of which the simulated account's handlers ${seconds(p.simCpuMs)}), waiting ${seconds(waiting)} (injected latency on sequential calls, ${p.throttled} throttled attempts with ${seconds(p.retryDelayMs)} of SDK back-off summed over calls)`;
}

/** Checks the issue's targets against a run. */
export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const noDrift = results.sizes.map((s) => ({ size: s.size, p: s.passes.find((p) => p.pass === 'noDrift')! }));
  const off = noDrift.filter(({ p }) => p.totalCalls !== p.minimumCalls || Object.keys(p.missing).length > 0);
  const warmOff = results.sizes.filter((s) => s.noDriftWarmUp.totalCalls !== s.noDriftWarmUp.minimumCalls);
  checks.push({
    target: 'no-drift pass calls = minimum (ratio 1.00) at every size',
    measured: noDrift.map(({ size, p }) => `${size}: ${p.totalCalls}/${p.minimumCalls} = ${p.ratio.toFixed(2)}`).join('; '),
    met: off.length === 0 && warmOff.length === 0,
    note: [
      off.length === 0 ? 'every read batched to its maximum; task definitions from the cache' : off.map(({ size, p }) => `${size}: above the minimum by ${opsList(p.excess)}; below it by ${opsList(p.missing)}`).join('; '),
      warmOff.length === 0
        ? 'the no-drift pass right after the first pass made the minimum too'
        : `the no-drift pass right after the first pass did not: ${warmOff.map((s) => `${s.size}: ${s.noDriftWarmUp.totalCalls}/${s.noDriftWarmUp.minimumCalls}`).join('; ')}`,
    ].join('; '),
  });

  const big = results.sizes.find((s) => s.size === TARGET_SIZE);
  const atTarget = big && results.options.latencyMs === TARGET_LATENCY_MS;
  const bigPass = big?.passes.find((p) => p.pass === 'noDrift');
  const bigWiring = big?.passes.find((p) => p.pass === 'noDriftWiring');
  const withWiring = bigWiring
    ? `. With the wiring checks reconcile runs by default the pass makes ${bigWiring.totalCalls} calls (minimum ${bigWiring.minimumCalls}) in ${seconds(bigWiring.wallMs)}, peak RSS ${bigWiring.rssPeakMB} MB`
    : '';
  checks.push(
    !atTarget || !bigPass
      ? { target: `${TARGET_SIZE}-service no-drift pass under 10 s wall at ${TARGET_LATENCY_MS} ms latency`, measured: '—', met: null, note: `not measured: run with --sizes including ${TARGET_SIZE} and --latency ${TARGET_LATENCY_MS}` }
      : {
          target: `${TARGET_SIZE}-service no-drift pass under 10 s wall at ${TARGET_LATENCY_MS} ms latency`,
          measured: seconds(bigPass.wallMs),
          met: bigPass.wallMs < TARGET_WALL_MS,
          note: `${bigPass.wallMs < TARGET_WALL_MS ? '' : `over by ${seconds(bigPass.wallMs - TARGET_WALL_MS)} (${pct(bigPass.wallMs, TARGET_WALL_MS)}). `}${wallBreakdown(bigPass)}; without latency and throttling the same pass takes ${seconds(big!.noDriftUnloaded.wallMs)}${withWiring}`,
        },
  );
  checks.push(
    !bigPass
      ? { target: `${TARGET_SIZE}-service no-drift pass under ${TARGET_RSS_MB} MB RSS`, measured: '—', met: null, note: `not measured: run with --sizes including ${TARGET_SIZE}` }
      : {
          target: `${TARGET_SIZE}-service no-drift pass under ${TARGET_RSS_MB} MB RSS`,
          measured: `${bigPass.rssPeakMB} MB`,
          met: bigPass.rssPeakMB < TARGET_RSS_MB,
          note: `${bigPass.rssPeakMB < TARGET_RSS_MB ? '' : `over by ${(bigPass.rssPeakMB - TARGET_RSS_MB).toFixed(1)} MB. `}peak sampled during the pass, for the whole process: steady, the SDK and the simulated account. Before the pass, after a full GC, the process held ${bigPass.rssBeforeMB} MB (the simulated account's state: ${bigPass.heapBeforeMB} MB of heap with steady's cache), so the pass itself added ${(bigPass.rssPeakMB - bigPass.rssBeforeMB).toFixed(1)} MB of RSS; heap in use rose by ${(bigPass.heapPeakMB - bigPass.heapBeforeMB).toFixed(1)} MB. The no-drift pass right after the first pass peaked at ${big!.noDriftWarmUp.rssPeakMB} MB, the process's high-water mark (first pass included) is ${bigPass.maxRssMB} MB`,
        },
  );
  const { bundle, load, entry } = results.coldStart;
  checks.push({
    target: 'bundle under 2 MB',
    measured: `${mb(bundle.bytes)} (${entry})`,
    met: bundle.bytes < TARGET_BUNDLE_BYTES,
    note: `${bundle.bytes < TARGET_BUNDLE_BYTES ? '' : `over by ${mb(bundle.bytes - TARGET_BUNDLE_BYTES)}. `}largest inputs: ${bundle.largest
      .slice(0, 4)
      .map((l) => `${l.input} ${mb(l.bytes)}`)
      .join(', ')}`,
  });
  checks.push({
    target: 'load under 300 ms',
    measured: `${load.importMs} ms`,
    met: load.importMs < TARGET_LOAD_MS,
    note: `${load.importMs < TARGET_LOAD_MS ? '' : `over by ${(load.importMs - TARGET_LOAD_MS).toFixed(0)} ms. `}median import() of ${load.runs} fresh processes; the whole process (Node start-up included) ${load.processMs} ms`,
  });
  checks.push(statusPageTarget(results.statusPage));
  if (results.cliStartup) {
    const node = results.cliStartup.find((c) => c.command === 'node -e 0');
    const slowest = results.cliStartup.filter((c) => c !== node).reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
    checks.push({
      target: 'steady --help and --version under 300 ms',
      measured: results.cliStartup.filter((c) => c !== node).map((c) => `${c.command} ${c.medianMs} ms`).join(', '),
      met: slowest.medianMs < TARGET_CLI_START_MS,
      note: `${slowest.medianMs < TARGET_CLI_START_MS ? '' : `${slowest.command} over by ${(slowest.medianMs - TARGET_CLI_START_MS).toFixed(0)} ms. `}median of ${slowest.runs} fresh processes each, spawn to exit (Node's own start-up included), from the cached bundle of the command definitions; Node alone (node -e 0) took ${node?.medianMs ?? '?'} ms on the same machine`,
    });
  }
  return checks;
}

function statusPageTarget(page: StatusPageMeasurement | undefined): TargetCheck {
  const target = `${TARGET_SIZE}-service status page renders under 1 s, under 2 MB`;
  if (!page || page.services !== TARGET_SIZE) return { target, measured: '—', met: null, note: `not measured: run with --sizes including ${TARGET_SIZE}` };
  const fast = page.renderMs.max < TARGET_PAGE_RENDER_MS;
  const small = page.bytes < TARGET_PAGE_BYTES;
  return {
    target,
    measured: `${page.renderMs.median} ms, ${mb(page.bytes)}`,
    met: fast && small,
    note: `${fast ? '' : `slowest render ${page.renderMs.max} ms. `}${small ? '' : `over by ${mb(page.bytes - TARGET_PAGE_BYTES)}. `}median of ${page.runs} renders (slowest ${page.renderMs.max} ms) of ${page.statuses} statuses, ${page.brokenChains} broken chains and ${page.driftEvents} drift events after the first, a quiet and the drift pass; reading them from the table took ${page.loadMs} ms`,
  };
}

// ---------------------------------------------------------------------------------- Markdown

function table(head: string[], rows: (string | number)[][], align: ('l' | 'r')[]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(head), `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`, ...rows.map(line)].join('\n');
}

const PASS_LABEL: Record<PassMeasurement['pass'], string> = { first: 'first', noDrift: 'no drift', noDriftWiring: 'no drift + wiring', drift: 'drift' };
const mark = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : '**missed**');

/** The results as Markdown: environments, passes, heal times, cold start, targets. */
export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  out.push('# steady benchmark results', '');
  out.push(
    `Measured ${r.measuredAt} at commit ${r.commit}${r.dirty ? ' (with uncommitted changes)' : ''}, Node ${r.node}, ${r.machine}. ` +
      `Simulated account with ${r.options.latencyMs} ms of real latency per call and Route 53 throttled to ${r.options.route53PerSecond} requests/s; ` +
      `SDK clients with their real retry back-off. How to read this: bench/README.md.`,
    '',
  );

  out.push('## Targets', '');
  out.push(table(['target', 'measured', 'result', 'note'], r.targets.map((t) => [t.target, t.measured, mark(t.met), t.note]), ['l', 'l', 'l', 'l']), '');

  out.push('## Environments', '');
  out.push(
    table(
      ['services', 'ALBs', 'target groups', 'zones', 'ECR repositories (image ids)', 'migrations', 'aliases', 'drift events', 'build'],
      r.sizes.map((s) => [
        s.size,
        s.environment.loadBalancers,
        s.environment.targetGroups,
        s.environment.zones,
        `${s.environment.repositories} (${s.environment.imageIds})`,
        s.environment.migrations,
        s.environment.aliases,
        s.drift.events.length,
        seconds(s.setupMs),
      ]),
      ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );

  out.push('## Passes', '');
  out.push(
    table(
      ['services', 'pass', 'calls', 'minimum', 'ratio', 'above the minimum', 'throttled', 'wall', 'simulated', 'CPU (simulator)', 'peak RSS (before)', 'heap (before → peak)'],
      r.sizes.flatMap((s) =>
        s.passes.map((p) => [
          s.size,
          PASS_LABEL[p.pass],
          p.totalCalls,
          p.minimumCalls,
          p.ratio.toFixed(2),
          opsList(p.excess),
          p.throttled,
          seconds(p.wallMs),
          seconds(p.simMs),
          `${seconds(p.cpuMs)} (${seconds(p.simCpuMs)})`,
          `${p.rssPeakMB} MB (${p.rssBeforeMB})`,
          `${p.heapBeforeMB} → ${p.heapPeakMB} MB`,
        ]),
      ),
      ['r', 'l', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );

  out.push('### What the injected latency and throttling add', '');
  out.push(
    'The no-drift pass once more with no latency and no throttling: what steady, the SDK and the simulated account cost by themselves. The difference to the no-drift row above is the waiting on the simulated network.',
    '',
  );
  out.push(
    table(
      ['services', 'wall', 'CPU', 'of which the simulated account', 'no-drift wall with latency and throttling'],
      r.sizes.map((s) => [s.size, seconds(s.noDriftUnloaded.wallMs), seconds(s.noDriftUnloaded.cpuMs), seconds(s.noDriftUnloaded.simCpuMs), seconds(s.passes.find((p) => p.pass === 'noDrift')!.wallMs)]),
      ['r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );

  out.push('### Calls by operation', '');
  const ops = [...new Set(r.sizes.flatMap((s) => s.passes.flatMap((p) => [...Object.keys(p.calls), ...Object.keys(p.minimum)])))].sort();
  const columns = r.sizes.flatMap((s) => s.passes.map((p) => ({ s, p })));
  out.push(
    table(
      ['operation', ...columns.map(({ s, p }) => `${s.size} ${PASS_LABEL[p.pass]}`)],
      ops.map((op) => [op, ...columns.map(({ p }) => ((p.calls[op] ?? 0) === (p.minimum[op] ?? 0) ? String(p.calls[op] ?? '·') : `${p.calls[op] ?? 0} (min ${p.minimum[op] ?? 0})`))]),
      ['l', ...columns.map(() => 'r' as const)],
    ),
    '',
  );

  out.push('## Time to heal (drift pass)', '');
  out.push(
    'From the start of the drift pass to the healing change being done: for a service, its UpdateService (and the rollout tag after it); for aliases, the Route 53 change reaching INSYNC. Median and slowest event of each kind.',
    '',
  );
  out.push(
    table(
      ['services', 'drift kind', 'events', 'resources', 'healed', 'simulated (median / slowest)', 'wall (median / slowest)'],
      r.sizes.flatMap((s) =>
        s.drift.heal.map((h) => [
          s.size,
          h.kind,
          h.events,
          h.resources,
          `${h.healed}/${h.events}`,
          h.simSeconds === null ? '—' : `${h.simSeconds.median} s / ${h.simSeconds.max} s`,
          h.wallMs === null ? '—' : `${seconds(h.wallMs.median)} / ${seconds(h.wallMs.max)}`,
        ]),
      ),
      ['r', 'l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  const verified = r.sizes.map((s) => `${s.size}: ${s.drift.verified === null ? 'not checked' : s.drift.verified ? 'yes' : `no (${s.drift.unhealed.slice(0, 3).join('; ')})`}`).join(', ');
  out.push(`A pass after the drift pass (and ${SETTLE_MS / 60_000} simulated minutes) plans nothing: ${verified}.`, '');

  out.push('## Cold start', '');
  const { bundle, load, entry } = r.coldStart;
  out.push(
    table(
      ['entry', 'bundle', 'gzip', `import (median of ${load.runs})`, 'whole process (median)', 'runs (ms)'],
      [[entry, mb(bundle.bytes), mb(bundle.gzipBytes), `${load.importMs} ms`, `${load.processMs} ms`, load.importRuns.join(', ')]],
      ['l', 'r', 'r', 'r', 'r', 'l'],
    ),
    '',
  );
  out.push(`Largest inputs in the bundle: ${bundle.largest.map((l) => `${l.input} ${mb(l.bytes)}`).join(', ')}.`, '');
  if (r.cliStartup) {
    out.push('## CLI start-up', '');
    out.push(table(['command', 'median', 'slowest', 'runs'], r.cliStartup.map((c) => [`\`${c.command}\``, `${c.medianMs} ms`, `${c.maxMs} ms`, c.runs]), ['l', 'r', 'r', 'r']), '');
  }
  if (r.statusPage) {
    const p = r.statusPage;
    out.push('## Status page', '');
    out.push(
      table(
        ['services', 'statuses', 'broken chains', 'drift events', 'read from the table', `render (median / slowest of ${p.runs})`, 'page'],
        [[p.services, p.statuses, p.brokenChains, p.driftEvents, `${p.loadMs} ms`, `${p.renderMs.median} ms / ${p.renderMs.max} ms`, mb(p.bytes)]],
        ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
  }
  return out.join('\n');
}
