/**
 * The worker: the SQS event source's target when steady fans out. Each message names one
 * environment (`WorkMessage`, sent by `dispatch.ts`); the worker reconciles it with the
 * single-function handler of `app.ts` asked for that one environment, i.e. one
 * `reconcileLambdaEnvironment` pass (`environment.ts`: its own lease, deadline and stop signal =
 * this invocation's time, metrics with the `environment` dimension, notifications). Partial batch responses: only the messages
 * that could not be handled at all (a crash, a malformed body) are reported in
 * `batchItemFailures` and come back after the visibility timeout, to the dead-letter queue after
 * `maxReceiveCount`. A pass that ran and failed is recorded and reported like any other and is not
 * retried by SQS (the next tick, or the dispatcher's "last pass failed" rule, sends it again). A
 * message for an environment whose lease another invocation holds is dropped: that invocation is
 * the writer, and retrying would only wait in a loop.
 *
 * Each container has its own clients, hence its own pacing of AWS's rate limits (`aws/pace.ts`);
 * before each message the worker sets them to the share of each bucket the message carries
 * (`rate-share.ts`: steady's share divided by the workers that may be in the account and Region at
 * once), so that the workers together stay within what one process would use.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createAwsClients, setRateShares, type AwsClients, type RateShares } from '../aws/clients.js';
import { createS3Client, loadPublishedSpecs, normalizePrefix, type PublishedSpecsResult } from '../source/index.js';
import { readPointer } from '../source/load.js';
import { createHandler, type HandlerDependencies, type InvocationSummary } from './app.js';
import { workerConcurrencyFromEnv, workMessageSchema, type WorkMessage } from './dispatch.js';
import { cappingJsonReplacer } from './logsafe.js';
import { fallbackShares } from './rate-share.js';
import { METRIC, METRIC_NAMESPACE, SERVICE_NAME } from './telemetry.js';

export interface WorkerDependencies extends HandlerDependencies {
  /** The handler that reconciles one environment. Default `createHandler(deps)`. */
  handler?: (event: unknown, context: Context) => Promise<InvocationSummary>;
  /** Most workers at once, for a message that carries no share. Default `STEADY_WORKER_CONCURRENCY` (10). */
  workerConcurrency?: number;
}

/** What became of one message. */
export type MessageFate = 'reconciled' | 'dropped' | 'retry';

/**
 * Reads a message body: a work message, or why it is not one.
 *
 * @example
 * readWorkMessage('{"v":1,"environment":"shop-prod",...}'); // { ok: true, message: { environment: 'shop-prod', ... } }
 */
export function readWorkMessage(body: string): { ok: true; message: WorkMessage } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, problem: 'the body is not JSON' };
  }
  const parsed = workMessageSchema.safeParse(json);
  if (!parsed.success) return { ok: false, problem: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') };
  return { ok: true, message: parsed.data };
}

/**
 * `loadPublishedSpecs` that keeps the last commit it loaded: a warm worker reads HEAD (one small
 * object) and loads the commit again only when HEAD names another one. A commit is immutable
 * (its id is the hash of its files, each checked), so the kept one is the same.
 */
export function lastCommitLoader(): typeof loadPublishedSpecs {
  let kept: Extract<PublishedSpecsResult, { ok: true }> | undefined;
  return async (options) => {
    if (kept) {
      try {
        const head = await readPointer(options.s3 ?? createS3Client(), { bucket: options.bucket, prefix: normalizePrefix(options.prefix ?? '') });
        if (head.state === 'ok' && head.pointer.commit === kept.commit && head.pointer.manifestSha256 === kept.pointer.manifestSha256) return { ...kept, pointer: head.pointer };
      } catch {
        // The full load says what is wrong, in its own words.
      }
    }
    const result = await loadPublishedSpecs(options);
    kept = result.ok ? result : undefined;
    return result;
  };
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

/**
 * The container's clients, made by `clientsFor` when a pass first needs them and kept (by the
 * handler's `aws/accounts.ts`), all paced at the shares last `set`: one message at a time in a
 * container, so they are the shares of the environment being reconciled.
 */
function pacedClients(clientsFor: NonNullable<WorkerDependencies['clientsFor']>) {
  const made: AwsClients[] = [];
  let current: RateShares | undefined;
  return {
    clientsFor: ((region, credentials) => {
      const clients = clientsFor(region, credentials);
      if (current) setRateShares(clients, current);
      made.push(clients);
      return clients;
    }) satisfies NonNullable<WorkerDependencies['clientsFor']>,
    set(shares: RateShares) {
      current = shares;
      for (const clients of made) setRateShares(clients, shares);
    },
  };
}

/**
 * Builds the worker handler.
 *
 * @example
 * // controller/lambda/worker-handler.ts
 * export const handler = createWorker();
 */
export function createWorker(deps: WorkerDependencies = {}) {
  const logger = deps.logger ?? new Logger({ serviceName: SERVICE_NAME, jsonReplacerFn: cappingJsonReplacer });
  const metrics = deps.metrics ?? new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME });
  const paced = pacedClients(deps.clientsFor ?? ((region, credentials) => createAwsClients({ region, ...(credentials ? { credentials } : {}) })));
  const handler = deps.handler ?? createHandler({ ...deps, clientsFor: paced.clientsFor, loadSpecs: deps.loadSpecs ?? lastCommitLoader() });
  const fallback = fallbackShares(deps.workerConcurrency ?? workerConcurrencyFromEnv(process.env));

  async function one(record: SQSRecord, context: Context): Promise<MessageFate> {
    const read = readWorkMessage(record.body);
    const receives = Number(record.attributes.ApproximateReceiveCount);
    if (!read.ok) {
      logger.error(`work message ${record.messageId} is not a steady work message (${read.problem}); it goes to the dead-letter queue after its retries`, { receives });
      return 'retry';
    }
    const m = read.message;
    const log = logger.createChild({ persistentKeys: { environment: m.environment, messageId: record.messageId } });
    const shares = m.rateShare ?? fallback;
    paced.set(shares);
    log.info(
      `work message: ${m.environment} (${m.trigger}${m.dryRun ? ', dry run' : ''}, dispatched for commit ${m.commit.slice(0, 12)}, receive ${receives}); ` +
        `pacing at ${percent(shares.regional)} of each AWS rate limit of its account and Region${shares.global !== shares.regional ? ` (${percent(shares.global)} of Route 53's and CloudFront's)` : ''}${m.rateShare ? '' : ', the message named no share'}`,
    );
    let summary: InvocationSummary;
    try {
      summary = await handler({ environment: m.environment, ...(m.dryRun ? { dryRun: true } : {}) }, context);
    } catch (err) {
      log.error(`reconciling ${m.environment} failed unexpectedly; the message comes back after the visibility timeout`, { error: err as Error, receives });
      return 'retry';
    }
    const env = summary.environments.find((e) => e.environment === m.environment);
    if (env?.verdict === 'skipped') {
      // Another invocation holds the lease (a long pass, a person): it is the writer; this message is done.
      log.info(`dropped: ${env.error ?? 'the pass was skipped'}`);
      metrics.addMetric(METRIC.messagesDropped, MetricUnit.Count, 1);
      return 'dropped';
    }
    return 'reconciled';
  }

  async function run(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    // One at a time: with a batch size of 1 (the CDK app's), each environment has the invocation's whole time.
    for (const record of event.Records ?? []) {
      if ((await one(record, context)) === 'retry') failures.push({ itemIdentifier: record.messageId });
    }
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    return { batchItemFailures: failures };
  }

  return middy<SQSEvent, SQSBatchResponse, Error, Context>(run).use(injectLambdaContext(logger, { resetKeys: true }));
}
