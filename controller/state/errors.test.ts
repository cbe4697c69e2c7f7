import { DeleteTableCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseHeldError, StateStoreError } from '../errors.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { createStateTable } from './table.js';

const TTL = 5 * 60_000;

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable();
});
afterAll(() => t.close());

/** Answers every DynamoDB call with `error` until removed (what the SDK throws once its retries ran out). */
function failWith(error: Error) {
  const name = `fail-${Math.random()}`;
  t.client.middlewareStack.add(
    () => async () => {
      throw error;
    },
    { step: 'initialize', name },
  );
  return () => t.client.middlewareStack.remove(name);
}

describe('state table failures', () => {
  it('name the table and ResourceNotFoundException when the table is gone, and history starts again once it is back', async () => {
    const store = t.store();
    const lease = await store.acquireLease('gone-1', 'pass-a', TTL);
    await lease.release();
    await t.client.send(new DeleteTableCommand({ TableName: t.tableName }));

    const err = await store.acquireLease('gone-1', 'pass-b', TTL).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(StateStoreError);
    expect((err as StateStoreError).message).toBe(
      `acquiring the lease for environment gone-1 as pass-b in table ${t.tableName}: ResourceNotFoundException: Requested resource not found ` +
        '(the state table does not exist in this account and region: deploy it, or check the table name steady was given)',
    );
    expect((err as StateStoreError).cause).toMatchObject({ name: 'ResourceNotFoundException' });
    expect((err as StateStoreError).transient).toBe(false);
    await expect(store.loadStatuses('gone-1')).rejects.toThrow(`reading statuses of environment gone-1 from table ${t.tableName}: ResourceNotFoundException`);

    await createStateTable(t.client, t.tableName);
    const fresh = await store.acquireLease('gone-1', 'pass-b', TTL);
    expect(fresh.version).toBe(1);
    expect(await store.lastPass('gone-1')).toBeUndefined();
  });

  it('tell a lease lost with the table from one taken over', async () => {
    const store = t.store();
    const lease = await store.acquireLease('gone-2', 'pass-a', TTL);
    await t.client.send(new DeleteTableCommand({ TableName: t.tableName }));
    await createStateTable(t.client, t.tableName);

    await expect(lease.renew()).rejects.toThrow(
      `renewing the lease for environment gone-2 as pass-a (version 1) in table ${t.tableName}: the lease item is gone (was the table recreated?); stop changing AWS`,
    );
    expect(lease.lost).toBe(true);
  });

  it('say DynamoDB is throttling, as a transient StateStoreError rather than a held lease', async () => {
    const store = t.store();
    const restore = failWith(new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded.', $metadata: {} }));
    let err: unknown;
    try {
      err = await store.acquireLease('throttled-1', 'pass-a', TTL).catch((e: unknown) => e);
    } finally {
      restore();
    }

    expect(err).toBeInstanceOf(StateStoreError);
    expect(err).not.toBeInstanceOf(LeaseHeldError);
    expect((err as StateStoreError).message).toBe(
      `acquiring the lease for environment throttled-1 as pass-a in table ${t.tableName}: ProvisionedThroughputExceededException: ` +
        'The level of configured provisioned throughput for the table was exceeded. (DynamoDB is throttling the state table and the SDK retries ran out; the next pass tries again)',
    );
    expect((err as StateStoreError).transient).toBe(true);
    expect((err as StateStoreError).cause).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(await store.readLease('throttled-1')).toBeUndefined();
  });

  it('turn a throttled claim into an error, never into "already claimed"', async () => {
    const store = t.store();
    const restore = failWith(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    let err: unknown;
    try {
      err = await store.claimMigration({ environment: 'throttled-2', migration: 'db-migrate', version: 'v1', attempt: 0, passId: 'pass-a' }).catch((e: unknown) => e);
    } finally {
      restore();
    }

    expect((err as Error).message).toBe(
      `claiming migration db-migrate version v1 attempt 0 in environment throttled-2 (table ${t.tableName}): ThrottlingException: Rate exceeded ` +
        '(DynamoDB is throttling the state table and the SDK retries ran out; the next pass tries again)',
    );
    await expect(store.claimMigration({ environment: 'throttled-2', migration: 'db-migrate', version: 'v1', attempt: 0, passId: 'pass-a' })).resolves.toMatchObject({ claimed: true });
  });
});
