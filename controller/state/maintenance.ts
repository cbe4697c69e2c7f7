/**
 * What the state table remembers of Maintenances: per Maintenance one item (a command's window, the
 * automatic mode's counters and switches, a copy of the distribution's restore record, what the
 * last pass left in place), and one history item per switch. Losing these costs the command's
 * window and the automatic counters, never the way back: the restore record is on the distribution.
 */
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../clock.js';
import type { MaintenanceEvent, MaintenanceMemory, MaintenanceOverride } from '../model/maintenance.js';
import { batchWrite, dynamoCall, queryAll, type BatchWriteOptions, type WriteRequest } from './dynamo.js';
import { iso, keys, SK } from './table.js';

/** What the store lends these functions. */
export interface MaintenanceContext {
  db: DynamoDBDocumentClient;
  table: string;
  clock: Clock;
  /** The TTL attribute of a history item written now (epoch seconds). */
  ttl: () => number;
  batch: BatchWriteOptions;
}

const STRIP = new Set(['pk', 'sk', 'type', 'environment', 'updatedAt', 'ttl']);

/** Every Maintenance's memory of an environment, by name (consistent read). */
export async function loadMaintenance(c: MaintenanceContext, environment: string): Promise<Record<string, MaintenanceMemory>> {
  const items = await queryAll<Record<string, unknown>>(
    c.db,
    {
      TableName: c.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.environmentPk(environment), ':prefix': SK.maintenance },
      ConsistentRead: true,
    },
    `reading the maintenance state of environment ${environment} from table ${c.table}`,
  );
  return Object.fromEntries(items.map((i) => [i.name as string, Object.fromEntries(Object.entries(i).filter(([k]) => !STRIP.has(k))) as unknown as MaintenanceMemory]));
}

/** Writes what a pass leaves of each Maintenance (whole items), and its switches as history. */
export async function saveMaintenance(c: MaintenanceContext, environment: string, memories: MaintenanceMemory[], events: MaintenanceEvent[]): Promise<void> {
  const now = c.clock.now();
  const writes: WriteRequest[] = [
    ...memories.map((m) => ({ PutRequest: { Item: { ...keys.maintenance(environment, m.name), type: 'maintenance', environment, ...m, updatedAt: now } } })),
    ...events.map((e) => ({ PutRequest: { Item: { ...keys.maintenanceEvent(environment, e.at, e.name), type: 'maintenance-event', ...e, ttl: c.ttl() } } })),
  ];
  if (writes.length === 0) return;
  await batchWrite(c.db, c.table, writes, c.clock, `saving the maintenance state of environment ${environment} to table ${c.table}`, c.batch);
}

/** Sets a command's maintenance window on one Maintenance (call it holding the environment's lease). */
export async function setOverride(c: MaintenanceContext, environment: string, name: string, override: MaintenanceOverride): Promise<void> {
  await dynamoCall(`turning maintenance ${name} of environment ${environment} on in table ${c.table}`, () =>
    c.db.send(
      new UpdateCommand({
        TableName: c.table,
        Key: keys.maintenance(environment, name),
        UpdateExpression: 'SET #type = :type, #environment = :env, #name = :name, #override = :override, #updatedAt = :now',
        ExpressionAttributeNames: { '#type': 'type', '#environment': 'environment', '#name': 'name', '#override': 'override', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':type': 'maintenance', ':env': environment, ':name': name, ':override': override, ':now': c.clock.now() },
      }),
    ),
  );
}

/**
 * Ends a command's window (and an automatic switch: the automatic mode then holds off for its
 * `minOffMinutes` from now). Call it holding the environment's lease.
 */
export async function clearOverride(c: MaintenanceContext, environment: string, memory: MaintenanceMemory | undefined, name: string): Promise<void> {
  const now = c.clock.now();
  const automatic = memory?.automatic?.active ? { ...memory.automatic, active: false, lastSwitchAt: now, brokenPasses: 0, since: undefined, reason: undefined } : memory?.automatic;
  const { override: _override, automatic: _automatic, ...rest } = memory ?? { name };
  // The client drops undefined values (removeUndefinedValues).
  await dynamoCall(`turning maintenance ${name} of environment ${environment} off in table ${c.table}`, () =>
    c.db.send(
      new PutCommand({
        TableName: c.table,
        Item: { ...keys.maintenance(environment, name), type: 'maintenance', environment, ...rest, name, ...(automatic ? { automatic } : {}), updatedAt: now },
      }),
    ),
  );
}

/** Maintenance switches since `since` (epoch ms), newest first. */
export async function listMaintenanceEvents(c: MaintenanceContext, environment: string, since: number): Promise<MaintenanceEvent[]> {
  const items = await queryAll<Record<string, unknown>>(
    c.db,
    {
      TableName: c.table,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': keys.environmentPk(environment), ':from': `${SK.maintenanceEvent}${iso(since)}`, ':to': `${SK.maintenanceEvent}\uffff` },
      ScanIndexForward: false,
    },
    `listing maintenance switches of environment ${environment} from table ${c.table}`,
  );
  return items.map((i) => Object.fromEntries(Object.entries(i).filter(([k]) => !['pk', 'sk', 'type', 'ttl'].includes(k))) as unknown as MaintenanceEvent);
}
