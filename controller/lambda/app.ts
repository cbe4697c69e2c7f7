/**
 * The Lambda handler, as a factory: `createHandler()` with no arguments is production (SDK clients
 * with their default configuration, the system clock, configuration from environment variables);
 * tests pass the simulated account's clients and clock. A thin shell over `reconcileEnvironment`:
 * it loads the published commit, picks the environments the event asks for, reconciles them with
 * bounded concurrency under their leases, and reports through logs, metrics and notifications.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { EnvironmentAccounts, unreachablePass } from '../aws/accounts.js';
import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { systemClock, type Clock } from '../clock.js';
import { InvalidEventError } from '../errors.js';
import type { CauseDescription } from '../model/causes.js';
import { driftCounts, isOk, passOutcome, type PassVerdict } from '../model/outcome.js';
import { actionCounts, type PassResult, type SpecSource } from '../model/pass.js';
import type { DesiredEnvironment } from '../model/plan.js';
import type { Adapters } from '../observe/observe.js';
import { createAdapters, newPassId } from '../pass.js';
import { reconcileEnvironment, skippedResult, type ReconcileOutcome } from '../reconcile.js';
import { buildReport, notify, summaryLine, type NotificationsSpec, type NotifyResult } from '../report/index.js';
import { redactingJsonReplacer, redactReport } from '../report/secrets.js';
import { createS3Client, loadCommit, loadPublishedSpecs, shortCommit, type PublishedSpecsError } from '../source/index.js';
import { specSourceOf } from '../source/commit.js';
import { publishStatusPage } from '../status-page/publish.js';
import { mapLimit } from '../concurrency.js';
import { StateStore } from '../state/store.js';
import { perPassCallCounts, type CountedScope } from './calls.js';
import { removalsAnnouncer } from './removals.js';
import { configFromEnv, type HandlerConfig } from './config.js';
import { parseEvent, type Invocation } from './events.js';
import { METRIC, METRIC_NAMESPACE, publishPassMetrics, SERVICE_NAME } from './telemetry.js';

/** What production gets by default and tests replace. */
export interface HandlerDependencies {
  /** Default: `configFromEnv(process.env)`, read when the handler is created (cold start). */
  config?: HandlerConfig;
  clock?: Clock;
  /**
   * The SDK clients of a region (with an environment's assumed-role credentials, when it names a
   * role); created once per region and role for the life of the container. Default `createAwsClients`.
   */
  clientsFor?: (region: string, credentials?: () => Promise<AwsCredentialIdentity>) => AwsClients;
  /** The STS client environments' roles are assumed with (`aws/accounts.ts`). Default: the SDK's default configuration. */
  sts?: STSClient;
  /** Runs on each region's clients once they are made (tracing; the simulated account attaches here). */
  instrumentClients?: (clients: AwsClients, region: string) => void;
  /** The spec bucket's client. Default `createS3Client()`. */
  s3?: S3Client;
  /** The state table's client. Default: the SDK's default configuration. */
  dynamodb?: DynamoDBClient;
  /** The SES client notifications use in a region. Default: the SDK's default configuration. */
  sesFor?: (region: string) => SESv2Client;
  logger?: Logger;
  metrics?: Metrics;
  tracer?: Tracer;
  /** How often migration tasks and DNS changes are polled (ms); the engine's default otherwise. */
  pollMs?: number;
  /** Loads HEAD's commit. Default `loadPublishedSpecs`; the worker keeps the last commit (`worker.ts`). */
  loadSpecs?: typeof loadPublishedSpecs;
}

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
  actions: Record<'planned' | 'done' | 'failed' | 'blocked' | 'held' | 'pending', number>;
  /** Every planned change and what became of it. */
  changes: { resource: string; kind: string; summary: string; state: string; message?: string }[];
  drift: { found: number; healed: number; unrepaired: number };
  apiCalls: number;
  durationMs: number;
  /** Set when the pass could not be recorded in the state table. */
  recordError?: string;
  notified?: { sent: string[]; failed: string[] };
}

/** The handler's answer (what `aws lambda invoke` prints). */
export interface InvocationSummary {
  trigger: Invocation['trigger'] | 'ignored';
  /**
   * True when every environment's pass converged, is converging by steady's own changes, reported
   * observe-mode drift, or was skipped (a held lease, no time left): the passes `steady reconcile`
   * would exit 0 or 3 for. False when one failed, could not read AWS, left drift unrepaired, or the
   * specs could not be loaded.
   */
  ok: boolean;
  dryRun: boolean;
  /** The commit the passes used. */
  commit?: string;
  /** Why the event was not acted on. */
  ignored?: string;
  /** Why nothing was done: the published commit could not be loaded. */
  specsError?: { kind: string; message: string };
  environments: EnvironmentSummary[];
}

export type SteadyHandler = ((event: unknown, context: Context) => Promise<InvocationSummary>) & middy.MiddyfiedHandler<unknown, InvocationSummary, Error, Context>;

interface Regional {
  adapters: Adapters;
  scope: CountedScope;
}

/** What an environment's Environment spec says about notifications, remembered from a commit that loaded. */
interface NotificationTargets {
  notifications: NotificationsSpec;
  region: string;
  commit: string;
}

/** How far back the pass history is searched for the last commit that loaded (to route a failure report). */
const LAST_GOOD_LOOKBACK_MS = 24 * 60 * 60 * 1000;

/**
 * Builds the handler. Called once per container; the clients, adapters (and the ECS adapter's
 * task-definition cache) and the last commit's notification targets live as long as it does.
 *
 * @example
 * // controller/lambda/handler.ts: production
 * export const handler = createHandler();
 *
 * @example
 * // tests: the simulated account, its clock, a local state table and S3
 * const handler = createHandler({ config, clock: account.clock, clientsFor: () => account.clients() });
 * const summary = await handler(scheduledEvent, lambdaContext({ remainingMs: 300_000 }));
 */
export function createHandler(deps: HandlerDependencies = {}): SteadyHandler {
  const logger = deps.logger ?? new Logger({ serviceName: SERVICE_NAME, jsonReplacerFn: redactingJsonReplacer });
  const metrics = deps.metrics ?? new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME });
  const tracer = deps.tracer ?? new Tracer({ serviceName: SERVICE_NAME });
  let config: HandlerConfig;
  try {
    config = deps.config ?? configFromEnv(process.env);
  } catch (err) {
    // Cold start: say it once, clearly, and fail the init (every invocation then shows the message).
    logger.error('steady cannot start: its configuration is invalid', { error: err as Error });
    throw err;
  }
  const clock = deps.clock ?? systemClock;
  const location = { bucket: config.bucket, prefix: config.prefix };
  const s3 = deps.s3 ?? tracer.captureAWSv3Client(createS3Client());
  const store = new StateStore({ client: deps.dynamodb ?? tracer.captureAWSv3Client(new DynamoDBClient({})), tableName: config.table, clock });

  // Clients by role and region (aws/accounts.ts): an environment in another account is reached through the role it names.
  const accounts = new EnvironmentAccounts({
    clock,
    ...(deps.sts ? { sts: deps.sts } : {}),
    clientsFor: (region, credentials) => (deps.clientsFor ?? ((rg, c) => createAwsClients({ region: rg, ...(c ? { credentials: c } : {}) })))(region, credentials),
  });
  const regions = new Map<string, Regional>();
  const regional = (key: string, clients: AwsClients, region: string): Regional => {
    let r = regions.get(key);
    if (!r) {
      for (const client of Object.values(clients)) tracer.captureAWSv3Client(client);
      deps.instrumentClients?.(clients, region);
      r = { adapters: createAdapters(clients), scope: perPassCallCounts(clients) };
      regions.set(key, r);
    }
    return r;
  };
  const sesClients = new Map<string, SESv2Client>();
  const sesFor = (region: string) => {
    let c = sesClients.get(region);
    if (!c) sesClients.set(region, (c = deps.sesFor?.(region) ?? tracer.captureAWSv3Client(new SESv2Client({ region }))));
    return c;
  };
  const lastGood = new Map<string, NotificationTargets>();
  const announceRemovals = removalsAnnouncer({ ...location, s3, store, logger, metrics });

  async function run(event: unknown, context: Context): Promise<InvocationSummary> {
    let parsed;
    try {
      parsed = parseEvent(event, location);
    } catch (err) {
      if (err instanceof InvalidEventError) logger.error(`invalid event: ${err.message}`, { event: event as Record<string, unknown> });
      throw err;
    }
    if (!parsed.ok) {
      logger.info(`event ignored: ${parsed.ignored}`);
      metrics.addMetric(METRIC.eventsIgnored, MetricUnit.Count, 1);
      return { trigger: 'ignored', ok: true, dryRun: false, ignored: parsed.ignored, environments: [] };
    }
    const invocation = parsed.invocation;
    logger.appendKeys({ trigger: invocation.trigger, ...(invocation.dryRun ? { dryRun: true } : {}) });
    // Nothing new starts after this; what is left is for recording, notifying and releasing leases.
    const deadline = clock.now() + context.getRemainingTimeInMillis() - config.marginMs;
    logger.info(`invoked: ${invocation.cause ?? 'manual invoke'}`, {
      environments: invocation.environments ?? 'all',
      deadline: new Date(deadline).toISOString(),
    });

    const loaded = await (deps.loadSpecs ?? loadPublishedSpecs)({ ...location, s3 });
    if (!loaded.ok) return reportUnreadable(loaded.error, invocation);
    const commit = loaded.commit;
    logger.appendKeys({ commit: shortCommit(commit) });
    await announceRemovals(loaded, context.awsRequestId);
    for (const env of loaded.specSet.environments) {
      lastGood.set(env.name, { notifications: env.environment.spec.notifications, region: env.environment.spec.region, commit });
    }

    const available = loaded.specSet.environments;
    const wanted = invocation.environments ?? available.map((e) => e.name);
    const summaries = await mapLimit(wanted, config.concurrency, async (name) => {
      const desired = available.find((e) => e.name === name);
      if (desired) return reconcileOne(desired, invocation, commit, deadline, specSourceOf(loaded.manifest));
      const error = `no environment ${name} in commit ${shortCommit(commit)} (it has: ${available.map((e) => e.name).join(', ') || 'none'}); nothing was done for it`;
      const result = skippedResult(name, clock.now(), 'failed', error);
      logger.createChild({ persistentKeys: { environment: name, passId: result.passId } }).error(error);
      return summarize(result, {});
    });
    metrics.addMetric(METRIC.environmentsReconciled, MetricUnit.Count, summaries.length);
    const summary: InvocationSummary = {
      trigger: invocation.trigger,
      ok: summaries.every((s) => s.ok),
      dryRun: invocation.dryRun,
      commit,
      environments: summaries,
    };
    logger.info(`done: ${summaries.map((s) => `${s.environment} ${s.outcome}`).join(', ') || 'no environments'}`, { ok: summary.ok });
    return summary;
  }

  async function reconcileOne(desired: DesiredEnvironment, invocation: Invocation, commit: string, deadline: number, specSource?: SpecSource): Promise<EnvironmentSummary> {
    const passId = newPassId(desired.name, clock.now());
    const log = logger.createChild({ persistentKeys: { environment: desired.name, passId } });
    const { region, cluster } = desired.environment.spec;
    if (clock.now() >= deadline) {
      // Queued behind other environments until the time ran out: no lease taken, the next tick comes.
      const result = skippedResult(desired.name, clock.now(), 'skipped', 'the invocation ran out of time before this environment was reached', passId, 'outOfTime');
      log.warn(result.error!);
      return summarize(result, {});
    }
    log.info(`${invocation.dryRun ? 'planning (dry run)' : 'reconciling'} ${desired.name}: cluster ${cluster} in ${region}, commit ${shortCommit(commit)}`);
    let outcome: ReconcileOutcome;
    try {
      const reach = await accounts.reach(desired.environment.spec, passId);
      if (!reach.ok) return await unreachable(desired, reach.unreadable, { passId, commit, specSource, dryRun: invocation.dryRun }, log);
      const { adapters, scope } = regional(reach.key, reach.clients, region);
      outcome = await scope((calls) =>
        reconcileEnvironment(desired, {
          adapters,
          calls,
          clock,
          store,
          notify: config.notify ? { clients: { sesv2: sesFor(region) }, logger: notifyLogger(log) } : undefined,
          holder: passId,
          leaseTtlMs: config.leaseTtlMs,
          specVersion: commit,
          specSource,
          dryRun: invocation.dryRun,
          deadline,
          passId,
          pollMs: deps.pollMs,
        }),
      );
    } catch (err) {
      // reconcileEnvironment reports AWS trouble in its result; anything thrown is unexpected.
      log.error('the pass failed unexpectedly', { error: err as Error });
      outcome = { result: skippedResult(desired.name, clock.now(), 'failed', `the pass failed unexpectedly: ${(err as Error).message}`, passId) };
    }
    const { result } = outcome;
    logResult(log, result, outcome);
    if (!invocation.dryRun) publishPassMetrics(metrics, result);
    return summarize(result, outcome);
  }

  /** An environment whose role could not be assumed: an unreadable pass, recorded and counted like any other (no lease: nothing changes). */
  async function unreachable(desired: DesiredEnvironment, unreadable: Parameters<typeof unreachablePass>[1], o: { passId: string; commit: string; specSource?: SpecSource; dryRun: boolean }, log: Logger): Promise<EnvironmentSummary> {
    const result = unreachablePass(desired, unreadable, { passId: o.passId, now: clock.now(), specVersion: o.commit, specSource: o.specSource, dryRun: o.dryRun });
    let recordError: string | undefined;
    if (!o.dryRun) {
      try {
        await store.savePass(result, undefined, { desired, report: buildReport(result) });
      } catch (err) {
        recordError = (err as Error).message;
      }
    }
    logResult(log, result, { result, recordError });
    if (!o.dryRun) publishPassMetrics(metrics, result);
    return summarize(result, { recordError });
  }

  /** No action at all: say so loudly, record a failed pass per environment and tell their people. */
  async function reportUnreadable(error: PublishedSpecsError, invocation: Invocation): Promise<InvocationSummary> {
    logger.error(`the published specs could not be loaded; nothing is changed until they can: ${error.message}`, {
      errorKind: error.kind,
      bucket: error.bucket,
      ...(error.key ? { key: error.key } : {}),
      transient: error.transient,
    });
    const base = { trigger: invocation.trigger, ok: false, dryRun: invocation.dryRun, specsError: { kind: error.kind, message: error.message } };
    // Stored after the passes' own lines are published, so it is flushed alone, with the invocation.
    const invocationMetrics = (environments: number) => {
      metrics.addMetric(METRIC.specsUnreadable, MetricUnit.Count, 1);
      metrics.addMetric(METRIC.environmentsReconciled, MetricUnit.Count, environments);
    };
    if (invocation.dryRun) {
      invocationMetrics(0);
      return { ...base, environments: [] };
    }
    let names = invocation.environments;
    if (!names) {
      try {
        names = (await store.listEnvironments()).map((e) => e.environment);
      } catch (err) {
        logger.warn(`the environments to report the failure to could not be listed: ${(err as Error).message}`);
        names = [];
      }
    }
    const summaries = await mapLimit(names, config.concurrency, async (name) => {
      const passId = newPassId(name, clock.now());
      const log = logger.createChild({ persistentKeys: { environment: name, passId } });
      const result = skippedResult(name, clock.now(), 'failed', `the published specs could not be loaded: ${error.message}`, passId);
      let recordError: string | undefined;
      try {
        await store.savePass(result);
      } catch (err) {
        recordError = (err as Error).message;
        log.warn(`the failed pass was not recorded: ${recordError}`);
      }
      let notified: NotifyResult | undefined;
      const targets = config.notify ? await notificationTargets(name, log) : undefined;
      if (targets) {
        notified = await notify(result, { notifications: targets.notifications, alertStore: store, clock, region: targets.region, clients: { sesv2: sesFor(targets.region) }, logger: notifyLogger(log) });
      } else if (config.notify) {
        log.warn('no notification targets known for this environment (no commit of it loaded in the last 24 hours): the alarm on SpecsUnreadable is the report');
      }
      publishPassMetrics(metrics, result);
      return summarize(result, { recordError, notified });
    });
    invocationMetrics(summaries.length);
    return { ...base, environments: summaries };
  }

  /**
   * Where to send a failure report when the current commit cannot be read: the notification
   * targets of the last commit that loaded for this environment (remembered by this container,
   * or the commit its last recorded pass used, loaded and verified again).
   */
  async function notificationTargets(environment: string, log: Logger): Promise<NotificationTargets | undefined> {
    const known = lastGood.get(environment);
    if (known) return known;
    try {
      const passes = await store.listPasses(environment, clock.now() - LAST_GOOD_LOOKBACK_MS);
      const commit = passes.find((p) => p.specVersion)?.specVersion;
      if (!commit) return undefined;
      const loaded = await loadCommit({ ...location, s3, commit });
      if (!loaded.ok) return undefined;
      for (const env of loaded.specSet.environments) {
        if (!lastGood.has(env.name)) lastGood.set(env.name, { notifications: env.environment.spec.notifications, region: env.environment.spec.region, commit });
      }
      return lastGood.get(environment);
    } catch (err) {
      log.warn(`the last commit that loaded could not be found: ${(err as Error).message}`);
      return undefined;
    }
  }

  // After the passes, the status page in its private bucket, read back from the table (never fails the invocation).
  const runAndPublish = async (event: unknown, context: Context): Promise<InvocationSummary> => {
    const summary = await run(event, context);
    if (config.statusBucket && !summary.dryRun && summary.trigger !== 'ignored') await publishPage(config.statusBucket);
    return summary;
  };
  async function publishPage(bucket: string): Promise<void> {
    try {
      const { key, bytes } = await publishStatusPage(store, { s3, bucket, now: clock.now() });
      logger.info(`status page written to s3://${bucket}/${key} (${bytes} bytes)`);
    } catch (err) {
      logger.warn(`the status page was not written: ${(err as Error).message}`);
    }
  }

  const handler = middy<unknown, InvocationSummary, Error, Context>(runAndPublish)
    // The answer is a report too: nothing secret-shaped in it (an event naming one, an AWS message quoting one).
    .use({ after: (request) => void (request.response = redactReport(request.response)) })
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
  return handler as SteadyHandler;
}

/** The notifier's logger interface over a Powertools logger (attributes are optional there). */
function notifyLogger(log: Logger) {
  type Attributes = Record<string, unknown>;
  return {
    info: (message: string, attributes?: object) => log.info(message, (attributes ?? {}) as Attributes),
    warn: (message: string, attributes?: object) => log.warn(message, (attributes ?? {}) as Attributes),
    error: (message: string, attributes?: object) => log.error(message, (attributes ?? {}) as Attributes),
  };
}

function summarize(result: PassResult, extra: Partial<Pick<ReconcileOutcome, 'recordError' | 'notified'>>): EnvironmentSummary {
  const outcome = passOutcome(result);
  const report = buildReport(result);
  const drift = driftCounts(result, outcome);
  return {
    environment: result.environment,
    passId: result.passId,
    verdict: outcome.verdict,
    ok: isOk(outcome),
    outcome: result.outcome,
    summary: summaryLine(report),
    ...(report.causes.length > 0 ? { causes: report.causes } : {}),
    ...(result.error ? { error: result.error } : {}),
    actions: actionCounts(result),
    changes: result.outcomes.map((o) => ({ resource: o.resource, kind: o.kind, summary: o.summary, state: o.state, ...(o.message ? { message: o.message } : {}) })),
    drift: { found: drift.found, healed: drift.healed, unrepaired: drift.unrepaired },
    apiCalls: Object.values(result.apiCalls).reduce((a, b) => a + b, 0),
    durationMs: result.finishedAt - result.startedAt,
    ...(extra.recordError ? { recordError: extra.recordError } : {}),
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
    actions: result.outcomes.map((o) => `${o.state} ${o.resource}: ${o.summary}`),
  };
  // The same verdict that makes `ok` false makes the line an ERROR.
  if (!isOk(passed)) log.error(line, attributes);
  else log.info(line, attributes);
  for (const o of result.outcomes.filter((x) => x.state === 'failed')) {
    log.error(`${o.resource}: ${o.summary} failed: ${o.message ?? 'no reason given'}`, { resource: o.resource, action: o.kind, ...(o.awsName ? { awsName: o.awsName } : {}) });
  }
  if (outcome.recordError) log.warn(`the pass was not recorded in the state table: ${outcome.recordError}`);
}
