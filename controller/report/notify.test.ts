import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryAlertStore, type AlertStore } from '../model/alerts.js';
import { SimClock } from '../sim/clock.js';
import { aliasHealedPass, mixedPass, quietPass, scaledToZeroPass, shopPass, scaleApiToZero, T0 } from '../testing/pass-fixtures.js';
import { startSecretsServer } from '../testing/secrets-server.js';
import { startHttpRecorder, startSes, useEndpoint } from '../testing/servers.js';
import { buildEmail } from './email.js';
import { buildReport } from './model.js';
import { notify, type NotificationsSpec, type NotifyLogger, type NotifyOptions } from './notify.js';
import { WebhookUrlCache } from './secrets.js';
import { renderReport, renderReportJson } from './terminal.js';

const TOKEN = 'SECRET-TOKEN-DO-NOT-LEAK';
const HOOK_PATH = `/services/T000/B000/${TOKEN}`;
const SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:steady/slack-webhook-AbCdEf';
const PARAMETER = '/steady/shop-prod/slack-webhook';
const HOUR = 3600_000;

let slack: Awaited<ReturnType<typeof startHttpRecorder>>;
let secrets: Awaited<ReturnType<typeof startSecretsServer>>;
let ses: Awaited<ReturnType<typeof startSes>>;
const restore: (() => void)[] = [];

beforeAll(async () => {
  slack = await startHttpRecorder();
  ses = await startSes();
  // The webhook URL as Slack hands it out, but served by the local recorder: the token is its path.
  const url = `${slack.endpoint}${HOOK_PATH}`;
  secrets = await startSecretsServer({ secrets: { [SECRET_ARN]: JSON.stringify({ url }) }, parameters: { [PARAMETER]: url } });
  restore.push(useEndpoint('SECRETS_MANAGER', secrets.endpoint), useEndpoint('SSM', secrets.endpoint), useEndpoint('SESV2', ses.endpoint));
});
afterAll(async () => {
  restore.forEach((r) => r());
  await Promise.all([slack.close(), ses.close(), secrets.close()]);
});
beforeEach(async () => {
  slack.requests.length = 0;
  await ses.clear();
});

/** Log lines, as they would reach CloudWatch. */
function capture(): NotifyLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m, a) => lines.push(JSON.stringify({ level: 'INFO', message: m, ...a })),
    warn: (m, a) => lines.push(JSON.stringify({ level: 'WARN', message: m, ...a })),
  };
}

const spec = (overrides: Partial<NotificationsSpec> = {}): NotificationsSpec => ({
  slack: { webhookUrl: { secretsManager: SECRET_ARN }, maxSections: 10 },
  email: { from: 'steady@example.com', to: ['ops@example.com', 'oncall@example.com'] },
  remindEveryHours: 24,
  dailyDigest: false,
  ...overrides,
});

function setup(overrides: Partial<NotifyOptions> = {}) {
  const clock = new SimClock(T0);
  const logger = capture();
  const alertStore = new MemoryAlertStore();
  const options: NotifyOptions = { notifications: spec(), alertStore, clock, region: 'ap-northeast-1', logger, webhookCache: new WebhookUrlCache(), slackRetry: { random: () => 1 }, ...overrides };
  return { clock, logger, alertStore, options };
}

const posted = () => slack.requests.map((r) => JSON.parse(r.body) as { text: string; blocks: { type: string }[] });

describe('notify', () => {
  it('posts the Block Kit message to the webhook and emails both bodies to the recipients', async () => {
    const { options } = setup();

    const outcome = await notify(mixedPass(), options);

    expect(outcome.failed).toEqual([]);
    expect(outcome.sent).toEqual([
      { channel: 'email', notifications: ['failed Migration/db-migrate', 'blocked Service/api', 'healed AliasRecord/api-dns'], messageId: expect.any(String) },
      { channel: 'slack', notifications: ['failed Migration/db-migrate', 'blocked Service/api', 'healed AliasRecord/api-dns'], attempts: 1 },
    ]);
    expect(slack.requests.map((r) => [r.method, r.url])).toEqual([['POST', HOOK_PATH]]);
    expect(posted()[0].text).toBe(':red_circle: shop-prod: 1 failed, 1 blocked, 1 drift healed');
    expect(posted()[0].blocks.map((b) => b.type)).toEqual(['header', 'section', 'divider', 'section', 'section', 'section', 'context']);

    const mails = await ses.emails();
    expect(mails).toHaveLength(1);
    const expected = buildEmail(buildReport(mixedPass()), outcome.notifications);
    expect(mails[0]).toMatchObject({
      from: 'steady@example.com',
      destination: { to: ['ops@example.com', 'oncall@example.com'], cc: [], bcc: [] },
      subject: '[steady] shop-prod: 1 failed, 1 blocked, 1 drift healed',
      body: { text: expected.text, html: expected.html },
    });
    expect(mails[0].body.text).toBe(`shop-prod: 1 failed, 1 blocked, 1 drift healed
Failed: 2 registered, 1 record changed. 1 failed, 1 unrepaired (migration gate), 1 healed.

* Failed: Migration/db-migrate (MigrationFailed)
  version 4a0aa45fcfb7d79e failed: container app exited with code 1; after fixing it run \`steady retry migration/db-migrate --env shop-prod\`
  version
      4ba5f008a97d3637
   -> 4a0aa45fcfb7d79e
  ✓ register task definition shop-api-db-migrate for migration db-migrate version 4a0aa45fcfb7d79e
  ✗ run migration db-migrate (version 4a0aa45fcfb7d79e): alembic upgrade head
    task 0f3c9a stopped: container app exited with code 1 (Essential container in task exited)

* Blocked: Service/api (MigrationFailed)
  rollout waits for migration db-migrate, which failed
  taskDefinition.containers[app].image
      123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:aaaaaaaaaaaa…
   -> 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:bbbbbbbbbbbb…
  ✓ register task definition shop-api (new revision)
  ⊘ update service api: task definition shop-api:7 -> shop-api:<new revision>
    waits for "run migration db-migrate (version 4a0aa45fcfb7d79e): alembic upgrade head", which failed: container app exited with code 1

* Healed in 12s: AliasRecord/api-dns
  api.example.com A
      ALIAS dualstack.shop-api-alb-1234567890.ap-northeast-1.elb.amazonaws.com (zone Z14GRHDCWA56QT)
   -> ALIAS shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com (zone Z14GRHDCWA56QT)
  ✓ update api.example.com A -> shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com

-- 
environment shop-prod · spec 3f9c2a17be04 · pass shop-prod/2026-01-01T09:00:00.000Z/ab12 · 2026-01-01 09:00 UTC
You get this because you are listed in spec.notifications.email.to of Environment shop-prod.
`);
    expect(mails[0].body.html).toContain(
      '<p style="margin:0 0 6px"><strong style="color:#1a7f37">Healed in 12s</strong> · <code style="font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px">AliasRecord/api-dns</code></p>',
    );
    expect(mails[0].body.html).toContain('⊘ update service api: task definition shop-api:7 -&gt; shop-api:&lt;new revision&gt;');
  });

  it('tells people once across a sequence of passes: first seen, quiet, healed with time-to-heal, nothing', async () => {
    const { options } = setup();
    const kinds = (o: Awaited<ReturnType<typeof notify>>) => o.notifications.map((n) => `${n.kind} ${n.resource}`);

    expect(kinds(await notify(scaledToZeroPass({ mode: 'observe', at: T0 }), options))).toEqual(['detected Service/api']);
    expect(kinds(await notify(scaledToZeroPass({ mode: 'observe', at: T0 + 0.1 * HOUR }), options))).toEqual([]);
    const healed = await notify(shopPass(scaleApiToZero, { at: T0 + 2 * HOUR }), options);
    expect(kinds(healed)).toEqual(['healed Service/api']);
    expect(healed.notifications[0].timeToHealMs).toBe(2 * HOUR + 12_000);
    expect(kinds(await notify(quietPass({ at: T0 + 3 * HOUR }), options))).toEqual([]);

    expect(slack.requests).toHaveLength(2);
    expect(posted().map((m) => m.text)).toEqual([':large_orange_circle: shop-prod: 1 drift detected', ':white_check_mark: shop-prod: 1 drift healed']);
    expect((await ses.emails()).map((m) => m.subject)).toEqual(['[steady] shop-prod: 1 drift detected', '[steady] shop-prod: 1 drift healed']);
  });

  it('reminds of a drift still there 25 hours later, once', async () => {
    const { options } = setup({ notifications: spec({ email: undefined }) });

    await notify(scaledToZeroPass({ mode: 'observe', at: T0 }), { ...options, clock: new SimClock(T0) });
    await notify(scaledToZeroPass({ mode: 'observe', at: T0 + 25 * HOUR }), { ...options, clock: new SimClock(T0 + 25 * HOUR) });
    await notify(scaledToZeroPass({ mode: 'observe', at: T0 + 26 * HOUR }), { ...options, clock: new SimClock(T0 + 26 * HOUR) });

    expect(posted().map((m) => m.text)).toEqual([':large_orange_circle: shop-prod: 1 drift detected', ':alarm_clock: shop-prod: 1 still open']);
  });

  it('retries Slack on 429 honouring Retry-After and on 500, without waiting for real', async () => {
    const { options, clock } = setup({ notifications: spec({ email: undefined }) });
    slack.respond({ status: 429, headers: { 'retry-after': '30' } }, { status: 500 });
    const started = Date.now();

    const outcome = await notify(aliasHealedPass(), options);

    expect(outcome.sent).toEqual([{ channel: 'slack', notifications: ['healed AliasRecord/api-dns'], attempts: 3 }]);
    expect(clock.now() - T0).toBe(30_000 + 2000);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(slack.requests).toHaveLength(3);
  });

  it('returns a failed delivery instead of throwing, sends the other channel, and delivers the owed message next pass', async () => {
    const { options, logger } = setup();
    slack.respond({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });

    const first = await notify(aliasHealedPass(), options);

    expect(first.sent.map((s) => s.channel)).toEqual(['email']);
    expect(first.failed).toEqual([{ channel: 'slack', error: `posting to the Slack webhook from ${SECRET_ARN}: HTTP 500 (gave up after 4 attempts)`, transient: true }]);
    expect(logger.lines.filter((l) => l.includes('"WARN"'))).toHaveLength(1);

    const second = await notify(quietPass({ at: T0 + HOUR }), options);

    expect(second.sent).toEqual([{ channel: 'slack', notifications: ['healed AliasRecord/api-dns'], attempts: 1 }]);
    expect((await ses.emails()).map((m) => m.subject)).toEqual(['[steady] shop-prod: 1 drift healed']);
    expect(await options.alertStore.load('shop-prod')).toEqual([]);
    expect((await notify(quietPass({ at: T0 + 2 * HOUR }), options)).notifications).toEqual([]);
  });

  it('reads the webhook URL from an SSM parameter', async () => {
    const { options } = setup({ notifications: spec({ slack: { webhookUrl: { ssmParameter: PARAMETER }, maxSections: 10 }, email: undefined }) });

    const outcome = await notify(aliasHealedPass(), options);

    expect(outcome.sent.map((s) => s.channel)).toEqual(['slack']);
    expect(secrets.calls.at(-1)).toEqual({ target: 'AmazonSSM.GetParameter', input: { Name: PARAMETER, WithDecryption: true } });
  });

  it('reads the secret once per cache, and again after Slack refused the URL', async () => {
    const { options } = setup({ notifications: spec({ email: undefined }) });
    const reads = () => secrets.calls.filter((c) => c.target === 'secretsmanager.GetSecretValue').length;
    const before = reads();

    await notify(aliasHealedPass(), options);
    await notify(aliasHealedPass({ at: T0 + HOUR }), options);
    expect(reads() - before).toBe(1);

    slack.respond({ status: 404, body: 'no_service' });
    const refused = await notify(aliasHealedPass({ at: T0 + 2 * HOUR }), options);
    expect(refused.failed).toEqual([{ channel: 'slack', error: `posting to the Slack webhook from ${SECRET_ARN}: HTTP 404 no_service`, transient: false }]);
    await notify(quietPass({ at: T0 + 3 * HOUR }), options);
    expect(reads() - before).toBe(2);
  });

  it('notifies nobody for a dry run or without targets', async () => {
    const { options } = setup();

    expect(await notify(shopPass(scaleApiToZero, { dryRun: true }), options)).toEqual({ sent: [], failed: [], notifications: [], skipped: 'dryRun' });
    expect(await notify(mixedPass(), { ...options, notifications: { remindEveryHours: 24, dailyDigest: false } })).toEqual({
      sent: [],
      failed: [],
      notifications: [],
      skipped: 'noTargets',
    });
    expect(slack.requests).toEqual([]);
  });

  it('sends nothing when the alert history cannot be read, and says so', async () => {
    const broken: AlertStore = { load: async () => Promise.reject(new Error('reading alerts of shop-prod: ProvisionedThroughputExceededException')), save: async () => {} };
    const { options } = setup({ alertStore: broken });

    const outcome = await notify(mixedPass(), options);

    expect(outcome).toEqual({
      sent: [],
      failed: [{ channel: 'alertStore', error: 'reading alerts of shop-prod: ProvisionedThroughputExceededException', transient: true }],
      notifications: [],
      skipped: 'alertsUnreadable',
    });
    expect(slack.requests).toEqual([]);
  });

  it('returns a failure to record what was sent instead of throwing', async () => {
    const memory = new MemoryAlertStore();
    const store: AlertStore = { load: (e) => memory.load(e), save: async () => Promise.reject(new Error('writing alerts of shop-prod: ConditionalCheckFailedException')) };
    const { options } = setup({ alertStore: store, notifications: spec({ email: undefined }) });

    const outcome = await notify(mixedPass(), options);

    expect(outcome.sent.map((s) => s.channel)).toEqual(['slack']);
    expect(outcome.failed).toEqual([{ channel: 'alertStore', error: 'writing alerts of shop-prod: ConditionalCheckFailedException', transient: true }]);
  });
});

describe('the webhook URL', () => {
  const leaks = (text: string) => text.includes(TOKEN) || text.includes('/services/T000');

  /** Runs `run` with the secret holding `value` (a fresh environment: new cache, new alerts). */
  async function withSecret<T>(value: string, run: (options: NotifyOptions) => Promise<T>): Promise<T> {
    const server = await startSecretsServer({ secrets: { [SECRET_ARN]: value } });
    const back = useEndpoint('SECRETS_MANAGER', server.endpoint);
    try {
      return await run(setup().options);
    } finally {
      back();
      await server.close();
    }
  }

  it('never appears in logs, errors, results, reports, Slack messages or emails', async () => {
    const { options, logger } = setup();
    const outcomes = [];
    // Delivered, then refused (4xx), then failing (5xx), then unreachable, across passes with news.
    outcomes.push(await notify(mixedPass(), options));
    slack.respond({ status: 400, body: 'invalid_payload' });
    outcomes.push(await notify(scaledToZeroPass({ mode: 'observe', at: T0 + HOUR }), options));
    slack.respond({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    outcomes.push(await notify(shopPass(scaleApiToZero, { at: T0 + 2 * HOUR }), options));
    // Unreachable: the secret names a port nobody listens on.
    const closed = await startHttpRecorder();
    await closed.close();
    outcomes.push(await withSecret(`${closed.endpoint}${HOOK_PATH}`, (o) => notify(mixedPass(), { ...o, logger, slackRetry: { random: () => 1, maxAttempts: 2 } })));
    // Not a URL at all (broken JSON): the error must not quote it either.
    outcomes.push(await withSecret(`{"url": "${closed.endpoint}${HOOK_PATH}"`, (o) => notify(mixedPass(), { ...o, logger })));

    const errors = outcomes.flatMap((o) => o.failed.map((f) => f.error));
    expect(errors).toEqual([
      `posting to the Slack webhook from ${SECRET_ARN}: HTTP 400 invalid_payload`,
      `posting to the Slack webhook from ${SECRET_ARN}: HTTP 503 (gave up after 4 attempts)`,
      `posting to the Slack webhook from ${SECRET_ARN}: network error ECONNREFUSED (gave up after 2 attempts)`,
      `secret ${SECRET_ARN} does not hold a Slack webhook URL (invalid JSON): store the URL itself, or JSON with a "url" or "webhookUrl" field`,
    ]);
    const everything = [
      ...logger.lines,
      JSON.stringify(outcomes),
      ...slack.requests.map((r) => r.body),
      ...(await ses.emails()).flatMap((m) => [m.subject, m.body.text ?? '', m.body.html ?? '']),
      renderReport(buildReport(mixedPass()), { color: false }),
      renderReportJson(buildReport(mixedPass())),
    ];
    expect(logger.lines.length).toBeGreaterThan(4);
    expect(slack.requests.length).toBeGreaterThan(0);
    expect(everything.filter(leaks)).toEqual([]);
    expect(slack.requests.every((r) => r.url === HOOK_PATH)).toBe(true);
  });

  it('is redacted even if an error were to quote it', async () => {
    const { options, logger } = setup({ notifications: spec({ email: undefined }) });
    const url = `${slack.endpoint}${HOOK_PATH}`;
    const quoting: AlertStore = {
      load: async () => [],
      save: async () => Promise.reject(new Error(`could not save while posting to ${url}`)),
    };

    const outcome = await notify(mixedPass(), { ...options, alertStore: quoting });

    expect(outcome.failed).toEqual([{ channel: 'alertStore', error: 'could not save while posting to [redacted]', transient: true }]);
    expect(logger.lines.filter(leaks)).toEqual([]);
  });
});
