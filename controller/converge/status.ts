/**
 * Where each resource stands after a pass: the planner's status, updated with what converge did.
 * Also the drift events of the pass (what differed, and when it was healed).
 */
import { isSwitch } from '../model/maintenance.js';
import type { ActionOutcome, DriftEvent } from '../model/pass.js';
import type { Plan, ResourceStatus } from '../model/plan.js';
import { contentHash } from '../model/taskdef.js';

function groupByResource(outcomes: ActionOutcome[]): Map<string, ActionOutcome[]> {
  const map = new Map<string, ActionOutcome[]>();
  for (const o of outcomes) map.set(o.resource, [...(map.get(o.resource) ?? []), o]);
  return map;
}

function isRecord(o: ActionOutcome, plan: Plan): boolean {
  if (o.kind !== 'TagResource') return false;
  const a = plan.actions.find((x) => x.id === o.actionId);
  return a?.kind === 'TagResource' && a.purpose === 'record';
}

function rolloutStarted(mine: ActionOutcome[], plan: Plan): boolean {
  return mine.some((o) => {
    if (o.kind === 'CreateService') return true;
    if (o.kind !== 'UpdateService') return false;
    const a = plan.actions.find((x) => x.id === o.actionId);
    return a?.kind === 'UpdateService' && a.taskDefinition !== undefined;
  });
}

function blockedReason(plan: Plan, outcomes: Map<string, ActionOutcome>, o: ActionOutcome): string {
  const action = plan.actions.find((a) => a.id === o.actionId);
  for (const dep of action?.dependsOn ?? []) {
    const d = outcomes.get(dep);
    if (!d || d.state === 'done') continue;
    if (d.kind === 'RunMigration' || d.kind === 'AwaitMigration') return d.state === 'failed' ? 'MigrationFailed' : 'WaitingForMigration';
  }
  return 'DependencyNotReady';
}

/**
 * The statuses after converge. A resource whose actions all succeeded is Synced, or Progressing
 * while ECS rolls out what steady started; one with a failed action is Failed with AWS's error;
 * one whose actions wait for something is Blocked; one with unfinished work is Progressing.
 */
export function statusesAfter(plan: Plan, outcomes: ActionOutcome[]): ResourceStatus[] {
  if (plan.holdAll) return plan.resources;
  const byId = new Map(outcomes.map((o) => [o.actionId, o]));
  const byResource = groupByResource(outcomes);
  return plan.resources.map((r) => {
    const mine = byResource.get(r.resource) ?? [];
    // Bookkeeping (remembering a failed rollout) does not change where the resource stands.
    if (mine.every((o) => isRecord(o, plan))) return r;
    const failed = mine.find((o) => o.state === 'failed');
    if (failed) {
      return { ...r, phase: 'Failed', reason: r.kind === 'Migration' && failed.kind !== 'RegisterTaskDefinition' ? 'MigrationFailed' : (failed.reason ?? failed.awsName ?? 'ApplyFailed'), message: failed.message ?? failed.summary };
    }
    const blocked = mine.find((o) => o.state === 'blocked');
    if (blocked) return { ...r, phase: 'Blocked', reason: blockedReason(plan, byId, blocked), message: blocked.message ?? blocked.summary };
    const pending = mine.find((o) => o.state === 'pending');
    if (pending) return { ...r, phase: 'Progressing', reason: r.kind === 'Maintenance' ? r.reason : 'InProgress', message: pending.message ?? pending.summary };
    // What the plan could not do stays undone (a rollout behind a failed migration), whatever else succeeded.
    if (r.phase === 'Blocked' || r.phase === 'Failed') return { ...r, notes: [...(r.notes ?? []), ...mine.map((o) => `done: ${o.summary}`)] };
    if (r.kind === 'Service' && rolloutStarted(mine, plan)) {
      return { ...r, phase: 'Progressing', reason: 'RollingOut', message: mine.map((o) => o.message).filter(Boolean).join('; ') || 'rolling out' };
    }
    // A maintenance switch keeps its reason (who turned it on, or Off): that is what is in place now.
    if (r.kind === 'Maintenance') return { ...r, phase: 'Synced', message: [r.message.replace(/^turning maintenance (on|off)/, 'maintenance turned $1'), ...mine.map((o) => o.message ?? o.summary)].join('; ') };
    return { ...r, phase: 'Synced', reason: r.kind === 'Migration' ? 'Succeeded' : 'Healed', message: mine.map((o) => o.message ?? o.summary).join('; ') };
  });
}

/** The drift this pass found (from the plan) and, for what it healed, when. */
export function driftOf(plan: Plan, outcomes: ActionOutcome[], detectedAt: number): DriftEvent[] {
  const byResource = groupByResource(outcomes);
  return plan.resources
    // A maintenance switch is not drift: history keeps it among the maintenance switches.
    .filter((r) => r.diff.length > 0 && (r.phase === 'Drifted' || r.phase === 'Blocked' || r.phase === 'Failed') && !isSwitch(r))
    .map((r) => {
      const mine = byResource.get(r.resource) ?? [];
      const healed = !plan.holdAll && r.phase === 'Drifted' && mine.length > 0 && mine.every((o) => o.state === 'done');
      return {
        resource: r.resource,
        // What differs, not how it is shown: the spec's tag beside a digest does not change the drift's identity.
        key: `${r.resource}#${contentHash(r.diff.map(({ path, before, after }) => ({ path, before, after })), 12)}`,
        summary: r.message,
        diff: r.diff,
        detectedAt,
        ...(healed ? { healedAt: Math.max(...mine.map((o) => o.finishedAt ?? detectedAt)) } : {}),
      };
    });
}
