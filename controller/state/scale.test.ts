import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStoreError } from '../errors.js';
import type { ActualState } from '../model/actual.js';
import type { PassResult } from '../model/pass.js';
import { ownershipTags, type ResourceStatus } from '../model/plan.js';
import { desiredShop, syncedActual } from '../testing/plan-fixtures.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { keys } from './table.js';

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable();
});
afterAll(() => t.close());

async function partition(environment: string) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await DynamoDBDocumentClient.from(t.client).send(
      new QueryCommand({
        TableName: t.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.environmentPk(environment) },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** An item's size as DynamoDB counts it: attribute names plus values (numbers counted generously). */
function itemSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'number') return 21;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + itemSize(v), 0);
  return 3 + Object.entries(value as object).reduce((n, [k, v]) => n + Buffer.byteLength(k) + 1 + itemSize(v), 0);
}

/** An environment of `n` services, each with its status, all observed; everything unreadable once, noisily. */
function bigEnvironment(environment: string, n: number): { result: PassResult; actual: ActualState } {
  const template = syncedActual(desiredShop(), t.clock.now());
  const actual: ActualState = { ...template, environment, services: {}, unreadable: [] };
  const resources: ResourceStatus[] = [];
  const base = template.services.api!;
  for (let i = 0; i < n; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    const resource = `Service/${name}`;
    actual.services[name] = {
      ...base,
      name,
      arn: `${base.arn.slice(0, base.arn.lastIndexOf('/'))}/${name}`,
      tags: { ...ownershipTags(environment, resource), team: 'shop', owner: `team-${i % 17}` },
      events: Array.from({ length: 10 }, (_, e) => ({ createdAt: t.clock.now() - e * 60_000, message: `(service ${name}) has reached a steady state. ${randomBytes(8).toString('hex')}` })),
    };
    actual.unreadable.push({ what: `target health of ${name}`, affects: [resource], awsName: 'ThrottlingException', message: `Rate exceeded ${randomBytes(24).toString('base64')}`, transient: true });
    resources.push({
      resource,
      kind: 'Service',
      name,
      phase: i % 10 === 0 ? 'Drifted' : 'Synced',
      reason: i % 10 === 0 ? 'TaskDefinitionDiffers' : 'UpToDate',
      message: `service ${name} is as its spec says`,
      diff: i % 10 === 0 ? [{ path: 'taskDefinition.containers[app].image', before: `repo@sha256:${'a'.repeat(64)}`, after: `repo@sha256:${'b'.repeat(64)}` }] : [],
      specHash: randomBytes(16).toString('hex'),
    });
  }
  const now = t.clock.now();
  return {
    actual,
    result: {
      passId: `${environment}/big`,
      environment,
      startedAt: now - 60_000,
      finishedAt: now,
      mode: 'observe',
      dryRun: false,
      outcomes: [],
      resources,
      drift: [],
      apiCalls: { 'ecs:DescribeServices': n / 10 },
      outcome: 'ok',
    },
  };
}

describe('a large environment', () => {
  it('keeps every item of a 1000-resource pass far below the 400 KB item limit', async () => {
    const store = t.store();
    const { result, actual } = bigEnvironment('big-1', 1000);

    await store.savePass(result, actual);

    const items = await partition('big-1');
    const sizes = items.map((i) => ({ sk: i.sk as string, size: itemSize(i) }));
    expect(items.filter((i) => i.type === 'status')).toHaveLength(1000);
    expect(items.filter((i) => i.type === 'snapshot' && i.part === 0)).toHaveLength(1001);
    expect(Math.max(...sizes.map((s) => s.size))).toBeLessThan(64 * 1024);
    const snapshots = await store.loadSnapshots('big-1');
    expect(Object.keys(snapshots)).toHaveLength(1001);
    expect(snapshots['Environment/big-1']).toMatchObject({ kind: 'Environment', unreadable: actual.unreadable.map(({ transient: _t, ...u }) => u) });
    expect(snapshots['Service/svc-0999']).toMatchObject({ kind: 'Service', service: { name: 'svc-0999' }, unreadable: [{ awsName: 'ThrottlingException' }] });
  });

  it('splits a snapshot into parts when it is large, reads it back whole, and drops parts it no longer needs', async () => {
    const small = t.store({ snapshotPartBytes: 1024 });
    const { result, actual } = bigEnvironment('big-2', 3);
    // Incompressible events make the service's snapshot several KB after compression.
    actual.services['svc-0001']!.events = Array.from({ length: 10 }, (_, e) => ({ createdAt: e, message: randomBytes(600).toString('base64') }));

    await small.savePass(result, actual);

    const parts = (await partition('big-2')).filter((i) => i.type === 'snapshot' && i.resource === 'Service/svc-0001');
    expect(parts.length).toBeGreaterThan(3);
    expect(Math.max(...parts.map((p) => (p.data as Uint8Array).byteLength))).toBeLessThanOrEqual(1024);
    expect(await small.loadSnapshot('big-2', 'Service/svc-0001')).toMatchObject({ service: { events: actual.services['svc-0001']!.events.slice(0, 5) } });

    await t.store().savePass({ ...result, passId: 'big-2/next' }, actual);

    const after = (await partition('big-2')).filter((i) => i.type === 'snapshot' && i.resource === 'Service/svc-0001');
    expect(after.map((i) => i.sk)).toEqual(['SNAPSHOT#Service/svc-0001']);
    expect(await small.loadSnapshot('big-2', 'Service/svc-0001')).toMatchObject({ service: { events: actual.services['svc-0001']!.events.slice(0, 5) } });
  });
});

describe('batched writes', () => {
  /**
   * Makes DynamoDB "throttle" part of the first `times` BatchWriteItem calls: the last `drop`
   * requests are not sent to the (real) server and come back as UnprocessedItems.
   */
  function leaveUnprocessed(times: number, drop: number) {
    const seen: number[] = [];
    const name = `unprocessed-${Math.random()}`;
    t.client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { RequestItems?: Record<string, unknown[]> };
        const table = input.RequestItems && Object.keys(input.RequestItems)[0];
        if (!table || seen.length >= times) return next(args);
        const requests = input.RequestItems![table];
        seen.push(requests.length);
        const kept = requests.slice(0, Math.max(0, requests.length - drop));
        const dropped = requests.slice(kept.length);
        // DynamoDB refuses an empty batch: a batch left wholly unprocessed never reaches it.
        if (kept.length === 0) return { output: { UnprocessedItems: { [table]: dropped }, $metadata: {} }, response: {} } as Awaited<ReturnType<typeof next>>;
        const out = await next({ ...args, input: { ...input, RequestItems: { [table]: kept } } });
        (out.output as { UnprocessedItems?: unknown }).UnprocessedItems = { [table]: dropped };
        return out;
      },
      { step: 'initialize', name },
    );
    return { seen, remove: () => t.client.middlewareStack.remove(name) };
  }

  it('are 25 a call, and items left unprocessed are retried with exponential back-off until written', async () => {
    const store = t.store({ batch: { random: () => 1, baseDelayMs: 50, concurrency: 1 } });
    const { result, actual } = bigEnvironment('batch-1', 30);
    const shim = leaveUnprocessed(2, 5);
    const before = t.clock.now();
    try {
      await store.savePass(result, actual);
    } finally {
      shim.remove();
    }

    // The first chunk of 25 is cut short twice: its last 5 come back, then are sent again after
    // 50 ms; again back, then sent once more after 100 ms.
    expect(shim.seen).toEqual([25, 5]);
    expect(t.clock.now() - before).toBe(50 + 100);
    const items = await partition('batch-1');
    expect(items.filter((i) => i.type === 'status')).toHaveLength(30);
    expect(items.filter((i) => i.type === 'snapshot')).toHaveLength(31);
    expect(items.filter((i) => i.type === 'pass')).toHaveLength(1);
  });

  it('give up with a clear error when DynamoDB keeps leaving items unprocessed', async () => {
    const store = t.store({ batch: { random: () => 0, maxAttempts: 3 } });
    const shim = leaveUnprocessed(1000, 1);
    let err: unknown;
    try {
      err = await store.save('batch-2', [{ key: 'a', resource: 'Service/api', kind: 'drift', summary: 's', firstSeenAt: 0, notifications: 0 }], []).catch((e: unknown) => e);
    } finally {
      shim.remove();
    }

    expect(err).toBeInstanceOf(StateStoreError);
    expect((err as StateStoreError).message).toBe(
      `saving alerts of environment batch-2 to table ${t.tableName}: DynamoDB left 1 of 1 items unprocessed in table ${t.tableName} after 3 attempts (throttled); the next pass writes them again`,
    );
    expect((err as StateStoreError).transient).toBe(true);
    expect(await store.load('batch-2')).toEqual([]);
  });
});
