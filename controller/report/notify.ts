/**
 * The notifier: after a pass, tells people what is new — in Slack and by email — and remembers
 * what it told them. It never fails the pass: a delivery that fails is logged (without secrets),
 * returned, and left owed in the alert store so that the next pass sends it.
 */
import type { Clock } from '../clock.js';
import type { AlertState, AlertStore } from '../model/alerts.js';
import type { PassResult } from '../model/pass.js';
import type { EnvironmentDoc } from '../spec/schema.js';
import { NotifyError } from '../errors.js';
import { buildEmail, sendEmail, type EmailClient } from './email.js';
import { buildReport } from './model.js';
import { decideNotifications, settleAlerts, type Channel, type Notification } from './noise.js';
import { lambdaWebhookCache, resolveWebhookUrl, webhookSource, type SecretClients, type WebhookUrlCache } from './secrets.js';
import { buildSlackMessage, postToSlack, type SlackPostOptions } from './slack.js';

/** The Environment's `spec.notifications`. */
export type NotificationsSpec = EnvironmentDoc['spec']['notifications'];

/** Where the notifier logs; Powertools' Logger fits, and so does `console`. */
export interface NotifyLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
}

export interface NotifyOptions {
  notifications: NotificationsSpec;
  /** What was told, and what is still owed (the DynamoDB state table, or memory). */
  alertStore: AlertStore;
  clock: Clock;
  /** Region for the SES client and for SSM parameters given by name (default: the SDK's). */
  region?: string;
  /** SDK clients; default-configured ones are made when absent. */
  clients?: SecretClients & { sesv2?: EmailClient };
  logger?: NotifyLogger;
  /** Resolved webhook URLs (default: one cache for the life of the Lambda execution environment). */
  webhookCache?: WebhookUrlCache;
  /** Retry tuning for the Slack webhook. */
  slackRetry?: Omit<SlackPostOptions, 'clock' | 'source' | 'signal'>;
  /**
   * Aborts when there is no time left to notify (the Lambda's end is near): nothing new is sent,
   * Slack stops retrying and SES stops waiting; what was not delivered stays owed to the next pass.
   */
  signal?: AbortSignal;
}

/** A message that went out. */
export interface Delivery {
  channel: Channel;
  /** What the message carried, e.g. `['failed Migration/db-migrate', 'healed AliasRecord/api-dns']`. */
  notifications: string[];
  /** Slack: attempts it took. */
  attempts?: number;
  /** Email: the SES message id. */
  messageId?: string;
}

/** Something that did not work; `error` names what was being done, never a secret. */
export interface NotifyFailure {
  channel: Channel | 'alertStore' | 'notifier';
  error: string;
  /** True when the next pass may well succeed (throttling, a 5xx). */
  transient: boolean;
}

export interface NotifyResult {
  sent: Delivery[];
  failed: NotifyFailure[];
  /** Everything this pass had to say (delivered or not). */
  notifications: Notification[];
  /** Why nothing was attempted, when nothing was. */
  skipped?: 'dryRun' | 'noTargets' | 'alertsUnreadable';
}

const consoleLogger: NotifyLogger = {
  info: (message, attributes) => console.info(JSON.stringify({ level: 'INFO', message, ...attributes })),
  warn: (message, attributes) => console.warn(JSON.stringify({ level: 'WARN', message, ...attributes })),
};

/**
 * A logger that replaces any secret it is given with `[redacted]`, in the message and in every
 * string of the attributes: defence in depth, since nothing logged should contain one anyway.
 */
function redacting(logger: NotifyLogger, secrets: Set<string>): NotifyLogger {
  const scrub = (value: unknown): unknown => {
    if (typeof value === 'string') {
      let s = value;
      for (const secret of secrets) if (secret) s = s.split(secret).join('[redacted]');
      return s;
    }
    if (Array.isArray(value)) return value.map(scrub);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v)]));
    return value;
  };
  return {
    info: (m, a) => logger.info(scrub(m) as string, a && (scrub(a) as Record<string, unknown>)),
    warn: (m, a) => logger.warn(scrub(m) as string, a && (scrub(a) as Record<string, unknown>)),
  };
}

function describe(n: Notification): string {
  return `${n.kind} ${n.resource}`;
}

function failureOf(channel: NotifyFailure['channel'], err: unknown, secrets: Set<string>): NotifyFailure {
  let message = err instanceof Error ? err.message : String(err);
  for (const secret of secrets) if (secret) message = message.split(secret).join('[redacted]');
  // steady's errors say whether retrying may help; anything else is taken as transient.
  return { channel, error: message, transient: (err as { transient?: boolean } | undefined)?.transient ?? true };
}

/**
 * Tells people about a pass: decides what is news (noise control), posts it to Slack and emails it,
 * and records what was delivered. Never throws; returns what was sent and what failed. Dry runs
 * notify nobody.
 *
 * @example
 * const outcome = await notify(result, {
 *   notifications: environment.spec.notifications,
 *   alertStore,
 *   clock: systemClock,
 *   region: environment.spec.region,
 *   logger,
 * });
 * // outcome.failed is already logged; the pass goes on whatever it holds.
 */
export async function notify(result: PassResult, options: NotifyOptions): Promise<NotifyResult> {
  const secrets = new Set<string>();
  const logger = redacting(options.logger ?? consoleLogger, secrets);
  const spec = options.notifications;
  const at = { environment: result.environment, passId: result.passId };
  if (result.dryRun) return { sent: [], failed: [], notifications: [], skipped: 'dryRun' };
  const channels: Channel[] = [...(spec.slack ? (['slack'] as const) : []), ...(spec.email ? (['email'] as const) : [])];
  if (channels.length === 0) return { sent: [], failed: [], notifications: [], skipped: 'noTargets' };
  if (options.signal?.aborted) {
    // Nothing was decided or remembered, so the next pass says it all.
    const failure: NotifyFailure = { channel: 'notifier', error: 'not sent: no time was left to notify; the next pass notifies', transient: true };
    logger.warn(failure.error, at);
    return { sent: [], failed: [failure], notifications: [] };
  }

  let alerts: AlertState[];
  try {
    alerts = await options.alertStore.load(result.environment);
  } catch (err) {
    // Without the memory of what was said, sending would repeat it: wait for the next pass.
    const failure = failureOf('alertStore', err, secrets);
    logger.warn('notifications skipped: the alert history could not be read; the next pass notifies', { ...at, error: failure.error });
    return { sent: [], failed: [failure], notifications: [], skipped: 'alertsUnreadable' };
  }

  const sent: Delivery[] = [];
  const failed: NotifyFailure[] = [];
  let notifications: Notification[] = [];
  try {
    const now = options.clock.now();
    const report = buildReport(result, { alerts });
    const decision = decideNotifications(report, alerts, { now, remindEveryHours: spec.remindEveryHours, dailyDigest: spec.dailyDigest, channels });
    notifications = decision.notifications;
    const forChannel = (c: Channel) => notifications.filter((n) => n.channels.includes(c));

    const deliveries: Promise<void>[] = [];
    const slackSpec = spec.slack;
    const slackNotes = forChannel('slack');
    if (slackSpec && slackNotes.length > 0) {
      deliveries.push(
        (async () => {
          const ref = slackSpec.webhookUrl;
          const cache = options.webhookCache ?? lambdaWebhookCache;
          try {
            const url = await resolveWebhookUrl(ref, { clients: options.clients, region: options.region, cache });
            secrets.add(url);
            secrets.add(new URL(url).pathname);
            const message = buildSlackMessage(report, slackNotes, { maxSections: slackSpec.maxSections });
            try {
              const posted = await postToSlack(url, message, { ...options.slackRetry, clock: options.clock, source: webhookSource(ref), signal: options.signal });
              sent.push({ channel: 'slack', notifications: slackNotes.map(describe), attempts: posted.attempts });
            } catch (err) {
              // Slack refused the URL itself (revoked, rotated): read the secret again next pass.
              if (err instanceof NotifyError && !err.transient) cache.delete(ref);
              throw err;
            }
          } catch (err) {
            failed.push(failureOf('slack', err, secrets));
          }
        })(),
      );
    }
    const emailSpec = spec.email;
    const emailNotes = forChannel('email');
    if (emailSpec && emailNotes.length > 0) {
      deliveries.push(
        (async () => {
          try {
            const client = options.clients?.sesv2 ?? new (await import('@aws-sdk/client-sesv2')).SESv2Client(options.region ? { region: options.region } : {});
            const messageId = await sendEmail(client, { from: emailSpec.from, to: emailSpec.to }, buildEmail(report, emailNotes), options.signal);
            sent.push({ channel: 'email', notifications: emailNotes.map(describe), ...(messageId ? { messageId } : {}) });
          } catch (err) {
            failed.push(failureOf('email', err, secrets));
          }
        })(),
      );
    }
    await Promise.all(deliveries);

    for (const s of sent) logger.info(`notified ${s.channel}`, { ...at, channel: s.channel, notifications: s.notifications, ...(s.attempts ? { attempts: s.attempts } : {}) });
    for (const f of failed) logger.warn(`${f.channel} notification not delivered; the next pass sends it again`, { ...at, channel: f.channel, error: f.error, transient: f.transient });

    const { upserts, removed } = settleAlerts(decision, failed.map((f) => f.channel as Channel), alerts);
    if (upserts.length > 0 || removed.length > 0) {
      try {
        await options.alertStore.save(result.environment, upserts, removed);
      } catch (err) {
        const failure = failureOf('alertStore', err, secrets);
        failed.push(failure);
        logger.warn('what was notified could not be recorded; the next pass may repeat it', { ...at, error: failure.error });
      }
    }
  } catch (err) {
    // A defect in building or deciding must not fail the pass either.
    const failure = failureOf('notifier', err, secrets);
    failed.push(failure);
    logger.warn('notifying failed', { ...at, error: failure.error });
  }
  return { sent: sortByChannel(sent), failed, notifications };
}

function sortByChannel<T extends { channel: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.channel.localeCompare(b.channel));
}
