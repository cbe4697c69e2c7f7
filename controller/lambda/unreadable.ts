/**
 * When the published commit cannot be loaded, nothing is changed anywhere: the invocation says so
 * loudly, records a failed pass per environment and tells each environment's people, through the
 * notification targets of the last commit of it that loaded (remembered by the container, or
 * found again from the pass history).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { mapLimit } from '../concurrency.js';
import type { DesiredEnvironment } from '../model/plan.js';
import { newPassId } from '../pass.js';
import { skippedResult } from '../reconcile.js';
import { notify, type NotificationsSpec, type NotifyResult } from '../report/index.js';
import { loadCommit, type PublishedSpecsError } from '../source/index.js';
import type { InvocationSummary } from './app.js';
import type { Invocation } from './events.js';
import { notifyLogger, summarize, type EnvironmentRunContext } from './environment.js';
import { METRIC, publishPassMetrics } from './telemetry.js';

/** What an environment's Environment spec says about notifications, remembered from a commit that loaded. */
interface NotificationTargets {
  notifications: NotificationsSpec;
  region: string;
  commit: string;
}

/** How far back the pass history is searched for the last commit that loaded (to route a failure report). */
const LAST_GOOD_LOOKBACK_MS = 24 * 60 * 60 * 1000;

export interface UnreadableReporter {
  /** Remembers the notification targets of a commit that loaded. */
  remember(environments: DesiredEnvironment[], commit: string): void;
  /** Reports a commit that could not be loaded: the invocation's answer. */
  report(error: PublishedSpecsError, invocation: Invocation): Promise<InvocationSummary>;
}

/**
 * @example
 * const unreadable = unreadableReporter({ ...runContext, s3, location, concurrency: 4 });
 * if (!loaded.ok) return unreadable.report(loaded.error, invocation);
 */
export function unreadableReporter(ctx: EnvironmentRunContext & { s3: S3Client; location: { bucket: string; prefix: string }; concurrency: number }): UnreadableReporter {
  const { logger, metrics, store, clock } = ctx;
  const lastGood = new Map<string, NotificationTargets>();
  const remember = (environments: DesiredEnvironment[], commit: string, overwrite = true) => {
    for (const env of environments) {
      if (overwrite || !lastGood.has(env.name)) lastGood.set(env.name, { notifications: env.environment.spec.notifications, region: env.environment.spec.region, commit });
    }
  };

  /** The notification targets of the last commit of `environment` that loaded. */
  async function notificationTargets(environment: string, log: Logger): Promise<NotificationTargets | undefined> {
    const known = lastGood.get(environment);
    if (known) return known;
    try {
      const passes = await store.listPasses(environment, clock.now() - LAST_GOOD_LOOKBACK_MS);
      const commit = passes.find((p) => p.specVersion)?.specVersion;
      if (!commit) return undefined;
      const loaded = await loadCommit({ ...ctx.location, s3: ctx.s3, commit });
      if (!loaded.ok) return undefined;
      remember(loaded.specSet.environments, commit, false);
      return lastGood.get(environment);
    } catch (err) {
      log.warn(`the last commit that loaded could not be found: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Records the failed pass of one environment and tells its people. */
  async function reportOne(name: string, error: PublishedSpecsError) {
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
    const targets = ctx.notify ? await notificationTargets(name, log) : undefined;
    if (targets) {
      notified = await notify(result, { notifications: targets.notifications, alertStore: store, clock, region: targets.region, clients: { sesv2: ctx.sesFor(targets.region) }, logger: notifyLogger(log) });
    } else if (ctx.notify) {
      log.warn('no notification targets known for this environment (no commit of it loaded in the last 24 hours): the alarm on SpecsUnreadable is the report');
    }
    publishPassMetrics(metrics, result);
    return summarize(result, { recordError, notified });
  }

  async function report(error: PublishedSpecsError, invocation: Invocation): Promise<InvocationSummary> {
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
    const summaries = await mapLimit(names, ctx.concurrency, (name) => reportOne(name, error));
    invocationMetrics(summaries.length);
    return { ...base, environments: summaries };
  }

  return { remember: (environments, commit) => remember(environments, commit), report };
}
