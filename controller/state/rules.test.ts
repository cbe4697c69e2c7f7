/**
 * The ledger's and the history's rules that mutation testing found unguarded (docs/mutation.md),
 * against a real DynamoDB-protocol server: a throttled write is an error, never a refusal; a pass
 * that did not complete removes nothing; a resource's last error is its own; a snapshot is never
 * pieced together from two passes.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PassResult } from '../model/pass.js';
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
});

describe('history', () => {
  it('a pass that did not complete never removes a status: failed with a plan, or ok without one', async () => {
    const store = t.store();
    const first = pass('hist-r1', 1);
    await store.savePass(first.result, first.actual);
    const withoutAlias = (r: PassResult) => r.resources.filter((s) => s.resource !== 'AliasRecord/api-dns');

    for (const [n, overrides] of [
      [2, { outcome: 'failed', error: 'converge failed' }],
      [3, { outcome: 'ok', plan: undefined }],
    ] as const) {
      t.clock.advance(60_000);
      const p = pass('hist-r1', n, overrides as Partial<PassResult>);
      p.result.resources = withoutAlias(p.result);
      await store.savePass(p.result, p.actual);

      expect((await store.loadStatuses('hist-r1')).map((s) => s.resource).sort()).toEqual(['AliasRecord/api-dns', 'Migration/db-migrate', 'Service/api']);
    }
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
});
