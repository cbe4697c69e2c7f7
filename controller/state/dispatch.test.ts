/**
 * The dispatcher's memory of what it last sent each environment (state/dispatch.ts), against a real
 * DynamoDB-protocol server: saved and loaded whole, one item per environment, kept apart from the
 * environments' own items, and every failure saying what it was doing in which table.
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StateStoreError } from '../errors.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { DispatchMemory, type DispatchRecord } from './dispatch.js';

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable('steady-state-dispatch');
});
afterAll(() => t.close());

const record = (environment: string, specHash: string, dispatchedAt: number): DispatchRecord => ({ environment, specHash, commit: `c-${specHash}`, dispatchedAt });

describe("the dispatcher's memory", () => {
  it('remembers the last dispatch of each environment, by name, the newer one replacing the older', async () => {
    const memory = new DispatchMemory(t.client, t.tableName, t.clock);
    expect(await memory.load()).toEqual(new Map());

    await memory.save([record('shop', 'h1', 1_000), record('blog', 'h2', 1_000)]);
    await memory.save([record('shop', 'h3', 2_000)]);

    expect(await memory.load()).toEqual(
      new Map([
        ['blog', record('blog', 'h2', 1_000)],
        ['shop', record('shop', 'h3', 2_000)],
      ]),
    );
    const doc = DynamoDBDocumentClient.from(t.client);
    expect((await doc.send(new GetCommand({ TableName: t.tableName, Key: { pk: 'DISPATCHED', sk: 'shop' } }))).Item).toEqual({
      pk: 'DISPATCHED',
      sk: 'shop',
      type: 'dispatch',
      ...record('shop', 'h3', 2_000),
    });
  });

  it("loads only its own items, never an environment's, and hands back only the record's fields", async () => {
    const local = await startStateTable('steady-state-dispatch-own');
    try {
      await local.store().acquireLease('shop', 'pass-1', 5 * 60_000);
      const memory = new DispatchMemory(local.client, local.tableName, local.clock);
      await memory.save([record('shop', 'h1', 1_000)]);

      const loaded = await memory.load();

      expect([...loaded.entries()]).toEqual([['shop', record('shop', 'h1', 1_000)]]);
      expect(Object.keys(loaded.get('shop')!).sort()).toEqual(['commit', 'dispatchedAt', 'environment', 'specHash']);
    } finally {
      await local.close();
    }
  });

  it('saves many environments in one go (more than one BatchWriteItem)', async () => {
    const memory = new DispatchMemory(t.client, t.tableName, t.clock);
    const many = Array.from({ length: 60 }, (_, i) => record(`env-${String(i).padStart(2, '0')}`, `h${i}`, 3_000));

    await memory.save(many);

    const loaded = await memory.load();
    for (const r of many) expect(loaded.get(r.environment)).toEqual(r);
  });

  it('saving nothing asks DynamoDB nothing (not even a table that does not exist)', async () => {
    await expect(new DispatchMemory(t.client, 'no-such-table', t.clock).save([])).resolves.toBeUndefined();
  });

  it('a table it cannot use fails loading and saving with what it was doing, in which table', async () => {
    const local = await startStateTable('steady-state-dispatch-gone');
    try {
      await local.client.send(new DeleteTableCommand({ TableName: local.tableName }));
      const memory = new DispatchMemory(local.client, local.tableName, local.clock);

      const loading = await memory.load().catch((e: unknown) => e);
      const saving = await memory.save([record('shop', 'h1', 1), record('blog', 'h2', 1)]).catch((e: unknown) => e);

      expect(loading).toBeInstanceOf(StateStoreError);
      expect((loading as Error).message).toMatch(/^reading the dispatcher's spec hashes from table steady-state-dispatch-gone: ResourceNotFoundException: /);
      expect(saving).toBeInstanceOf(StateStoreError);
      expect((saving as Error).message).toMatch(
        /^recording the spec hashes of 2 dispatched environments \(BatchWriteItem of 2 items to table steady-state-dispatch-gone\): ResourceNotFoundException: /,
      );
    } finally {
      await local.close();
    }
  });
});
