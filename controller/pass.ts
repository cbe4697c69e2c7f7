/**
 * One pass over one environment: observe -> plan -> converge, and the result every shell (CLI,
 * Lambda) records and reports. Level-triggered: each pass starts from what AWS says now.
 */
import { AcmAdapter } from './aws/acm.js';
import { CloudFrontAdapter } from './aws/cloudfront.js';
import type { AwsClients } from './aws/clients.js';
import { CodeDeployAdapter } from './aws/codedeploy.js';
import { EcrAdapter } from './aws/ecr.js';
import { EcsAdapter } from './aws/ecs.js';
import { Elbv2Adapter } from './aws/elbv2.js';
import { Route53Adapter } from './aws/route53.js';
import { SchedulerAdapter } from './aws/scheduler.js';
import type { Clock } from './clock.js';
import { converge, type MigrationLedger, type WaitProgress } from './converge/converge.js';
import { driftOf, statusesAfter } from './converge/status.js';
import { PassInterruptedError } from './errors.js';
import { stopFor, type Stop } from './interrupt.js';
import type { ActualState } from './model/actual.js';
import type { Interruption, PassStage } from './model/outcome.js';
import type { ActionOutcome, PassResult, SpecSource } from './model/pass.js';
import type { DesiredEnvironment, Plan, ResourceStatus } from './model/plan.js';
import { checkWiring, coldOrder, DEFAULT_ROTATION_MINUTES, startEarlyReads, wiringMemoryOf, wiringSubjects, type EarlyReads, type WiringMemory } from './wiring/index.js';
import { wiringContext, wiringResourceStatus } from './wiring/status.js';
import { observe, type Adapters } from './observe/observe.js';
import { describeError } from './observe/common.js';
import { automaticRound, rememberMaintenance, type AutomaticRound, type RestoreLog } from './maintenance.js';
import type { AutomaticState, MaintenanceEvent, MaintenanceMemory } from './model/maintenance.js';
import { plan, policyFor } from './plan/plan.js';

/** Adapters over a set of SDK clients. */
export function createAdapters(clients: AwsClients): Adapters {
  return {
    ecs: new EcsAdapter(clients.ecs),
    ecr: new EcrAdapter(clients.ecr),
    elbv2: new Elbv2Adapter(clients.elbv2),
    route53: new Route53Adapter(clients.route53),
    cloudfront: new CloudFrontAdapter(clients.cloudfront),
    codedeploy: new CodeDeployAdapter(clients.codedeploy),
    acm: new AcmAdapter(clients.acm),
    scheduler: new SchedulerAdapter(clients.scheduler),
  };
}

export interface PassOptions {
  desired: DesiredEnvironment;
  adapters: Adapters;
  clock: Clock;
  /** The spec commit the specs came from. */
  specVersion?: string;
  /** Who published that commit, and when. */
  specSource?: SpecSource;
  dryRun?: boolean;
  /** Epoch ms after which nothing new starts (the Lambda's remaining time minus a margin). */
  deadline?: number;
  /** A reason to stop starting changes (lease about to expire). */
  stopReason?: () => string | undefined;
  /**
   * Aborts when the pass must stop starting work (the lease lost, Ctrl-C, the invocation's
   * wall-clock deadline), with a PassInterruptedError as its reason. Every stage honours it.
   */
  signal?: AbortSignal;
  /** Where the pass is now, kept up to date (so a caller that stops waiting for it can say). */
  where?: { stage?: PassStage };
  /** Runs before every change (renews the lease, throws if it was lost). */
  beforeChange?: () => Promise<void>;
  ledger?: MigrationLedger;
  passId?: string;
  /** API-call counter of the clients behind the adapters (see `countCalls`). */
  calls?: { counts(): Record<string, number>; reset(): void };
  /** Most changes in flight at once. */
  concurrency?: number;
  /** How often migration tasks and Route 53 changes are polled (ms). */
  pollMs?: number;
  /** Told about long waits as they go (see converge's `progress`). */
  progress?: (p: WaitProgress) => void;
  /**
   * Check the wiring of every Service reachable from a name (alias -> ALB -> listener -> target
   * group -> service -> tasks) after converging; the results join the statuses as `Wiring/<name>`.
   */
  wiring?: { probes?: boolean };
  /**
   * What the state table remembers of the environment's Maintenances (a command's window, the
   * automatic mode): planned with, and handed back updated in the pass's `maintenance`.
   */
  maintenance?: Record<string, MaintenanceMemory>;
  /** Set when that memory could not be read: every Maintenance is then left as it is this pass. */
  maintenanceUnreadable?: Error;
}

/** Puts `status` in the place of the list's status of the same resource (or at the end). */
function replaceStatus(list: ResourceStatus[], status: ResourceStatus): void {
  const i = list.findIndex((r) => r.resource === status.resource);
  if (i === -1) list.push(status);
  else list[i] = status;
}

/**
 * What a pass gives back: its result; what it observed and what the state table is to keep of the
 * Maintenances (both absent when it was stopped while observing, so nothing is to be kept).
 */
export interface PassRun {
  result: PassResult;
  actual?: ActualState;
  maintenance?: { remember: MaintenanceMemory[]; events: MaintenanceEvent[] };
}

/**
 * The wiring rotation's early reads (wiring/early.ts): started now in a warm Lambda; after a cold
 * start, once observe hands over the target groups (`targetGroupsRead`; called with nothing when
 * observe ends without them, which starts nothing).
 */
function startRotation(
  options: PassOptions,
  memory: WiringMemory | undefined,
  startedAt: number,
  stop: Stop,
): { early?: Promise<EarlyReads | undefined>; targetGroupsRead: (actual: ActualState | undefined) => void } {
  if (!memory) return { targetGroupsRead: () => {} };
  const env = memory.of(options.desired.name);
  const read = { now: startedAt, periodMs: (options.desired.environment.spec.wiring?.rotationMinutes ?? DEFAULT_ROTATION_MINUTES) * 60_000, stop };
  if (env.order && env.order.length > 0) return { early: startEarlyReads(options.adapters, env, read), targetGroupsRead: () => {} };
  let targetGroupsRead: (actual: ActualState | undefined) => void = () => {};
  const early = new Promise<ActualState | undefined>((resolve) => (targetGroupsRead = resolve)).then((actual) => {
    if (!actual || stop.check()) return undefined;
    env.order = coldOrder(wiringSubjects(options.desired), actual.targetGroups);
    return startEarlyReads(options.adapters, env, read);
  });
  return { early, targetGroupsRead };
}

/** A pass id that sorts by time: `<env>/<ISO time>/<random>`. */
export function newPassId(environment: string, now: number): string {
  return `${environment}/${new Date(now).toISOString()}/${Math.random().toString(16).slice(2, 8)}`;
}

/**
 * Runs one pass. Never throws for AWS trouble: what could not be read or changed is in the result.
 * Stops starting work at the deadline or when `signal` aborts, in whichever stage it is (observe,
 * converge, the wiring checks, the Maintenances' automatic round); the result then says so
 * (`interrupted`) and holds what was done.
 *
 * @example
 * const { result } = await runPass({ desired, adapters: createAdapters(clients), clock: systemClock });
 * console.log(result.resources.map((r) => `${r.resource} ${r.phase}`));
 */
export async function runPass(options: PassOptions): Promise<PassRun> {
  const { desired, clock } = options;
  const startedAt = clock.now();
  const passId = options.passId ?? newPassId(desired.name, startedAt);
  const stop = stopFor({ clock, deadline: options.deadline, signal: options.signal });
  options.calls?.reset();
  // A warm Lambda starts the wiring rotation's reads now, beside observe (wiring/early.ts); a cold
  // one as soon as observe has read the target groups. They honour the same stop, and the pass waits
  // for those in flight before it returns.
  const memory = options.wiring ? wiringMemoryOf(options.adapters) : undefined;
  const { early, targetGroupsRead } = startRotation(options, memory, startedAt, stop);
  const base = passBase(passId, desired, options, startedAt);
  const where = options.where ?? {};
  where.stage = 'observe';
  let actual: ActualState;
  try {
    actual = await observe(desired, options.adapters, () => clock.now(), stop, targetGroupsRead);
    targetGroupsRead(undefined);
  } catch (err) {
    targetGroupsRead(undefined);
    await early;
    if (!(err instanceof PassInterruptedError)) throw err;
    // Nothing was planned or changed: the next pass starts again from what AWS says then.
    return { result: stoppedBeforePlan(options, base, { reason: err.reason, stage: 'observe', message: err.message }) };
  }
  if (options.maintenanceUnreadable) {
    const affects = (desired.maintenance ?? []).map((m) => `Maintenance/${m.metadata.name}`);
    actual.unreadable.push({ what: 'the maintenance state in the state table', affects, ...describeError(options.maintenanceUnreadable, 'the maintenance state in the state table') });
  }
  const p = plan(desired, actual, policyFor(desired, { dryRun: options.dryRun, now: clock.now() }), options.maintenance);
  where.stage = 'converge';
  const restores: RestoreLog = new Map();
  const convergeOptions = {
    deadline: options.deadline,
    stopReason: options.stopReason,
    signal: options.signal,
    beforeChange: options.beforeChange,
    ledger: options.ledger,
    passId,
    concurrency: options.concurrency,
    pollMs: options.pollMs,
    progress: options.progress,
    rememberRestore: (resource: string, distribution: string, record: Parameters<RestoreLog['set']>[1]['record']) => void restores.set(resource, { distribution, record }),
  };
  const outcomes = await converge(p, options.adapters, { clock, ...convergeOptions });
  const resources = statusesAfter(p, outcomes);
  // Stopped with work left to the next pass: interrupted while converging; with none, before the wiring checks.
  const leftOver = outcomes.some((o) => o.state === 'pending');
  let interrupted = interruptionAfter(stop, leftOver ? 'converge' : options.wiring ? 'wiring' : undefined);
  if (options.wiring && !interrupted) {
    where.stage = 'wiring';
    try {
      resources.push(...(await wiringStatuses(options, p, outcomes, resources, actual, { startedAt, stop, memory, early: await early })));
    } catch (err) {
      if (!(err instanceof PassInterruptedError)) throw err;
      interrupted = { reason: err.reason, stage: 'wiring', message: err.message };
    }
  }
  // The automatic mode of the Maintenances judges this pass's chains, and switches at once when due;
  // not when the pass was stopped (its chains were not all judged): the automatic state stays as it was.
  let automatic: Record<string, AutomaticState> = {};
  if (!options.maintenanceUnreadable && !interrupted) {
    where.stage = 'converge';
    const round = await automaticRound({ desired, adapters: options.adapters, clock, plan: p, resources, memory: options.maintenance, converge: convergeOptions, stop });
    joinRound(round, p, outcomes, resources);
    automatic = round.automatic;
    interrupted = interruptionAfter(stop, round.stopped || round.outcomes.some((o) => o.state === 'pending') ? 'converge' : undefined);
  }
  await early;
  const result: PassResult = {
    ...base,
    finishedAt: clock.now(),
    mode: p.policy.mode,
    dryRun: p.policy.dryRun,
    plan: p,
    outcomes,
    resources,
    drift: driftOf(p, outcomes, startedAt),
    apiCalls: options.calls?.counts() ?? {},
    outcome: 'ok',
    ...(actual.unreadable.length > 0 ? { unreadable: actual.unreadable } : {}),
    ...(interrupted ? { interrupted } : {}),
  };
  const maintenance = rememberMaintenance(desired, options.maintenance, resources, restores, automatic, { now: clock.now(), passId });
  return { result, actual, maintenance };
}

/** What every pass result starts from: who, which specs, when. */
export type PassBase = Pick<PassResult, 'passId' | 'environment' | 'specVersion' | 'specSource' | 'startedAt'>;

export function passBase(passId: string, desired: DesiredEnvironment, specs: Pick<PassOptions, 'specVersion' | 'specSource'>, startedAt: number): PassBase {
  return { passId, environment: desired.name, specVersion: specs.specVersion, ...(specs.specSource ? { specSource: specs.specSource } : {}), startedAt };
}

/** The result of a pass stopped before it planned: nothing planned, nothing changed that this record knows of. */
export function stoppedBeforePlan(options: Pick<PassOptions, 'clock' | 'desired' | 'dryRun' | 'calls'>, base: PassBase, interrupted: Interruption): PassResult {
  return {
    ...base,
    finishedAt: options.clock.now(),
    mode: options.desired.environment.spec.mode,
    dryRun: options.dryRun ?? false,
    outcomes: [],
    resources: [],
    drift: [],
    apiCalls: options.calls?.counts() ?? {},
    outcome: 'ok',
    interrupted,
  };
}

/** Merges the automatic round's switches into the pass's plan, outcomes and statuses. */
function joinRound(round: AutomaticRound, p: Plan, outcomes: ActionOutcome[], resources: ResourceStatus[]): void {
  for (const st of round.statuses) replaceStatus(resources, st);
  if (!round.plan) return;
  for (const r of round.plan.resources) replaceStatus(p.resources, r);
  p.actions.push(...round.plan.actions);
  outcomes.push(...round.outcomes);
}

/** The interruption of a pass that was stopped with `stage` still to do (none when nothing was left). */
function interruptionAfter(stop: Stop, stage: PassStage | undefined): Interruption | undefined {
  const why = stop.check();
  return why && stage ? { ...why, stage } : undefined;
}

/** The wiring checks after converging, as `Wiring/<service>` statuses judged against what the pass did. */
async function wiringStatuses(
  options: PassOptions,
  p: ReturnType<typeof plan>,
  outcomes: PassResult['outcomes'],
  resources: PassResult['resources'],
  actual: ActualState,
  pass: { startedAt: number; stop: Stop; memory?: WiringMemory; early?: EarlyReads },
) {
  const { desired, clock } = options;
  const { startedAt, stop, memory, early } = pass;
  // What observe read is still the truth, except for what this pass changed (read again); the
  // links are read selectively, remembered across passes with the adapters (wiring/select.ts).
  const changed = [...new Set(outcomes.filter((o) => o.state === 'done').map((o) => o.resource))];
  const wiring = await checkWiring(desired, options.adapters, { actual, changed, memory, early, passStartedAt: startedAt, now: () => clock.now(), probes: options.wiring?.probes ?? true, stop });
  const context = wiringContext(desired, { plan: p, outcomes, resources, drift: driftOf(p, outcomes, startedAt), dryRun: p.policy.dryRun, mode: p.policy.mode, unreadable: actual.unreadable });
  return wiring.map((w) => wiringResourceStatus(w, context));
}
