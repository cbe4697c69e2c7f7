/**
 * Runs a plan's actions in dependency order with bounded concurrency. An action starts only when
 * every action it depends on is done; if one of them failed, was blocked, is still pending or was
 * held, the action is blocked and says which dependency stopped it. Independent actions go on:
 * one resource failing does not stop the others.
 */
import type { Action } from '../model/plan.js';
import type { ActionOutcome } from '../model/pass.js';

/** What an executor reports for one action (or for each member of a group). */
export interface ExecResult {
  state: 'done' | 'failed' | 'pending';
  message?: string;
  awsName?: string;
  /** A reason code for the resource's status when the action failed without AWS refusing it (`DeploymentFailed`). */
  reason?: string;
}

/** A unit of execution: one action, or several executed together (one Route 53 batch per zone). */
export interface Unit {
  actions: Action[];
}

export interface ScheduleOptions {
  /** Most units running at once. */
  concurrency: number;
  /**
   * Units that mostly wait (a migration task, a DNS change reaching INSYNC, a blue/green
   * deployment) run in a pool of their own of this size, so they never hold up quick changes.
   */
  waiting?: { isWaiting: (unit: Unit) => boolean; concurrency: number };
  /** Asked before each unit starts: a reason to start nothing more (deadline, lost lease). */
  stopReason?: () => string | undefined;
  now: () => number;
}

function outcome(a: Action, state: ActionOutcome['state'], extra: Partial<ActionOutcome> = {}): ActionOutcome {
  return { actionId: a.id, resource: a.resource, kind: a.kind, summary: a.summary, state, ...extra };
}

/**
 * Executes `units` (each action's dependencies must be in earlier-or-same units' actions or be
 * satisfied already) and returns one outcome per action, in plan order.
 *
 * @example
 * const outcomes = await schedule(units, (unit) => executeUnit(unit), { concurrency: 4, now: clock.now });
 */
export async function schedule(
  units: Unit[],
  execute: (unit: Unit) => Promise<ExecResult[]>,
  options: ScheduleOptions,
): Promise<ActionOutcome[]> {
  const outcomes = new Map<string, ActionOutcome>();
  const all = units.flatMap((u) => u.actions);
  const known = new Set(all.map((a) => a.id));
  const waiting = [...units];
  const running = new Set<Promise<void>>();
  const inPool = { work: 0, wait: 0 };
  const poolOf = (u: Unit): 'work' | 'wait' => (options.waiting?.isWaiting(u) ? 'wait' : 'work');
  const room = (u: Unit) => (poolOf(u) === 'wait' ? inPool.wait < options.waiting!.concurrency : inPool.work < options.concurrency);

  const actionById = new Map(all.map((a) => [a.id, a]));
  const deps = new Map(units.map((u) => [u, u.actions.flatMap((a) => a.dependsOn.filter((d) => known.has(d) && !u.actions.some((x) => x.id === d)))]));
  const settle = (u: Unit): 'ready' | 'wait' | ActionOutcome => {
    for (const dep of deps.get(u)!) {
      const o = outcomes.get(dep);
      if (!o) return 'wait';
      if (o.state !== 'done') {
        const depAction = actionById.get(dep)!;
        return outcome(u.actions[0], 'blocked', { message: `waits for "${depAction.summary}", which ${o.state === 'pending' ? 'has not finished' : o.state}${o.message ? `: ${o.message}` : ''}` });
      }
    }
    return 'ready';
  };

  const start = (u: Unit) => {
    const startedAt = options.now();
    const pool = poolOf(u);
    inPool[pool] += 1;
    const p = (async () => {
      let results: ExecResult[];
      try {
        results = await execute(u);
      } catch (err) {
        const e = err as Error & { awsName?: string };
        results = u.actions.map(() => ({ state: 'failed' as const, message: e.message, awsName: e.awsName }));
      }
      u.actions.forEach((a, i) => {
        const r = results[i] ?? { state: 'failed', message: 'no result' };
        outcomes.set(a.id, outcome(a, r.state, { message: r.message, awsName: r.awsName, ...(r.reason ? { reason: r.reason } : {}), startedAt, finishedAt: options.now() }));
      });
    })();
    running.add(p);
    void p.finally(() => {
      running.delete(p);
      inPool[pool] -= 1;
    });
  };

  while (waiting.length > 0 || running.size > 0) {
    let progressed = false;
    for (let i = 0; i < waiting.length; ) {
      const u = waiting[i];
      const s = settle(u);
      if (s === 'wait' || (s === 'ready' && !room(u))) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      progressed = true;
      if (s !== 'ready') {
        for (const a of u.actions) outcomes.set(a.id, { ...s, actionId: a.id, resource: a.resource, kind: a.kind, summary: a.summary });
        continue;
      }
      const stop = options.stopReason?.();
      if (stop) {
        for (const a of u.actions) outcomes.set(a.id, outcome(a, 'pending', { message: `not started: ${stop}` }));
        continue;
      }
      start(u);
    }
    if (running.size > 0) await Promise.race(running);
    else if (!progressed && waiting.length > 0) {
      // Dependencies that can never settle (a cycle, or a missing action): report, do not hang.
      for (const u of waiting.splice(0)) for (const a of u.actions) outcomes.set(a.id, outcome(a, 'blocked', { message: 'its dependencies cannot be satisfied' }));
    }
  }
  return all.map((a) => outcomes.get(a.id)!);
}
