/**
 * Executes alias changes: the ChangeRecords actions of one zone go to Route 53 as one batch (split
 * record by record if Route 53 refuses it, so one bad record cannot block the others), then the
 * change is followed to INSYNC for as long as the pass allows.
 */
import { changeBatchSize, MAX_RECORDS_PER_CHANGE_BATCH, MAX_VALUE_CHARS_PER_CHANGE_BATCH } from '../aws/route53.js';
import { AwsCallError } from '../errors.js';
import type { Action, ChangeRecordsAction } from '../model/plan.js';
import { failure, type ExecContext } from './context.js';
import type { ExecResult, Unit } from './schedule.js';

/**
 * Groups actions into units of execution: the ChangeRecords actions of one zone (they never
 * depend on anything) go together, as few units as Route 53's per-request limits allow; every
 * other action is its own unit. Without the limits, a zone with a few hundred new records sent one
 * batch Route 53 refused, and the record-by-record retry cost a call (and a wait) per record.
 */
export function unitsOf(actions: Action[]): Unit[] {
  const units: Unit[] = [];
  const zones = new Map<string, { unit: Unit; size: { records: number; chars: number } }>();
  for (const a of actions) {
    if (a.kind === 'ChangeRecords' && a.dependsOn.length === 0) {
      const size = changeBatchSize(a.changes);
      const open = zones.get(a.zoneId);
      const records = (open?.size.records ?? 0) + size.records;
      const chars = (open?.size.chars ?? 0) + size.chars;
      if (open && records <= MAX_RECORDS_PER_CHANGE_BATCH && chars <= MAX_VALUE_CHARS_PER_CHANGE_BATCH) {
        open.unit.actions.push(a);
        open.size = { records, chars };
      } else {
        const u = { actions: [a] };
        zones.set(a.zoneId, { unit: u, size });
        units.push(u);
      }
    } else units.push({ actions: [a] });
  }
  return units;
}


export async function changeRecords(actions: ChangeRecordsAction[], ctx: ExecContext): Promise<ExecResult[]> {
  const zone = { id: actions[0].zoneId, name: actions[0].zoneName };
  const comment = `steady ${ctx.plan.environment} ${ctx.passId}`.slice(0, 256);
  try {
    const change = await ctx.adapters.route53.changeRecordSets(zone, actions.flatMap((a) => a.changes), comment);
    const result = await waitInsync(change.id, ctx, [...new Set(actions.map((a) => a.resource))]);
    return actions.map(() => result);
  } catch (err) {
    // One bad record must not block the rest of the zone: try each on its own.
    if (actions.length > 1 && err instanceof AwsCallError && err.awsName === 'InvalidChangeBatch') {
      const results: ExecResult[] = [];
      for (const a of actions) results.push(...(await changeRecords([a], ctx)));
      return results;
    }
    return actions.map(() => failure(err));
  }
}

async function waitInsync(changeId: string, ctx: ExecContext, resources: string[]): Promise<ExecResult> {
  const since = ctx.clock.now();
  const until = Math.min(since + ctx.insyncWaitMs, ctx.deadline);
  for (;;) {
    const info = await ctx.adapters.route53.getChange(changeId);
    if (info.status === 'INSYNC') return { state: 'done', message: `change ${changeId} is INSYNC` };
    if (ctx.clock.now() + ctx.pollMs > until || ctx.stop.check()) {
      return { state: 'pending', message: `change ${changeId} is still PENDING; Route 53 applies it within about a minute, and the next pass checks it` };
    }
    ctx.progress?.({ resource: resources.join(', '), waitingFor: `Route 53 change ${changeId} to reach INSYNC`, status: info.status, since, now: ctx.clock.now() });
    await ctx.stop.sleep(ctx.pollMs);
  }
}
