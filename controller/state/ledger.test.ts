import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStoreError } from '../errors.js';
import type { AlertState } from '../model/alerts.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { keys } from './table.js';

const RETENTION = 90 * 24 * 60 * 60 * 1000;
const TASK = 'arn:aws:ecs:ap-northeast-1:123456789012:task/prod/0123456789abcdef0123456789abcdef';

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable();
});
afterAll(() => t.close());

async function stored(key: { pk: string; sk: string }) {
  return (await DynamoDBDocumentClient.from(t.client).send(new GetCommand({ TableName: t.tableName, Key: key, ConsistentRead: true }))).Item;
}

describe('the migration ledger', () => {
  it('stores a claim as one item per environment, migration, version and attempt', async () => {
    const store = t.store();
    const now = t.clock.now();

    const claim = await store.claimMigration({ environment: 'led-1', migration: 'db-migrate', version: 'v1', attempt: 0, passId: 'pass-a' });

    expect(claim).toEqual({
      claimed: true,
      entry: { environment: 'led-1', migration: 'db-migrate', version: 'v1', attempt: 0, passId: 'pass-a', claimedAt: now, state: 'claimed' },
    });
    expect(await stored(keys.migration('led-1', 'db-migrate', 'v1', 0))).toEqual({
      pk: 'ENV#led-1',
      sk: 'MIGRATION#db-migrate#v1#0000',
      type: 'migration',
      environment: 'led-1',
      migration: 'db-migrate',
      version: 'v1',
      attempt: 0,
      passId: 'pass-a',
      claimedAt: now,
      state: 'claimed',
      ttl: Math.floor((now + RETENTION) / 1000),
    });
  });

  it('gives exactly one of two racing claims the run; the other learns who has it', async () => {
    const store = t.store();
    const key = { environment: 'led-2', migration: 'db-migrate', version: 'v7', attempt: 0 };

    const [a, b] = await Promise.all([store.claimMigration({ ...key, passId: 'pass-a' }), store.claimMigration({ ...key, passId: 'pass-b' })]);

    const winners = [a, b].filter((c) => c.claimed);
    const losers = [a, b].filter((c) => !c.claimed);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0]).toMatchObject({ claimed: false, by: winners[0].entry.passId, state: 'claimed' });
    expect(losers[0]).not.toHaveProperty('taskArn', expect.anything());
  });

  it('tells a later claimer the task and state the winner recorded', async () => {
    const store = t.store();
    const key = { environment: 'led-3', migration: 'db-migrate', version: 'v1', attempt: 0 };
    await store.claimMigration({ ...key, passId: 'pass-a' });
    await store.recordMigrationTask({ ...key, taskArn: TASK });

    const claim = await store.claimMigration({ ...key, passId: 'pass-b' });

    expect(claim).toMatchObject({ claimed: false, by: 'pass-a', taskArn: TASK, state: 'started' });
  });

  it('treats a new attempt of the same version as a new run', async () => {
    const store = t.store();
    const key = { environment: 'led-4', migration: 'db-migrate', version: 'v1' };
    await store.claimMigration({ ...key, attempt: 0, passId: 'pass-a' });

    const retry = await store.claimMigration({ ...key, attempt: 1, passId: 'pass-b' });

    expect(retry.claimed).toBe(true);
    expect((await store.listMigrations('led-4', 'db-migrate')).map((m) => [m.attempt, m.passId])).toEqual([
      [0, 'pass-a'],
      [1, 'pass-b'],
    ]);
  });

  it('records the task and then the result of a run', async () => {
    const store = t.store();
    const key = { environment: 'led-5', migration: 'db-migrate', version: 'v1', attempt: 0 };
    await store.claimMigration({ ...key, passId: 'pass-a' });
    const startedAt = t.clock.now();

    const started = await store.recordMigrationTask({ ...key, taskArn: TASK });
    t.clock.advance(90_000);
    const finished = await store.recordMigrationResult({ ...key, result: 'failed', reason: 'exit code 1 in container app' });

    expect(started).toMatchObject({ state: 'started', taskArn: TASK, startedAt });
    expect(finished).toMatchObject({ state: 'failed', taskArn: TASK, startedAt, finishedAt: startedAt + 90_000, reason: 'exit code 1 in container app', passId: 'pass-a' });
    expect(await store.getMigration(key)).toEqual(finished);
  });

  it('accepts the same task recorded twice, and refuses a different one', async () => {
    const store = t.store();
    const key = { environment: 'led-6', migration: 'db-migrate', version: 'v1', attempt: 0 };
    await store.claimMigration({ ...key, passId: 'pass-a' });
    await store.recordMigrationTask({ ...key, taskArn: TASK });

    await expect(store.recordMigrationTask({ ...key, taskArn: TASK })).resolves.toMatchObject({ taskArn: TASK });
    const err = await store.recordMigrationTask({ ...key, taskArn: `${TASK}ff` }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(StateStoreError);
    expect((err as Error).message).toBe(
      `recording task ${TASK}ff of migration db-migrate version v1 attempt 0 in environment led-6 (table ${t.tableName}): the ledger already records task ${TASK} for it (claimed by pass-a)`,
    );
  });

  it('refuses to record a task for a run nobody claimed', async () => {
    const store = t.store();

    const err = await store.recordMigrationTask({ environment: 'led-7', migration: 'db-migrate', version: 'v1', attempt: 0, taskArn: TASK }).catch((e: unknown) => e);

    expect((err as Error).message).toBe(
      `recording task ${TASK} of migration db-migrate version v1 attempt 0 in environment led-7 (table ${t.tableName}): migration db-migrate version v1 attempt 0 in environment led-7 was never claimed; claim it before RunTask`,
    );
    expect(await stored(keys.migration('led-7', 'db-migrate', 'v1', 0))).toBeUndefined();
  });

  it('records a result even when the claim was lost with the table, so the version stays taken', async () => {
    const store = t.store();
    const key = { environment: 'led-8', migration: 'db-migrate', version: 'v1', attempt: 0 };

    await store.recordMigrationResult({ ...key, result: 'succeeded', taskArn: TASK, passId: 'pass-z' });
    const claim = await store.claimMigration({ ...key, passId: 'pass-b' });

    expect(claim).toMatchObject({ claimed: false, by: 'pass-z', taskArn: TASK, state: 'succeeded' });
  });
});

describe('the alert store', () => {
  const alert = (key: string, extra: Partial<AlertState> = {}): AlertState => ({
    key,
    resource: 'Service/api',
    kind: 'drift',
    summary: `drift ${key}`,
    firstSeenAt: 1_000,
    notifications: 1,
    ...extra,
  });

  it('returns what was saved, per environment, and forgets what was removed', async () => {
    const store = t.store();
    await store.save('al-1', [alert('a', { lastNotifiedAt: 2_000 }), alert('b', { pending: 'healed' })], []);
    await store.save('al-2', [alert('c')], []);

    await store.save('al-1', [alert('b', { notifications: 2 })], ['a']);

    expect(await store.load('al-1')).toEqual([alert('b', { notifications: 2 })]);
    expect(await store.load('al-2')).toEqual([alert('c')]);
    expect(await store.load('al-3')).toEqual([]);
  });

  it('keeps alerts as items with a TTL', async () => {
    const store = t.store();
    await store.save('al-4', [alert('x')], []);

    expect(await stored(keys.alert('al-4', 'x'))).toMatchObject({ type: 'alert', environment: 'al-4', key: 'x', ttl: Math.floor((t.clock.now() + RETENTION) / 1000) });
  });
});
