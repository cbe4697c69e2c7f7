import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActualState } from '../model/actual.js';
import type { DriftEvent, PassResult } from '../model/pass.js';
import type { ResourceStatus } from '../model/plan.js';
import { desiredShop, LB_DNS, TG_ARN, ZONE_ID } from '../testing/plan-fixtures.js';
import { storedPass } from '../testing/pass-fixtures.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import type { WiringChain } from '../wiring/types.js';
import { keys } from './table.js';

const DAY = 24 * 60 * 60 * 1000;
const MIN = 60_000;

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable();
});
afterAll(() => t.close());

const doc = () => DynamoDBDocumentClient.from(t.client);

async function stored(key: { pk: string; sk: string }) {
  return (await doc().send(new GetCommand({ TableName: t.tableName, Key: key, ConsistentRead: true }))).Item;
}

async function partition(environment: string, prefix: string) {
  const out = await doc().send(
    new QueryCommand({
      TableName: t.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': keys.environmentPk(environment), ':p': prefix },
    }),
  );
  return out.Items ?? [];
}

/** A pass over the shop fixture renamed to `environment`, finishing at the clock's now (see storedPass). */
function pass(environment: string, n: number, overrides: Partial<PassResult> & { actual?: ActualState } = {}) {
  return storedPass(environment, n, t.clock.now(), { apiCalls: { 'ecs:DescribeServices': 1, 'route53:ListResourceRecordSets': 2 }, ...overrides });
}

function withPhase(resources: ResourceStatus[], resource: string, phase: ResourceStatus['phase'], reason: string, message: string): ResourceStatus[] {
  return resources.map((r) => (r.resource === resource ? { ...r, phase, reason, message, diff: [{ path: 'desiredCount', before: '1', after: '2' }] } : r));
}

describe('saving a pass', () => {
  it('writes one pass item with counts, API calls, spec version and outcome, and a TTL of now + retention', async () => {
    const store = t.store();
    const { result, actual } = pass('hist-1', 1, {
      outcomes: [
        { actionId: 'update:Service/api', resource: 'Service/api', kind: 'UpdateService', summary: 'update service api', state: 'done' },
        {
          actionId: 'change:AliasRecord/api-dns',
          resource: 'AliasRecord/api-dns',
          kind: 'ChangeRecords',
          summary: 'upsert api.example.com',
          state: 'failed',
          message: 'InvalidChangeBatch: no such target',
          awsName: 'InvalidChangeBatch',
        },
        { actionId: 'run:Migration/db-migrate', resource: 'Migration/db-migrate', kind: 'RunMigration', summary: 'run db-migrate', state: 'pending' },
      ],
    });

    await store.savePass(result, actual);

    const [item] = await partition('hist-1', 'PASS#');
    expect(item).toEqual({
      pk: 'ENV#hist-1',
      sk: `PASS#${new Date(result.startedAt).toISOString()}#hist-1/pass-1`,
      type: 'pass',
      passId: 'hist-1/pass-1',
      environment: 'hist-1',
      specVersion: 'spec-1',
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      durationMs: 20_000,
      mode: 'enforce',
      dryRun: false,
      outcome: 'ok',
      verdict: 'failed',
      actions: { planned: 0, done: 1, failed: 1, blocked: 0, held: 0, pending: 1 },
      apiCalls: { 'ecs:DescribeServices': 1, 'route53:ListResourceRecordSets': 2 },
      apiCallCount: 3,
      phases: { Synced: 3, Drifted: 0, Progressing: 0, Blocked: 0, Failed: 0 },
      drift: { detected: 0, healed: 0 },
      failures: [{ resource: 'AliasRecord/api-dns', summary: 'upsert api.example.com', message: 'InvalidChangeBatch: no such target', awsName: 'InvalidChangeBatch' }],
      ttl: Math.floor((t.clock.now() + 90 * DAY) / 1000),
      gsi1pk: 'PASS',
      gsi1sk: `${new Date(result.startedAt).toISOString()}#hist-1#hist-1/pass-1`,
    });
    const { pk: _pk, sk: _sk, type: _type, ttl: _ttl, gsi1pk: _g1, gsi1sk: _g2, ...record } = item;
    expect(await store.lastPass('hist-1')).toEqual(record);
    expect(await store.listPasses('hist-1', result.startedAt)).toEqual([record]);
  });

  it('writes one status item per resource, with the spec hash as observed generation', async () => {
    const store = t.store();
    const { result, actual } = pass('hist-2', 1);
    const api = result.resources.find((r) => r.resource === 'Service/api')!;

    await store.savePass(result, actual);

    expect(await stored(keys.status('hist-2', 'Service/api'))).toEqual({
      pk: 'ENV#hist-2',
      sk: 'STATUS#Service/api',
      type: 'status',
      environment: 'hist-2',
      resource: 'Service/api',
      kind: 'Service',
      name: 'api',
      phase: 'Synced',
      reason: api.reason,
      message: api.message,
      diff: [],
      specHash: api.specHash,
      lastTransitionTime: result.finishedAt,
      passId: 'hist-2/pass-1',
      updatedAt: result.finishedAt,
      snapshotParts: 1,
      ttl: Math.floor((t.clock.now() + 90 * DAY) / 1000),
    });
    expect((await store.loadStatuses('hist-2')).map((s) => [s.resource, s.phase])).toEqual([
      ['AliasRecord/api-dns', 'Synced'],
      ['Migration/db-migrate', 'Synced'],
      ['Service/api', 'Synced'],
    ]);
  });

  it('keeps lastTransitionTime while the phase stays, and moves it when the phase changes', async () => {
    const store = t.store();
    const first = pass('hist-3', 1);
    await store.savePass(first.result, first.actual);
    t.clock.advance(5 * MIN);
    const second = pass('hist-3', 2);
    await store.savePass(second.result, second.actual);
    t.clock.advance(5 * MIN);
    const third = pass('hist-3', 3);
    third.result.resources = withPhase(third.result.resources, 'Service/api', 'Drifted', 'CountDiffers', 'desired count 1, spec says 2');
    await store.savePass(third.result, third.actual);

    const statuses = Object.fromEntries((await store.loadStatuses('hist-3')).map((s) => [s.resource, s]));
    expect(statuses['AliasRecord/api-dns']).toMatchObject({ phase: 'Synced', lastTransitionTime: first.result.finishedAt, passId: 'hist-3/pass-3', updatedAt: third.result.finishedAt });
    expect(statuses['Service/api']).toMatchObject({
      phase: 'Drifted',
      reason: 'CountDiffers',
      message: 'desired count 1, spec says 2',
      diff: [{ path: 'desiredCount', before: '1', after: '2' }],
      lastTransitionTime: third.result.finishedAt,
    });
  });

  it('records the last error of a resource and keeps it after the resource recovers', async () => {
    const store = t.store();
    const failing = pass('hist-4', 1, {
      outcomes: [
        {
          actionId: 'update:Service/api',
          resource: 'Service/api',
          kind: 'UpdateService',
          summary: 'update service api',
          state: 'failed',
          message: 'updating service api: AccessDeniedException: not authorized',
          awsName: 'AccessDeniedException',
          finishedAt: t.clock.now() - 1_000,
        },
      ],
    });
    failing.result.resources = withPhase(failing.result.resources, 'Service/api', 'Failed', 'UpdateFailed', 'AccessDeniedException');
    await store.savePass(failing.result, failing.actual);
    t.clock.advance(5 * MIN);
    const recovered = pass('hist-4', 2);
    await store.savePass(recovered.result, recovered.actual);

    const api = (await store.loadStatuses('hist-4')).find((s) => s.resource === 'Service/api');
    expect(api).toMatchObject({ phase: 'Synced', lastTransitionTime: recovered.result.finishedAt });
    expect(api?.lastError).toEqual({
      message: 'updating service api: AccessDeniedException: not authorized',
      awsName: 'AccessDeniedException',
      what: 'update service api',
      at: failing.result.finishedAt - 1_000,
      passId: 'hist-4/pass-1',
    });
  });

  it('removes statuses and snapshots of resources gone from the specs, but only after a complete pass', async () => {
    const store = t.store();
    const first = pass('hist-5', 1);
    await store.savePass(first.result, first.actual);
    const withoutAlias = (r: PassResult) => r.resources.filter((s) => s.resource !== 'AliasRecord/api-dns');

    t.clock.advance(MIN);
    const skipped = pass('hist-5', 2, { outcome: 'failed', error: 'specs unreadable', plan: undefined });
    skipped.result.resources = withoutAlias(skipped.result);
    await store.savePass(skipped.result, skipped.actual);
    expect((await store.loadStatuses('hist-5')).map((s) => s.resource)).toContain('AliasRecord/api-dns');

    t.clock.advance(MIN);
    const complete = pass('hist-5', 3);
    complete.result.resources = withoutAlias(complete.result);
    await store.savePass(complete.result, complete.actual);

    expect((await store.loadStatuses('hist-5')).map((s) => s.resource)).toEqual(['Migration/db-migrate', 'Service/api']);
    expect(await store.loadSnapshot('hist-5', 'AliasRecord/api-dns')).toBeUndefined();
    expect(Object.keys(await store.loadSnapshots('hist-5')).sort()).toEqual(['Environment/hist-5', 'Migration/db-migrate', 'Service/api']);
  });

  it('sets the TTL of history items from a configured retention', async () => {
    const store = t.store({ retentionMs: 7 * DAY });
    const { result, actual } = pass('hist-6', 1, {
      drift: [{ resource: 'Service/api', key: 'Service/api#count', summary: 'count 1, spec 2', diff: [], detectedAt: t.clock.now() - 15_000 }],
    });

    await store.savePass(result, actual);

    const ttl = Math.floor((t.clock.now() + 7 * DAY) / 1000);
    const items = [...(await partition('hist-6', 'PASS#')), ...(await partition('hist-6', 'DRIFT#')), ...(await partition('hist-6', 'STATUS#')), ...(await partition('hist-6', 'SNAPSHOT#'))];
    expect(items.length).toBe(1 + 1 + 3 + 4);
    expect(new Set(items.map((i) => i.ttl))).toEqual(new Set([ttl]));
  });
});

describe('drift events', () => {
  const drift = (detectedAt: number, healedAt?: number): DriftEvent => ({
    resource: 'Service/api',
    key: 'Service/api#taskDefinition',
    summary: 'service api runs shop-api:6, spec wants shop-api:7',
    diff: [{ path: 'taskDefinition', before: 'shop-api:6', after: 'shop-api:7' }],
    detectedAt,
    ...(healedAt === undefined ? {} : { healedAt }),
  });

  it('are one record from first detection to healing, however many passes saw them', async () => {
    const store = t.store();
    const firstSeen = t.clock.now() - 15_000;
    const p1 = pass('drift-1', 1, { mode: 'observe', drift: [drift(firstSeen)] });
    p1.result.resources = withPhase(p1.result.resources, 'Service/api', 'Drifted', 'TaskDefinitionDiffers', 'runs shop-api:6');
    await store.savePass(p1.result, p1.actual);

    t.clock.advance(10 * MIN);
    const p2 = pass('drift-1', 2, { mode: 'observe', drift: [drift(t.clock.now() - 15_000)] });
    p2.result.resources = withPhase(p2.result.resources, 'Service/api', 'Drifted', 'TaskDefinitionDiffers', 'runs shop-api:6');
    await store.savePass(p2.result, p2.actual);
    expect(await store.listDrift('drift-1', 0)).toMatchObject([{ detectedAt: firstSeen, lastSeenAt: t.clock.now() - 15_000 }]);

    t.clock.advance(10 * MIN);
    const healedAt = t.clock.now() - 2_000;
    const p3 = pass('drift-1', 3, { drift: [drift(t.clock.now() - 15_000, healedAt)] });
    await store.savePass(p3.result, p3.actual);

    expect(await store.listDrift('drift-1', 0)).toEqual([
      {
        environment: 'drift-1',
        resource: 'Service/api',
        key: 'Service/api#taskDefinition',
        summary: 'service api runs shop-api:6, spec wants shop-api:7',
        diff: [{ path: 'taskDefinition', before: 'shop-api:6', after: 'shop-api:7' }],
        detectedAt: firstSeen,
        detectedBy: 'drift-1/pass-1',
        lastSeenAt: t.clock.now() - 15_000,
        healedAt,
        timeToHealMs: healedAt - firstSeen,
        resolution: 'healed',
        healedBy: 'drift-1/pass-3',
      },
    ]);
    // Healed, it is no longer open: the next drift of the same kind is a new record.
    t.clock.advance(10 * MIN);
    const p4 = pass('drift-1', 4, { drift: [drift(t.clock.now() - 15_000)] });
    await store.savePass(p4.result, p4.actual);
    expect((await store.listDrift('drift-1', 0)).map((d) => [d.detectedAt, d.resolution])).toEqual([
      [t.clock.now() - 15_000, undefined],
      [firstSeen, 'healed'],
    ]);
  });

  it('say what steady did to heal them: the changes the healing pass made to the resource', async () => {
    const store = t.store();
    const seen = t.clock.now() - 15_000;
    const { result, actual } = pass('drift-4', 1, {
      drift: [drift(seen, seen + 9_000)],
      outcomes: [
        { actionId: 'update:Service/api', resource: 'Service/api', kind: 'UpdateService', summary: 'update service api: shop-api:6 -> shop-api:7', state: 'done' },
        { actionId: 'tag:Service/api', resource: 'Service/api', kind: 'TagResource', summary: 'tag service api', state: 'failed', message: 'AccessDenied' },
        { actionId: 'run:Migration/db-migrate', resource: 'Migration/db-migrate', kind: 'RunMigration', summary: 'run db-migrate', state: 'done' },
      ],
    });

    await store.savePass(result, actual);

    expect(await store.listDrift('drift-4', 0)).toMatchObject([{ resolution: 'healed', timeToHealMs: 9_000, healedWith: ['update service api: shop-api:6 -> shop-api:7'] }]);
  });

  it('are closed as gone when a complete pass no longer sees them', async () => {
    const store = t.store();
    const firstSeen = t.clock.now() - 15_000;
    const p1 = pass('drift-2', 1, { mode: 'observe', drift: [drift(firstSeen)] });
    await store.savePass(p1.result, p1.actual);

    t.clock.advance(30 * MIN);
    const p2 = pass('drift-2', 2);
    await store.savePass(p2.result, p2.actual);

    const [record] = await store.listDrift('drift-2', 0);
    expect(record).toMatchObject({
      detectedAt: firstSeen,
      healedAt: p2.actual.observedAt,
      timeToHealMs: p2.actual.observedAt - firstSeen,
      resolution: 'gone',
      healedBy: 'drift-2/pass-2',
    });
  });

  it('stay open across a pass that did not complete', async () => {
    const store = t.store();
    const p1 = pass('drift-3', 1, { mode: 'observe', drift: [drift(t.clock.now() - 15_000)] });
    await store.savePass(p1.result, p1.actual);

    t.clock.advance(MIN);
    const p2 = pass('drift-3', 2, { outcome: 'failed', error: 'observe failed', plan: undefined });
    await store.savePass(p2.result, p2.actual);

    expect((await store.listDrift('drift-3', 0)).map((d) => d.resolution)).toEqual([undefined]);
  });
});

describe('reading history', () => {
  it('lists passes and drift of every environment through the time index, newest first, since a time', async () => {
    const store = t.store();
    const old = pass('all-a', 1, { drift: [{ resource: 'Service/api', key: 'k1', summary: 'old drift', diff: [], detectedAt: t.clock.now() - 1_000 }] });
    await store.savePass(old.result, old.actual);
    t.clock.advance(2 * DAY);
    const since = t.clock.now() - DAY;
    const a = pass('all-a', 2, { drift: [{ resource: 'Service/api', key: 'k2', summary: 'new drift', diff: [], detectedAt: t.clock.now() - 1_000 }] });
    await store.savePass(a.result, a.actual);
    t.clock.advance(MIN);
    const b = pass('all-b', 1);
    await store.savePass(b.result, b.actual);

    const passes = (await store.listPasses(undefined, since)).filter((p) => p.environment.startsWith('all-'));
    const drift = (await store.listDrift(undefined, since)).filter((d) => d.environment.startsWith('all-'));

    expect(passes.map((p) => p.passId)).toEqual(['all-b/pass-1', 'all-a/pass-2']);
    expect(drift.map((d) => d.summary)).toEqual(['new drift']);
    expect((await store.listPasses('all-a', since)).map((p) => p.passId)).toEqual(['all-a/pass-2']);
    expect((await store.listPasses('all-a', 0)).map((p) => p.passId)).toEqual(['all-a/pass-2', 'all-a/pass-1']);
  });

  it('loads the statuses of every environment that recorded a pass', async () => {
    const store = t.store();
    await store.savePass(pass('every-1', 1).result);
    await store.savePass(pass('every-2', 1).result);

    const statuses = (await store.loadStatuses()).filter((s) => s.environment.startsWith('every-'));

    expect(statuses.map((s) => `${s.environment} ${s.resource}`)).toEqual([
      'every-1 AliasRecord/api-dns',
      'every-1 Migration/db-migrate',
      'every-1 Service/api',
      'every-2 AliasRecord/api-dns',
      'every-2 Migration/db-migrate',
      'every-2 Service/api',
    ]);
    expect((await store.listEnvironments()).filter((e) => e.environment.startsWith('every-'))).toEqual([
      { environment: 'every-1', lastPassId: 'every-1/pass-1', lastPassAt: t.clock.now(), lastOutcome: 'ok', lastVerdict: 'converged' },
      { environment: 'every-2', lastPassId: 'every-2/pass-1', lastPassAt: t.clock.now(), lastOutcome: 'ok', lastVerdict: 'converged' },
    ]);
  });

  it('reads the most recent passes of an environment, newest first, with who published their specs', async () => {
    const store = t.store();
    for (let n = 1; n <= 4; n++) {
      t.clock.advance(MIN);
      const { result } = pass('recent-1', n, { specSource: { publishedAt: '2026-01-01T00:00:00.000Z', author: 'Ana <ana@example.com>', gitCommit: 'abc1234' } });
      await store.savePass(result);
    }

    const recent = await store.recentPasses('recent-1', 3);

    expect(recent.map((p) => p.passId)).toEqual(['recent-1/pass-4', 'recent-1/pass-3', 'recent-1/pass-2']);
    expect(recent[0].specSource).toEqual({ publishedAt: '2026-01-01T00:00:00.000Z', author: 'Ana <ana@example.com>', gitCommit: 'abc1234' });
    expect(recent[0]).not.toHaveProperty('report');
  });

  it('keeps the wiring chain of a Wiring status, with long evidence lists cut short', async () => {
    const store = t.store();
    const { result } = pass('chain-1', 1);
    const targets = Array.from({ length: 25 }, (_, i) => `10.0.0.${i}:8000`);
    const chain: WiringChain = {
      names: ['api.example.com'],
      loadBalancer: 'shop-api-alb',
      targetGroup: 'shop-api-tg',
      firstBroken: 'targets',
      checkedAt: t.clock.now(),
      links: [
        { name: 'alias', status: 'ok', ok: true, summary: 'api.example.com A -> shop-api-alb', evidence: { record: 'api.example.com' } },
        { name: 'targets', status: 'broken', ok: false, summary: '0/25 healthy', evidence: { unhealthy: targets }, reason: 'NoHealthyTargets', message: 'x'.repeat(1500) },
      ],
    };
    result.resources.push({ resource: 'Wiring/api', kind: 'Wiring', name: 'api', phase: 'Failed', reason: 'NoHealthyTargets', message: 'targets: none healthy', diff: [], specHash: 'h', wiring: chain });

    await store.savePass(result);

    const stored = (await store.loadStatuses('chain-1')).find((s) => s.resource === 'Wiring/api')!;
    expect(stored.wiring!.links[0]).toEqual(chain.links[0]);
    expect(stored.wiring!.links[1].evidence.unhealthy).toEqual([...targets.slice(0, 20), '… 5 more']);
    expect(stored.wiring!.links[1].message).toHaveLength(1000);
    expect(stored.wiring).toMatchObject({ names: ['api.example.com'], loadBalancer: 'shop-api-alb', targetGroup: 'shop-api-tg', firstBroken: 'targets' });
  });

  it('has no last pass for an environment that never recorded one', async () => {
    expect(await t.store().lastPass('never')).toBeUndefined();
  });
});

describe('observed snapshots', () => {
  it('keep what AWS looked like for a service: revision, counts, deployments, load-balancer bindings', async () => {
    const store = t.store();
    const { result, actual } = pass('snap-1', 1);

    await store.savePass(result, actual, { desired: { ...desiredShop(), name: 'snap-1' } });

    const snap = await store.loadSnapshot('snap-1', 'Service/api');
    const svc = actual.services.api!;
    expect(snap).toMatchObject({
      resource: 'Service/api',
      found: true,
      kind: 'Service',
      observedAt: actual.observedAt,
      service: { taskDefinitionArn: svc.taskDefinitionArn, desiredCount: 2, runningCount: 2, pendingCount: 0, deployments: svc.deployments, loadBalancers: svc.loadBalancers },
      taskDefinition: { arn: svc.taskDefinitionArn, revision: 'shop-api:7', images: { app: actual.taskDefinitions[svc.taskDefinitionArn].content.containerDefinitions[0].image } },
      targetGroups: [{ arn: TG_ARN, name: 'shop-api-tg', loadBalancers: [{ arn: 'arn:lb', name: 'shop-api-alb', dnsName: LB_DNS }] }],
    });
  });

  it('keep the record set of an alias, found by its ownership record when no specs are given', async () => {
    const store = t.store();
    const { result, actual } = pass('snap-2', 1);

    await store.savePass(result, actual);

    expect(await store.loadSnapshot('snap-2', 'AliasRecord/api-dns')).toEqual({
      resource: 'AliasRecord/api-dns',
      observedAt: actual.observedAt,
      found: true,
      kind: 'AliasRecord',
      zone: { id: ZONE_ID, name: 'example.com', private: false },
      records: actual.zones['example.com']!.records,
    });
  });

  it('keep the latest revision tags and tasks of a migration', async () => {
    const store = t.store();
    const { result, actual } = pass('snap-3', 1);

    await store.savePass(result, actual);

    const latest = actual.migrations['db-migrate'].latest!;
    expect(await store.loadSnapshot('snap-3', 'Migration/db-migrate')).toMatchObject({
      found: true,
      kind: 'Migration',
      latest: { arn: latest.arn, revision: 'shop-api-db-migrate:3', tags: latest.tags },
      tasks: [],
    });
  });

  it('say so when AWS had nothing for a resource', async () => {
    const store = t.store();
    const { result, actual } = pass('snap-4', 1);
    actual.services.api = null;

    await store.savePass(result, actual);

    expect(await store.loadSnapshot('snap-4', 'Service/api')).toEqual({
      resource: 'Service/api',
      observedAt: actual.observedAt,
      found: false,
      why: 'ECS service api does not exist',
    });
  });
});
