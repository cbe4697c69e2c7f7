/**
 * The safety policy a plan is made under, as a pure function over the planned actions: observe
 * mode, dry runs and an exceeded change budget hold every action (external-dns's policies over
 * its plan are the model). Planners for each kind never look at the mode or the budget.
 */
import type { Action, DesiredEnvironment, Plan, Policy, ResourceStatus } from '../model/plan.js';

/** The policy for a pass over `desired`: its Environment's mode and budget, plus command-line flags. */
export function policyFor(desired: DesiredEnvironment, options: { dryRun?: boolean; now: number }): Policy {
  return {
    mode: desired.environment.spec.mode,
    dryRun: options.dryRun ?? false,
    changeBudget: desired.environment.spec.changeBudget,
    now: options.now,
  };
}

/** Waiting (for a migration, a CodeDeploy deployment) and bookkeeping tags are not changes people would count. */
const WAITING = new Set<Action['kind']>(['AwaitMigration', 'AwaitCodeDeployDeployment']);

/** Resources whose actions change something, against the budget. */
export function changingResources(actions: Action[]): Set<string> {
  return new Set(actions.filter((a) => !WAITING.has(a.kind) && !(a.kind === 'TagResource' && a.purpose === 'record')).map((a) => a.resource));
}

/**
 * Applies the policy to the planned actions and statuses: the budget, and whether everything is
 * held. Held resources get a note saying why; over the budget they are Blocked.
 */
export function applyPolicy(env: string, policy: Policy, actions: Action[], resources: ResourceStatus[]): Pick<Plan, 'budget' | 'holdAll'> {
  const changing = changingResources(actions);
  const budget = { limit: policy.changeBudget, used: changing.size, exceeded: changing.size > policy.changeBudget };
  const holdAll = policy.mode === 'observe' || policy.dryRun || budget.exceeded;
  if (!holdAll) return { budget, holdAll };
  const why =
    policy.mode === 'observe'
      ? { reason: 'ObserveMode', message: 'environment is in observe mode: steady reports, and changes nothing' }
      : policy.dryRun
        ? { reason: 'DryRun', message: 'dry run: nothing is changed' }
        : {
            reason: 'ChangeBudgetExceeded',
            message: `the plan changes ${budget.used} resources, more than the change budget of ${budget.limit}; nothing is changed. Raise spec.changeBudget of environment ${env} or change fewer resources at once`,
          };
  for (const r of resources) {
    if (!changing.has(r.resource)) continue;
    r.notes = [...(r.notes ?? []), `would change, but ${why.message}`];
    if (why.reason === 'ChangeBudgetExceeded') {
      r.phase = 'Blocked';
      r.reason = why.reason;
      r.message = `${r.message}; ${why.message}`;
    }
  }
  return { budget, holdAll };
}
