/**
 * The state table's definition (state/table.ts): the `CreateTable` input the tests and the demo use
 * (the CDK app builds the same table from STATE_TABLE), created on a real DynamoDB-protocol server.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStoreError } from '../errors.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { BY_TIME_INDEX, createStateTable, stateTableInput } from './table.js';

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable('steady-state-table');
});
afterAll(() => t.close());

describe('the state table', () => {
  it('is keyed by pk and sk (strings), pays per request, and has the time-ordered index on gsi1pk and gsi1sk with every attribute', () => {
    expect(stateTableInput('steady-state')).toEqual({
      TableName: 'steady-state',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byTime',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    expect(BY_TIME_INDEX).toBe('byTime');
  });

  it('is created as defined', async () => {
    await createStateTable(t.client, 'steady-state-created');

    const { Table } = await t.client.send(new DescribeTableCommand({ TableName: 'steady-state-created' }));

    expect(Table).toMatchObject({
      TableName: 'steady-state-created',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [{ IndexName: 'byTime', KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }, { AttributeName: 'gsi1sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
    });
    expect(Table!.AttributeDefinitions).toHaveLength(4);
  });

  it('that already exists is a StateStoreError saying which table and what DynamoDB said', async () => {
    const err = await createStateTable(t.client, 'steady-state-table').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(StateStoreError);
    expect((err as Error).message).toMatch(/^creating state table steady-state-table: ResourceInUseException: /);
  });
});
