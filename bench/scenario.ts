/**
 * One size of the benchmark: build the environment, then three measured passes — the first
 * (everything to create), one with no drift, one after drift — and a fourth, unmeasured, that
 * checks the drift was healed. Runs in a process of its own (see run.ts), so peak RSS is this
 * size's alone.
 */
import { countCalls } from '../controller/aws/clients.js';
import { EcsAdapter, taskDefinitionCacheOf } from '../controller/aws/ecs.js';
import type { PassResult } from '../controller/model/pass.js';
import { createAdapters, runPass } from '../controller/pass.js';
import { buildEnvironment, type BenchEnvironment } from '../controller/testing/fleet.js';
import { driftShape, injectDrift, type DriftEvent } from './drift.js';
import { Instruments, maxRss, sampleMemory, type CallRecord } from './instrument.js';
import { median } from './stats.js';
import { driftMinimum, firstPassMinimum, noDriftMinimum, noDriftWiringMinimum, total, DRIFT_KINDS, type CallCounts, type DriftKind } from './minimum.js';

export interface SizeOptions {
  size: number;
  /** Real latency added to every simulated API call. */
  latencyMs: number;
  /** Route 53's throttle, requests per second (token bucket, burst = rate). */
  route53PerSecond: number;
  /** Skip the unmeasured pass that checks the drift was healed. */
  skipVerify?: boolean;
}

export type PassName = 'first' | 'noDrift' | 'noDriftWiring' | 'drift';

export interface PassMeasurement {
  pass: PassName;
  /** Commands steady sent, by `service:Operation` (what `PassResult.apiCalls` records). */
  calls: CallCounts;
  minimum: CallCounts;
  totalCalls: number;
  minimumCalls: number;
  /** totalCalls / minimumCalls. */
  ratio: number;
  /** Operations above their minimum, and by how much. */
  excess: CallCounts;
  /** Operations below their minimum: a wrong formula or a skipped read (should stay empty). */
  missing: CallCounts;
  /** Requests the simulated account answered, throttled retries included, and how many were throttled. */
  attempts: number;
  throttled: number;
  /** Time the SDK waited between attempts, summed over commands (they overlap in time). */
  retryDelayMs: number;
  wallMs: number;
  /** Simulated time the pass took (waits for migrations and DNS changes advance it). */
  simMs: number;
  /** Process CPU during the pass, and the part spent in the simulated account's handlers. */
  cpuMs: number;
  simCpuMs: number;
  /** Highest RSS sampled during the pass (process: steady, the SDK and the simulated account). */
  rssPeakMB: number;
  /** The process's peak RSS so far (includes building the environment and earlier passes). */
  maxRssMB: number;
  /** RSS and heap in use right before the pass, after a full GC (heap: mostly the simulated account's state). */
  rssBeforeMB: number;
  heapBeforeMB: number;
  /** Highest heap in use sampled during the pass: the rise over heapBeforeMB is the pass's own working set. */
  heapPeakMB: number;
  plannedActions: number;
  outcomes: Record<string, number>;
  phases: Record<string, number>;
}

/** How long the drift pass took to heal one kind of drift. */
export interface HealMeasurement {
  kind: DriftKind;
  events: number;
  resources: number;
  healed: number;
  /** From the pass's start to the healing change being done (a rollout started, a DNS change INSYNC): median and slowest event. */
  simSeconds: { median: number; max: number } | null;
  wallMs: { median: number; max: number } | null;
}

/** The no-drift pass again with no injected latency and no throttling: what steady, the SDK and the simulator cost by themselves. */
export interface UnloadedMeasurement {
  wallMs: number;
  cpuMs: number;
  simCpuMs: number;
}

export interface SizeResult {
  size: number;
  latencyMs: number;
  route53PerSecond: number;
  environment: {
    services: number;
    loadBalancers: number;
    targetGroups: number;
    zones: number;
    repositories: number;
    imageIds: number;
    migrations: number;
    aliases: number;
    changeBudget: number;
  };
  setupMs: number;
  passes: PassMeasurement[];
  /** The no-drift pass right after the first pass (unmeasured in the tables: see README). */
  noDriftWarmUp: Pick<PassMeasurement, 'totalCalls' | 'minimumCalls' | 'wallMs' | 'rssPeakMB' | 'rssBeforeMB'>;
  noDriftUnloaded: UnloadedMeasurement;
  drift: { events: DriftEvent[]; heal: HealMeasurement[]; verified: boolean | null; unhealed: string[] };
}

/** Simulated time allowed between passes for rollouts to finish and DNS changes to reach INSYNC. */
export const SETTLE_MS = 15 * 60_000;
const MB = 1024 * 1024;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function tally(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}

function compare(calls: CallCounts, minimum: CallCounts): { excess: CallCounts; missing: CallCounts } {
  const excess: CallCounts = {};
  const missing: CallCounts = {};
  for (const op of new Set([...Object.keys(calls), ...Object.keys(minimum)])) {
    const d = (calls[op] ?? 0) - (minimum[op] ?? 0);
    if (d > 0) excess[op] = d;
    if (d < 0) missing[op] = -d;
  }
  return { excess, missing };
}

/**
 * Runs the benchmark for one size.
 *
 * @example
 * const result = await runSize({ size: 100, latencyMs: 40, route53PerSecond: 5 });
 */
export async function runSize(options: SizeOptions): Promise<SizeResult> {
  const setupStart = performance.now();
  const env = buildEnvironment(options.size);
  const { account, layout, desired } = env;
  const clients = account.clients();
  const counter = countCalls(clients);
  const adapters = createAdapters(clients);
  const instruments = new Instruments(account, clients);
  const load = () => {
    account.faults.latency({ ms: options.latencyMs });
    account.faults.rateLimit({ service: 'route53', perSecond: options.route53PerSecond });
  };
  load();
  const setupMs = performance.now() - setupStart;

  const pass = async (using = adapters, wiring?: { probes?: boolean }): Promise<PassResult> =>
    (await runPass({ desired, adapters: using, clock: account.clock, calls: counter, wiring })).result;

  const measure = async (name: PassName, minimum: CallCounts, wiring?: { probes?: boolean }): Promise<{ m: PassMeasurement; result: PassResult; wallStart: number }> => {
    // Passes run minutes apart: let Route 53's token bucket fill up again (it refills in real time).
    await new Promise((r) => setTimeout(r, 1000));
    (globalThis as { gc?: () => void }).gc?.();
    const { heapUsed: heapBefore, rss: rssBefore } = process.memoryUsage();
    const from = instruments.records.length;
    const logFrom = account.calls.length;
    const simCpu = instruments.simCpuMs;
    const cpu = process.cpuUsage();
    const stopMemory = sampleMemory();
    const wallStart = performance.now();
    const result = await pass(adapters, wiring);
    const wallMs = performance.now() - wallStart;
    const memoryPeak = stopMemory();
    const cpuUsed = process.cpuUsage(cpu);
    const records = instruments.records.slice(from);
    const log = account.calls.slice(logFrom);
    const { excess, missing } = compare(result.apiCalls, minimum);
    const m: PassMeasurement = {
      pass: name,
      calls: result.apiCalls,
      minimum,
      totalCalls: total(result.apiCalls),
      minimumCalls: total(minimum),
      ratio: round(total(result.apiCalls) / total(minimum), 2),
      excess,
      missing,
      attempts: log.length,
      throttled: log.filter((c) => c.error === 'Throttling' || c.error === 'ThrottlingException').length,
      retryDelayMs: Math.round(records.reduce((n, r) => n + r.retryDelayMs, 0)),
      wallMs: Math.round(wallMs),
      simMs: result.finishedAt - result.startedAt,
      cpuMs: Math.round((cpuUsed.user + cpuUsed.system) / 1000),
      simCpuMs: Math.round(instruments.simCpuMs - simCpu),
      rssPeakMB: round(memoryPeak.rss / MB),
      maxRssMB: round(maxRss() / MB),
      rssBeforeMB: round(rssBefore / MB),
      heapBeforeMB: round(heapBefore / MB),
      heapPeakMB: round(memoryPeak.heapUsed / MB),
      plannedActions: result.plan?.actions.length ?? 0,
      outcomes: tally(result.outcomes.map((o) => o.state)),
      phases: tally(result.resources.map((r) => r.phase)),
    };
    return { m, result, wallStart };
  };

  const passes: PassMeasurement[] = [];
  passes.push((await measure('first', firstPassMinimum(layout))).m);
  account.clock.advance(SETTLE_MS);
  // A warm Lambda runs no-drift passes one after another: measure the second, so the figures are
  // not those of the memory the first pass left mapped (Node gives it back over the next GCs).
  const warmUp = (await measure('noDrift', noDriftMinimum(layout))).m;
  passes.push((await measure('noDrift', noDriftMinimum(layout))).m);
  // The same with the wiring checks reconcileEnvironment runs by default (the pass is
  // observe, plan and converge; production adds these).
  const runningTasks = desired.services.reduce((n, svc) => n + svc.spec.desiredCount, 0);
  passes.push((await measure('noDriftWiring', noDriftWiringMinimum(layout, runningTasks), {})).m);
  // Fresh clients, so the adaptive retry mode's client-side rate limit (set by earlier throttling)
  // does not slow this pass down; the task-definition cache is carried over, as a warm Lambda has it.
  account.faults.clear();
  const fresh = account.clients();
  const noDriftUnloaded = await unloaded(() => pass({ ...createAdapters(fresh), ecs: new EcsAdapter(fresh.ecs, { cache: taskDefinitionCacheOf(clients.ecs) }) }), instruments);
  load();

  const events = await injectDrift(env, account.clients());
  const recordsFrom = instruments.records.length;
  const drifted = await measure('drift', driftMinimum(layout, driftShape(layout, events)));
  passes.push(drifted.m);
  const heal = healTimes(env, events, instruments.records.slice(recordsFrom), drifted.wallStart, drifted.result.startedAt);

  let verified: boolean | null = null;
  let unhealed: string[] = [];
  if (!options.skipVerify) {
    account.clock.advance(SETTLE_MS);
    const after = await pass();
    verified = (after.plan?.actions.length ?? 0) === 0;
    unhealed = after.resources.filter((r) => r.phase !== 'Synced').map((r) => `${r.resource}: ${r.phase} ${r.reason}`);
  }

  return {
    size: options.size,
    latencyMs: options.latencyMs,
    route53PerSecond: options.route53PerSecond,
    environment: {
      services: layout.services.length,
      loadBalancers: layout.loadBalancers.length,
      targetGroups: layout.targetGroups.length,
      zones: layout.zones.length,
      repositories: Object.keys(layout.repositories).length,
      imageIds: Object.values(layout.repositories).reduce((n, tags) => n + new Set(tags).size, 0),
      migrations: layout.migrations.length,
      aliases: desired.aliases.length,
      changeBudget: desired.environment.spec.changeBudget,
    },
    setupMs: Math.round(setupMs),
    passes,
    noDriftWarmUp: { totalCalls: warmUp.totalCalls, minimumCalls: warmUp.minimumCalls, wallMs: warmUp.wallMs, rssPeakMB: warmUp.rssPeakMB, rssBeforeMB: warmUp.rssBeforeMB },
    noDriftUnloaded,
    drift: { events, heal, verified, unhealed },
  };
}

async function unloaded(pass: () => Promise<PassResult>, instruments: Instruments): Promise<UnloadedMeasurement> {
  (globalThis as { gc?: () => void }).gc?.();
  const simCpu = instruments.simCpuMs;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await pass();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  if ((result.plan?.actions.length ?? 0) > 0) throw new Error('the unloaded no-drift pass planned changes: the environment drifted by itself');
  return { wallMs: Math.round(wallMs), cpuMs: Math.round((used.user + used.system) / 1000), simCpuMs: Math.round(instruments.simCpuMs - simCpu) };
}

/**
 * When each drift event was healed, from the drift pass's call timeline: for a service, its
 * last UpdateService or TagResource (the rollout tag follows the update); for a stale alias, the
 * GetChange that saw its change batch INSYNC.
 */
export function healTimes(env: BenchEnvironment, events: DriftEvent[], records: CallRecord[], wallStart: number, simStart: number): HealMeasurement[] {
  const ok = records.filter((r) => !r.error);
  const serviceArnSuffix = (name: string) => `:service/${env.layout.cluster}/${name}`;
  const healedAt = (e: DriftEvent): CallRecord | undefined => {
    if (e.service) {
      return ok.filter((r) => (r.operation === 'UpdateService' && r.subject === e.service) || (r.operation === 'TagResource' && r.subject?.endsWith(serviceArnSuffix(e.service!)))).at(-1);
    }
    let last: CallRecord | undefined;
    for (const name of e.records ?? []) {
      const change = ok.find((r) => r.operation === 'ChangeResourceRecordSets' && r.names?.includes(name));
      const insync = change && ok.find((r) => r.operation === 'GetChange' && r.changeId === change.changeId && r.status === 'INSYNC');
      if (!insync) return undefined;
      if (!last || insync.wallEnd > last.wallEnd) last = insync;
    }
    return last;
  };
  return DRIFT_KINDS.map((kind) => {
    const mine = events.filter((e) => e.kind === kind);
    const times = mine.map(healedAt).filter((r): r is CallRecord => r !== undefined);
    const spread = (values: number[]) => (values.length ? { median: median(values), max: Math.max(...values) } : null);
    const sim = spread(times.map((r) => (r.simEnd - simStart) / 1000));
    const wall = spread(times.map((r) => r.wallEnd - wallStart));
    return {
      kind,
      events: mine.length,
      resources: mine.reduce((n, e) => n + e.resources.length, 0),
      healed: times.length,
      simSeconds: sim && { median: round(sim.median), max: round(sim.max) },
      wallMs: wall && { median: Math.round(wall.median), max: Math.round(wall.max) },
    };
  });
}
