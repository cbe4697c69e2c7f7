import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotifyError } from '../errors.js';
import { SimClock } from '../sim/clock.js';
import { accessDeniedPass, mixedPass, quietPass, scaledToZeroPass, T0 } from '../testing/pass-fixtures.js';
import { startHttpRecorder } from '../testing/servers.js';
import { buildReport } from './model.js';
import { decideNotifications, settleAlerts, type Notification } from './noise.js';
import { buildSlackMessage, escapeMrkdwn, postToSlack, SLACK_LIMITS, truncateMrkdwn, type SlackMessage } from './slack.js';

/** A simulated clock that remembers every sleep, so back-off is asserted without waiting. */
class RecordingClock extends SimClock {
  readonly sleeps: number[] = [];
  override async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    await super.sleep(ms);
  }
}

function notificationsOf(result = mixedPass()) {
  const report = buildReport(result);
  return { report, notifications: decideNotifications(report, [], { now: T0, channels: ['slack'] }).notifications };
}

describe('buildSlackMessage', () => {
  it('builds a header, the summary, one section per resource and the context line', () => {
    const { report, notifications } = notificationsOf();

    const message = buildSlackMessage(report, notifications, { maxSections: 10 });

    expect(message).toEqual({
      text: ':red_circle: shop-prod: 1 failed, 1 blocked, 1 drift healed',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: ':red_circle: shop-prod: 1 failed, 1 blocked, 1 drift healed', emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: '*Failed:* 2 registered, 1 record changed. 1 failed, 1 unrepaired (migration gate), 1 healed.' } },
        { type: 'divider' },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: [
              ':red_circle: *Failed* · `Migration/db-migrate` · `MigrationFailed`',
              'version 4a0aa45fcfb7d79e failed: container app exited with code 1; after fixing it run `steady retry migration/db-migrate --env shop-prod`',
              '• `version`: `4ba5f008a97d3637` → `4a0aa45fcfb7d79e`',
              '✓ register task definition shop-api-db-migrate for migration db-migrate version 4a0aa45fcfb7d79e',
              '✗ run migration db-migrate (version 4a0aa45fcfb7d79e): alembic upgrade head — task 0f3c9a stopped: container app exited with code 1 (Essential container in task exited)',
            ].join('\n'),
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: [
              ':no_entry: *Blocked* · `Service/api` · `MigrationFailed`',
              'rollout waits for migration db-migrate, which failed',
              '• `taskDefinition.containers[app].image`: `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:aaaaaaaaaaaa…` → `123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/shop-api@sha256:bbbbbbbbbbbb…`',
              '✓ register task definition shop-api (new revision)',
              '⊘ update service api: task definition shop-api:7 -&gt; shop-api:&lt;new revision&gt; — waits for "run migration db-migrate (version 4a0aa45fcfb7d79e): alembic upgrade head", which failed: container app exited with code 1',
            ].join('\n'),
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: [
              ':white_check_mark: *Healed in 12s* · `AliasRecord/api-dns`',
              '• `api.example.com A`: `ALIAS dualstack.shop-api-alb-1234567890.ap-northeast-1.elb.amazonaws.com (zone Z14GRHDCWA56QT)` → `ALIAS shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com (zone Z14GRHDCWA56QT)`',
              '✓ update api.example.com A -&gt; shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com',
            ].join('\n'),
          },
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'environment *shop-prod* · spec `3f9c2a17be04` · pass `shop-prod/2026-01-01T09:00:00.000Z/ab12`' }] },
      ],
    });
  });

  it('says observe mode would change, and that nothing was changed', () => {
    const { report, notifications } = notificationsOf(scaledToZeroPass({ mode: 'observe' }));

    const message = buildSlackMessage(report, notifications, { maxSections: 10 });

    expect(message.blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '*Drifted (observe mode):* 1 to update. 1 drifted.' } });
    expect(message.blocks[3]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':large_orange_circle: *Drift detected (would change; nothing is changed in observe mode)* · `Service/api`\n• `desiredCount`: `0` → `2`\n→ would update service api: desiredCount 0 -&gt; 2',
      },
    });
    expect(message.blocks[4]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'environment *shop-prod* · spec `3f9c2a17be04` · pass `shop-prod/2026-01-01T09:00:00.000Z/ab12` · observe mode' }] });
  });

  it('shows at most maxSections resources, then says how many more', () => {
    const { report, notifications } = notificationsOf();

    const message = buildSlackMessage(report, notifications, { maxSections: 1 });

    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'divider', 'section', 'section', 'context']);
    expect(message.blocks[4]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '…and 2 more: `Service/api`, `AliasRecord/api-dns`' } });
  });

  it('stays within 50 blocks, 150 header characters and 3000 characters a section however much there is to say', () => {
    const { report, notifications } = notificationsOf();
    const long = 'x&<>'.repeat(2000);
    const many: Notification[] = Array.from({ length: 120 }, (_, i) => ({
      ...notifications[0],
      key: `k${i}`,
      resource: `Service/${'very-long-service-name-'.repeat(3)}${i}`,
      detail: { ...notifications[0].detail!, message: long },
    }));

    const message = buildSlackMessage({ ...report, environment: `shop-${'e'.repeat(200)}` }, many, { maxSections: 500 });

    expect(message.blocks).toHaveLength(SLACK_LIMITS.blocks);
    const header = message.blocks[0] as { text: { text: string } };
    expect([...header.text.text].length).toBeLessThanOrEqual(150);
    for (const b of message.blocks) {
      if (b.type === 'section') {
        expect(b.text.text.length).toBeLessThanOrEqual(3000);
        expect(b.text.text).not.toMatch(/&(a|am|l|g|lt|gt)?…|&[a-z]*$/);
      }
    }
  });
});

describe('buildSlackMessage for later passes', () => {
  const HOUR = 3600_000;
  /** The alerts after an observe-mode pass at T0 announced the API scaled to zero. */
  function announced() {
    const report = buildReport(scaledToZeroPass({ mode: 'observe' }));
    return settleAlerts(decideNotifications(report, [], { now: T0, channels: ['slack'] }), [], []).upserts;
  }
  const sections = (m: SlackMessage) => m.blocks.filter((b) => b.type === 'section').slice(1).map((b) => (b as { text: { text: string } }).text.text);

  it('reminds with how long the drift has lasted', () => {
    const alerts = announced();
    const report = buildReport(scaledToZeroPass({ mode: 'observe', at: T0 + 26 * HOUR }), { alerts });
    const { notifications } = decideNotifications(report, alerts, { now: T0 + 26 * HOUR, channels: ['slack'] });

    const message = buildSlackMessage(report, notifications, { maxSections: 10 });

    expect(message.text).toBe(':alarm_clock: shop-prod: 1 still open');
    expect(sections(message)).toEqual([':alarm_clock: *Still drifted for 1d 2h* · `Service/api`\n• `desiredCount`: `0` → `2`']);
  });

  it('says what a failure replaced, and lists what is still open in the daily digest', () => {
    const alerts = announced();
    const report = buildReport(accessDeniedPass({ at: T0 + 26 * HOUR }), { alerts });
    const { notifications } = decideNotifications(report, alerts, { now: T0 + 26 * HOUR, channels: ['slack'], dailyDigest: true });

    const message = buildSlackMessage(report, notifications, { maxSections: 10 });

    expect(message.text).toBe(':red_circle: shop-prod: 1 failed, daily digest');
    expect(sections(message)).toEqual([
      [
        ':red_circle: *Failed* · `Service/api` · `AccessDeniedException`',
        'AWS refused the update: AccessDeniedException',
        '_was: desiredCount: 0 -&gt; 2_',
        '• `desiredCount`: `0` → `2`',
        '✗ update service api: desiredCount 0 -&gt; 2 — updating service api in cluster shop-prod: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/steady-controller/steady is not authorized to perform: ecs:UpdateService',
      ].join('\n'),
      ':bar_chart: *Daily digest* · `Environment/shop-prod`\n2 of 3 resources in sync.\n• `Service/api` failing for 1d 2h: AWS refused the update: AccessDeniedException',
    ]);
  });

  it('says a failure is resolved, with how long it lasted', () => {
    const alerts = settleAlerts(decideNotifications(buildReport(accessDeniedPass()), [], { now: T0, channels: ['slack'] }), [], []).upserts;
    const report = buildReport(quietPass({ at: T0 + 3 * HOUR }), { alerts });
    const { notifications } = decideNotifications(report, alerts, { now: T0 + 3 * HOUR, channels: ['slack'] });

    const message = buildSlackMessage(report, notifications, { maxSections: 10 });

    expect(message.text).toBe(':white_check_mark: shop-prod: 1 resolved');
    expect(sections(message)).toEqual([':white_check_mark: *Resolved in 3h 00m* · `Service/api`\nAWS refused the update: AccessDeniedException']);
  });
});

describe('escapeMrkdwn and truncateMrkdwn', () => {
  it('escapes the characters mrkdwn treats as markup', () => {
    expect(escapeMrkdwn('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
  });

  it.each([
    ['never cuts inside an escape', 'abcd&amp;efgh', 8, 'abcd…'],
    ['cuts after a complete escape', 'ab&lt;cdefghij', 10, 'ab&lt;cd…'],
    ['closes a code span it cut open', 'ab `cdefghijkl`', 10, 'ab `cdef…`'],
    ['never splits a surrogate pair', 'abcdef😀ghij', 9, 'abcdef…'],
    ['leaves short text alone', 'short', 10, 'short'],
  ])('%s', (_name, text, max, expected) => {
    const cut = truncateMrkdwn(text, max);

    expect(cut).toBe(expected);
    expect(cut.length).toBeLessThanOrEqual(max);
  });
});

describe('postToSlack', () => {
  let hook: Awaited<ReturnType<typeof startHttpRecorder>>;
  const message: SlackMessage = { text: 'hi', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] };
  const source = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:slack-webhook';

  beforeEach(async () => {
    hook = await startHttpRecorder();
  });
  afterEach(async () => {
    await hook.close();
  });

  it('posts the message as JSON to the webhook', async () => {
    const clock = new RecordingClock(T0);

    const result = await postToSlack(`${hook.endpoint}/services/T000/B000/XYZ`, message, { clock, source });

    expect(result).toEqual({ attempts: 1, waitedMs: 0 });
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]).toMatchObject({ method: 'POST', url: '/services/T000/B000/XYZ', headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(JSON.parse(hook.requests[0].body)).toEqual(message);
  });

  it('waits what Retry-After says after a 429, then posts again', async () => {
    const clock = new RecordingClock(T0);
    hook.respond({ status: 429, headers: { 'retry-after': '7' }, body: 'rate_limited' });

    const result = await postToSlack(`${hook.endpoint}/hook`, message, { clock, source });

    expect(result).toEqual({ attempts: 2, waitedMs: 7000 });
    expect(clock.sleeps).toEqual([7000]);
    expect(hook.requests.map((r) => r.body)).toEqual([JSON.stringify(message), JSON.stringify(message)]);
  });

  it('backs off exponentially on 5xx and gives up after the last attempt with the status', async () => {
    const clock = new RecordingClock(T0);
    hook.respond({ status: 500 }, { status: 502 }, { status: 503 }, { status: 500 });

    const error = await postToSlack(`${hook.endpoint}/hook`, message, { clock, source, random: () => 1 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NotifyError);
    expect((error as NotifyError).message).toBe(`posting to the Slack webhook from ${source}: HTTP 500 (gave up after 4 attempts)`);
    expect((error as NotifyError).transient).toBe(true);
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
    expect(hook.requests).toHaveLength(4);
  });

  it('recovers when a 5xx is followed by success', async () => {
    const clock = new RecordingClock(T0);
    hook.respond({ status: 500 });

    expect(await postToSlack(`${hook.endpoint}/hook`, message, { clock, source, random: () => 0 })).toEqual({ attempts: 2, waitedMs: 500 });
  });

  it('does not retry a 400 and says what Slack said', async () => {
    const clock = new RecordingClock(T0);
    hook.respond({ status: 400, body: 'invalid_payload' });

    const error = (await postToSlack(`${hook.endpoint}/hook`, message, { clock, source }).catch((e: unknown) => e)) as NotifyError;

    expect(error.message).toBe(`posting to the Slack webhook from ${source}: HTTP 400 invalid_payload`);
    expect(error.transient).toBe(false);
    expect(hook.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('does not wait a Retry-After longer than a pass should, leaving it to the next pass', async () => {
    const clock = new RecordingClock(T0);
    hook.respond({ status: 429, headers: { 'retry-after': '600' } });

    const error = (await postToSlack(`${hook.endpoint}/hook`, message, { clock, source }).catch((e: unknown) => e)) as NotifyError;

    expect(error.message).toBe(`posting to the Slack webhook from ${source}: HTTP 429, retry after 10m 00s, longer than this pass waits`);
    expect(clock.sleeps).toEqual([]);
  });

  it('retries a refused connection and names only the error code', async () => {
    const clock = new RecordingClock(T0);
    const url = `${hook.endpoint}/services/T000/B000/SECRET`;
    await hook.close();

    const error = (await postToSlack(url, message, { clock, source, maxAttempts: 2, random: () => 1 }).catch((e: unknown) => e)) as NotifyError;

    expect(error.message).toBe(`posting to the Slack webhook from ${source}: network error ECONNREFUSED (gave up after 2 attempts)`);
    expect(clock.sleeps).toEqual([1000]);
  });
});
