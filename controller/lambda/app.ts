/**
 * The Lambda handler, as a factory: `createHandler()` with no arguments is production (SDK clients
 * with their default configuration, the system clock, configuration from environment variables);
 * tests pass the simulated account's clients and clock. A thin shell: it loads the published
 * commit, picks the environments the event asks for, and reconciles each (environment.ts) with
 * bounded concurrency, under its lease and within the invocation's time (deadline.ts); an
 * unreadable commit is reported by unreadable.ts. Log lines are size-capped (logsafe.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { EnvironmentAccounts, type EnvironmentTarget } from '../aws/accounts.js';
import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { LazyClient } from '../aws/lazy-client.js';
import { systemClock, type Clock } from '../clock.js';
import { mapLimit } from '../concurrency.js';
import { InvalidEventError } from '../errors.js';
import { createAdapters } from '../pass.js';
import { skippedResult } from '../reconcile.js';
import type { EmailClient } from '../report/email.js';
import { redactReport } from '../report/secrets.js';
import { createS3Client, loadPublishedSpecs, shortCommit, type PublishedSpecsResult, type SpecLocation } from '../source/index.js';
import { specSourceOf } from '../source/commit.js';
import { publishStatusPage } from '../status-page/publish.js';
import { StateStore } from '../state/store.js';
import { perPassCallCounts } from './calls.js';
import { changedEnvironmentsFinder, rememberingLoader } from './changes.js';
import { configFromEnv, type HandlerConfig } from './config.js';
import { invocationTime, type InvocationTime } from './deadline.js';
import { reconcileLambdaEnvironment, summarize, type EnvironmentRunContext, type EnvironmentSummary, type Regional, type RegionalReach } from './environment.js';
import { parseEvent, type Invocation } from './events.js';
import { cappingJsonReplacer, summariseNames } from './logsafe.js';
import { removalsAnnouncer } from './removals.js';
import { METRIC, METRIC_NAMESPACE, SERVICE_NAME } from './telemetry.js';
import { unreadableReporter } from './unreadable.js';

export type { EnvironmentSummary } from './environment.js';
type LoadedSpecs = Extract<PublishedSpecsResult, { ok: true }>;

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
  sesFor?: (region: string) => EmailClient;
  logger?: Logger;
  metrics?: Metrics;
  /** X-Ray tracing, when it is on (`tracing.ts`: handler.ts loads it at cold start). Default: none, nothing traced. */
  tracer?: Tracer;
  /** How often migration tasks and DNS changes are polled (ms); the engine's default otherwise. */
  pollMs?: number;
  /** Loads HEAD's commit. Default `loadPublishedSpecs`; the worker keeps the last commit (`worker.ts`). */
  loadSpecs?: typeof loadPublishedSpecs;
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
  /**
   * The environments the event named that the commit does not have, when there are more than ten
   * (fewer each get an entry in `environments`): how many, the first ten, and the sentence logged.
   */
  unknownEnvironments?: { count: number; names: string[]; message: string };
}

export type SteadyHandler = ((event: unknown, context: Context) => Promise<InvocationSummary>) & middy.MiddyfiedHandler<unknown, InvocationSummary, Error, Context>;

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
  const container = makeContainer(deps);
  const { logger, metrics, tracer, config, clock, store } = container;
  const location = { bucket: config.bucket, prefix: config.prefix };
  const load = rememberingLoader({ ...location, s3: container.s3 });
  const announceRemovals = removalsAnnouncer({ ...location, s3: container.s3, store, logger, metrics, load });
  const changedEnvironments = changedEnvironmentsFinder({ ...location, s3: container.s3, logger, load });
  const unreadable = unreadableReporter({ ...container, location, concurrency: config.concurrency });

  async function run(event: unknown, context: Context, signal: AbortSignal | undefined): Promise<InvocationSummary> {
    const parsed = understand(event, location, logger);
    if (!parsed.ok) {
      logger.info(`event ignored: ${parsed.ignored}`);
      metrics.addMetric(METRIC.eventsIgnored, MetricUnit.Count, 1);
      return { trigger: 'ignored', ok: true, dryRun: false, ignored: parsed.ignored, environments: [] };
    }
    const invocation = parsed.invocation;
    logger.appendKeys({ trigger: invocation.trigger, ...(invocation.dryRun ? { dryRun: true } : {}) });
    const time = invocationTime({ clock, remainingMs: context.getRemainingTimeInMillis(), marginMs: config.marginMs, signal });
    try {
      logger.info(`invoked: ${invocation.cause ?? 'manual invoke'}`, {
        environments: invocation.environments ?? 'all',
        deadline: new Date(time.deadline).toISOString(),
      });
      const loaded = await (deps.loadSpecs ?? loadPublishedSpecs)({ ...location, s3: container.s3 });
      if (!loaded.ok) return await unreadable.report(loaded.error, invocation);
      logger.appendKeys({ commit: shortCommit(loaded.commit) });
      await announceRemovals(loaded, context.awsRequestId);
      unreadable.remember(loaded.specSet.environments, loaded.commit);
      return await reconcileCommit(loaded, invocation, time);
    } finally {
      time.dispose();
    }
  }

  /** Every environment the invocation asks for, each under its own lease, with bounded concurrency. */
  async function reconcileCommit(loaded: LoadedSpecs, invocation: Invocation, time: InvocationTime): Promise<InvocationSummary> {
    const { commit } = loaded;
    const available = new Map(loaded.specSet.environments.map((e) => [e.name, e]));
    // A new HEAD reconciles what it changed at once; the schedule's tick reconciles everything.
    const changed = invocation.trigger === 's3' && !invocation.environments ? await changedEnvironments(loaded) : undefined;
    const wanted = invocation.environments ?? changed ?? [...available.keys()];
    const unknown = wanted.filter((name) => !available.has(name));
    const request = { commit, specSource: specSourceOf(loaded.manifest), dryRun: invocation.dryRun, deadline: time.deadline, signal: time.signal, finishSignal: time.finishSignal };
    const summaries = await mapLimit(
      wanted.filter((name) => available.has(name)),
      config.concurrency,
      (name) => reconcileLambdaEnvironment(available.get(name)!, request, container),
    );
    const missing = unknownEnvironments(unknown, commit, [...available.keys()], { logger, clock });
    const environments = [...summaries, ...missing.summaries];
    metrics.addMetric(METRIC.environmentsReconciled, MetricUnit.Count, summaries.length);
    const summary: InvocationSummary = {
      trigger: invocation.trigger,
      ok: environments.every((s) => s.ok) && !missing.more,
      dryRun: invocation.dryRun,
      commit,
      environments,
      ...(missing.more ? { unknownEnvironments: missing.more } : {}),
    };
    const done = environments.map((s) => `${s.environment} ${s.outcome}`);
    logger.info(`done: ${summariseNames(done) || 'no environments'}${missing.more ? `; ${missing.more.count} unknown environments` : ''}`, { ok: summary.ok });
    return summary;
  }

  // After the passes, the status page in its private bucket, read back from the table (never fails the invocation).
  const runAndPublish = async (event: unknown, context: Context, options?: { signal?: AbortSignal }): Promise<InvocationSummary> => {
    const summary = await run(event, context, options?.signal);
    if (config.statusBucket && !summary.dryRun && summary.trigger !== 'ignored') await publishPage(container, config.statusBucket);
    return summary;
  };

  const handler = middy<unknown, InvocationSummary, Error, Context>(runAndPublish)
    // The answer is a report too: nothing secret-shaped in it (an event naming one, an AWS message quoting one).
    .use({ after: (request) => void (request.response = redactReport(request.response)) });
  if (tracer) handler.use(captureLambdaHandler(tracer, { captureResponse: false }));
  handler.use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics, { captureColdStartMetric: true }));
  return handler as SteadyHandler;
}

/** What one container makes once and keeps across invocations. */
interface Container extends EnvironmentRunContext {
  tracer?: Tracer;
  config: HandlerConfig;
  s3: S3Client;
}

/** The container's clients, adapters (one set per region), logger and metrics. */
function makeContainer(deps: HandlerDependencies): Container {
  const logger = deps.logger ?? new Logger({ serviceName: SERVICE_NAME, jsonReplacerFn: cappingJsonReplacer });
  const metrics = deps.metrics ?? new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME });
  const tracer = deps.tracer;
  const trace = <C>(client: C): C => (tracer ? tracer.captureAWSv3Client(client) : client);
  let config: HandlerConfig;
  try {
    config = deps.config ?? configFromEnv(process.env);
  } catch (err) {
    // Cold start: say it once, clearly, and fail the init (every invocation then shows the message).
    logger.error('steady cannot start: its configuration is invalid', { error: err as Error });
    throw err;
  }
  const clock = deps.clock ?? systemClock;
  const s3 = deps.s3 ?? trace(createS3Client());
  const store = new StateStore({ client: deps.dynamodb ?? trace(new DynamoDBClient({})), tableName: config.table, clock });
  // Clients by role and region (aws/accounts.ts): an environment in another account is reached through the role it names.
  const accounts = new EnvironmentAccounts({
    clock,
    ...(deps.sts ? { sts: deps.sts } : {}),
    clientsFor: (region, credentials) => (deps.clientsFor ?? ((rg, c) => createAwsClients({ region: rg, ...(c ? { credentials: c } : {}) })))(region, credentials),
  });
  const regions = new Map<string, Regional>();
  const reach = async (target: EnvironmentTarget, passId: string): Promise<RegionalReach> => {
    const reached = await accounts.reach(target, passId);
    if (!reached.ok) return reached;
    let r = regions.get(reached.key);
    if (!r) {
      for (const client of Object.values(reached.clients)) {
        // A client made when first used (CloudFront, CodeDeploy) is traced once it is made.
        if (client instanceof LazyClient) client.whenMade(trace);
        else trace(client);
      }
      deps.instrumentClients?.(reached.clients, target.region);
      r = { adapters: createAdapters(reached.clients), scope: perPassCallCounts(reached.clients) };
      regions.set(reached.key, r);
    }
    return { ok: true, regional: r };
  };
  const sesClients = new Map<string, EmailClient>();
  const sesFor = (region: string) => {
    let c = sesClients.get(region);
    if (!c) sesClients.set(region, (c = deps.sesFor?.(region) ?? new LazyClient<SESv2Client>('sesv2', async () => trace(new (await import('@aws-sdk/client-sesv2')).SESv2Client({ region })))));
    return c;
  };
  return { logger, metrics, tracer, config, clock, s3, store, reach, sesFor, notify: config.notify, leaseTtlMs: config.leaseTtlMs, pollMs: deps.pollMs };
}

/** The event, understood; an event that is not one steady acts on is logged (size-capped) and thrown. */
function understand(event: unknown, location: SpecLocation, logger: Logger): ReturnType<typeof parseEvent> {
  try {
    return parseEvent(event, location);
  } catch (err) {
    if (err instanceof InvalidEventError) logger.error(`invalid event: ${err.message}`, { event: event as Record<string, unknown> });
    throw err;
  }
}

/** How many unknown environments get an answer entry and a log line each; beyond, one of each for all. */
const UNKNOWN_ONE_BY_ONE = 10;

/**
 * The environments an invocation named that the commit does not have: each said on its own when
 * few, or together in one ERROR line and one entry of the answer when many (an event naming
 * 20,000 must not make 20,000 log lines).
 */
function unknownEnvironments(unknown: string[], commit: string, has: string[], ctx: { logger: Logger; clock: Clock }) {
  const it = `in commit ${shortCommit(commit)} (it has: ${summariseNames(has) || 'none'})`;
  if (unknown.length <= UNKNOWN_ONE_BY_ONE) {
    const summaries = unknown.map((name) => {
      const error = `no environment ${name} ${it}; nothing was done for it`;
      const result = skippedResult(name, ctx.clock.now(), 'failed', error);
      ctx.logger.createChild({ persistentKeys: { environment: name, passId: result.passId } }).error(error);
      return summarize(result, {});
    });
    return { summaries };
  }
  const message = `${unknown.length} environments named by the event are not ${it}: ${summariseNames(unknown)}; nothing was done for them`;
  ctx.logger.error(message, { unknownEnvironments: unknown.length });
  return { summaries: [], more: { count: unknown.length, names: unknown.slice(0, UNKNOWN_ONE_BY_ONE), message } };
}

/** Writes the status page; a failure is only a warning. */
async function publishPage(container: Container, bucket: string): Promise<void> {
  try {
    const { key, bytes } = await publishStatusPage(container.store, { s3: container.s3, bucket, now: container.clock.now() });
    container.logger.info(`status page written to s3://${bucket}/${key} (${bytes} bytes)`);
  } catch (err) {
    container.logger.warn(`the status page was not written: ${(err as Error).message}`);
  }
}
