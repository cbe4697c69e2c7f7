/**
 * Test helpers for converge/'s executors (not engine code): a world planned from a fresh observe,
 * and the execution context of one pass over it.
 */
import { stopFor } from '../interrupt.js';
import { observe } from '../observe/observe.js';
import { createAdapters } from '../pass.js';
import { plan, policyFor } from '../plan/plan.js';
import type { World } from '../testing/world.js';
import { Outputs, type ExecContext } from './context.js';

/** `w` observed and planned now, and a context for one pass with that plan: 5 s polls, the deadline `deadlineMs` away. */
export async function plannedPass(w: World, passId: string, deadlineMs = 3_600_000, extra: Partial<ExecContext> = {}) {
  const adapters = createAdapters(w.account.clients());
  const actual = await observe(w.desired, adapters, () => w.account.clock.now());
  const p = plan(w.desired, actual, policyFor(w.desired, { now: w.account.clock.now() }));
  const deadline = w.account.clock.now() + deadlineMs;
  const ctx: ExecContext = {
    plan: p,
    adapters,
    outputs: new Outputs(),
    clock: w.account.clock,
    pollMs: 5_000,
    insyncWaitMs: 60_000,
    deadline,
    passId,
    stop: stopFor({ clock: w.account.clock, deadline }),
    ...extra,
  };
  return { p, ctx };
}
