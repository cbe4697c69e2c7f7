/**
 * What a pass says per resource once converge has run: each outcome (done, failed, blocked,
 * pending) becomes the resource's phase, reason and message exactly as the rules say, and the
 * drift events say when a drift was healed. Plans are written by hand, one rule per test.
 */
import { describe, expect, it } from 'vitest';
import type { ActionOutcome } from '../model/pass.js';
import type { Action, FieldDiff, Plan, ResourceStatus } from '../model/plan.js';
import { driftOf, statusesAfter } from './status.js';

const NOW = Date.UTC(2026, 0, 1, 9);
const DIFF: FieldDiff[] = [{ path: 'desiredCount', before: '1', after: '2' }];

function status(resource: string, phase: ResourceStatus['phase'], extra: Partial<ResourceStatus> = {}): ResourceStatus {
  const [kind, name] = resource.split('/') as [ResourceStatus['kind'], string];
  return { resource, kind, name, phase, reason: phase === 'Synced' ? 'UpToDate' : 'Drift', message: `${resource} as planned`, diff: phase === 'Synced' ? [] : DIFF, specHash: 'h', ...extra };
}

function action(id: string, resource: string, kind: Action['kind'], extra: Record<string, unknown> = {}): Action {
  return { id, resource, kind, summary: `summary of ${id}`, diff: [], dependsOn: [], ...extra } as unknown as Action;
}

function outcome(a: Action, state: ActionOutcome['state'], extra: Partial<ActionOutcome> = {}): ActionOutcome {
  return { actionId: a.id, resource: a.resource, kind: a.kind, summary: a.summary, state, finishedAt: NOW + 5_000, ...extra };
}

function planOf(resources: ResourceStatus[], actions: Action[], holdAll = false): Plan {
  return { environment: 'shop-prod', policy: { mode: 'enforce', dryRun: false, changeBudget: 20, now: NOW }, actions, resources, budget: { limit: 20, used: 1, exceeded: false }, holdAll };
}

const one = (p: Plan, outcomes: ActionOutcome[], resource: string) => statusesAfter(p, outcomes).find((r) => r.resource === resource)!;

describe('a resource after converge', () => {
  it('a held plan leaves every status as the planner said, whatever the outcomes', () => {
    const a = action('update:Service/api', 'Service/api', 'UpdateService');
    const p = planOf([status('Service/api', 'Drifted')], [a], true);
    expect(statusesAfter(p, [outcome(a, 'failed', { message: 'boom' })])).toBe(p.resources);
  });

  it('a resource with no actions keeps its status as planned', () => {
    const p = planOf([status('Service/api', 'Synced')], []);
    expect(statusesAfter(p, [])).toEqual(p.resources);
  });

  it("only bookkeeping done (a failed rollout's record tag) does not change where the resource stands", () => {
    const a = action('record:Service/api', 'Service/api', 'TagResource', { purpose: 'record' });
    const r = status('Service/api', 'Failed', { reason: 'RolloutFailed', message: 'rolled back' });
    expect(one(planOf([r], [a]), [outcome(a, 'done')], 'Service/api')).toBe(r);
  });

  it("bookkeeping is told by the outcome's own action, and an outcome whose action the plan lacks is no bookkeeping", () => {
    const record = action('record:Service/api', 'Service/api', 'TagResource', { purpose: 'record' });
    const adopt = action('adopt:Service/api', 'Service/api', 'TagResource', { purpose: 'adopt' });
    const p = planOf([status('Service/api', 'Drifted')], [record, adopt]);
    expect(one(p, [outcome(adopt, 'done')], 'Service/api')).toMatchObject({ phase: 'Synced', reason: 'Healed' });
    const stray = { actionId: 'gone', resource: 'Service/api', kind: 'TagResource', summary: 'tag', state: 'done' as const };
    expect(one(planOf([status('Service/api', 'Drifted')], []), [stray], 'Service/api')).toMatchObject({ phase: 'Synced', reason: 'Healed', message: 'tag' });
    const update = { ...stray, kind: 'UpdateService', summary: 'update' };
    expect(one(planOf([status('Service/api', 'Drifted')], []), [update], 'Service/api')).toMatchObject({ phase: 'Synced', reason: 'Healed', message: 'update' });
  });

  it('an adoption tag done is not bookkeeping: the drifted resource is Synced and Healed', () => {
    const a = action('adopt:Service/api', 'Service/api', 'TagResource', { purpose: 'adopt' });
    expect(one(planOf([status('Service/api', 'Drifted')], [a]), [outcome(a, 'done')], 'Service/api')).toMatchObject({ phase: 'Synced', reason: 'Healed', message: 'summary of adopt:Service/api' });
  });

  it("an outcome of another kind whose id names a record tag's action is not bookkeeping", () => {
    const tag = action('record:Service/api', 'Service/api', 'TagResource', { purpose: 'record' });
    const o = { ...outcome(tag, 'done'), kind: 'UpdateService', message: 'updated' };
    expect(one(planOf([status('Service/api', 'Drifted')], [tag]), [o], 'Service/api')).toMatchObject({ phase: 'Synced', reason: 'Healed', message: 'updated' });
  });

  it("a failed action makes the resource Failed with AWS's error name and message", () => {
    const a = action('update:Service/api', 'Service/api', 'UpdateService');
    const ok = action('tag:Service/api', 'Service/api', 'TagResource', { purpose: 'adopt' });
    const got = one(planOf([status('Service/api', 'Drifted')], [ok, a]), [outcome(ok, 'done'), outcome(a, 'failed', { awsName: 'InvalidParameterException', message: 'bad subnet' })], 'Service/api');
    expect(got).toMatchObject({ phase: 'Failed', reason: 'InvalidParameterException', message: 'bad subnet' });
  });

  it("a failure's own reason comes before AWS's error name; without either it is ApplyFailed, and without a message the summary says what failed", () => {
    const a = action('deploy:Service/api', 'Service/api', 'CreateCodeDeployDeployment');
    const p = planOf([status('Service/api', 'Drifted')], [a]);
    expect(one(p, [outcome(a, 'failed', { reason: 'DeploymentFailed', awsName: 'Throttling', message: 'm' })], 'Service/api')).toMatchObject({ reason: 'DeploymentFailed' });
    expect(one(p, [outcome(a, 'failed')], 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'ApplyFailed', message: 'summary of deploy:Service/api' });
  });

  it("a migration's failed run is MigrationFailed; a failed registration of its revision keeps AWS's error", () => {
    const reg = action('register:Migration/db-migrate', 'Migration/db-migrate', 'RegisterTaskDefinition');
    const run = action('run:Migration/db-migrate', 'Migration/db-migrate', 'RunMigration', { dependsOn: [reg.id] });
    const p = planOf([status('Migration/db-migrate', 'Drifted')], [reg, run]);
    expect(one(p, [outcome(reg, 'done'), outcome(run, 'failed', { awsName: 'AccessDeniedException', message: 'exit code 1' })], 'Migration/db-migrate')).toMatchObject({ phase: 'Failed', reason: 'MigrationFailed', message: 'exit code 1' });
    expect(one(p, [outcome(reg, 'failed', { awsName: 'ClientException', message: 'too big' }), outcome(run, 'blocked')], 'Migration/db-migrate')).toMatchObject({ phase: 'Failed', reason: 'ClientException', message: 'too big' });
  });

  it('a rollout behind a failed migration is Blocked by MigrationFailed; behind a running one, WaitingForMigration', () => {
    const reg = action('register:Service/api', 'Service/api', 'RegisterTaskDefinition');
    const run = action('run:Migration/db-migrate', 'Migration/db-migrate', 'RunMigration');
    const upd = action('update:Service/api', 'Service/api', 'UpdateService', { dependsOn: [reg.id, run.id], taskDefinition: { registeredBy: reg.id } });
    const p = planOf([status('Service/api', 'Drifted'), status('Migration/db-migrate', 'Drifted')], [reg, run, upd]);
    const blocked = outcome(upd, 'blocked', { message: 'waits for migration db-migrate' });
    expect(one(p, [outcome(reg, 'done'), outcome(run, 'failed'), blocked], 'Service/api')).toMatchObject({ phase: 'Blocked', reason: 'MigrationFailed', message: 'waits for migration db-migrate' });
    expect(one(p, [outcome(reg, 'done'), outcome(run, 'pending'), blocked], 'Service/api')).toMatchObject({ phase: 'Blocked', reason: 'WaitingForMigration' });
    const awaiting = { ...outcome(run, 'failed'), kind: 'AwaitMigration' };
    expect(one(p, [outcome(reg, 'done'), awaiting, blocked], 'Service/api')).toMatchObject({ reason: 'MigrationFailed' });
  });

  it('a rollout blocked by anything but a migration is DependencyNotReady, with the summary when there is no message', () => {
    const reg = action('register:Service/api', 'Service/api', 'RegisterTaskDefinition');
    const tag = action('adopt:Service/api', 'Service/api', 'TagResource', { purpose: 'adopt' });
    const upd = action('update:Service/api', 'Service/api', 'UpdateService', { dependsOn: ['unknown', reg.id, tag.id] });
    const p = planOf([status('Service/api', 'Drifted')], [reg, tag, upd]);
    // A dependency without an outcome, one done, one pending that is no migration: not a migration's block.
    const got = one(p, [outcome(reg, 'done'), outcome(tag, 'pending'), outcome(upd, 'blocked')], 'Service/api');
    expect(got).toMatchObject({ phase: 'Blocked', reason: 'DependencyNotReady', message: 'summary of update:Service/api' });
    // An outcome for an action the plan does not have: nothing to wait for is known.
    const stray = { actionId: 'gone', resource: 'Service/api', kind: 'UpdateService', summary: 's', state: 'blocked' as const };
    expect(one(p, [stray], 'Service/api')).toMatchObject({ phase: 'Blocked', reason: 'DependencyNotReady', message: 's' });
  });

  it('a done migration a rollout depends on does not block it: the blocked rollout names its other dependency', () => {
    const run = action('run:Migration/db-migrate', 'Migration/db-migrate', 'RunMigration');
    const reg = action('register:Service/api', 'Service/api', 'RegisterTaskDefinition');
    const upd = action('update:Service/api', 'Service/api', 'UpdateService', { dependsOn: [run.id, reg.id] });
    const p = planOf([status('Service/api', 'Drifted')], [run, reg, upd]);
    expect(one(p, [outcome(run, 'done'), outcome(reg, 'pending'), outcome(upd, 'blocked')], 'Service/api')).toMatchObject({ phase: 'Blocked', reason: 'DependencyNotReady' });
  });

  it('failed wins over blocked, and blocked over pending', () => {
    const a = action('a', 'Service/api', 'UpdateService');
    const b = action('b', 'Service/api', 'TagResource', { purpose: 'adopt' });
    const c = action('c', 'Service/api', 'RegisterTaskDefinition');
    const p = planOf([status('Service/api', 'Drifted')], [a, b, c]);
    expect(one(p, [outcome(c, 'pending'), outcome(b, 'blocked'), outcome(a, 'failed')], 'Service/api').phase).toBe('Failed');
    expect(one(p, [outcome(c, 'pending'), outcome(b, 'blocked'), outcome(a, 'done')], 'Service/api').phase).toBe('Blocked');
  });

  it('unfinished work is Progressing InProgress with what is awaited; a Maintenance keeps its own reason', () => {
    const rec = action('records:AliasRecord/api-dns', 'AliasRecord/api-dns', 'ChangeRecords');
    const sw = action('switch:Maintenance/shop', 'Maintenance/shop', 'SwitchDistribution');
    const p = planOf([status('AliasRecord/api-dns', 'Drifted'), status('Maintenance/shop', 'Drifted', { reason: 'TurnedOnBy:alice' })], [rec, sw]);
    const outs = [outcome(rec, 'pending', { message: 'change C1 is still PENDING' }), outcome(sw, 'pending')];
    expect(one(p, outs, 'AliasRecord/api-dns')).toMatchObject({ phase: 'Progressing', reason: 'InProgress', message: 'change C1 is still PENDING' });
    expect(one(p, outs, 'Maintenance/shop')).toMatchObject({ phase: 'Progressing', reason: 'TurnedOnBy:alice', message: 'summary of switch:Maintenance/shop' });
  });

  it('what the plan could not do stays Blocked or Failed, with what did succeed as notes', () => {
    const a = action('update:Service/api', 'Service/api', 'UpdateService');
    const b = action('adopt:Service/api', 'Service/api', 'TagResource', { purpose: 'adopt' });
    const r = status('Service/api', 'Failed', { reason: 'ImageNotFound', message: 'no image', notes: ['earlier note'] });
    const p = planOf([r], [a, b]);
    expect(one(p, [outcome(a, 'done'), outcome(b, 'done')], 'Service/api')).toEqual({ ...r, notes: ['earlier note', 'done: summary of update:Service/api', 'done: summary of adopt:Service/api'] });
    const blocked = status('Service/api', 'Blocked', { reason: 'MigrationFailed' });
    expect(one(planOf([blocked], [a]), [outcome(a, 'done')], 'Service/api')).toEqual({ ...blocked, notes: ['done: summary of update:Service/api'] });
  });

  it('a service whose rollout steady started is Progressing RollingOut, with the messages of what was done', () => {
    const reg = action('register:Service/api', 'Service/api', 'RegisterTaskDefinition');
    const upd = action('update:Service/api', 'Service/api', 'UpdateService', { taskDefinition: { registeredBy: reg.id } });
    const p = planOf([status('Service/api', 'Drifted')], [reg, upd]);
    expect(one(p, [outcome(reg, 'done', { message: 'registered shop-api:2' }), outcome(upd, 'done', { message: 'rolling out shop-api:2' })], 'Service/api')).toMatchObject({
      phase: 'Progressing',
      reason: 'RollingOut',
      message: 'registered shop-api:2; rolling out shop-api:2',
    });
    expect(one(p, [outcome(reg, 'done'), outcome(upd, 'done')], 'Service/api')).toMatchObject({ reason: 'RollingOut', message: 'rolling out' });
  });

  it('a created service is rolling out too', () => {
    const c = action('create:Service/api', 'Service/api', 'CreateService');
    expect(one(planOf([status('Service/api', 'Drifted')], [c]), [outcome(c, 'done', { message: 'created with shop-api:1' })], 'Service/api')).toMatchObject({ phase: 'Progressing', reason: 'RollingOut', message: 'created with shop-api:1' });
  });

  it('a service update that changes settings only (no new revision) is Synced and Healed, not rolling out', () => {
    const upd = action('update:Service/api', 'Service/api', 'UpdateService');
    const p = planOf([status('Service/api', 'Drifted')], [upd]);
    expect(one(p, [outcome(upd, 'done', { message: 'updated' })], 'Service/api')).toMatchObject({ phase: 'Synced', reason: 'Healed', message: 'updated' });
    // An outcome naming an UpdateService kind whose action is not one: no rollout either.
    const reg = action('register:Service/api', 'Service/api', 'RegisterTaskDefinition', { taskDefinition: { arn: 'x' } });
    expect(one(planOf([status('Service/api', 'Drifted')], [reg]), [{ ...outcome(reg, 'done'), kind: 'UpdateService' }], 'Service/api')).toMatchObject({ phase: 'Synced', reason: 'Healed' });
  });

  it('a new revision done for something other than a service is not a rollout', () => {
    const upd = action('update:ScheduledTask/nightly', 'ScheduledTask/nightly', 'UpdateService', { taskDefinition: { registeredBy: 'x' } });
    expect(one(planOf([status('ScheduledTask/nightly', 'Drifted')], [upd]), [outcome(upd, 'done', { message: 'ok' })], 'ScheduledTask/nightly')).toMatchObject({ phase: 'Synced', reason: 'Healed', message: 'ok' });
  });

  it('a maintenance switch done says it was turned on or off, and keeps its reason', () => {
    const sw = action('switch:Maintenance/shop', 'Maintenance/shop', 'SwitchDistribution');
    const rule = action('rule:Maintenance/shop', 'Maintenance/shop', 'CreateMaintenanceRule');
    const on = status('Maintenance/shop', 'Drifted', { reason: 'TurnedOnBy:alice', message: 'turning maintenance on (alice: deploy)' });
    expect(one(planOf([on], [sw, rule]), [outcome(sw, 'done', { message: 'deployed in 40s' }), outcome(rule, 'done')], 'Maintenance/shop')).toMatchObject({
      phase: 'Synced',
      reason: 'TurnedOnBy:alice',
      message: 'maintenance turned on (alice: deploy); deployed in 40s; summary of rule:Maintenance/shop',
    });
    const off = status('Maintenance/shop', 'Drifted', { reason: 'Off', message: 'turning maintenance off at 10:00' });
    expect(one(planOf([off], [sw]), [outcome(sw, 'done', { message: 'restored' })], 'Maintenance/shop').message).toBe('maintenance turned off at 10:00; restored');
    // Only a message that starts by saying what it is turning is rewritten.
    const other = status('Maintenance/shop', 'Drifted', { reason: 'OnBySpec', message: 'the distribution drifted; turning maintenance on again' });
    expect(one(planOf([other], [sw]), [outcome(sw, 'done', { message: 'ok' })], 'Maintenance/shop').message).toBe('the distribution drifted; turning maintenance on again; ok');
  });

  it('a migration whose actions all succeeded is Synced and Succeeded, its message the messages joined', () => {
    const reg = action('register:Migration/db-migrate', 'Migration/db-migrate', 'RegisterTaskDefinition');
    const run = action('run:Migration/db-migrate', 'Migration/db-migrate', 'RunMigration');
    expect(one(planOf([status('Migration/db-migrate', 'Drifted')], [reg, run]), [outcome(reg, 'done'), outcome(run, 'done', { message: 'succeeded (task 1)' })], 'Migration/db-migrate')).toMatchObject({
      phase: 'Synced',
      reason: 'Succeeded',
      message: 'summary of register:Migration/db-migrate; succeeded (task 1)',
    });
  });
});

describe('the drift of a pass', () => {
  const upd = action('update:Service/api', 'Service/api', 'UpdateService');
  const tag = action('adopt:Service/api', 'Service/api', 'TagResource', { purpose: 'adopt' });

  it('a drift is healed when every action for it is done, at the time the last one finished', () => {
    const p = planOf([status('Service/api', 'Drifted', { message: 'desiredCount 1 -> 2' })], [upd, tag]);
    const [d] = driftOf(p, [outcome(upd, 'done', { finishedAt: NOW + 9_000 }), outcome(tag, 'done', { finishedAt: NOW + 3_000 })], NOW);
    expect(d).toEqual({ resource: 'Service/api', key: expect.stringMatching(/^Service\/api#[0-9a-f]{12}$/), summary: 'desiredCount 1 -> 2', diff: DIFF, detectedAt: NOW, healedAt: NOW + 9_000 });
    // Without a finish time, the time it was found.
    expect(driftOf(p, [{ ...outcome(upd, 'done'), finishedAt: undefined }], NOW)[0].healedAt).toBe(NOW);
  });

  it('a drift with any action not done, none at all, or a held plan, is not healed', () => {
    const p = planOf([status('Service/api', 'Drifted')], [upd, tag]);
    expect(driftOf(p, [outcome(upd, 'done'), outcome(tag, 'pending')], NOW)[0]).not.toHaveProperty('healedAt');
    expect(driftOf(p, [], NOW)[0]).not.toHaveProperty('healedAt');
    expect(driftOf({ ...p, holdAll: true }, [outcome(upd, 'done'), outcome(tag, 'done')], NOW)[0]).not.toHaveProperty('healedAt');
  });

  it('Blocked and Failed resources with a diff are drift, never healed; Synced, Progressing and diff-less ones are not drift', () => {
    const p = planOf(
      [
        status('Service/api', 'Blocked'),
        status('Service/web', 'Failed'),
        status('Service/ok', 'Synced'),
        status('Service/rolling', 'Progressing'),
        status('Service/nodiff', 'Drifted', { diff: [] }),
      ],
      [upd],
    );
    const drift = driftOf(p, [outcome(upd, 'done')], NOW);
    expect(drift.map((d) => d.resource)).toEqual(['Service/api', 'Service/web']);
    expect(drift.every((d) => d.healedAt === undefined)).toBe(true);
  });

  it('the key is what differs, not how it is shown: a different specValue keeps it, a different value changes it', () => {
    const key = (diff: FieldDiff[]) => driftOf(planOf([status('Service/api', 'Drifted', { diff })], []), [], NOW)[0].key;
    const base = { path: 'image', before: 'sha256:a', after: 'sha256:b' };
    expect(key([{ ...base, specValue: 'shop-api:1.2' }])).toBe(key([base]));
    expect(key([{ ...base, after: 'sha256:c' }])).not.toBe(key([base]));
  });

  it('a maintenance switch is not drift; a Maintenance whose distribution drifted is', () => {
    const sw = status('Maintenance/shop', 'Drifted', { diff: [{ path: 'maintenance', before: 'off', after: 'on' }], maintenance: { state: 'on' } as ResourceStatus['maintenance'] });
    const drifted = status('Maintenance/page', 'Drifted', { diff: [{ path: 'cloudFront.origin', before: 'a', after: 'b' }], maintenance: { state: 'on' } as ResourceStatus['maintenance'] });
    expect(driftOf(planOf([sw, drifted], []), [], NOW).map((d) => d.resource)).toEqual(['Maintenance/page']);
  });
});
