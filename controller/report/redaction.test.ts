/**
 * The second line of defence: a secret that reaches a pass from AWS (here, a task definition
 * someone registered by hand with a password in its environment, its command and its log options)
 * appears in no report: not the terminal or JSON rendering (plan, reconcile), not Slack, not the
 * email, not the state table's history, not `steady report --last`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAlertStore } from '../model/alerts.js';
import type { ActualState } from '../model/actual.js';
import { SimClock } from '../sim/clock.js';
import { runCli } from '../testing/cli.js';
import { shopPass, T0 } from '../testing/pass-fixtures.js';
import { startSecretsServer } from '../testing/secrets-server.js';
import { startHttpRecorder, startSes, useEndpoint } from '../testing/servers.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { buildReport } from './model.js';
import { notify } from './notify.js';
import { WebhookUrlCache } from './secrets.js';
import { renderReport, renderReportJson } from './terminal.js';

const SECRET = /hunter2-do-not-print|AKIAQ3EGTHLYDONOTPRN/;
const SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:steady/slack-webhook-AbCdEf';

/** The running revision was registered by hand, with secrets written into it. */
function secretsInTheRunningRevision(actual: ActualState): void {
  const td = Object.values(actual.taskDefinitions).find((t) => t.family === 'shop-api')!;
  const [app] = td.content.containerDefinitions;
  app.environment = [...((app.environment as { name: string; value: string }[] | undefined) ?? []), { name: 'DB_PASSWORD', value: 'hunter2-do-not-print' }, { name: 'DEPLOY_KEY_ID', value: 'AKIAQ3EGTHLYDONOTPRN' }];
  app.command = ['sh', '-c', 'psql postgres://shop:hunter2-do-not-print@db/shop && PGPASSWORD=hunter2-do-not-print ./serve'];
  app.logConfiguration = { logDriver: 'splunk', options: { 'splunk-token': 'hunter2-do-not-print', 'splunk-url': 'https://splunk.example.com' }, secretOptions: [] } as never;
}

let slack: Awaited<ReturnType<typeof startHttpRecorder>>;
let ses: Awaited<ReturnType<typeof startSes>>;
let secrets: Awaited<ReturnType<typeof startSecretsServer>>;
let table: LocalStateTable;
const restore: (() => void)[] = [];
beforeAll(async () => {
  [slack, ses, table] = await Promise.all([startHttpRecorder(), startSes(), startStateTable('redaction')]);
  secrets = await startSecretsServer({ secrets: { [SECRET_ARN]: `${slack.endpoint}/services/T000/B000/hook` }, parameters: {} });
  restore.push(useEndpoint('SECRETS_MANAGER', secrets.endpoint), useEndpoint('SESV2', ses.endpoint));
});
afterAll(async () => {
  restore.forEach((r) => r());
  await Promise.all([slack.close(), ses.close(), secrets.close(), table.close()]);
});

describe('a secret observed in AWS', () => {
  // Observe mode: the drift stays, so it is reported, notified and recorded.
  const result = shopPass(secretsInTheRunningRevision, { mode: 'observe' });

  it('is in the pass itself (so the tests below mean something)', () => {
    expect(JSON.stringify(result)).toMatch(SECRET);
  });

  it('is redacted from the terminal and JSON reports, which still show the difference', () => {
    const report = buildReport(result);
    const text = renderReport(report, { color: false });
    const json = renderReportJson(report);

    expect(text).not.toMatch(SECRET);
    expect(json).not.toMatch(SECRET);
    expect(json).toContain('[redacted]');
    const drift = report.resources.find((r) => r.resource === 'Service/api')!.drift;
    expect(drift).toContainEqual({ path: 'taskDefinition.containers[app].environment[DB_PASSWORD]', before: '[redacted]', after: undefined });
  });

  it('is redacted from the Slack message and the email', async () => {
    const outcome = await notify(result, {
      notifications: {
        slack: { webhookUrl: { secretsManager: SECRET_ARN }, maxSections: 10 },
        email: { from: 'steady@example.com', to: ['ops@example.com'] },
        remindEveryHours: 24,
        dailyDigest: false,
      },
      alertStore: new MemoryAlertStore(),
      clock: new SimClock(T0),
      region: 'ap-northeast-1',
      webhookCache: new WebhookUrlCache(),
      logger: { info: () => undefined, warn: () => undefined },
    });

    expect(outcome.sent.map((s) => s.channel)).toEqual(['email', 'slack']);
    const emails = await ses.emails();
    expect(emails).toHaveLength(1);
    expect(JSON.stringify(emails[0])).not.toMatch(SECRET);
    expect(slack.requests).toHaveLength(1);
    expect(JSON.stringify(slack.requests[0])).not.toMatch(SECRET);
  });

  it('is kept out of the state table, and out of steady status and steady report --last', async () => {
    await table.store().savePass(result, undefined, { report: buildReport(result) });

    const report = await runCli('report', '--last', '--table', 'redaction', '--env', 'shop-prod', '-o', 'json');
    const status = await runCli('status', '--table', 'redaction', '--env', 'shop-prod', '-o', 'json');
    const history = await runCli('history', '--table', 'redaction', '--env', 'shop-prod', '--since', '3650d', '-o', 'json');

    expect(report.code).toBe(0);
    expect(report.stdout).toContain('[redacted]');
    for (const out of [report, status, history]) expect(out.stdout + out.stderr).not.toMatch(SECRET);
  });
});
