/**
 * The planner: `plan(desired, actual, policy) -> Plan`. Pure and synchronous: everything it needs
 * was observed beforehand, so it can be tested as a table of (specs, AWS state) -> actions.
 *
 * One planner per kind, beside the shared rules:
 * - migration.ts: a migration runs once per version and gates the rollouts that wait for it;
 * - service.ts (and bluegreen.ts): revisions, settings, adoption, failed rollouts;
 * - scheduled.ts (and scheduled-runs.ts): EventBridge Scheduler schedules running ECS tasks, and their runs;
 * - alias.ts: alias targets resolved every pass, ownership through TXT records;
 * - maintenance.ts (and maintenance-auto.ts): maintenance pages switched on and off, by spec, by command, automatically;
 * - common.ts: statuses, ownership, "could not be read";
 * - policy.ts: observe mode, dry run and the change budget, applied over the whole plan.
 *
 * Rules it keeps (DESIGN.md, "Safety rules"):
 * - nothing that depends on something unread is planned (the resource is Blocked instead);
 * - only resources steady owns (tags / TXT registry) or that a spec adopts are changed;
 * - a migration gates the rollouts that wait for it; a failed one blocks them, nothing else;
 * - a revision the circuit breaker rolled back, or a failed migration version, is not retried;
 * - observe mode, dry runs and an exceeded change budget hold every action.
 */
import type { ActualState } from '../model/actual.js';
import type { MaintenanceMemory } from '../model/maintenance.js';
import type { DesiredEnvironment, Plan, Policy } from '../model/plan.js';
import { planAlias } from './alias.js';
import type { Context, Gate, Planned } from './common.js';
import { planMaintenance } from './maintenance.js';
import { planMigration } from './migration.js';
import { applyPolicy } from './policy.js';
import { planScheduledTasks } from './scheduled.js';
import { planService } from './service.js';

export { ownerRecordName, ownerRecordValue } from './alias.js';
export { policyFor } from './policy.js';

/**
 * Works out what to do to one environment. Pure: same input, same plan.
 *
 * @example
 * const p = plan(desired, actual, { mode: 'enforce', dryRun: false, changeBudget: 20, now: Date.now() });
 * // with what the state table remembers of the Maintenances (command windows, the automatic mode):
 * const q = plan(desired, actual, policy, memory); // memory: store.loadMaintenance(desired.name)
 * for (const a of p.actions) console.log(a.summary);
 */
export function plan(desired: DesiredEnvironment, actual: ActualState, policy: Policy, memory?: Record<string, MaintenanceMemory>): Plan {
  const ctx: Context = { desired, actual, policy, env: desired.name, cluster: desired.environment.spec.cluster, ...(memory ? { memory } : {}) };
  const planned: Planned[] = [];
  const gates = new Map<string, Gate>();
  for (const m of desired.migrations) {
    const p = planMigration(ctx, m);
    gates.set(m.metadata.name, p.gate);
    planned.push(p);
  }
  for (const svc of desired.services) {
    const waitsFor = new Set(svc.spec.after);
    for (const m of desired.migrations) if (m.spec.before.includes(svc.metadata.name)) waitsFor.add(m.metadata.name);
    planned.push(planService(ctx, svc, gates, [...waitsFor].sort()));
  }
  planned.push(...planScheduledTasks(ctx));
  for (const a of desired.aliases) planned.push(planAlias(ctx, a));
  for (const m of desired.maintenance ?? []) planned.push(planMaintenance(ctx, m));

  const actions = planned.flatMap((p) => p.actions);
  const resources = planned.map((p) => p.status);
  return { environment: ctx.env, policy, resources, ...applyPolicy(ctx.env, policy, actions, resources) };
}
