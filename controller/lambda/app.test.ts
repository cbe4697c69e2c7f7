/**
 * The handler in-process, with real event JSON, against the simulated account (ECS, ELB, Route 53,
 * ECR, CloudFront), a local DynamoDB server (the state table) and a local S3 server (the specs,
 * published with the source module).
 */
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../errors.js';
import { isMutating, type SimAccount } from '../sim/account.js';
import { StateStore } from '../state/store.js';
import { useNotifyServers } from '../testing/notify-servers.js';
import { exampleAccount } from '../testing/world.js';
import { createHandler, type InvocationSummary } from './app.js';
import type { HandlerConfig } from './config.js';
import { METRIC } from './telemetry.js';
import { eventJson, lambdaContext, shopProdFiles, SHOP_PROD_OVERLAY, SPEC_BUCKET, SPEC_PREFIX, useHandlerWorld } from './testkit.js';

const h = useHandlerWorld();

const PLENTY = lambdaContext({ remainingMs: 300_000 });

async function setup(overrides: Partial<HandlerConfig> = {}, options: { secondsPerCall?: number } = {}) {
  const account = await exampleAccount('shop-prod', { seed: 7 });
  const config = await h.world.config(overrides);
  const made: string[] = [];
  const handler = createHandler({
    config,
    clock: account.clock,
    clientsFor: (region) => {
      made.push(region);
      return account.clients();
    },
    // AWS latency in simulated time: each call advances the account's clock.
    instrumentClients: (clients) => {
      if (!options.secondsPerCall) return;
      for (const client of Object.values(clients)) {
        client.middlewareStack.add((next: any) => async (args: any) => {
          account.clock.advance(options.secondsPerCall! * 1000);
          return next(args);
        }, { step: 'initialize', name: 'simulatedLatency' });
      }
    },
    dynamodb: h.world.dynamodb,
    pollMs: 5_000,
  });
  const store = new StateStore({ client: h.world.dynamodb, tableName: config.table, clock: account.clock });
  return { account, config, handler, store, made };
}

const mutations = (account: SimAccount, from = 0) => account.calls.slice(from).filter((c) => isMutating(c.operation));

async function service(account: SimAccount, name: string) {
  const out = await account.clients().ecs.send(new DescribeServicesCommand({ cluster: 'shop-prod', services: [name], include: ['TAGS'] }));
  return out.services?.[0];
}

function only(summary: InvocationSummary) {
  expect(summary.environments).toHaveLength(1);
  return summary.environments[0];
}

describe('the Lambda handler', () => {
  it('converges every environment of the published commit on an EventBridge scheduled event, and releases the lease', async () => {
    const commit = await h.world.publish(shopProdFiles());
    const { account, handler, store } = await setup();

    const summary = await handler(eventJson('eventbridge-scheduled'), PLENTY);

    expect(summary).toMatchObject({ trigger: 'schedule', ok: true, dryRun: false, commit });
    const env = only(summary);
    expect(env).toMatchObject({ environment: 'shop-prod', outcome: 'ok' });
    expect(env.actions.failed).toBe(0);
    expect(env.changes.map((c) => `${c.kind}:${c.state}`)).toContain('CreateService:done');
    expect(env.changes.every((c) => c.state === 'done')).toBe(true);
    const api = await service(account, 'api');
    expect(api).toMatchObject({ status: 'ACTIVE', desiredCount: 2 });
    expect(api!.tags).toContainEqual({ key: 'steady:managed-by', value: 'steady' });
    expect(await store.readLease('shop-prod')).toMatchObject({ state: 'released', holder: env.passId });
    const recorded = await store.lastPass('shop-prod');
    expect(recorded).toMatchObject({ passId: env.passId, specVersion: commit, outcome: 'ok' });

    // The next tick gets the lease at once (no waiting for its expiry) and has nothing left to do.
    account.clock.advance(10 * 60_000);
    const next = only(await handler(eventJson('eventbridge-scheduled'), PLENTY));
    expect(next).toMatchObject({ outcome: 'ok', summary: expect.stringMatching(/^No changes\./) });
    expect(next.actions.planned).toBe(0);
  });

  it('writes the status page to its bucket after the passes, with the commit they ran; a failed write is only a warning', async () => {
    await h.world.s3.send(new CreateBucketCommand({ Bucket: 'steady-status' }));
    const commit = await h.world.publish(shopProdFiles());
    const { handler, store } = await setup({ statusBucket: 'steady-status' });

    const summary = await handler(eventJson('eventbridge-scheduled'), PLENTY);

    expect(summary.ok).toBe(true);
    const object = await h.world.s3.send(new GetObjectCommand({ Bucket: 'steady-status', Key: 'index.html' }));
    expect(object.ContentType).toBe('text/html; charset=utf-8');
    const page = await object.Body!.transformToString();
    expect(page).toContain('<h2 id="env-shop-prod-h">shop-prod');
    expect(page).toContain(`<span class="mono">${commit.slice(0, 12)}</span>`);
    expect(h.output.logs().find((l) => /^status page written/.test(l.message))?.message).toMatch(/^status page written to s3:\/\/steady-status\/index\.html \(\d+ bytes\)$/);
    // The manifest's author (the publisher's --author, or git) is what the pass recorded.
    expect((await store.lastPass('shop-prod'))?.specSource).toMatchObject({ publishedAt: expect.any(String) });

    const { handler: broken } = await setup({ statusBucket: 'no-such-status-bucket' });
    expect((await broken(eventJson('eventbridge-scheduled'), PLENTY)).ok).toBe(true);
    expect(h.output.logs().find((l) => /^the status page was not written/.test(l.message))).toMatchObject({
      level: 'WARN',
      message: expect.stringMatching(/^the status page was not written: writing the status page to s3:\/\/no-such-status-bucket\/index\.html: NoSuchBucket: /),
    });
  });

  it('reconciles right away when S3 reports a new HEAD, using the commit HEAD names', async () => {
    const files = shopProdFiles();
    await h.world.publish(files);
    const { account, handler } = await setup();
    await handler(eventJson('eventbridge-scheduled'), PLENTY);
    account.clock.advance(10 * 60_000);
    const scaled = files.map((f) => (f.path === SHOP_PROD_OVERLAY ? { ...f, content: f.content.toString().replace('desiredCount: 2', 'desiredCount: 3') } : f));
    const commit = await h.world.publish(scaled);

    const summary = await handler(eventJson('s3-put-head'), PLENTY);

    expect(summary).toMatchObject({ trigger: 's3', ok: true, commit });
    expect(only(summary).changes.map((c) => `${c.kind}:${c.state}`)).toEqual(['UpdateService:done']);
    expect((await service(account, 'api'))!.desiredCount).toBe(3);
  });

  it('ignores S3 events for other keys and buckets without a single AWS call', async () => {
    await h.world.publish(shopProdFiles());
    const { account, handler } = await setup();
    const event = eventJson('s3-put-head');
    event.Records[0].s3.object.key = `${SPEC_PREFIX}/objects/sha256/${'a'.repeat(64)}`;

    const summary = await handler(event, PLENTY);

    expect(summary).toEqual({
      trigger: 'ignored',
      ok: true,
      dryRun: false,
      ignored: `not a new HEAD of s3://${SPEC_BUCKET}/${SPEC_PREFIX}/: s3://${SPEC_BUCKET}/${SPEC_PREFIX}/objects/sha256/${'a'.repeat(64)} (ObjectCreated:Put)`,
      environments: [],
    });
    expect(account.calls).toEqual([]);
  });

  it('writes JSON logs with the environment and pass id on every line of a pass, and the metrics as EMF', async () => {
    await h.world.publish(shopProdFiles());
    const { handler } = await setup();

    const env = only(await handler(eventJson('eventbridge-scheduled'), PLENTY));

    const logs = h.output.logs();
    expect(h.output.lines.filter((l) => !l.json)).toEqual([]);
    const passLines = logs.filter((l) => l.passId !== undefined);
    expect(passLines.length).toBeGreaterThanOrEqual(2);
    for (const line of passLines) {
      expect(line).toMatchObject({ environment: 'shop-prod', passId: env.passId, service: 'steady', trigger: 'schedule', function_request_id: PLENTY.awsRequestId });
    }
    expect(passLines.map((l) => l.message)).toContain(env.summary);
    // Lines about the invocation as a whole carry the trigger and the commit, not an environment.
    expect(logs.find((l) => String(l.message).startsWith('done:'))).toMatchObject({ trigger: 'schedule', commit: expect.stringMatching(/^[0-9a-f]{12}$/), ok: true });

    const emf = h.output.emf();
    const pass = emf.find((m) => m.environment === 'shop-prod')!;
    expect(pass._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'steady',
        Dimensions: [['service', 'environment'], ['service']],
        Metrics: expect.arrayContaining([
          { Name: METRIC.driftFound, Unit: 'Count' },
          { Name: METRIC.driftHealed, Unit: 'Count' },
          { Name: METRIC.driftUnrepaired, Unit: 'Count' },
          { Name: METRIC.environmentUnreadable, Unit: 'Count' },
          { Name: METRIC.actionsFailed, Unit: 'Count' },
          { Name: METRIC.passFailed, Unit: 'Count' },
          { Name: METRIC.leaseHeld, Unit: 'Count' },
          { Name: METRIC.passDuration, Unit: 'Milliseconds' },
          { Name: METRIC.apiCalls, Unit: 'Count' },
        ]),
      },
    ]);
    expect(pass).toMatchObject({
      service: 'steady',
      [METRIC.driftFound]: env.drift.found,
      [METRIC.driftHealed]: env.drift.healed,
      [METRIC.passFailed]: 0,
      [METRIC.leaseHeld]: 0,
      [METRIC.apiCalls]: env.apiCalls,
    });
    expect(env.drift.found).toBeGreaterThan(0);
    expect(env.apiCalls).toBeGreaterThan(0);
    // The invocation's own metrics, flushed by the middleware at the end.
    expect(emf.find((m) => m[METRIC.environmentsReconciled] !== undefined)).toMatchObject({ [METRIC.environmentsReconciled]: 1, service: 'steady' });
  });

  it('stops reading AWS at the deadline (remaining time minus the margin), records the pass as interrupted and releases the lease', async () => {
    await h.world.publish(shopProdFiles());
    // Every AWS call takes a second of simulated time, so observing alone outlasts 5 s.
    const { account, handler, store } = await setup({}, { secondsPerCall: 1 });

    const late = only(await handler(eventJson('eventbridge-scheduled'), lambdaContext({ remainingMs: 30_000 + 5_000 })));

    expect(late).toMatchObject({ verdict: 'interrupted', ok: true, interrupted: { reason: 'outOfTime', stage: 'observe' } });
    expect(late.summary).toMatch(/^Interrupted/);
    expect(mutations(account)).toEqual([]);
    // Recorded and released before the handler returned.
    expect(await store.lastPass('shop-prod')).toMatchObject({ passId: late.passId, interrupted: { reason: 'outOfTime', stage: 'observe' } });
    expect(await store.readLease('shop-prod')).toMatchObject({ state: 'released', holder: late.passId });
    // The lease was released, so the next invocation starts at once, without waiting for its expiry.
    const next = only(await handler(eventJson('eventbridge-scheduled'), PLENTY));
    expect(next).toMatchObject({ outcome: 'ok', actions: { failed: 0, pending: 0 } });
    expect(next.actions.done).toBeGreaterThan(0);
  });

  it('does not start an environment at all when less than the margin remains', async () => {
    await h.world.publish(shopProdFiles());
    const { account, handler, store } = await setup();

    const summary = await handler(eventJson('eventbridge-scheduled'), lambdaContext({ remainingMs: 10_000 }));

    expect(only(summary)).toMatchObject({ outcome: 'skipped', error: 'the invocation ran out of time before this environment was reached' });
    expect(account.calls).toEqual([]);
    expect(await store.readLease('shop-prod')).toBeUndefined();
  });

  it('leaves a migration running when the time runs out while waiting for it, and picks it up next time', async () => {
    await h.world.publish(shopProdFiles());
    const { account, handler, store } = await setup();

    // 20 s of simulated time past the margin: enough to start the migration, not to see it finish.
    const first = only(await handler(eventJson('eventbridge-scheduled'), lambdaContext({ remainingMs: 50_000 })));

    expect(first.changes.find((c) => c.kind === 'RunMigration')).toMatchObject({ state: 'pending', message: expect.stringMatching(/^migration task [0-9a-f]+ is \w+; the next pass waits for it$/) });
    expect(first.changes.find((c) => c.kind === 'UpdateService' || c.kind === 'CreateService')).toMatchObject({ state: 'blocked' });
    expect(account.calls.filter((c) => c.operation === 'RunTask')).toHaveLength(1);
    expect(await store.readLease('shop-prod')).toMatchObject({ state: 'released' });

    const second = only(await handler(eventJson('eventbridge-scheduled'), PLENTY));
    expect(second.actions.failed).toBe(0);
    expect(account.calls.filter((c) => c.operation === 'RunTask')).toHaveLength(1);
    expect((await service(account, 'api'))?.status).toBe('ACTIVE');
  });

  it('skips an environment whose lease another invocation holds, changing nothing', async () => {
    await h.world.publish(shopProdFiles());
    const { account, handler, store } = await setup();
    // The lease is on wall-clock time, whatever clock the pass records with.
    const other = await store.acquireLease('shop-prod', 'another-invocation', 300_000);

    const summary = await handler(eventJson('eventbridge-scheduled'), PLENTY);

    expect(summary.ok).toBe(true);
    expect(only(summary)).toMatchObject({ outcome: 'skipped', error: `lease for environment shop-prod is held by another-invocation until ${new Date(other.expiresAt).toISOString()}` });
    expect(mutations(account)).toEqual([]);
    expect(h.output.emf().find((m) => m.environment === 'shop-prod')).toMatchObject({ [METRIC.leaseHeld]: 1, [METRIC.passFailed]: 0 });
  });

  it('makes no AWS call at all when the commit is broken (an object deleted), and says so loudly', async () => {
    await h.world.publish(shopProdFiles(), 'broken-1');
    const { account, handler, store } = await setup({ prefix: 'broken-1/' });
    await handler(eventJson('eventbridge-scheduled'), PLENTY);
    account.clock.advance(10 * 60_000);
    const from = account.calls.length;
    const listed = await h.world.s3.send(new ListObjectsV2Command({ Bucket: SPEC_BUCKET, Prefix: 'broken-1/objects/' }));
    await h.world.s3.send(new DeleteObjectCommand({ Bucket: SPEC_BUCKET, Key: listed.Contents![0].Key! }));
    const before = h.output.lines.length;

    const summary = await handler(eventJson('eventbridge-scheduled'), PLENTY);
    const lines = h.output.lines.slice(before).filter((l) => l.json).map((l) => l.json!);

    expect(summary).toMatchObject({ trigger: 'schedule', ok: false, specsError: { kind: 'object-missing', message: expect.stringContaining(listed.Contents![0].Key!) } });
    expect(account.calls.slice(from)).toEqual([]);
    expect(only(summary)).toMatchObject({ environment: 'shop-prod', outcome: 'failed', actions: { planned: 0 } });
    expect(await store.lastPass('shop-prod')).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/^the published specs could not be loaded: reading s3:\/\//) });
    const error = lines.find((l) => l.level === 'ERROR' && String(l.message).startsWith('the published specs could not be loaded'));
    expect(error).toMatchObject({ errorKind: 'object-missing', bucket: SPEC_BUCKET });
    const emf = lines.filter((l) => l._aws);
    expect(emf.find((m) => m.environment === 'shop-prod')).toMatchObject({ [METRIC.passFailed]: 1, [METRIC.driftFound]: 0 });
    expect(emf.find((m) => m[METRIC.specsUnreadable] !== undefined)).toEqual(
      expect.objectContaining({ [METRIC.specsUnreadable]: 1, _aws: expect.objectContaining({ CloudWatchMetrics: [expect.objectContaining({ Dimensions: [['service']] })] }) }),
    );
  });

  it('answers ok: false and emits EnvironmentUnreadable on every pass when every AWS call is AccessDenied, so the AwsUnreadable alarm fires on the second', async () => {
    await h.world.publish(shopProdFiles());
    const { account, handler } = await setup();
    account.faults.fail({ error: 'accessDenied' });

    for (let pass = 0; pass < 2; pass++) {
      const before = h.output.lines.length;
      const summary = await handler(eventJson('eventbridge-scheduled'), PLENTY);
      const env = only(summary);
      const emf = h.output.lines.slice(before).filter((l) => l.json?._aws).map((l) => l.json!);

      expect(summary.ok).toBe(false);
      expect(env).toMatchObject({ verdict: 'unknown', ok: false, outcome: 'ok', causes: [{ kind: 'accessDenied' }] });
      expect(env.summary).toMatch(/^AWS could not be read: access denied to \d+ actions: cloudfront:GetDistribution, ecr:DescribeImages, ecs:DescribeClusters, .* Nothing was changed\.$/);
      expect(env.causes![0].actions).toEqual(expect.arrayContaining(['ecs:DescribeClusters', 'ecs:DescribeServices', 'elasticloadbalancing:DescribeTargetGroups', 'route53:ListHostedZonesByName']));
      // Said once for the pass, not per resource or link.
      expect(env.summary.split('access denied').length - 1).toBe(1);
      // The alarm watches the `service` aggregate: Maximum >= 1 for two periods in a row (deploy/stack.ts).
      expect(emf.find((m) => m.environment === 'shop-prod')).toMatchObject({ [METRIC.environmentUnreadable]: 1, [METRIC.passFailed]: 0, [METRIC.driftFound]: 0 });
      expect(mutations(account)).toEqual([]);
      account.clock.advance(60_000);
    }
  });

  it('plans without changing anything or taking the lease on a manual dry run', async () => {
    await h.world.publish(shopProdFiles());
    const { account, handler, store } = await setup();

    const summary = await handler({ environment: 'shop-prod', dryRun: true }, PLENTY);

    expect(summary).toMatchObject({ trigger: 'manual', dryRun: true, ok: true });
    const env = only(summary);
    expect(env.actions.planned).toBeGreaterThan(0);
    expect(env.actions.held).toBe(env.actions.planned);
    expect(env.summary).toMatch(/^Plan: /);
    expect(mutations(account)).toEqual([]);
    expect(await store.readLease('shop-prod')).toBeUndefined();
    expect(await store.lastPass('shop-prod')).toBeUndefined();
  });

  it('reports an environment the commit does not have, and does nothing for it', async () => {
    await h.world.publish(shopProdFiles());
    const { account, handler } = await setup();

    const summary = await handler({ environment: 'shop-staging' }, PLENTY);

    expect(summary.ok).toBe(false);
    expect(only(summary)).toMatchObject({ environment: 'shop-staging', outcome: 'failed', error: expect.stringMatching(/^no environment shop-staging in commit [0-9a-f]{12} \(it has: shop-prod\); nothing was done for it$/) });
    expect(account.calls).toEqual([]);
  });

  it('refuses an event it does not understand rather than guess (a typo must not become a real reconcile)', async () => {
    const { account, handler } = await setup();

    await expect(handler({ environment: 'shop-prod', dryrun: true }, PLENTY)).rejects.toThrow(InvalidEventError);
    await expect(handler({ environment: 'shop-prod', dryrun: true }, PLENTY)).rejects.toThrow('unknown field "dryrun" in the event; expected "environment", "environments", "dryRun" (or an EventBridge or S3 event)');
    expect(account.calls).toEqual([]);
  });

  it('makes the SDK clients once per region and keeps them across invocations, so cached task definitions are not read again', async () => {
    await h.world.publish(shopProdFiles());
    const { account, handler, made } = await setup();
    await handler(eventJson('eventbridge-scheduled'), PLENTY);
    account.clock.advance(10 * 60_000);
    const from = account.calls.length;

    await handler(eventJson('eventbridge-scheduled'), PLENTY);

    expect(made).toEqual(['ap-northeast-1']);
    const described = account.calls.slice(from).filter((c) => c.operation === 'DescribeTaskDefinition');
    expect(described.filter((c) => /:task-definition\/.+:\d+$/.test(c.input.taskDefinition))).toEqual([]);
  });
});

describe('the Lambda handler and notifications', () => {
  const servers = useNotifyServers();

  it('tells Slack and email what it healed, and reports an unreadable commit there too, through the last commit that loaded', async () => {
    const files = shopProdFiles();
    await h.world.publish(files, 'notify-1');
    const first = await setup({ prefix: 'notify-1/', notify: true });
    const healed = only(await first.handler(eventJson('eventbridge-scheduled'), PLENTY));
    expect(healed.notified).toEqual({ sent: ['email', 'slack'], failed: [] });
    expect(servers.slack.requests).toHaveLength(1);
    const mails = await servers.ses.emails();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ from: 'steady@example.com', destination: { to: ['shop-oncall@example.com'] } });

    // The next commit is published, then its manifest is lost; a new container (nothing
    // remembered) must find where to report it: the commit the last recorded pass used.
    const next = await h.world.publish(
      files.map((f) => (f.path === SHOP_PROD_OVERLAY ? { ...f, content: f.content.toString().replace('desiredCount: 2', 'desiredCount: 3') } : f)),
      'notify-1',
    );
    await h.world.s3.send(new DeleteObjectCommand({ Bucket: SPEC_BUCKET, Key: `notify-1/commits/${next}.json` }));
    first.account.clock.advance(10 * 60_000);
    const cold = createHandler({ config: first.config, clock: first.account.clock, clientsFor: () => first.account.clients(), dynamodb: h.world.dynamodb });
    const from = first.account.calls.length;

    const summary = await cold(eventJson('eventbridge-scheduled'), PLENTY);

    expect(summary.specsError?.kind).toBe('manifest-missing');
    expect(only(summary)).toMatchObject({ outcome: 'failed', notified: { sent: ['email', 'slack'], failed: [] } });
    expect(first.account.calls.slice(from)).toEqual([]);
    expect(servers.slack.requests).toHaveLength(2);
    expect(servers.slack.requests[1].body).toContain('the published specs could not be loaded');
    expect(await servers.ses.emails()).toHaveLength(2);
  });
});
