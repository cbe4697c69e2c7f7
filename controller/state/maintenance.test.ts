/**
 * What the state table remembers of Maintenances (state/maintenance.ts through the store), against
 * a real DynamoDB-protocol server: each Maintenance's memory whole, its switches as history, a
 * command's window set and ended. Written for the paths no state/ test ran (docs/mutation.md).
 */
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MaintenanceEvent, MaintenanceMemory } from '../model/maintenance.js';
import { startStateTable, type LocalStateTable } from '../testing/state-table.js';
import { keys } from './table.js';

const RETENTION = 90 * 24 * 60 * 60 * 1000;
const HOUR = 3_600_000;

let t: LocalStateTable;
beforeAll(async () => {
  t = await startStateTable('steady-state-maintenance');
});
afterAll(() => t.close());

const automatic = (now: number) => ({ active: true, since: now - HOUR, reason: 'api: no healthy targets', brokenPasses: 3, readyPasses: 0, switchesOn: [now - HOUR], lastSwitchAt: now - HOUR });

describe('maintenance memory', () => {
  it("each Maintenance's memory is saved whole and loaded by name; its switches are history, newest first, since a time", async () => {
    const store = t.store();
    const now = t.clock.now();
    const memories: MaintenanceMemory[] = [
      { name: 'api-page', automatic: automatic(now), last: { state: 'on', source: 'automatic', since: now - HOUR, reason: 'api: no healthy targets' } },
      { name: 'shop-page', override: { by: 'ana', reason: 'db upgrade', at: now - 60_000, until: now + HOUR } },
    ];
    const events: MaintenanceEvent[] = [
      { environment: 'm-1', name: 'api-page', at: now - 2 * HOUR, switched: 'off', source: 'automatic', passId: 'm-1/pass-1' },
      { environment: 'm-1', name: 'api-page', at: now - HOUR, switched: 'on', source: 'automatic', reason: 'api: no healthy targets', passId: 'm-1/pass-2' },
    ];

    await store.saveMaintenance('m-1', memories, events);
    await store.saveMaintenance('m-1', [], []);

    expect(await store.loadMaintenance('m-1')).toEqual({ 'api-page': memories[0], 'shop-page': memories[1] });
    expect(await store.loadMaintenance('m-2')).toEqual({});
    expect(await store.listMaintenanceEvents('m-1', now - 3 * HOUR)).toEqual([events[1], events[0]]);
    expect(await store.listMaintenanceEvents('m-1', now - HOUR - 1)).toEqual([events[1]]);
    const doc = DynamoDBDocumentClient.from(t.client);
    expect((await doc.send(new GetCommand({ TableName: t.tableName, Key: keys.maintenanceEvent('m-1', now - HOUR, 'api-page') }))).Item).toMatchObject({
      type: 'maintenance-event',
      ttl: Math.floor((now + RETENTION) / 1000),
    });
    expect((await doc.send(new GetCommand({ TableName: t.tableName, Key: keys.maintenance('m-1', 'api-page') }))).Item).toMatchObject({ type: 'maintenance', environment: 'm-1', updatedAt: now });
  });

  it("a command's window is set without touching the automatic counters; turning it off ends an automatic switch too", async () => {
    const store = t.store();
    const now = t.clock.now();
    const memory: MaintenanceMemory = { name: 'api-page', automatic: automatic(now) };
    await store.saveMaintenance('m-3', [memory], []);
    const override = { by: 'ana', reason: 'db upgrade', at: now, until: now + HOUR };

    await store.setMaintenanceOverride('m-3', 'api-page', override);
    const on = (await store.loadMaintenance('m-3'))['api-page'];
    t.clock.advance(60_000);
    await store.clearMaintenanceOverride('m-3', 'api-page', on);
    const off = (await store.loadMaintenance('m-3'))['api-page'];

    expect(on).toEqual({ ...memory, override });
    expect(off).toEqual({ name: 'api-page', automatic: { active: false, brokenPasses: 0, readyPasses: 0, switchesOn: [now - HOUR], lastSwitchAt: now + 60_000 } });
  });

  it("ending a command's window keeps the rest of the memory, and an automatic mode that is not on as it was", async () => {
    const store = t.store();
    const now = t.clock.now();
    const idle = { active: false, brokenPasses: 1, readyPasses: 2, switchesOn: [now - 3 * HOUR], lastSwitchAt: now - 2 * HOUR };
    const memory: MaintenanceMemory = {
      name: 'shop-page',
      override: { by: 'ana', reason: 'db upgrade', at: now - HOUR, until: now + HOUR },
      automatic: idle,
      restore: { distribution: 'E123', record: { behaviors: { '*': 'shop' }, errorResponses: { '503': null } }, savedAt: now - HOUR },
      last: { state: 'on', source: 'command', since: now - HOUR, by: 'ana', reason: 'db upgrade', until: now + HOUR },
    };
    await store.saveMaintenance('m-5', [memory], []);

    await store.clearMaintenanceOverride('m-5', 'shop-page', memory);

    const { override: _override, ...rest } = memory;
    expect((await store.loadMaintenance('m-5'))['shop-page']).toEqual(rest);
  });

  it('turning off a Maintenance the table knows nothing of leaves just its name', async () => {
    const store = t.store();

    await store.clearMaintenanceOverride('m-4', 'api-page', undefined);

    expect(await store.loadMaintenance('m-4')).toEqual({ 'api-page': { name: 'api-page' } });
  });

  it('a table that cannot be used says which maintenance of which environment, and what was being done', async () => {
    const gone = await startStateTable('steady-state-maintenance-gone');
    const store = gone.store();
    await gone.client.send(new DeleteTableCommand({ TableName: gone.tableName }));
    const cases: [() => Promise<unknown>, string][] = [
      [() => store.loadMaintenance('g'), 'reading the maintenance state of environment g from table steady-state-maintenance-gone'],
      [() => store.saveMaintenance('g', [{ name: 'p' }], []), 'saving the maintenance state of environment g to table steady-state-maintenance-gone'],
      [() => store.setMaintenanceOverride('g', 'p', { by: 'ana', reason: 'r', at: 0, until: 1 }), 'turning maintenance p of environment g on in table steady-state-maintenance-gone'],
      [() => store.clearMaintenanceOverride('g', 'p', undefined), 'turning maintenance p of environment g off in table steady-state-maintenance-gone'],
      [() => store.listMaintenanceEvents('g', 0), 'listing maintenance switches of environment g from table steady-state-maintenance-gone'],
    ];
    try {
      for (const [call, doing] of cases) {
        const err = await call().catch((e: unknown) => e);
        expect((err as Error).message.slice(0, doing.length)).toBe(doing);
        expect((err as Error).message).toContain('ResourceNotFoundException');
      }
    } finally {
      await gone.close();
    }
  });
});
