import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStoreError } from '../errors.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';

// Its own server: the test stops it.
let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable();
});
afterAll(() => t.close());

describe('a DynamoDB outage', () => {
  it('gives a clear transient error naming what was being done, and the held lease cannot be renewed', async () => {
    const store = t.store();
    const lease = await store.acquireLease('down-1', 'pass-a', 5 * 60_000);
    const expiresAt = lease.expiresAt;
    const port = new URL(t.server.endpoint).port;

    await t.server.close();
    const err = await store.acquireLease('down-2', 'pass-b', 5 * 60_000).catch((e: unknown) => e);
    const renew = await lease.renew().catch((e: unknown) => e);

    expect(err).toBeInstanceOf(StateStoreError);
    expect((err as StateStoreError).message).toBe(
      `acquiring the lease for environment down-2 as pass-b in table ${t.tableName}: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port} ` +
        '(DynamoDB could not be reached; the next pass tries again)',
    );
    expect((err as StateStoreError).transient).toBe(true);
    expect((renew as Error).message).toBe(
      `renewing the lease for environment down-1 as pass-a (version 1) in table ${t.tableName}: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port} ` +
        '(DynamoDB could not be reached; the next pass tries again)',
    );
    // Not renewed: the holder's own view still runs out when it did (the lease is on wall-clock time).
    expect(lease.expiresAt).toBe(expiresAt);
  });
});
