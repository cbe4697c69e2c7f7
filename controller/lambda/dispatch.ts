/**
 * The dispatcher: what the schedule tick and the S3 `HEAD` event wake when steady fans out. It
 * loads the commit once and sends one SQS message per environment to reconcile; the workers
 * (`worker.ts`) reconcile one environment each. On a spec change (the S3 event) only environments
 * whose rendered specs changed since they were last sent (by `environmentDigest`, the digest
 * changes.ts compares) are sent, plus those whose last pass failed or that were never sent. It
 * compares with its own memory of what it sent (`state/dispatch.ts`) rather than with the commit
 * HEAD replaced (changes.ts): a lost S3 event or a refused send is made up by the next one. A
 * tick sends every environment (level-triggered: a tick is how drift is found). With few
 * environments (at most `fanOutAbove`), or no queue configured, it is the single-function handler
 * of `app.ts` and reconciles them itself.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
// Type only: SQS's client is imported when the dispatcher first fans out (`send`), so a cold start
// that reconciles itself does not load it (the bundle puts it in a chunk of its own).
import type { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { systemClock, type Clock } from '../clock.js';
import { ConfigError, InvalidEventError } from '../errors.js';
import { isOk, type PassVerdict } from '../model/outcome.js';
import { environmentDigest } from '../spec/digest.js';
import { createS3Client, loadPublishedSpecs, shortCommit } from '../source/index.js';
import { STEADY_RATE_SHARE } from '../aws/pace.js';
import { DispatchMemory, type DispatchRecord } from '../state/dispatch.js';
import { StateStore } from '../state/store.js';
import type { EnvironmentRecord } from '../state/records.js';
import { createHandler, type HandlerDependencies, type InvocationSummary } from './app.js';
import { configFromEnv, type HandlerConfig } from './config.js';
import { parseEvent, type Invocation } from './events.js';
import { cappingJsonReplacer, summariseNames } from './logsafe.js';
import { homeAccount, rateShares } from './rate-share.js';
import { METRIC, METRIC_NAMESPACE, SERVICE_NAME } from './telemetry.js';

/** One environment to reconcile: the body of a work message. */
export const workMessageSchema = z.strictObject({
  v: z.literal(1),
  environment: z.string().min(1),
  /** The commit the dispatcher loaded (the worker reconciles HEAD, which may have moved on: level-triggered). */
  commit: z.string().min(1),
  specHash: z.string().min(1),
  trigger: z.enum(['schedule', 's3', 'manual']),
  dryRun: z.boolean(),
  dispatchedAt: z.number(),
  /**
   * The share of each AWS bucket of the environment's account and Region (`regional`) and account
   * (`global`: Route 53, CloudFront) the worker paces at (`rate-share.ts`). Absent in messages of a
   * dispatcher from before it: the worker then assumes every worker is in its account and Region.
   */
  rateShare: z.strictObject({ regional: z.number().positive().max(STEADY_RATE_SHARE), global: z.number().positive().max(STEADY_RATE_SHARE) }).optional(),
});
export type WorkMessage = z.infer<typeof workMessageSchema>;

/** What fan-out adds to the handler's configuration. */
export interface DispatchConfig {
  /** The work queue's URL; without it there is no fan-out. */
  queueUrl?: string;
  /** Fan out only when the commit has more environments than this (the CDK context `fanOutAbove`). */
  fanOutAbove: number;
  /** Most workers at once (the event source's `maximumConcurrency`, the CDK context `workerConcurrency`): what each worker's share of AWS's rate limits is divided by. */
  workerConcurrency: number;
}

export const DISPATCH_VARIABLES = {
  STEADY_QUEUE_URL: 'the work queue the dispatcher sends one message per environment to (default: none, every environment in one invocation)',
  STEADY_FAN_OUT_ABOVE: 'fan out only when the commit has more environments than this (default 10)',
  STEADY_WORKER_CONCURRENCY: "most workers at once, the work queue's event source's maximum concurrency; each worker's share of AWS's rate limits is divided by it (default 10)",
} as const;

export function dispatchConfigFromEnv(env: Record<string, string | undefined>): DispatchConfig {
  const queueUrl = env.STEADY_QUEUE_URL?.trim() || undefined;
  return { ...(queueUrl ? { queueUrl } : {}), fanOutAbove: wholeFromEnv(env, 'STEADY_FAN_OUT_ABOVE', 0, 'environments'), workerConcurrency: workerConcurrencyFromEnv(env) };
}

/** `STEADY_WORKER_CONCURRENCY` (default 10), which the dispatcher and the workers both read. */
export function workerConcurrencyFromEnv(env: Record<string, string | undefined>): number {
  return wholeFromEnv(env, 'STEADY_WORKER_CONCURRENCY', 1, 'workers');
}

function wholeFromEnv(env: Record<string, string | undefined>, name: keyof typeof DISPATCH_VARIABLES, min: number, what: string): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return 10;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new ConfigError(`${name}=${JSON.stringify(raw)}: expected a whole number of ${what}${min > 0 ? `, at least ${min}` : ''}`);
  return Number(raw);
}

/**
 * The content hash of an environment's rendered specs: `environmentDigest` (spec/digest.ts), the
 * same digest the S3 event's "changed environments" compares (changes.ts). Equal, same desired state.
 */
export const specHash = environmentDigest;

/** Why an environment is (or is not) sent to a worker. */
export type DispatchReason = 'tick' | 'named' | 'changed' | 'new' | 'lastPassFailed' | 'unchanged' | 'queued';

/**
 * How long a message may wait for its pass before a tick sends its environment again (a message
 * lost, or a worker that died before it recorded a pass): the longest a Lambda runs.
 */
export const QUEUED_AT_MOST_MS = 15 * 60_000;

/**
 * The environments a schedule tick leaves out because their last message has not been worked yet:
 * sent less than `QUEUED_AT_MOST_MS` ago and no pass recorded since. Without it, ticks that come
 * faster than the workers finish pile messages up in the queue, and a spec change waits behind them.
 *
 * @example
 * stillQueued(new Map([['a', { dispatchedAt: 1_000 }]]), new Map([['a', 500]]), 61_000); // Set { 'a' }
 */
export function stillQueued(last: Map<string, Pick<DispatchRecord, 'dispatchedAt'>>, passedAt: Map<string, number>, now: number): Set<string> {
  const queued = new Set<string>();
  for (const [environment, { dispatchedAt }] of last) {
    if (now - dispatchedAt < QUEUED_AT_MOST_MS && (passedAt.get(environment) ?? -Infinity) < dispatchedAt) queued.add(environment);
  }
  return queued;
}

/**
 * Which environments to send. A manual invoke: every environment (or the ones named); a tick: every
 * environment whose last message is not still `queued`; a spec change: those whose hash differs
 * from the last dispatch, never dispatched, or whose last pass was not ok (the verdicts `steady
 * reconcile` exits 1 for).
 *
 * @example
 * selectEnvironments('s3', undefined, new Map([['a', 'h1']]), new Map([['a', { specHash: 'h1' }]]), new Map());
 * // [{ environment: 'a', reason: 'unchanged' }]
 */
export function selectEnvironments(
  trigger: Invocation['trigger'],
  named: string[] | undefined,
  hashes: Map<string, string>,
  last: Map<string, Pick<DispatchRecord, 'specHash'>>,
  verdicts: Map<string, PassVerdict | undefined>,
  queued: Set<string> = new Set(),
): { environment: string; reason: DispatchReason }[] {
  const names = named ?? [...hashes.keys()];
  return names.map((environment) => {
    if (named) return { environment, reason: 'named' as const };
    if (trigger === 'schedule' && queued.has(environment)) return { environment, reason: 'queued' as const };
    if (trigger !== 's3') return { environment, reason: 'tick' as const };
    const before = last.get(environment);
    if (!before) return { environment, reason: 'new' as const };
    if (before.specHash !== hashes.get(environment)) return { environment, reason: 'changed' as const };
    const verdict = verdicts.get(environment);
    if (verdict && !isOk({ verdict, plan: false })) return { environment, reason: 'lastPassFailed' as const };
    return { environment, reason: 'unchanged' as const };
  });
}

/** The dispatcher's answer when it fanned out. */
export interface DispatchSummary {
  mode: 'fanOut';
  trigger: Invocation['trigger'];
  ok: boolean;
  dryRun: boolean;
  commit?: string;
  /** Environments sent to a worker, with why. */
  enqueued: { environment: string; reason: DispatchReason }[];
  /** Environments not sent: their specs did not change and their last pass was ok. */
  unchanged: string[];
  /** Environments a tick did not send: their last message is still waiting for its pass (`stillQueued`); absent when none. */
  queued?: string[];
  specsError?: { kind: string; message: string };
}

export interface DispatcherDependencies extends HandlerDependencies {
  dispatch?: DispatchConfig;
  sqs?: SQSClient;
  /** The single-function handler used at or below the threshold. Default `createHandler(deps)`. */
  single?: (event: unknown, context: Context) => Promise<InvocationSummary>;
}

const SQS_BATCH = 10;

/**
 * Builds the dispatcher. At or below the threshold it answers as the single-function handler does.
 *
 * @example
 * // controller/lambda/handler.ts
 * export const handler = createDispatcher();
 */
export function createDispatcher(deps: DispatcherDependencies = {}) {
  const logger = deps.logger ?? new Logger({ serviceName: SERVICE_NAME, jsonReplacerFn: cappingJsonReplacer });
  const metrics = deps.metrics ?? new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME });
  const config: HandlerConfig = deps.config ?? configFromEnv(process.env);
  const dispatch = deps.dispatch ?? dispatchConfigFromEnv(process.env);
  const single = deps.single ?? createHandler({ ...deps, config });
  const clock: Clock = deps.clock ?? systemClock;
  const location = { bucket: config.bucket, prefix: config.prefix };
  const s3: S3Client = deps.s3 ?? createS3Client();
  const dynamodb = deps.dynamodb ?? new DynamoDBClient({});
  const store = new StateStore({ client: dynamodb, tableName: config.table, clock });
  const memory = new DispatchMemory(dynamodb, config.table, clock);
  let sqs = deps.sqs;

  async function run(event: unknown, context: Context): Promise<InvocationSummary | DispatchSummary> {
    if (!dispatch.queueUrl) return single(event, context);
    let parsed;
    try {
      parsed = parseEvent(event, location);
    } catch (err) {
      if (err instanceof InvalidEventError) logger.error(`invalid event: ${err.message}`);
      throw err;
    }
    if (!parsed.ok) return single(event, context);
    const invocation = parsed.invocation;
    const loaded = await loadPublishedSpecs({ ...location, s3 });
    // The single handler reports an unreadable commit (a failed pass per environment, the alarm).
    if (!loaded.ok || loaded.specSet.environments.length <= dispatch.fanOutAbove) return single(event, context);
    const commit = loaded.commit;
    logger.appendKeys({ trigger: invocation.trigger, commit: shortCommit(commit) });
    const hashes = new Map(loaded.specSet.environments.map((e) => [e.name, specHash(e)]));
    const known = new Set(hashes.keys());
    const unknownNames = (invocation.environments ?? []).filter((n) => !known.has(n));
    if (unknownNames.length > 0) logger.error(`no environment ${summariseNames(unknownNames)} in commit ${shortCommit(commit)}; nothing is sent for ${unknownNames.length === 1 ? 'it' : 'them'}`);
    const named = invocation.environments?.filter((n) => known.has(n));
    const [last, records] = invocation.trigger !== 'manual' && !named ? await Promise.all([lastDispatches(), environmentRecords()]) : [new Map(), []];
    const verdicts = new Map(records.map((e) => [e.environment, e.lastVerdict ?? (e.lastOutcome === 'failed' ? ('failed' as const) : undefined)]));
    const queued = stillQueued(last, new Map(records.map((e) => [e.environment, e.lastPassAt])), clock.now());
    const selection = selectEnvironments(invocation.trigger, named, hashes, last, verdicts, queued);
    const enqueued = selection.filter((s) => s.reason !== 'unchanged' && s.reason !== 'queued');
    const now = clock.now();
    // Over every environment of the commit: the workers of a tick may still run beside the ones sent now.
    const shares = rateShares(loaded.specSet.environments.map((e) => ({ name: e.name, spec: e.environment.spec })), dispatch.workerConcurrency, homeAccount(context.invokedFunctionArn));
    const messages: WorkMessage[] = enqueued.map((s) => ({
      v: 1,
      environment: s.environment,
      commit,
      specHash: hashes.get(s.environment)!,
      trigger: invocation.trigger,
      dryRun: invocation.dryRun,
      dispatchedAt: now,
      rateShare: shares.get(s.environment)!,
    }));
    await send(messages);
    if (!invocation.dryRun) await memory.save(messages.map((m) => ({ environment: m.environment, specHash: m.specHash, commit, dispatchedAt: now })));
    metrics.addMetric(METRIC.environmentsDispatched, MetricUnit.Count, messages.length);
    metrics.publishStoredMetrics();
    const unchanged = selection.filter((s) => s.reason === 'unchanged').map((s) => s.environment);
    const waiting = selection.filter((s) => s.reason === 'queued').map((s) => s.environment);
    const left = [...(unchanged.length ? [`${unchanged.length} unchanged since the last dispatch`] : []), ...(waiting.length ? [`${waiting.length} whose last message still waits for its pass`] : [])];
    logger.info(`dispatched ${messages.length} of ${hashes.size} environments to the work queue${left.length ? ` (${left.join('; ')})` : ''}`, {
      enqueued: enqueued.map((s) => `${s.environment} (${s.reason})`),
    });
    return { mode: 'fanOut', trigger: invocation.trigger, ok: unknownNames.length === 0, dryRun: invocation.dryRun, commit, enqueued, unchanged, ...(waiting.length ? { queued: waiting } : {}) };
  }

  /** The last dispatches; none when they cannot be read (a tick then sends every environment, a spec change every one as changed). */
  async function lastDispatches(): Promise<Map<string, DispatchRecord>> {
    try {
      return await memory.load();
    } catch (err) {
      logger.warn(`the last dispatches could not be read; every environment is sent: ${(err as Error).message}`);
      return new Map();
    }
  }

  async function environmentRecords(): Promise<EnvironmentRecord[]> {
    try {
      return await store.listEnvironments();
    } catch (err) {
      logger.warn(`the last passes could not be read; every environment is sent on a tick, and on a spec change those whose specs did not change are not sent again: ${(err as Error).message}`);
      return [];
    }
  }

  async function send(messages: WorkMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const { SendMessageBatchCommand, SQSClient } = await import('@aws-sdk/client-sqs');
    sqs ??= new SQSClient({});
    for (let i = 0; i < messages.length; i += SQS_BATCH) {
      const chunk = messages.slice(i, i + SQS_BATCH);
      const out = await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: dispatch.queueUrl, Entries: chunk.map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m) })) }),
      );
      const failed = out.Failed ?? [];
      if (failed.length > 0) {
        // Not sent this time: the next tick sends them again (the hash memory is only written for a whole batch that went).
        throw new Error(`the work queue refused ${failed.length} message${failed.length === 1 ? '' : 's'}: ${failed.map((f) => `${chunk[Number(f.Id)].environment}: ${f.Code} ${f.Message ?? ''}`).join('; ')}`);
      }
    }
  }

  // The single handler flushes its own metrics; the fan-out path publishes its one metric itself.
  return middy<unknown, InvocationSummary | DispatchSummary, Error, Context>(run).use(injectLambdaContext(logger, { resetKeys: true }));
}
