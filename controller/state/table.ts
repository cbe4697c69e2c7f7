/**
 * The state table, defined once: the CDK app and the tests create it from this data, and every
 * key the store writes is built here. Single-table design; `README.md` beside this file describes
 * every item type.
 */
import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StateStoreError } from '../errors.js';
import { describeDynamoError } from './dynamo.js';

/** The table's shape as plain data (what `CreateTable` and the CDK `Table` construct both need). */
export const STATE_TABLE = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  /** Epoch *seconds* (DynamoDB's TTL unit) after which DynamoDB may delete a history item. */
  timeToLiveAttribute: 'ttl',
  billingMode: 'PAY_PER_REQUEST',
  globalSecondaryIndexes: [
    {
      /** Pass and drift items of every environment in time order (`steady history` without `--env`). */
      indexName: 'byTime',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
      projection: 'ALL',
    },
  ],
} as const;

/** The name of the time-ordered index. */
export const BY_TIME_INDEX = STATE_TABLE.globalSecondaryIndexes[0].indexName;

/** Retention of history items when the store is not told otherwise: 90 days. */
export const DEFAULT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

/** The `CreateTable` input for the state table called `tableName`. */
export function stateTableInput(tableName: string): CreateTableCommandInput {
  const t = STATE_TABLE;
  const attributes = new Map<string, 'S'>();
  for (const k of [t.partitionKey, t.sortKey, ...t.globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey])]) {
    attributes.set(k.name, k.type);
  }
  return {
    TableName: tableName,
    BillingMode: t.billingMode,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: t.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: t.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: t.globalSecondaryIndexes.map((g) => ({
      IndexName: g.indexName,
      KeySchema: [
        { AttributeName: g.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: g.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: g.projection },
    })),
  };
}

/**
 * Creates the state table (tests and the demo; production tables come from the CDK app). TTL is
 * switched on by the CDK app; the local DynamoDB server has no `UpdateTimeToLive`, so it is not
 * attempted here.
 *
 * @example
 * await createStateTable(new DynamoDBClient({ region }), 'steady-state');
 */
export async function createStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(stateTableInput(tableName)));
  } catch (cause) {
    throw new StateStoreError(describeDynamoError(`creating state table ${tableName}`, cause), { cause });
  }
}

// ------------------------------------------------------------------------------------------ keys

/** Every key the store reads or writes. Times in sort keys are ISO-8601 (UTC), so they sort. */
export const keys = {
  environmentPk: (environment: string) => `ENV#${environment}`,
  lease: (environment: string) => ({ pk: keys.environmentPk(environment), sk: 'LEASE' }),
  status: (environment: string, resource: string) => ({ pk: keys.environmentPk(environment), sk: `STATUS#${resource}` }),
  /** Part 0 of a snapshot carries the header; parts 1.. hold the rest of the bytes. */
  snapshot: (environment: string, resource: string, part = 0) => ({
    pk: keys.environmentPk(environment),
    sk: part === 0 ? `SNAPSHOT#${resource}` : `SNAPSHOT#${resource}#${String(part).padStart(3, '0')}`,
  }),
  pass: (environment: string, startedAt: number, passId: string) => ({
    pk: keys.environmentPk(environment),
    sk: `PASS#${iso(startedAt)}#${passId}`,
  }),
  drift: (environment: string, detectedAt: number, key: string) => ({
    pk: keys.environmentPk(environment),
    sk: `DRIFT#${iso(detectedAt)}#${key}`,
  }),
  migration: (environment: string, migration: string, version: string, attempt: number) => ({
    pk: keys.environmentPk(environment),
    sk: `MIGRATION#${migration}#${version}#${String(attempt).padStart(4, '0')}`,
  }),
  alert: (environment: string, key: string) => ({ pk: keys.environmentPk(environment), sk: `ALERT#${key}` }),
  /** What the table remembers of one Maintenance: a command's window, the automatic mode, the restore record's copy. */
  maintenance: (environment: string, name: string) => ({ pk: keys.environmentPk(environment), sk: `MAINTENANCE#${name}` }),
  /** One maintenance switch (history). */
  maintenanceEvent: (environment: string, at: number, name: string) => ({ pk: keys.environmentPk(environment), sk: `MAINTEVENT#${iso(at)}#${name}` }),
  /** The registry of environments that have recorded a pass (for `steady status` without `--env`). */
  environment: (environment: string) => ({ pk: 'ENVIRONMENTS', sk: environment }),
  environmentsPk: 'ENVIRONMENTS',
  /** A notice said once across every invocation (`claimNotice`): what the commit HEAD moved to no longer holds. */
  notice: (notice: string) => ({ pk: 'NOTICES', sk: notice }),
} as const;

/** Sort-key prefixes of the item types that are listed by `begins_with`. */
export const SK = {
  status: 'STATUS#',
  snapshot: 'SNAPSHOT#',
  pass: 'PASS#',
  drift: 'DRIFT#',
  alert: 'ALERT#',
  migration: 'MIGRATION#',
  maintenance: 'MAINTENANCE#',
  maintenanceEvent: 'MAINTEVENT#',
} as const;

/** Partition keys of the `byTime` index. */
export const GSI1 = { pass: 'PASS', drift: 'DRIFT' } as const;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
