/**
 * Secrets and reports. Two things:
 *
 * - Reads the Slack incoming-webhook URL from where the Environment spec says it is stored: a
 *   Secrets Manager secret (`GetSecretValue`; the SecretString is the URL, or JSON with a `url` or
 *   `webhookUrl` field) or an SSM SecureString parameter (`GetParameter` with decryption). The
 *   URL is a credential. Nothing here puts it, or any part of the stored value, into an error
 *   message: errors name the secret ARN or parameter name only.
 * - Redacts reports ({@link redactReport}): the second line of defence. The loader refuses specs
 *   with secrets in them, but what AWS holds (a task definition registered by hand with a password
 *   in its environment, an error message quoting a URL) reaches diffs and messages; anything
 *   secret-shaped is replaced by `[redacted]` before a report is rendered, sent or stored.
 */
// Types only: the clients are imported when a webhook is first read, so the Lambda's cold start
// does not load them (the bundle puts them in chunks of their own).
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { awsCall, NotifyError } from '../errors.js';
import { isLiteralValue, isSecretName, redactDeep, redactSecrets, REDACTED } from '../spec/secrets.js';

export { redactSecrets, REDACTED };

/**
 * A copy of a report (or any plain data) with every secret-shaped string redacted: credential
 * formats anywhere, and whole values under a secret's name (`DB_PASSWORD`) or diff path
 * (`...environment.DB_PASSWORD`). See `controller/spec/secrets.ts` for the patterns.
 *
 * @example
 * const safe = redactReport(buildReport(result));
 */
export function redactReport<T>(report: T): T {
  return redactDeep(report);
}

/**
 * A `JSON.stringify` replacer that redacts as {@link redactReport} does, for loggers that
 * serialise what they are given (Powertools Logger's `jsonReplacerFn`): every log line is a report.
 *
 * @example
 * const logger = new Logger({ serviceName: 'steady', jsonReplacerFn: redactingJsonReplacer });
 */
export function redactingJsonReplacer(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return key !== '' && isSecretName(key) && isLiteralValue(value) ? REDACTED : redactSecrets(value);
}

/** Where the webhook URL is stored (the Environment's `notifications.slack.webhookUrl`). */
export type WebhookRef = { secretsManager: string } | { ssmParameter: string };

/** The secret ARN or parameter name: how errors and logs name the webhook. */
export function webhookSource(ref: WebhookRef): string {
  return 'secretsManager' in ref ? ref.secretsManager : ref.ssmParameter;
}

/** The SDK clients used to read secrets; default-configured ones are made when absent. */
export interface SecretClients {
  secretsManager?: SecretsManagerClient;
  ssm?: SSMClient;
}

/**
 * Resolved webhook URLs by source. One lives as long as the Lambda execution environment
 * (`lambdaWebhookCache`), so a warm invocation does not read the secret again; the notifier drops
 * an entry when Slack refuses the URL, so a rotated secret is read again on the next pass.
 */
export class WebhookUrlCache {
  readonly #urls = new Map<string, string>();

  get(ref: WebhookRef): string | undefined {
    return this.#urls.get(webhookSource(ref));
  }

  set(ref: WebhookRef, url: string): void {
    this.#urls.set(webhookSource(ref), url);
  }

  delete(ref: WebhookRef): void {
    this.#urls.delete(webhookSource(ref));
  }
}

/** The cache for the life of the Lambda execution environment (module scope). */
export const lambdaWebhookCache = new WebhookUrlCache();

/** The region in an ARN (`arn:aws:secretsmanager:<region>:...`), if it is one. */
function regionOf(arnOrName: string): string | undefined {
  const parts = arnOrName.split(':');
  return parts[0] === 'arn' && parts[3] ? parts[3] : undefined;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The webhook URL in a stored value, or a NotifyError that says what is wrong without quoting it. */
export function webhookUrlFrom(value: string | undefined, where: string): string {
  const wrong = (why: string) =>
    new NotifyError(`${where} does not hold a Slack webhook URL (${why}): store the URL itself, or JSON with a "url" or "webhookUrl" field`);
  if (value === undefined || value.trim() === '') throw wrong('no string value');
  let candidate: unknown = value.trim();
  if ((candidate as string).startsWith('{')) {
    try {
      const json = JSON.parse(candidate as string) as Record<string, unknown>;
      candidate = json.url ?? json.webhookUrl ?? json.webhook_url;
    } catch {
      // The parser's message quotes the text around the error: never pass it on.
      throw wrong('invalid JSON');
    }
    if (typeof candidate !== 'string') throw wrong('JSON without a "url" or "webhookUrl" string');
  }
  let url: URL;
  try {
    url = new URL(candidate as string);
  } catch {
    throw wrong('not a URL');
  }
  // The URL is a credential: only ever send it over TLS (plain http only to this machine, for tests).
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) throw wrong('not an https URL');
  return candidate as string;
}

export interface ResolveOptions {
  clients?: SecretClients;
  /** Region for a parameter given by name (an ARN carries its own); default: the SDK's. */
  region?: string;
  cache?: WebhookUrlCache;
}

/**
 * The webhook URL stored at `ref`, from the cache when it was read before.
 *
 * @example
 * const url = await resolveWebhookUrl({ secretsManager: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:slack-webhook' });
 */
export async function resolveWebhookUrl(ref: WebhookRef, options: ResolveOptions = {}): Promise<string> {
  const cache = options.cache ?? lambdaWebhookCache;
  const cached = cache.get(ref);
  if (cached !== undefined) return cached;
  let url: string;
  if ('secretsManager' in ref) {
    const arn = ref.secretsManager;
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const client = options.clients?.secretsManager ?? new SecretsManagerClient({ region: regionOf(arn) ?? options.region });
    const out = await awsCall('secretsmanager', 'GetSecretValue', `reading the Slack webhook URL from secret ${arn}`, () =>
      client.send(new GetSecretValueCommand({ SecretId: arn })),
    );
    url = webhookUrlFrom(out.SecretString, `secret ${arn}`);
  } else {
    const name = ref.ssmParameter;
    const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
    const client = options.clients?.ssm ?? new SSMClient({ region: regionOf(name) ?? options.region });
    const out = await awsCall('ssm', 'GetParameter', `reading the Slack webhook URL from SSM parameter ${name}`, () =>
      client.send(new GetParameterCommand({ Name: name, WithDecryption: true })),
    );
    url = webhookUrlFrom(out.Parameter?.Value, `SSM parameter ${name}`);
  }
  cache.set(ref, url);
  return url;
}
