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
    ...(desired.environment.spec.stepwiseCreation ? { stepwiseCreation: true } : {}),
    now: options.now,
  };
}

/** Waiting (for a migration, a CodeDeploy deployment) and bookkeeping tags are not changes people would count. */
const WAITING = new Set<Action['kind']>(['AwaitMigration', 'AwaitCodeDeployDeployment']);

/** Resources whose actions change something, against the budget. */
export function changingResources(actions: Action[]): Set<string> {
  return new Set(actions.filter((a) => !WAITING.has(a.kind) && !(a.kind === 'TagResource' && a.purpose === 'record')).map((a) => a.resource));
}

/** A resource that does not exist yet (a service, schedule or record to create, a migration never run). */
function isNew(r: ResourceStatus | undefined): boolean {
  return !!r && r.phase === 'Drifted' && (r.reason === 'NotFound' || r.reason === 'NotRun');
}

/**
 * Stepwise creation: the resources this pass changes when the plan is over the budget only because
 * of new resources. Every change to an existing resource, then new resources in dependency order
 * (the plan's order, which respects `dependsOn`) while the budget lasts; a resource whose actions
 * depend on a left-out one is left out too. Undefined when the existing changes alone exceed it.
 */
function stepOf(policy: Policy, actions: Action[], resources: ResourceStatus[], changing: Set<string>): Set<string> | undefined {
  const statuses = new Map(resources.map((r) => [r.resource, r]));
  const existing = [...changing].filter((key) => !isNew(statuses.get(key)));
  if (existing.length > policy.changeBudget) return undefined;
  const chosen = new Set(existing);
  const order = [...new Set(actions.map((a) => a.resource))].filter((key) => changing.has(key) && !chosen.has(key));
  for (const key of order) if (chosen.size < policy.changeBudget) chosen.add(key);
  // Leave out whatever depends on a left-out resource, until nothing changes.
  const resourceOf = new Map(actions.map((a) => [a.id, a.resource]));
  for (let settled = false; !settled; ) {
    settled = true;
    for (const a of actions) {
      if (!chosen.has(a.resource)) continue;
      if (a.dependsOn.some((d) => resourceOf.has(d) && !chosen.has(resourceOf.get(d)!) && changing.has(resourceOf.get(d)!))) {
        chosen.delete(a.resource);
        settled = false;
      }
    }
  }
  return chosen;
}

/** Over the budget only because of new resources, without stepwise creation: say it exists. */
function stepwiseWouldHelp(policy: Policy, resources: ResourceStatus[], changing: Set<string>): boolean {
  if (policy.stepwiseCreation) return false;
  const existing = resources.filter((r) => changing.has(r.resource) && !isNew(r)).length;
  return existing <= policy.changeBudget && existing < changing.size;
}

/**
 * Applies the policy to the planned actions and statuses: the budget, and whether everything is
 * held. Held resources get a note saying why; over the budget they are Blocked, except that with
 * stepwise creation new resources beyond the budget wait for later passes (their actions are left
 * out of the plan; they are Progressing).
 */
export function applyPolicy(env: string, policy: Policy, actions: Action[], resources: ResourceStatus[]): Pick<Plan, 'budget' | 'holdAll' | 'actions'> {
  const changing = changingResources(actions);
  const over = changing.size > policy.changeBudget;
  const step = over && policy.stepwiseCreation && policy.mode === 'enforce' && !policy.dryRun ? stepOf(policy, actions, resources, changing) : undefined;
  if (step) {
    const deferred = [...changing].filter((key) => !step.has(key));
    const message = `created in a later pass: this pass makes ${step.size} of the ${changing.size} changes (change budget ${policy.changeBudget}, stepwise creation), new resources in dependency order`;
    for (const r of resources) {
      if (step.has(r.resource) || !changing.has(r.resource)) continue;
      r.phase = 'Progressing';
      r.reason = 'NextStep';
      r.message = `${r.message}; ${message}`;
    }
    const kept = actions.filter((a) => step.has(a.resource) || !changing.has(a.resource));
    return { actions: kept, budget: { limit: policy.changeBudget, used: step.size, exceeded: false, deferred: deferred.length }, holdAll: false };
  }
  const budget = { limit: policy.changeBudget, used: changing.size, exceeded: over };
  const holdAll = policy.mode === 'observe' || policy.dryRun || budget.exceeded;
  if (!holdAll) return { actions, budget, holdAll };
  const why =
    policy.mode === 'observe'
      ? { reason: 'ObserveMode', message: 'environment is in observe mode: steady reports, and changes nothing' }
      : policy.dryRun
        ? { reason: 'DryRun', message: 'dry run: nothing is changed' }
        : {
            reason: 'ChangeBudgetExceeded',
            message: `the plan changes ${budget.used} resources, more than the change budget of ${budget.limit}; nothing is changed. Raise spec.changeBudget of environment ${env}${
              stepwiseWouldHelp(policy, resources, changing) ? ', change fewer resources at once, or set spec.stepwiseCreation to create the new ones a budget at a time' : ' or change fewer resources at once'
            }`,
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
  return { actions, budget, holdAll };
}
