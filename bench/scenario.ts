/**
 * One size of the benchmark, the passes production runs (the wiring checks on), on a simulated
 * account that enforces AWS's rate limits, with the SDK's retries backing off on its clock:
 *
 * 1. first: a cold Lambda creates everything (in budget-sized steps when it is larger than the
 *    change budget, which the benchmark environments allow);
 * 2. cold: 15 simulated minutes later, a fresh Lambda (after a deploy: no caches, no memory)
 *    runs a pass with no drift;
 * 3. warm: that Lambda runs a pass every simulated minute for one rotation period — the steady
 *    state;
 * 4. drift: drift is injected and the warm Lambda heals it; then (unmeasured) a check pass;
 * 5. naive: the naive per-service controller (naive.ts) over the same account, for comparison.
 *
 * Runs in a process of its own (see run.ts), so peak RSS is this size's alone.
 */
import type { AwsClients } from '../controller/aws/clients.js';
import { countCalls } from '../controller/aws/clients.js';
import type { PassResult } from '../controller/model/pass.js';
import { createAdapters, runPass } from '../controller/pass.js';
import { benchDesired, buildEnvironment, type BenchEnvironment } from '../controller/testing/fleet.js';
import { DEFAULT_ROTATION_MINUTES } from '../controller/wiring/memory.js';
import { driftShape, injectDrift, type DriftEvent } from './drift.js';
import { Instruments, maxRss, sampleMemory, type CallRecord } from './instrument.js';
import { naivePass, type NaiveResult } from './naive.js';
import { median } from './stats.js';
import { driftMinimum, firstPassMinimum, noDriftMinimum, rotationMinimum, rotationPeriod, sum, total, DRIFT_KINDS, type CallCounts, type DriftKind } from './minimum.js';

export interface SizeOptions {
  size: number;
  /** Simulated latency of every API call (ms). */
  latencyMs: number;
  /** Skip the unmeasured pass that checks the drift was healed. */
  skipVerify?: boolean;
}

export type PassName = 'first' | 'cold' | 'warm' | 'drift';

/** Simulated time between passes: the default schedule, rate(1 minute). */
export const INTERVAL_MS = 60_000;
/** The rotation period (the Environment's default wiring.rotationMinutes). */
export const PERIOD_MS = DEFAULT_ROTATION_MINUTES * 60_000;
/** Simulated time allowed between passes for rollouts to finish and DNS changes to reach INSYNC. */
export const SETTLE_MS = 15 * 60_000;
/** Steps a first pass larger than the change budget may take. */
const MAX_STEPS = 5;

export interface PassMeasurement {
  pass: PassName;
  /** Passes the row covers: the steps of a first pass, the passes of one rotation period. */
  passes: number;
  /** Commands steady sent, by `service:Operation` (what `PassResult.apiCalls` records), over the row's passes. */
  calls: CallCounts;
  /** The independent minimum over the row's passes (minimum.ts). */
  minimum: CallCounts;
  totalCalls: number;
  minimumCalls: number;
  /** totalCalls / minimumCalls. */
  ratio: number;
  /** The row's busiest pass: its calls. */
  maxPassCalls: number;
  excess: CallCounts;
  missing: CallCounts;
  /** Requests the simulated account answered, throttled retries included, and how many were throttled. */
  attempts: number;
  throttled: number;
  /** Simulated time of the longest pass: the waiting on AWS (latency, rate limits, pacing, back-off). */
  simMs: number;
  /** steady's CPU in that pass: the process's minus the simulated account's handlers. */
  steadyCpuMs: number;
  /** steady's CPU per pass, the mean over the row's passes. */
  steadyCpuMeanMs: number;
  /** The pass's wall time on AWS, estimated: simMs + steadyCpuMs (no overlap assumed, so an upper bound). */
  awsWallMs: number;
  /** Real wall time in this process (inflated when the machine is shared). */
  wallMs: number;
  cpuMs: number;
  simCpuMs: number;
  /** Highest RSS sampled during the row's passes (the process: steady, the SDK and the simulated account). */
  rssPeakMB: number;
  rssBeforeMB: number;
  heapBeforeMB: number;
  heapPeakMB: number;
  /** The largest growth of the heap in use during one of the row's passes, from its start (after a full GC) to its peak. */
  heapGrowthMB: number;
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
}

export interface SizeResult {
  size: number;
  latencyMs: number;
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
    /** The wiring rotation's period ELB's rate allows (minutes). */
    rotationMinutes: number;
  };
  setupMs: number;
  /** The machine's 1-minute load average when the size's process started and ended (run.ts). */
  loadAverage?: [number, number];
  passes: PassMeasurement[];
  naive: NaiveResult;
  /** The process's peak RSS over the whole run (first pass included). */
  maxRssMB: number;
  /** steady's own memory, without the simulated account's: an estimate (see `LambdaMemory`). */
  lambdaMemory?: LambdaMemory;
  drift: { events: DriftEvent[]; heal: HealMeasurement[]; verified: boolean | null; unhealed: string[] };
}

/**
 * What a Lambda running steady alone would need at its peak, estimated from parts measured in this
 * process, which also holds the simulated account (bench/README.md, "steady's own memory"):
 * `estimateMB` = `baselineRssMB` + `specsMB` + `cachesMB` + `passGrowthMB`.
 */
export interface LambdaMemory {
  /** RSS of this process with its code loaded, before the environment and the account exist (after a full GC): Node, steady, the SDK. */
  baselineRssMB: number;
  /** Heap the environment's parsed specs hold (built again and weighed; a warm Lambda keeps them per commit). */
  specsMB: number;
  /** Heap the warm Lambda keeps between passes: clients, task-definition cache, zone ids, the wiring's memory (weighed by dropping it). */
  cachesMB: number;
  /**
   * A further drift pass (new drift injected after the check pass), its heap collected whenever it
   * grew `COLLECT_EVERY_MB` since the last collection, as a heap that holds steady alone would be:
   * its peak growth (an upper bound: live memory plus at most that much garbage), and the most that
   * was still live after a collection (a lower bound).
   */
  passPeakMB: number;
  passLiveMB: number;
  /** The largest growth of the heap during a cold, warm or drift pass, never collected on purpose (mostly garbage V8 collects late next to the account's state). */
  passGrowthMB: number;
  passGrowthOf: PassName;
  /** The first pass's growth, for comparison (not in the estimate). */
  firstPassGrowthMB: number;
  /** baselineRssMB + specsMB + cachesMB + passPeakMB. */
  estimateMB: number;
}

/** The memory pass collects its heap whenever it grew this much since the last collection. */
export const COLLECT_EVERY_MB = 64;

const MB = 1024 * 1024;

/** Heap in use after full collections (the benchmark's child runs with --expose-gc). */
function settledHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Runs a pass with its heap collected whenever it grew `COLLECT_EVERY_MB` since the last collection
 * (sampled every 5 ms): the peak growth from the start and the most still live after a collection, in bytes.
 */
async function collectedGrowth(run: () => Promise<unknown>): Promise<{ peak: number; live: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const start = settledHeap();
  let floor = start;
  let peak = 0;
  let live = 0;
  const sample = () => {
    const used = process.memoryUsage().heapUsed;
    peak = Math.max(peak, used - start);
    if (gc && used - floor >= COLLECT_EVERY_MB * MB) {
      gc();
      floor = process.memoryUsage().heapUsed;
      live = Math.max(live, floor - start);
    }
  };
  const timer = setInterval(sample, 5);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  sample();
  live = Math.max(live, settledHeap() - start);
  return { peak, live };
}

/** The parts of `LambdaMemory` measured in `runSize`, put together. */
function lambdaMemory(parts: { baselineRss: number; specs: number; caches: number; pass: { peak: number; live: number } }, passes: PassMeasurement[]): LambdaMemory {
  const rows = passes.filter((p) => p.pass !== 'first');
  const worst = rows.reduce((a, b) => (b.heapGrowthMB > a.heapGrowthMB ? b : a));
  const baselineRssMB = round(parts.baselineRss / MB);
  const specsMB = round(parts.specs / MB);
  const cachesMB = round(parts.caches / MB);
  const passPeakMB = round(parts.pass.peak / MB);
  return {
    baselineRssMB,
    specsMB,
    cachesMB,
    passPeakMB,
    passLiveMB: round(parts.pass.live / MB),
    passGrowthMB: worst.heapGrowthMB,
    passGrowthOf: worst.pass,
    firstPassGrowthMB: passes.find((p) => p.pass === 'first')?.heapGrowthMB ?? 0,
    estimateMB: round(baselineRssMB + specsMB + cachesMB + passPeakMB),
  };
}
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

/** One Lambda container: its clients, adapters (with their caches and wiring memory) and call counter. */
interface Lambda {
  clients: AwsClients;
  pass: () => Promise<PassResult>;
}

function lambda(env: BenchEnvironment, instruments?: Instruments): Lambda {
  const clients = env.account.clients();
  instruments?.watch(clients);
  const counter = countCalls(clients);
  const adapters = createAdapters(clients);
  return {
    clients,
    pass: async () => (await runPass({ desired: env.desired, adapters, clock: env.account.clock, calls: counter, wiring: {} })).result,
  };
}

/**
 * Moves the clock to the schedule's next run after `previous` started: rate(1 minute) fires every
 * minute, and a run that finds the previous pass still holding the lease does nothing, so a pass
 * longer than the interval pushes the next one to the following minute.
 */
function nextSchedule(env: BenchEnvironment, previous: Measured): void {
  const now = env.account.clock.now();
  const start = previous.result.startedAt;
  const next = start + Math.max(1, Math.ceil((now - start) / INTERVAL_MS)) * INTERVAL_MS;
  env.account.clock.advance(next - now);
}

/**
 * What the benchmark keeps of a pass's result: not the result itself, which holds what the pass
 * read (and what the Lambda's caches hold), so that the heap between passes is the simulated
 * account's and the Lambda's, as in production, and the Lambda's share can be measured by dropping it.
 */
interface PassSummary {
  startedAt: number;
  finishedAt: number;
  apiCalls: CallCounts;
  /** The resource of each planned action. */
  planned: string[];
  /** The state of each action's outcome. */
  outcomes: string[];
  /** The phase of each resource's status. */
  phases: string[];
  /** Left resources to a next step (a first pass larger than the change budget). */
  nextStep: boolean;
}

function summarise(result: PassResult): PassSummary {
  return {
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    apiCalls: result.apiCalls,
    planned: result.plan?.actions.map((a) => a.resource) ?? [],
    outcomes: result.outcomes.map((o) => o.state),
    phases: result.resources.map((r) => r.phase),
    nextStep: result.resources.some((r) => r.reason === 'NextStep'),
  };
}

/** One pass measured. */
interface Measured {
  result: PassSummary;
  calls: CallCounts;
  attempts: number;
  throttled: number;
  simMs: number;
  wallMs: number;
  cpuMs: number;
  simCpuMs: number;
  rss: number;
  heap: number;
  rssBefore: number;
  heapBefore: number;
}

async function measureOne(env: BenchEnvironment, instruments: Instruments, run: () => Promise<PassResult>): Promise<Measured> {
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed: heapBefore, rss: rssBefore } = process.memoryUsage();
  const logFrom = env.account.calls.length;
  const simCpu = instruments.simCpuMs;
  const cpu = process.cpuUsage();
  const stopMemory = sampleMemory();
  const wallStart = performance.now();
  const result = summarise(await run());
  const wallMs = performance.now() - wallStart;
  const peak = stopMemory();
  const used = process.cpuUsage(cpu);
  const log = env.account.calls.slice(logFrom);
  return {
    result,
    calls: result.apiCalls,
    attempts: log.length,
    throttled: log.filter((c) => /Throttl/.test(c.error ?? '')).length,
    simMs: result.finishedAt - result.startedAt,
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    simCpuMs: instruments.simCpuMs - simCpu,
    rss: peak.rss,
    heap: peak.heapUsed,
    rssBefore,
    heapBefore,
  };
}

/** A row from one or more measured passes: calls summed, time and memory of the worst pass. */
function row(pass: PassName, runs: Measured[], minimum: CallCounts): PassMeasurement {
  const calls = runs.reduce<CallCounts>((c, r) => sum(c, r.calls), {});
  const longest = runs.reduce((a, b) => (b.simMs + b.cpuMs - b.simCpuMs > a.simMs + a.cpuMs - a.simCpuMs ? b : a));
  const { excess, missing } = compare(calls, minimum);
  const steadyCpuMs = Math.round(longest.cpuMs - longest.simCpuMs);
  const last = runs.at(-1)!.result;
  return {
    pass,
    passes: runs.length,
    calls,
    minimum,
    totalCalls: total(calls),
    minimumCalls: total(minimum),
    ratio: round(total(calls) / total(minimum), 2),
    maxPassCalls: Math.max(...runs.map((r) => total(r.calls))),
    excess,
    missing,
    attempts: runs.reduce((n, r) => n + r.attempts, 0),
    throttled: runs.reduce((n, r) => n + r.throttled, 0),
    simMs: longest.simMs,
    steadyCpuMs,
    steadyCpuMeanMs: Math.round(runs.reduce((n, r) => n + r.cpuMs - r.simCpuMs, 0) / runs.length),
    awsWallMs: longest.simMs + steadyCpuMs,
    wallMs: Math.round(longest.wallMs),
    cpuMs: Math.round(longest.cpuMs),
    simCpuMs: Math.round(longest.simCpuMs),
    rssPeakMB: round(Math.max(...runs.map((r) => r.rss)) / MB),
    rssBeforeMB: round(runs[0].rssBefore / MB),
    heapBeforeMB: round(runs[0].heapBefore / MB),
    heapPeakMB: round(Math.max(...runs.map((r) => r.heap)) / MB),
    heapGrowthMB: round(Math.max(...runs.map((r) => r.heap - r.heapBefore)) / MB),
    plannedActions: runs.reduce((n, r) => n + r.result.planned.length, 0),
    outcomes: tally(runs.flatMap((r) => r.result.outcomes)),
    phases: tally(last.phases),
  };
}

/**
 * Runs the benchmark for one size.
 *
 * @example
 * const result = await runSize({ size: 100, latencyMs: 40 });
 */
export async function runSize(options: SizeOptions): Promise<SizeResult> {
  settledHeap();
  const baselineRss = process.memoryUsage().rss;
  const setupStart = performance.now();
  const env = buildEnvironment(options.size, { stepwise: true, rateLimits: true });
  const { account, layout, desired } = env;
  account.faults.latency({ ms: options.latencyMs });
  // Dropped after the first pass, so that the heap between the later passes holds one Lambda.
  let first: Lambda | undefined = lambda(env);
  const instruments = new Instruments(account, first.clients);
  const setupMs = performance.now() - setupStart;
  const passes: PassMeasurement[] = [];

  // 1. The first pass, and the further steps a first pass larger than the change budget takes.
  const steps: Measured[] = [];
  do {
    if (steps.length > 0) account.clock.advance(INTERVAL_MS);
    steps.push(await measureOne(env, instruments, first.pass));
  } while (steps.length < MAX_STEPS && steps.at(-1)!.result.nextStep);
  first = undefined;
  passes.push(row('first', steps, firstPassMinimum(layout)));
  account.clock.advance(SETTLE_MS);

  // 2. A cold Lambda after a deploy, then 3. the same Lambda warm, a pass a minute for a rotation.
  let warmLambda: Lambda | undefined = lambda(env, instruments);
  const cold = await measureOne(env, instruments, warmLambda.pass);
  // The period ELB's rate allows: the configured 10 minutes up to ~1,250 services, longer above.
  const periodMs = rotationPeriod(layout, PERIOD_MS);
  passes.push(row('cold', [cold], noDriftMinimum(layout, { cold: true, intervalMs: INTERVAL_MS, periodMs })));
  const rotation = PERIOD_MS / INTERVAL_MS;
  const warm: Measured[] = [];
  let previous = cold;
  for (let i = 0; i < rotation; i++) {
    nextSchedule(env, previous);
    warm.push((previous = await measureOne(env, instruments, warmLambda.pass)));
  }
  // Each warm pass owes the rotation the time since the pass before it started (a pass over a minute
  // long pushes the next one a minute further: two minutes' share).
  const intervals = warm.map((m, i) => m.result.startedAt - (i === 0 ? cold : warm[i - 1]).result.startedAt);
  passes.push(row('warm', warm, rotationMinimum(layout, rotation, intervals, periodMs)));
  const unplanned = [cold, ...warm].filter((m) => m.result.planned.length > 0);
  if (unplanned.length > 0) throw new Error(`a pass with no drift planned changes: ${unplanned[0].result.planned.join(', ')}`);

  // 4. Drift, healed by the warm Lambda at its next run.
  const events = await injectDrift(env, account.clients());
  nextSchedule(env, previous);
  const recordsFrom = instruments.records.length;
  const drifted = await measureOne(env, instruments, warmLambda.pass);
  passes.push(row('drift', [drifted], driftMinimum(layout, driftShape(layout, events), INTERVAL_MS, periodMs)));
  const heal = healTimes(env, events, instruments.records.slice(recordsFrom), drifted.result.startedAt);

  let verified: boolean | null = null;
  let unhealed: string[] = [];
  if (!options.skipVerify) {
    account.clock.advance(SETTLE_MS);
    const after = await warmLambda.pass();
    verified = (after.plan?.actions.length ?? 0) === 0;
    unhealed = after.resources.filter((r) => r.phase !== 'Synced').map((r) => `${r.resource}: ${r.phase} ${r.reason}`);
  }

  // steady's own memory: a further drift pass with its heap collected as it grows; what the warm
  // Lambda keeps (weighed by dropping it); its specs (parsed again).
  account.clock.advance(SETTLE_MS);
  await injectDrift(env, account.clients());
  account.clock.advance(INTERVAL_MS);
  const memoryPass = await collectedGrowth(() => warmLambda!.pass());
  account.clock.advance(SETTLE_MS);
  const withLambda = settledHeap();
  warmLambda = undefined;
  const caches = withLambda - settledHeap();
  const beforeSpecs = settledHeap();
  const specs = [benchDesired(layout, { stepwise: true })];
  const specsBytes = settledHeap() - beforeSpecs;
  specs.length = 0;

  // 5. The naive controller over the same account (settled, no drift), under the same limits.
  account.clock.advance(SETTLE_MS);
  const naive = await naivePass(account, layout);

  return {
    size: options.size,
    latencyMs: options.latencyMs,
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
      rotationMinutes: periodMs / 60_000,
    },
    setupMs: Math.round(setupMs),
    passes,
    naive,
    maxRssMB: round(maxRss() / MB),
    lambdaMemory: lambdaMemory({ baselineRss, specs: specsBytes, caches, pass: memoryPass }, passes),
    drift: { events, heal, verified, unhealed },
  };
}

/**
 * When each drift event was healed, from the drift pass's call timeline: for a service, its
 * last UpdateService or TagResource (the rollout tag follows the update); for a stale alias, the
 * GetChange that saw its change batch INSYNC.
 */
export function healTimes(env: BenchEnvironment, events: DriftEvent[], records: CallRecord[], simStart: number): HealMeasurement[] {
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
      if (!last || insync.simEnd > last.simEnd) last = insync;
    }
    return last;
  };
  return DRIFT_KINDS.map((kind) => {
    const mine = events.filter((e) => e.kind === kind);
    const times = mine.map(healedAt).filter((r): r is CallRecord => r !== undefined).map((r) => (r.simEnd - simStart) / 1000);
    return {
      kind,
      events: mine.length,
      resources: mine.reduce((n, e) => n + e.resources.length, 0),
      healed: times.length,
      simSeconds: times.length ? { median: round(median(times)), max: round(Math.max(...times)) } : null,
    };
  });
}
