/**
 * The safety policy over a whole plan, on hand-made actions and statuses (the pass-level scenario
 * of stepwise creation is controller/plan/stepwise.test.ts): observe mode, dry runs and an exceeded
 * change budget hold every action; waiting and bookkeeping are not changes; stepwise creation makes
 * every change to what exists, then new resources in plan order while the budget lasts.
 */
import { describe, expect, it } from 'vitest';
import type { Action, Policy, ResourceStatus } from '../model/plan.js';
import { applyPolicy, changingResources } from './policy.js';

const POLICY: Policy = { mode: 'enforce', dryRun: false, changeBudget: 2, now: 0 };

function action(id: string, resource: string, dependsOn: string[] = [], extra: Record<string, unknown> = {}): Action {
  return { kind: 'UpdateService', id, resource, summary: id, diff: [], dependsOn, ...extra } as unknown as Action;
}

function resource(key: string, phase: ResourceStatus['phase'] = 'Drifted', reason = 'SettingsDiffer'): ResourceStatus {
  const [kind, name] = key.split('/') as [ResourceStatus['kind'], string];
  return { resource: key, kind, name, phase, reason, message: `${key} differs`, diff: [], specHash: 'h' };
}

const created = (key: string) => resource(key, 'Drifted', 'NotFound');
const ids = (actions: Action[]) => actions.map((a) => a.id);

describe('the change budget, observe mode and dry runs', () => {
  it('within the budget every action goes ahead and no status changes', () => {
    const actions = [action('update:a', 'Service/a'), action('register:a', 'Service/a'), action('update:b', 'Service/b')];
    const resources = [resource('Service/a'), resource('Service/b'), resource('Service/c', 'Synced', 'UpToDate')];

    const r = applyPolicy('shop-prod', POLICY, actions, resources);

    expect(r).toEqual({ actions, budget: { limit: 2, used: 2, exceeded: false }, holdAll: false });
    expect(resources.map((s) => `${s.phase} ${s.reason} ${s.notes ?? '-'}`)).toEqual(['Drifted SettingsDiffer -', 'Drifted SettingsDiffer -', 'Synced UpToDate -']);
  });

  it('waiting for a migration or a deployment, and recording a failure, are not changes', () => {
    const actions = [
      action('wait:m', 'Migration/m', [], { kind: 'AwaitMigration' }),
      action('wait:bg', 'Service/bg', [], { kind: 'AwaitCodeDeployDeployment' }),
      action('record:a', 'Service/a', [], { kind: 'TagResource', purpose: 'record' }),
      action('adopt:b', 'Service/b', [], { kind: 'TagResource', purpose: 'adopt' }),
    ];

    expect([...changingResources(actions)]).toEqual(['Service/b']);
  });

  it('over the budget nothing is changed: every changing resource is Blocked and says how to get on', () => {
    const actions = [action('update:a', 'Service/a'), action('update:b', 'Service/b'), action('update:c', 'Service/c')];
    const resources = [resource('Service/a'), resource('Service/b'), resource('Service/c'), resource('Service/d', 'Synced', 'UpToDate')];

    const r = applyPolicy('shop-prod', POLICY, actions, resources);

    expect(r).toEqual({ actions, budget: { limit: 2, used: 3, exceeded: true }, holdAll: true });
    const why = 'the plan changes 3 resources, more than the change budget of 2; nothing is changed. Raise spec.changeBudget of environment shop-prod or change fewer resources at once';
    expect(resources[0]).toMatchObject({ phase: 'Blocked', reason: 'ChangeBudgetExceeded', message: `Service/a differs; ${why}`, notes: [`would change, but ${why}`] });
    expect(resources[3]).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: 'Service/d differs' });
    expect(resources[3].notes).toBeUndefined();
  });

  it('over the budget only because of new resources, the message names stepwise creation', () => {
    const actions = [action('update:a', 'Service/a'), action('create:b', 'Service/b'), action('create:c', 'Service/c')];
    const resources = [resource('Service/a'), created('Service/b'), created('Service/c')];

    applyPolicy('shop-prod', POLICY, actions, resources);

    expect(resources[1].message).toBe(
      'Service/b differs; the plan changes 3 resources, more than the change budget of 2; nothing is changed. Raise spec.changeBudget of environment shop-prod, change fewer resources at once, or set spec.stepwiseCreation to create the new ones a budget at a time',
    );
  });

  it('exactly at the budget is within it', () => {
    const actions = [action('update:a', 'Service/a'), action('update:b', 'Service/b')];
    expect(applyPolicy('shop-prod', POLICY, actions, [resource('Service/a'), resource('Service/b')]).holdAll).toBe(false);
  });

  it.each([
    ['observe mode', { mode: 'observe' as const }, 'environment is in observe mode: steady reports, and changes nothing'],
    ['a dry run', { dryRun: true }, 'dry run: nothing is changed'],
  ])('%s holds every action; statuses keep their phase and say why nothing changes', (_what, policy, message) => {
    const actions = [action('update:a', 'Service/a'), action('wait:m', 'Migration/m', [], { kind: 'AwaitMigration' })];
    const resources = [resource('Service/a'), resource('Migration/m', 'Progressing', 'Running')];

    const r = applyPolicy('shop-prod', { ...POLICY, ...policy }, actions, resources);

    expect(r).toEqual({ actions, budget: { limit: 2, used: 1, exceeded: false }, holdAll: true });
    expect(resources[0]).toMatchObject({ phase: 'Drifted', reason: 'SettingsDiffer', message: 'Service/a differs', notes: [`would change, but ${message}`] });
    expect(resources[1].notes).toBeUndefined();
  });

  it('observe mode over the budget says observe mode, and blocks nothing', () => {
    const actions = [action('update:a', 'Service/a'), action('update:b', 'Service/b'), action('update:c', 'Service/c')];
    const resources = [resource('Service/a'), resource('Service/b'), resource('Service/c')];

    const r = applyPolicy('shop-prod', { ...POLICY, mode: 'observe', stepwiseCreation: true }, actions, resources);

    expect(r.holdAll).toBe(true);
    expect(r.actions).toEqual(actions);
    expect(resources[0]).toMatchObject({ phase: 'Drifted', notes: ['would change, but environment is in observe mode: steady reports, and changes nothing'] });
  });
});

describe('stepwise creation', () => {
  const STEPWISE: Policy = { ...POLICY, changeBudget: 3, stepwiseCreation: true };

  it('makes every change to what exists, then new resources in plan order while the budget lasts; the rest wait, Progressing', () => {
    const actions = [
      action('create:n1', 'Service/n1'),
      action('update:a', 'Service/a'),
      action('create:n2', 'Service/n2'),
      action('create:n3', 'Service/n3'),
      action('wait:m', 'Migration/m', [], { kind: 'AwaitMigration' }),
    ];
    const resources = [created('Service/n1'), resource('Service/a'), created('Service/n2'), created('Service/n3'), resource('Migration/m', 'Progressing', 'Running')];

    const r = applyPolicy('shop-prod', STEPWISE, actions, resources);

    expect(ids(r.actions)).toEqual(['create:n1', 'update:a', 'create:n2', 'wait:m']);
    expect(r.budget).toEqual({ limit: 3, used: 3, exceeded: false, deferred: 1 });
    expect(r.holdAll).toBe(false);
    expect(resources[3]).toMatchObject({
      phase: 'Progressing',
      reason: 'NextStep',
      message: 'Service/n3 differs; created in a later pass: this pass makes 3 of the 4 changes (change budget 3, stepwise creation), new resources in dependency order',
    });
    expect(resources.filter((s) => s.reason === 'NextStep')).toHaveLength(1);
    expect(resources[4]).toMatchObject({ phase: 'Progressing', reason: 'Running' });
  });

  it('a migration never run counts as new; a new resource that depends on one left out waits too, and so on down the chain', () => {
    const actions = [
      action('run:m1', 'Migration/m1'),
      action('run:m2', 'Migration/m2'),
      action('create:x', 'Service/x'),
      action('create:y', 'Service/y', ['run:m2']),
      action('create:z', 'Service/z', ['create:y']),
    ];
    const resources = () => [resource('Migration/m1', 'Drifted', 'NotRun'), created('Migration/m2'), created('Service/x'), created('Service/y'), created('Service/z')];

    const r = applyPolicy('shop-prod', { ...STEPWISE, changeBudget: 4 }, actions, resources());

    // m1, m2, x and y fit the budget of 4; z does not, and nothing depends on it.
    expect(ids(r.actions)).toEqual(['run:m1', 'run:m2', 'create:x', 'create:y']);

    const r2 = applyPolicy('shop-prod', { ...STEPWISE, changeBudget: 2 }, actions, resources());
    // m1 and m2 fit; x and y do not.
    expect(ids(r2.actions)).toEqual(['run:m1', 'run:m2']);

    // y depends on m2: with m2 left out (m1 and x fit first), y is left out although the budget has room for it.
    const order = [actions[0], actions[2], actions[3], actions[1], actions[4]];
    const r3 = applyPolicy('shop-prod', { ...STEPWISE, changeBudget: 3 }, order, resources());
    expect(ids(r3.actions)).toEqual(['run:m1', 'create:x']);
  });

  it('a chosen new resource whose action depends on a left-out one is left out as well', () => {
    const actions = [
      action('create:a', 'Service/a'),
      action('create:b', 'Service/b'),
      action('create:c', 'Service/c'),
      // c comes before b in the budget, but also depends on d, which does not fit.
      action('create:d', 'Service/d'),
      action('tag:c', 'Service/c', ['create:d']),
    ];
    const resources = [created('Service/a'), created('Service/b'), created('Service/c'), created('Service/d')];

    const r = applyPolicy('shop-prod', STEPWISE, actions, resources);

    expect(ids(r.actions)).toEqual(['create:a', 'create:b']);
    expect(r.budget).toEqual({ limit: 3, used: 2, exceeded: false, deferred: 2 });
    expect(resources.map((s) => s.reason)).toEqual(['NotFound', 'NotFound', 'NextStep', 'NextStep']);
  });

  it('a dependency on a resource that changes nothing does not hold anything back', () => {
    const actions = [action('create:a', 'Service/a', ['wait:m']), action('wait:m', 'Migration/m', [], { kind: 'AwaitMigration' }), action('create:b', 'Service/b'), action('create:c', 'Service/c'), action('create:d', 'Service/d', ['gone'])];
    const resources = [created('Service/a'), resource('Migration/m', 'Progressing', 'Running'), created('Service/b'), created('Service/c'), created('Service/d')];

    expect(ids(applyPolicy('shop-prod', STEPWISE, actions, resources).actions)).toEqual(['create:a', 'wait:m', 'create:b', 'create:c']);
  });

  it('when the changes to what exists alone exceed the budget, nothing is changed, as without stepwise creation', () => {
    const actions = [action('update:a', 'Service/a'), action('update:b', 'Service/b'), action('update:c', 'Service/c'), action('update:d', 'Service/d'), action('create:n', 'Service/n')];
    const resources = [resource('Service/a'), resource('Service/b'), resource('Service/c'), resource('Service/d'), created('Service/n')];

    const r = applyPolicy('shop-prod', STEPWISE, actions, resources);

    expect(r).toEqual({ actions, budget: { limit: 3, used: 5, exceeded: true }, holdAll: true });
    expect(resources[4]).toMatchObject({
      phase: 'Blocked',
      reason: 'ChangeBudgetExceeded',
      message: 'Service/n differs; the plan changes 5 resources, more than the change budget of 3; nothing is changed. Raise spec.changeBudget of environment shop-prod or change fewer resources at once',
    });
  });

  it('exactly as many existing changes as the budget: they go ahead, every new resource waits', () => {
    const actions = [action('update:a', 'Service/a'), action('update:b', 'Service/b'), action('update:c', 'Service/c'), action('create:n', 'Service/n')];
    const resources = [resource('Service/a'), resource('Service/b'), resource('Service/c'), created('Service/n')];

    const r = applyPolicy('shop-prod', STEPWISE, actions, resources);

    expect(ids(r.actions)).toEqual(['update:a', 'update:b', 'update:c']);
    expect(resources[3].reason).toBe('NextStep');
  });

  it('a dry run with stepwise creation holds everything, as over the budget without it', () => {
    const actions = [action('create:a', 'Service/a'), action('create:b', 'Service/b'), action('create:c', 'Service/c'), action('create:d', 'Service/d')];
    const resources = [created('Service/a'), created('Service/b'), created('Service/c'), created('Service/d')];

    const r = applyPolicy('shop-prod', { ...STEPWISE, dryRun: true }, actions, resources);

    expect(r).toEqual({ actions, budget: { limit: 3, used: 4, exceeded: true }, holdAll: true });
    expect(resources[0]).toMatchObject({ phase: 'Drifted', notes: ['would change, but dry run: nothing is changed'] });
  });
});
