/**
 * One environment's pass inside a Lambda invocation: under its own lease and time (deadline,
 * stop signal, finish signal), logged with its pass id, its metrics published, summarised for the
 * invocation's answer. The scheduled handler (app.ts) calls it for each environment of a commit;
 * a worker that reconciles one environment per message calls it the same way.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { unreachablePass, type EnvironmentTarget } from '../aws/accounts.js';
import type { Clock } from '../clock.js';
import type { Unreadable } from '../model/actual.js';
import type { CauseDescription } from '../model/causes.js';
import { driftCounts, isOk, passOutcome, type PassVerdict } from '../model/outcome.js';
import { actionCounts, type PassResult, type SpecSource } from '../model/pass.js';
import type { DesiredEnvironment } from '../model/plan.js';
import type { Adapters } from '../observe/observe.js';
import { newPassId } from '../pass.js';
import { reconcileEnvironment, skippedResult, type ReconcileOutcome } from '../reconcile.js';
import type { EmailClient } from '../report/email.js';
import { buildReport, summaryLine } from '../report/index.js';
import { shortCommit } from '../source/index.js';
import type { StateStore } from '../state/store.js';
import type { CountedScope } from './calls.js';
import { publishPassMetrics } from './telemetry.js';

/** What one environment's pass came to, in the invocation's answer. */
export interface EnvironmentSummary {
  environment: string;
  passId: string;
  /** What the pass was (model/outcome.ts): the same verdict `ok`, the metrics and the summary line read. */
  verdict: PassVerdict;
  /** This environment's part of the invocation's `ok`. */
  ok: boolean;
  outcome: PassResult['outcome'];
  /** One sentence, as the CLI prints it first: `Converged: 1 updated. 1 healed.` */
  summary: string;
  /** Why AWS could not be read, each cause once, with what to do about it. */
  causes?: CauseDescription[];
  error?: string;
  /** Why the pass stopped before it finished (out of time, its lease lost), and in which stage. */
  interrupted?: PassResult['interrupted'];
  actions: Record<'planned' | 'done' | 'failed' | 'blocked' | 'held' | 'pending', number>;
  /** Every planned change and what became of it. */
  changes: { resource: string; kind: string; summary: string; state: string; message?: string }[];
  drift: { found: number; healed: number; unrepaired: number };
  apiCalls: number;
  durationMs: number;
  /** Set when the pass could not be recorded in the state table. */
  recordError?: string;
  /** How the environment's lease ended, when it did not end released (lost, or left to expire). */
  lease?: string;
  notified?: { sent: string[]; failed: string[] };
}

/** A region's adapters and its per-pass call counter, made once per container. */
export interface Regional {
  adapters: Adapters;
  scope: CountedScope;
}

/** A region's adapters for an environment (in its own account, or the account its role is in), or why it cannot be reached. */
export type RegionalReach = { ok: true; regional: Regional } | { ok: false; unreadable: Unreadable };

/** What a pass in the Lambda needs of its container (made once, kept across invocations). */
export interface EnvironmentRunContext {
  logger: Logger;
  metrics: Metrics;
  store: StateStore;
  clock: Clock;
  /** The adapters of the environment's region and account (`aws/accounts.ts`: its role assumed when it names one). */
  reach(target: EnvironmentTarget, passId: string): Promise<RegionalReach>;
  sesFor(region: string): EmailClient;
  /** Send Slack/email notifications. */
  notify: boolean;
  leaseTtlMs: number;
  /** How often migration tasks and DNS changes are polled (ms); the engine's default otherwise. */
  pollMs?: number;
}

/** What this invocation asks of the environment, and the time it has. */
export interface EnvironmentRequest {
  commit: string;
  specSource?: SpecSource;
  dryRun: boolean;
  /** Nothing new starts after this, on the pass's clock. */
  deadline: number;
  /** Stops the pass where it is (the invocation's wall-clock deadline): recorded, lease released. */
  signal?: AbortSignal;
  /** Gives up on a pass that did not stop: recorded as interrupted with what is known. */
  finishSignal?: AbortSignal;
}

/**
 * Reconciles one environment of the commit within the request's time: takes its lease, runs the
 * pass, records it, notifies, releases the lease, all before it returns; logs the pass and
 * publishes its metrics. Never throws.
 *
 * @example
 * const time = invocationTime({ clock, remainingMs: context.getRemainingTimeInMillis(), marginMs });
 * const summary = await reconcileLambdaEnvironment(desired, { commit, dryRun: false, ...time }, runContext);
 */
export async function reconcileLambdaEnvironment(desired: DesiredEnvironment, request: EnvironmentRequest, ctx: EnvironmentRunContext): Promise<EnvironmentSummary> {
  const { clock } = ctx;
  const passId = newPassId(desired.name, clock.now());
  const log = ctx.logger.createChild({ persistentKeys: { environment: desired.name, passId } });
  const { region, cluster } = desired.environment.spec;
  if (clock.now() >= request.deadline || request.signal?.aborted) {
    // Queued behind other environments until the time ran out: no lease taken, the next tick comes.
    const result = skippedResult(desired.name, clock.now(), 'skipped', 'the invocation ran out of time before this environment was reached', passId, 'outOfTime');
    log.warn(result.error!);
    return summarize(result, {});
  }
  log.info(`${request.dryRun ? 'planning (dry run)' : 'reconciling'} ${desired.name}: cluster ${cluster} in ${region}, commit ${shortCommit(request.commit)}`);
  let outcome: ReconcileOutcome;
  try {
    const reached = await ctx.reach(desired.environment.spec, passId);
    if (!reached.ok) return await unreachable(desired, reached.unreadable, { passId, request, log }, ctx);
    const { adapters, scope } = reached.regional;
    outcome = await scope((calls) =>
      reconcileEnvironment(desired, {
        adapters,
        calls,
        clock,
        store: ctx.store,
        notify: ctx.notify ? { clients: { sesv2: ctx.sesFor(region) }, logger: notifyLogger(log) } : undefined,
        holder: passId,
        leaseTtlMs: ctx.leaseTtlMs,
        specVersion: request.commit,
        specSource: request.specSource,
        dryRun: request.dryRun,
        deadline: request.deadline,
        signal: request.signal,
        finishSignal: request.finishSignal,
        passId,
        pollMs: ctx.pollMs,
      }),
    );
  } catch (err) {
    // reconcileEnvironment reports AWS trouble in its result; anything thrown is unexpected.
    log.error('the pass failed unexpectedly', { error: err as Error });
    outcome = { result: skippedResult(desired.name, clock.now(), 'failed', `the pass failed unexpectedly: ${(err as Error).message}`, passId) };
  }
  const { result } = outcome;
  logResult(log, result, outcome);
  if (!request.dryRun) publishPassMetrics(ctx.metrics, result);
  return summarize(result, outcome);
}

/** An environment whose role could not be assumed: an unreadable pass, recorded and counted like any other (no lease: nothing changes). */
async function unreachable(
  desired: DesiredEnvironment,
  unreadable: Unreadable,
  o: { passId: string; request: EnvironmentRequest; log: Logger },
  ctx: EnvironmentRunContext,
): Promise<EnvironmentSummary> {
  const { request } = o;
  const result = unreachablePass(desired, unreadable, { passId: o.passId, now: ctx.clock.now(), specVersion: request.commit, specSource: request.specSource, dryRun: request.dryRun });
  let recordError: string | undefined;
  if (!request.dryRun) {
    try {
      await ctx.store.savePass(result, undefined, { desired, report: buildReport(result) });
    } catch (err) {
      recordError = (err as Error).message;
    }
  }
  logResult(o.log, result, { result, recordError });
  if (!request.dryRun) publishPassMetrics(ctx.metrics, result);
  return summarize(result, { recordError });
}

/** The notifier's logger interface over a Powertools logger (attributes are optional there). */
export function notifyLogger(log: Logger) {
  type Attributes = Record<string, unknown>;
  return {
    info: (message: string, attributes?: object) => log.info(message, (attributes ?? {}) as Attributes),
    warn: (message: string, attributes?: object) => log.warn(message, (attributes ?? {}) as Attributes),
    error: (message: string, attributes?: object) => log.error(message, (attributes ?? {}) as Attributes),
  };
}

/** The answer's entry for one pass. */
export function summarize(result: PassResult, extra: Partial<Pick<ReconcileOutcome, 'recordError' | 'notified' | 'lease'>>): EnvironmentSummary {
  const outcome = passOutcome(result);
  const report = buildReport(result);
  const drift = driftCounts(result, outcome);
  const leaseTrouble = extra.lease?.end === 'lost' || extra.lease?.end === 'expires' ? extra.lease.message : undefined;
  return {
    environment: result.environment,
    passId: result.passId,
    verdict: outcome.verdict,
    ok: isOk(outcome),
    outcome: result.outcome,
    summary: summaryLine(report),
    ...(report.causes.length > 0 ? { causes: report.causes } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(result.interrupted ? { interrupted: result.interrupted } : {}),
    actions: actionCounts(result),
    changes: result.outcomes.map((o) => ({ resource: o.resource, kind: o.kind, summary: o.summary, state: o.state, ...(o.message ? { message: o.message } : {}) })),
    drift: { found: drift.found, healed: drift.healed, unrepaired: drift.unrepaired },
    apiCalls: Object.values(result.apiCalls).reduce((a, b) => a + b, 0),
    durationMs: result.finishedAt - result.startedAt,
    ...(extra.recordError ? { recordError: extra.recordError } : {}),
    ...(leaseTrouble ? { lease: leaseTrouble } : {}),
    ...(extra.notified
      ? { notified: { sent: extra.notified.sent.map((s) => s.channel), failed: extra.notified.failed.map((f) => `${f.channel}: ${f.error}`) } }
      : {}),
  };
}

/** One line for the pass, and one per change that failed: what a person on call reads first. */
function logResult(log: Logger, result: PassResult, outcome: ReconcileOutcome): void {
  const passed = passOutcome(result);
  const drift = driftCounts(result, passed);
  const line = summaryLine(buildReport(result));
  const attributes = {
    verdict: passed.verdict,
    outcome: result.outcome,
    durationMs: result.finishedAt - result.startedAt,
    apiCalls: Object.values(result.apiCalls).reduce((a, b) => a + b, 0),
    driftFound: drift.found,
    driftHealed: drift.healed,
    ...(result.interrupted ? { interrupted: result.interrupted } : {}),
    actions: result.outcomes.map((o) => `${o.state} ${o.resource}: ${o.summary}`),
  };
  // The same verdict that makes `ok` false makes the line an ERROR.
  if (!isOk(passed)) log.error(line, attributes);
  else log.info(line, attributes);
  for (const o of result.outcomes.filter((x) => x.state === 'failed')) {
    log.error(`${o.resource}: ${o.summary} failed: ${o.message ?? 'no reason given'}`, { resource: o.resource, action: o.kind, ...(o.awsName ? { awsName: o.awsName } : {}) });
  }
  if (outcome.recordError) log.warn(`the pass was not recorded in the state table: ${outcome.recordError}`);
  const lease = outcome.lease;
  if (lease?.end === 'lost' || lease?.end === 'expires') log.warn(`the lease of ${result.environment}: ${lease.message ?? lease.end}`);
}
