/**
 * The ledger's and the history's rules that mutation testing found unguarded (docs/mutation.md),
 * against a real DynamoDB-protocol server: a throttled write is an error, never a refusal; a pass
 * that did not complete removes nothing; a resource's last error is its own; a snapshot is never
 * pieced together from two passes.
 */
import { DeleteTableCommand, DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStoreError } from '../errors.js';
import type { PassResult } from '../model/pass.js';
import type { WiringChain } from '../model/wiring.js';
import { storedPass } from '../testing/pass-fixtures.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { keys } from './table.js';

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable('steady-state-rules');
});
afterAll(() => t.close());

const VERSION = { migration: 'db-migrate', version: 'v1', attempt: 0 };

/** A pass over the shop fixture renamed to `environment`, every resource Synced (see storedPass). */
const pass = (environment: string, n: number, overrides: Partial<PassResult> = {}) => storedPass(environment, n, t.clock.now(), overrides);

describe('the migration ledger', () => {
  it('a throttled task record is an error saying so, never "already recorded"', async () => {
    const store = t.store();
    await store.claimMigration({ environment: 'ledger-1', ...VERSION, passId: 'pass-a' });
    const name = 'throttle-updates';
    t.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') {
          throw new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded.', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      await expect(store.recordMigrationTask({ environment: 'ledger-1', ...VERSION, taskArn: 'arn:task/1' })).rejects.toThrow(
        /^recording task arn:task\/1 of migration db-migrate version v1 attempt 0 in environment ledger-1 \(table steady-state-rules\): .*ProvisionedThroughputExceededException/,
      );
    } finally {
      t.client.middlewareStack.remove(name);
    }
    expect(await store.getMigration({ environment: 'ledger-1', ...VERSION })).toMatchObject({ state: 'claimed' });
  });

  it('a result without a reason clears the reason an earlier result wrote', async () => {
    const store = t.store();
    await store.claimMigration({ environment: 'ledger-2', ...VERSION, passId: 'pass-a' });
    await store.recordMigrationResult({ environment: 'ledger-2', ...VERSION, result: 'failed', reason: 'exit code 1' });

    const after = await store.recordMigrationResult({ environment: 'ledger-2', ...VERSION, result: 'succeeded' });

    expect(after.state).toBe('succeeded');
    expect(after.reason).toBeUndefined();
    expect((await store.getMigration({ environment: 'ledger-2', ...VERSION }))?.reason).toBeUndefined();
  });

  it('a claim refused while no claim can be read back is a transient error saying so, never "claimed by nobody"', async () => {
    // Another pass's claim is stored; it vanishes (the table was emptied) between our refused write and our read.
    const store = t.store();
    await store.claimMigration({ environment: 'ledger-3', ...VERSION, passId: 'pass-a' });
    const ours = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'ap-northeast-1' });
    ours.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetItemCommand') await DynamoDBDocumentClient.from(t.client).send(new DeleteCommand({ TableName: t.tableName, Key: keys.migration('ledger-3', 'db-migrate', 'v1', 0) }));
        return next(args);
      },
      { step: 'initialize', name: 'vanish' },
    );
    try {
      const err = await t.store({ client: ours }).claimMigration({ environment: 'ledger-3', ...VERSION, passId: 'pass-b' }).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(StateStoreError);
      expect(err).toMatchObject({
        transient: true,
        message: 'claiming migration db-migrate version v1 attempt 0 in environment ledger-3 (table steady-state-rules): the claim was refused but no claim is stored; try again',
      });
    } finally {
      ours.destroy();
    }
  });

  it("listing one migration's ledger lists that migration only: not another whose name it begins, nor statuses or passes", async () => {
    const store = t.store();
    await store.claimMigration({ environment: 'ledger-4', migration: 'db', version: 'v1', attempt: 0, passId: 'pass-a' });
    await store.claimMigration({ environment: 'ledger-4', migration: 'db-seed', version: 'v1', attempt: 0, passId: 'pass-a' });
    const p = pass('ledger-4', 1);
    await store.savePass(p.result, p.actual);

    expect((await store.listMigrations('ledger-4', 'db')).map((m) => m.migration)).toEqual(['db']);
    expect((await store.listMigrations('ledger-4')).map((m) => m.migration)).toEqual(['db', 'db-seed']);
  });
  it('a result recorded with neither a claim nor a pass id is stored as a ledger item of an unknown pass', async () => {
    const store = t.store();

    await store.recordMigrationResult({ environment: 'ledger-5', ...VERSION, result: 'failed', reason: 'exit code 2' });

    const item = (await DynamoDBDocumentClient.from(t.client).send(new GetCommand({ TableName: t.tableName, Key: keys.migration('ledger-5', 'db-migrate', 'v1', 0), ConsistentRead: true }))).Item;
    expect(item).toMatchObject({ type: 'migration', passId: 'unknown', state: 'failed', reason: 'exit code 2', environment: 'ledger-5', migration: 'db-migrate', version: 'v1', attempt: 0 });
  });
  it('a task recorded for a run the ledger already has finished without one is refused, naming its state', async () => {
    const store = t.store();
    await store.recordMigrationResult({ environment: 'ledger-6', ...VERSION, result: 'succeeded', passId: 'pass-z' });

    await expect(store.recordMigrationTask({ environment: 'ledger-6', ...VERSION, taskArn: 'arn:task/9' })).rejects.toThrow(
      'recording task arn:task/9 of migration db-migrate version v1 attempt 0 in environment ledger-6 (table steady-state-rules): the ledger already records state succeeded for it (claimed by pass-z)',
    );
    expect(await store.getMigration({ environment: 'ledger-6', ...VERSION })).toMatchObject({ state: 'succeeded' });
    expect(await store.getMigration({ environment: 'ledger-6', ...VERSION })).not.toHaveProperty('taskArn');
  });
});

describe('a table that cannot be read or written', () => {
  it('every read and write says what it was doing, of which environment, in which table', async () => {
    const gone = await startStateTable('steady-state-gone');
    const store = gone.store();
    await gone.client.send(new DeleteTableCommand({ TableName: gone.tableName }));
    const key = { environment: 'g', ...VERSION };
    const since = Date.UTC(2026, 0, 1);
    const reads: [() => Promise<unknown>, string][] = [
      [() => store.getMigration(key), 'reading migration db-migrate version v1 attempt 0 of environment g (table steady-state-gone)'],
      [() => store.listMigrations('g', 'db-migrate'), 'listing migrations of environment g (table steady-state-gone)'],
      [() => store.recordMigrationResult({ ...key, result: 'succeeded' }), 'recording the result (succeeded) of migration db-migrate version v1 attempt 0 in environment g (table steady-state-gone)'],
      [() => store.listEnvironments(), 'listing environments in table steady-state-gone'],
      [() => store.loadStatuses('g'), 'reading statuses of environment g from table steady-state-gone'],
      [() => store.listPasses('g', since), 'listing passes of environment g since 2026-01-01T00:00:00.000Z from table steady-state-gone'],
      [() => store.listPasses(undefined, since), 'listing passes since 2026-01-01T00:00:00.000Z from table steady-state-gone'],
      [() => store.listDrift('g', since), 'listing drift events of environment g since 2026-01-01T00:00:00.000Z from table steady-state-gone'],
      [() => store.recentPasses('g', 3), 'reading the last 3 passes of environment g from table steady-state-gone'],
      [() => store.lastPass('g'), 'reading the last pass of environment g from table steady-state-gone'],
      [() => store.passById('g/2026-01-01T00:00:00.000Z/abc123'), 'reading pass g/2026-01-01T00:00:00.000Z/abc123 from table steady-state-gone'],
      [() => store.loadSnapshot('g', 'Service/api'), 'reading the snapshot of Service/api in environment g from table steady-state-gone'],
      [() => store.loadSnapshots('g'), 'reading snapshots of environment g from table steady-state-gone'],
      [() => store.load('g'), 'loading alerts of environment g from table steady-state-gone'],
      [() => store.save('g', [], ['k']), 'saving alerts of environment g to table steady-state-gone'],
    ];
    try {
      for (const [read, doing] of reads) {
        const err = await read().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StateStoreError);
        expect((err as Error).message.slice(0, doing.length)).toBe(doing);
        expect((err as Error).message).toContain('ResourceNotFoundException');
      }
    } finally {
      await gone.close();
    }
  });

  it('a throttled pass write says which pass of which environment it was saving, and where', async () => {
    const ours = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'ap-northeast-1' });
    ours.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'BatchWriteItemCommand') {
          throw new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded.', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name: 'throttle-batches' },
    );
    try {
      const p = pass('w-1', 1);
      const err = await t.store({ client: ours }).savePass(p.result, p.actual).catch((e: unknown) => e);

      expect(err).toMatchObject({ transient: true, message: expect.stringMatching(/^saving pass w-1\/pass-1 of environment w-1 to table steady-state-rules \(BatchWriteItem of \d+ items to table steady-state-rules\): ProvisionedThroughputExceededException/) });
      expect(await t.store().loadStatuses('w-1')).toEqual([]);
    } finally {
      ours.destroy();
    }
  });
});

describe('history', () => {
  it('a pass that did not complete never removes a status: failed with a plan, ok without one, or interrupted', async () => {
    const store = t.store();
    const first = pass('hist-r1', 1);
    await store.savePass(first.result, first.actual);
    const withoutAlias = (r: PassResult) => r.resources.filter((s) => s.resource !== 'AliasRecord/api-dns');

    for (const [n, overrides] of [
      [2, { outcome: 'failed', error: 'converge failed' }],
      [3, { outcome: 'ok', plan: undefined }],
      [4, { outcome: 'ok', interrupted: { reason: 'leaseLost', stage: 'converge', message: 'the lease for environment hist-r1 was taken over' } }],
    ] as const) {
      t.clock.advance(60_000);
      const p = pass('hist-r1', n, overrides as Partial<PassResult>);
      p.result.resources = withoutAlias(p.result);
      await store.savePass(p.result, p.actual);

      expect((await store.loadStatuses('hist-r1')).map((s) => s.resource).sort()).toEqual(['AliasRecord/api-dns', 'Migration/db-migrate', 'Service/api']);
    }
    expect((await store.lastPass('hist-r1'))?.interrupted).toEqual({ reason: 'leaseLost', stage: 'converge', message: 'the lease for environment hist-r1 was taken over' });
  });

  it('a drift still seen by a complete pass stays open: only what a pass no longer sees is closed', async () => {
    const store = t.store();
    const d = { resource: 'Service/api', key: 'Service/api#count', summary: 'count 1, spec 2', diff: [], detectedAt: t.clock.now() - 15_000 };
    const p1 = pass('hist-r9', 1, { drift: [d] });
    await store.savePass(p1.result, p1.actual);
    t.clock.advance(60_000);

    const p2 = pass('hist-r9', 2, { drift: [{ ...d, detectedAt: t.clock.now() - 15_000 }] });
    await store.savePass(p2.result, p2.actual);

    const records = await store.listDrift('hist-r9', 0);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ detectedAt: d.detectedAt, lastSeenAt: t.clock.now() - 15_000 });
    expect(records[0]).not.toHaveProperty('healedAt');
    expect(records[0]).not.toHaveProperty('resolution');
  });

  it('a Failed status without a failed action is its own last error; a resource whose actions all succeeded has none', async () => {
    const store = t.store();
    const p = pass('hist-r10', 1, {
      outcomes: [{ actionId: 'update:Service/api', resource: 'Service/api', kind: 'UpdateService', summary: 'update service api', state: 'done' }],
    });
    p.result.resources = p.result.resources.map((r) =>
      r.resource === 'AliasRecord/api-dns' ? { ...r, phase: 'Failed', reason: 'Conflict', message: 'record api.example.com is owned by environment shop-staging' } : r,
    );
    await store.savePass(p.result, p.actual);

    const statuses = await store.loadStatuses('hist-r10');
    expect(statuses.find((s) => s.resource === 'AliasRecord/api-dns')?.lastError).toEqual({
      message: 'record api.example.com is owned by environment shop-staging',
      what: 'Conflict',
      at: p.result.finishedAt,
      passId: 'hist-r10/pass-1',
    });
    expect(statuses.find((s) => s.resource === 'Service/api')?.lastError).toBeUndefined();
  });

  it('a pass item stays bounded: at most 20 failures, and no report too big for one part (never a part of one)', async () => {
    const store = t.store();
    const outcomes = Array.from({ length: 21 }, (_, i) => ({ actionId: `a${i}`, resource: 'Service/api', kind: 'UpdateService' as const, summary: `change ${i}`, state: 'failed' as const, message: `refused ${i}` }));
    // Random text compresses to more than the 200 KB a pass item keeps of a report.
    const report = { text: randomBytes(300_000).toString('base64') };

    await store.savePass(pass('hist-r11', 1, { outcomes }).result, undefined, { report });

    const last = await store.lastPass('hist-r11');
    expect(last?.failures?.map((f) => f.summary)).toEqual(outcomes.slice(0, 20).map((o) => o.summary));
    expect(last).not.toHaveProperty('report');
  });

  it('a pass registers its environment as an environment item naming the last pass', async () => {
    const store = t.store();
    const p = pass('hist-r12', 1);

    await store.savePass(p.result, p.actual);

    const item = (await DynamoDBDocumentClient.from(t.client).send(new GetCommand({ TableName: t.tableName, Key: keys.environment('hist-r12'), ConsistentRead: true }))).Item;
    expect(item).toMatchObject({ type: 'environment', environment: 'hist-r12', lastPassId: 'hist-r12/pass-1', lastPassAt: p.result.finishedAt, lastOutcome: 'ok' });
  });

  it('the last pass is the newest of several', async () => {
    const store = t.store();
    await store.savePass(pass('hist-r13', 1).result);
    t.clock.advance(60_000);
    await store.savePass(pass('hist-r13', 2).result);

    expect((await store.lastPass('hist-r13'))?.passId).toBe('hist-r13/pass-2');
  });

  it('a snapshot with a part missing is refused, saying which part of which pass', async () => {
    const store = t.store({ snapshotPartBytes: 64 });
    const p = pass('hist-r14', 1);
    await store.savePass(p.result, p.actual);
    await DynamoDBDocumentClient.from(t.client).send(new DeleteCommand({ TableName: t.tableName, Key: keys.snapshot('hist-r14', 'Service/api', 1) }));

    await expect(store.loadSnapshot('hist-r14', 'Service/api')).rejects.toThrow(/: part 1 of \d+ \(pass hist-r14\/pass-1\) is missing$/);
    expect(Object.keys(await store.loadSnapshots('hist-r14'))).not.toContain('Service/api');
  });

  it('a snapshot whose first part is missing is left out of the snapshots of its environment, never an error', async () => {
    const store = t.store({ snapshotPartBytes: 64 });
    const p = pass('hist-r15', 1);
    await store.savePass(p.result, p.actual);
    await DynamoDBDocumentClient.from(t.client).send(new DeleteCommand({ TableName: t.tableName, Key: keys.snapshot('hist-r15', 'Service/api', 0) }));

    expect(await store.loadSnapshot('hist-r15', 'Service/api')).toBeUndefined();
    expect(Object.keys(await store.loadSnapshots('hist-r15')).sort()).toEqual(['AliasRecord/api-dns', 'Environment/hist-r15', 'Migration/db-migrate']);
  });

  it('a resource gone from the specs has its open drift closed as gone by the complete pass that removes its status', async () => {
    const store = t.store();
    const d = { resource: 'AliasRecord/api-dns', key: 'AliasRecord/api-dns#target', summary: 'alias points elsewhere', diff: [], detectedAt: t.clock.now() - 15_000 };
    const p1 = pass('hist-r16', 1, { drift: [d] });
    await store.savePass(p1.result, p1.actual);
    t.clock.advance(60_000);

    const p2 = pass('hist-r16', 2);
    p2.result.resources = p2.result.resources.filter((r) => r.resource !== 'AliasRecord/api-dns');
    await store.savePass(p2.result, p2.actual);

    expect((await store.loadStatuses('hist-r16')).map((s) => s.resource)).not.toContain('AliasRecord/api-dns');
    expect(await store.listDrift('hist-r16', 0)).toEqual([expect.objectContaining({ key: d.key, resolution: 'gone', healedAt: p2.actual.observedAt, healedBy: 'hist-r16/pass-2' })]);
  });

  it("a status keeps its notes and its Maintenance's state", async () => {
    const store = t.store();
    const p = pass('hist-r17', 1);
    const maintenance = { state: 'on' as const, source: 'command' as const, since: t.clock.now() - 60_000, by: 'ana', reason: 'db upgrade', until: t.clock.now() + 3_600_000 };
    p.result.resources = p.result.resources.map((r) => (r.resource === 'Service/api' ? { ...r, notes: ['desiredCount is owned by autoscaling'], maintenance } : r));

    await store.savePass(p.result, p.actual);

    const api = (await store.loadStatuses('hist-r17')).find((s) => s.resource === 'Service/api')!;
    expect(api.notes).toEqual(['desiredCount is owned by autoscaling']);
    expect(api.maintenance).toEqual(maintenance);
  });

  it('a status keeps its diff and wiring evidence bounded, and nothing at the bounds is cut', async () => {
    const store = t.store();
    const p = pass('hist-r4', 1);
    const at1000 = 'a'.repeat(1000);
    const over = 'b'.repeat(1001);
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ path: `environment[${i}]`, before: undefined, after: `v${i}` }));
    const twenty = Array.from({ length: 20 }, (_, i) => `10.0.0.${i}:8000`);
    const chain: WiringChain = {
      names: ['api.example.com'],
      checkedAt: t.clock.now(),
      links: [{ name: 'targets', status: 'broken', ok: false, summary: over, evidence: { healthy: 0, draining: false, unhealthy: twenty, note: over, at: at1000 } }],
    };
    p.result.resources = p.result.resources.map((r) =>
      r.resource === 'Service/api' ? { ...r, diff: [...entries(49), { path: 'image', before: at1000, after: over }], wiring: chain } : r.resource === 'Migration/db-migrate' ? { ...r, diff: entries(51) } : r,
    );
    await store.savePass(p.result, p.actual);

    const statuses = await store.loadStatuses('hist-r4');
    const api = statuses.find((s) => s.resource === 'Service/api')!;
    expect(api.diff).toHaveLength(50);
    expect(api.diff[0]).toEqual({ path: 'environment[0]', after: 'v0' });
    expect(api.diff[49]).toEqual({ path: 'image', before: at1000, after: `${'b'.repeat(999)}…` });
    expect(api.wiring!.links[0]).toEqual({ ...chain.links[0], summary: `${'b'.repeat(999)}…`, evidence: { healthy: 0, draining: false, unhealthy: twenty, note: `${'b'.repeat(999)}…`, at: at1000 } });
    expect(api.wiring!.links[0]).not.toHaveProperty('message');
    const migration = statuses.find((s) => s.resource === 'Migration/db-migrate')!;
    expect(migration.diff).toHaveLength(51);
    expect(migration.diff.slice(48)).toEqual([{ path: 'environment[48]', after: 'v48' }, { path: 'environment[49]', after: 'v49' }, { path: '… 1 more differences' }]);
  });

  it("one resource's failure is never another resource's last error", async () => {
    const store = t.store();
    const p = pass('hist-r2', 1, {
      outcomes: [
        { actionId: 'update:Service/api', resource: 'Service/api', kind: 'UpdateService', summary: 'update service api', state: 'failed', message: 'AccessDeniedException: not authorized', awsName: 'AccessDeniedException', finishedAt: t.clock.now() - 1_000 },
      ],
    });
    await store.savePass(p.result, p.actual);

    const statuses = await store.loadStatuses('hist-r2');
    expect(statuses.find((s) => s.resource === 'Service/api')?.lastError).toMatchObject({ message: 'AccessDeniedException: not authorized' });
    expect(statuses.find((s) => s.resource === 'Migration/db-migrate')?.lastError).toBeUndefined();
    expect(statuses.find((s) => s.resource === 'AliasRecord/api-dns')?.lastError).toBeUndefined();
  });

  it('a snapshot whose parts come from two passes is refused, never decoded as one', async () => {
    const store = t.store({ snapshotPartBytes: 64 });
    const p = pass('hist-r3', 1);
    await store.savePass(p.result, p.actual);
    const head = await store.loadSnapshot('hist-r3', 'Service/api');
    expect(head).toBeDefined();
    // A later pass died after writing part 1 of its own snapshot, and before part 0.
    const key = keys.snapshot('hist-r3', 'Service/api', 1);
    await DynamoDBDocumentClient.from(t.client).send(
      new PutCommand({ TableName: t.tableName, Item: { ...key, type: 'snapshot', environment: 'hist-r3', resource: 'Service/api', passId: 'hist-r3/pass-2', part: 1, data: new Uint8Array([1, 2, 3]) } }),
    );

    await expect(store.loadSnapshot('hist-r3', 'Service/api')).rejects.toThrow(/part 1 of \d+ \(pass hist-r3\/pass-1\) is missing$/);
    expect(Object.keys(await store.loadSnapshots('hist-r3')).sort()).toEqual(['AliasRecord/api-dns', 'Environment/hist-r3', 'Migration/db-migrate']);
  });

  it('a healed drift record is a drift item naming at most 20 of the changes that healed it', async () => {
    const store = t.store();
    const seen = t.clock.now() - 15_000;
    const d = { resource: 'Service/api', key: 'Service/api#count', summary: 'count 1, spec 2', diff: [], detectedAt: seen };
    const p1 = pass('hist-r5', 1, { mode: 'observe', drift: [d] });
    await store.savePass(p1.result, p1.actual);
    t.clock.advance(60_000);
    const outcomes = Array.from({ length: 21 }, (_, i) => ({ actionId: `a${i}`, resource: 'Service/api', kind: 'UpdateService' as const, summary: `change ${i}`, state: 'done' as const }));
    const p2 = pass('hist-r5', 2, { drift: [{ ...d, detectedAt: t.clock.now() - 5_000, healedAt: t.clock.now() }], outcomes });
    await store.savePass(p2.result, p2.actual);

    const [record] = await store.listDrift('hist-r5', 0);
    expect(record.healedWith).toEqual(outcomes.slice(0, 20).map((o) => o.summary));
    const items = await DynamoDBDocumentClient.from(t.client).send(
      new QueryCommand({ TableName: t.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': keys.environmentPk('hist-r5'), ':p': 'DRIFT#' } }),
    );
    expect(items.Items!.map((i) => i.type)).toEqual(['drift']);
  });

  it('closing a drift whose record the table lost is no error, and writes no record back', async () => {
    const store = t.store();
    const d = { resource: 'Service/api', key: 'Service/api#count', summary: 'count 1, spec 2', diff: [], detectedAt: t.clock.now() - 15_000 };
    const p1 = pass('hist-r6', 1, { mode: 'observe', drift: [d] });
    await store.savePass(p1.result, p1.actual);
    const [open] = await store.listDrift('hist-r6', 0);
    await DynamoDBDocumentClient.from(t.client).send(new DeleteCommand({ TableName: t.tableName, Key: keys.drift('hist-r6', open.detectedAt, open.key) }));
    t.clock.advance(60_000);

    const p2 = pass('hist-r6', 2);
    await store.savePass(p2.result, p2.actual);

    expect(await store.listDrift('hist-r6', 0)).toEqual([]);
    expect((await store.lastPass('hist-r6'))?.passId).toBe('hist-r6/pass-2');
  });

  it('a drift that cannot be closed for another reason than a refused condition fails the save, saying which drift', async () => {
    const store = t.store();
    const d = { resource: 'Service/api', key: 'Service/api#count', summary: 'count 1, spec 2', diff: [], detectedAt: t.clock.now() - 15_000 };
    const p1 = pass('hist-r7', 1, { mode: 'observe', drift: [d] });
    await store.savePass(p1.result, p1.actual);
    const ours = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'ap-northeast-1' });
    ours.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateItemCommand') {
          throw new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded.', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name: 'throttle-updates' },
    );
    try {
      t.clock.advance(60_000);
      const p2 = pass('hist-r7', 2);
      const err = await t.store({ client: ours }).savePass(p2.result, p2.actual).catch((e: unknown) => e);

      expect((err as Error).message).toMatch(/^saving pass hist-r7\/pass-2 of environment hist-r7 to table steady-state-rules \(closing drift DRIFT#[^)]+\): ProvisionedThroughputExceededException/);
      // The pass item is written last: a save that failed records no pass.
      expect((await store.lastPass('hist-r7'))?.passId).toBe('hist-r7/pass-1');
      expect((await store.listDrift('hist-r7', 0)).map((r) => r.resolution)).toEqual([undefined]);
    } finally {
      ours.destroy();
    }
  });

  it('a pass is found by its id, with its report; a malformed, impossible or unknown id finds nothing', async () => {
    const store = t.store();
    const startedAt = t.clock.now() - 20_000;
    const id = `hist-r8/${new Date(startedAt).toISOString()}/k3x9a1`;
    await store.savePass(pass('hist-r8', 1, { passId: id }).result, undefined, { report: { lines: ['all synced'] } });
    // Another pass of the environment, started in the same hour.
    t.clock.advance(60_000);
    const other = `hist-r8/${new Date(t.clock.now() - 20_000).toISOString()}/b7c2d0`;
    await store.savePass(pass('hist-r8', 2, { passId: other }).result);

    expect(await store.passById(id)).toMatchObject({ passId: id, environment: 'hist-r8', startedAt, report: { lines: ['all synced'] } });
    expect((await store.passById(other))?.passId).toBe(other);
    expect(await store.passById('hist-r8/yesterday/k3x9a1')).toBeUndefined();
    expect(await store.passById(`hist-r8/2026-13-01T00:00:00.000Z/k3x9a1`)).toBeUndefined();
    expect(await store.passById(`hist-r8/${new Date(startedAt).toISOString()}/zzzzzz`)).toBeUndefined();
    expect(await store.passById(`hist-r8/${new Date(startedAt).toISOString()}/K3X9A1`)).toBeUndefined();
  });

  it('a pass is found by its id even when it claimed a migration: the ledger entry bearing its id is never taken for the pass', async () => {
    // Ledger items (sk MIGRATION#…) carry the id of the pass that claimed them; only pass items are read.
    const store = t.store();
    const startedAt = t.clock.now() - 20_000;
    const id = `hist-r9/${new Date(startedAt).toISOString()}/m1g2r3`;
    await store.claimMigration({ environment: 'hist-r9', ...VERSION, passId: id });
    await store.recordMigrationTask({ environment: 'hist-r9', ...VERSION, taskArn: 'arn:task/7' });
    await store.savePass(pass('hist-r9', 1, { passId: id }).result);

    const found = await store.passById(id);

    expect(found).toMatchObject({ passId: id, environment: 'hist-r9', startedAt, outcome: 'ok' });
    expect(found).not.toHaveProperty('migration');
    expect(found).not.toHaveProperty('taskArn');
  });
});

describe('notices', () => {
  it('a notice is claimed by exactly one of two racing callers, and by nobody after', async () => {
    const store = t.store();

    const first = await Promise.all([store.claimNotice('specs-removed#a#b', 'pass-1'), store.claimNotice('specs-removed#a#b', 'pass-2')]);
    const later = await store.claimNotice('specs-removed#a#b', 'pass-3');

    expect(first.filter(Boolean)).toHaveLength(1);
    expect(later).toBe(false);
    const item = (await DynamoDBDocumentClient.from(t.client).send(new GetCommand({ TableName: t.tableName, Key: keys.notice('specs-removed#a#b'), ConsistentRead: true }))).Item;
    expect(item).toMatchObject({ type: 'notice', notice: 'specs-removed#a#b', by: first[0] ? 'pass-1' : 'pass-2', at: t.clock.now() });
  });

  it('a throttled notice claim is an error saying which notice, never "already said"', async () => {
    const ours = new DynamoDBClient({ region: process.env.AWS_REGION ?? 'ap-northeast-1' });
    ours.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutItemCommand') {
          throw new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded.', $metadata: {} });
        }
        return next(args);
      },
      { step: 'initialize', name: 'throttle-puts' },
    );
    try {
      await expect(t.store({ client: ours }).claimNotice('specs-removed#c#d', 'pass-1')).rejects.toThrow(
        /^claiming notice specs-removed#c#d \(table steady-state-rules\): ProvisionedThroughputExceededException/,
      );
      expect(await t.store().claimNotice('specs-removed#c#d', 'pass-2')).toBe(true);
    } finally {
      ours.destroy();
    }
  });
});
