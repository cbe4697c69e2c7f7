import { describe, expect, it } from 'vitest';
import type { ActualState } from '../model/actual.js';
import { TAG_MIGRATION_RESULT, TAG_ROLLOUT, type Action, type DesiredEnvironment, type Plan } from '../model/plan.js';
import { DIGEST_A, DIGEST_B, desiredShop, LB_DNS, POLICY, REPO, runningMigrationTask, syncedActual, TG_ARN } from '../testing/plan-fixtures.js';
import { plan, policyFor } from './plan.js';

const api = (actual: ActualState) => actual.services['api']!;
const brief = (p: Plan) => p.actions.map((a) => `${a.kind} ${a.id}${a.dependsOn.length ? ` <- ${a.dependsOn.join(',')}` : ''}`);
const statusOf = (p: Plan, resource: string) => p.resources.find((r) => r.resource === resource)!;

function pushNewImage(actual: ActualState) {
  actual.images[`${REPO}:latest`] = { kind: 'pinned', digest: DIGEST_B, pinned: `${REPO}@${DIGEST_B}` };
}

interface Case {
  name: string;
  desired?: () => DesiredEnvironment;
  drift: (actual: ActualState, desired: DesiredEnvironment) => void;
  actions: string[];
  phases: Record<string, string>;
}

const cases: Case[] = [
  {
    name: 'plans nothing when AWS matches the specs',
    drift: () => {},
    actions: [],
    phases: { 'Service/api': 'Synced', 'Migration/db-migrate': 'Synced', 'AliasRecord/api-dns': 'Synced' },
  },
  {
    name: 'a new image behind the tag registers a pinned revision and rolls it out after the migration',
    drift: pushNewImage,
    actions: [
      'RegisterTaskDefinition register:Migration/db-migrate',
      'RunMigration run:Migration/db-migrate <- register:Migration/db-migrate',
      'RegisterTaskDefinition register:Service/api',
      'UpdateService update:Service/api <- register:Service/api,run:Migration/db-migrate',
    ],
    phases: { 'Service/api': 'Drifted', 'Migration/db-migrate': 'Drifted' },
  },
  {
    name: 'a service left on an old revision is updated to the existing matching revision, nothing registered',
    drift: (actual) => {
      const current = actual.taskDefinitions[api(actual).taskDefinitionArn];
      const old = { ...current, arn: current.arn.replace(':7', ':6'), revision: 6, content: { ...current.content, cpu: '512', memory: '1024' } };
      actual.taskDefinitions[old.arn] = old;
      actual.familyRevisions['shop-api'] = [current.arn, old.arn];
      api(actual).taskDefinitionArn = old.arn;
    },
    actions: ['UpdateService update:Service/api'],
    phases: { 'Service/api': 'Drifted' },
  },
  {
    name: 'an image missing from ECR fails the service and plans nothing for it',
    drift: (actual) => {
      actual.images[`${REPO}:latest`] = { kind: 'notFound', awsName: 'ImageNotFoundException', message: 'not there' };
    },
    actions: [],
    phases: { 'Service/api': 'Failed', 'Migration/db-migrate': 'Failed', 'AliasRecord/api-dns': 'Synced' },
  },
  {
    name: 'a recreated ALB gets its alias UPSERTed to the new DNS name',
    drift: (actual) => {
      actual.loadBalancers['shop-api-alb']!.dnsName = 'shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com';
    },
    actions: ['ChangeRecords records:AliasRecord/api-dns'],
    phases: { 'AliasRecord/api-dns': 'Drifted', 'Service/api': 'Synced' },
  },
  {
    name: 'a service scaled to zero by hand is scaled back',
    drift: (actual) => {
      api(actual).desiredCount = 0;
    },
    actions: ['UpdateService update:Service/api'],
    phases: { 'Service/api': 'Drifted' },
  },
  {
    name: 'a service whose count autoscaling owns is left at any count',
    desired: () => desiredShop({ autoscaling: true }),
    drift: (actual) => {
      api(actual).desiredCount = 0;
    },
    actions: [],
    phases: { 'Service/api': 'Synced' },
  },
  {
    name: 'a service steady does not own is a conflict and is not touched',
    drift: (actual) => {
      api(actual).tags = {};
      api(actual).desiredCount = 0;
    },
    actions: [],
    phases: { 'Service/api': 'Failed' },
  },
  {
    name: 'an adopted service is tagged first, then corrected',
    desired: () => desiredShop({ adopt: true }),
    drift: (actual) => {
      api(actual).tags = {};
      api(actual).desiredCount = 0;
    },
    actions: ['TagResource adopt:Service/api', 'UpdateService update:Service/api <- adopt:Service/api'],
    phases: { 'Service/api': 'Drifted' },
  },
  {
    // (A failed version is not run again: rules.test.ts, "a failed migration version is not run again and keeps the rollout back".)
    name: 'a migration whose family has no revision yet is registered and run before the rollout',
    drift: (actual) => {
      pushNewImage(actual);
      const m = actual.migrations['db-migrate'];
      m.latest = null;
    },
    actions: [
      'RegisterTaskDefinition register:Migration/db-migrate',
      'RunMigration run:Migration/db-migrate <- register:Migration/db-migrate',
      'RegisterTaskDefinition register:Service/api',
      'UpdateService update:Service/api <- register:Service/api,run:Migration/db-migrate',
    ],
    phases: { 'Service/api': 'Drifted' },
  },
  {
    name: 'observing a load balancer failed: its alias is blocked, the rest converges',
    drift: (actual) => {
      delete actual.loadBalancers['shop-api-alb'];
      actual.unreadable.push({ what: 'load balancer shop-api-alb', affects: ['AliasRecord/api-dns'], awsName: 'Throttling', message: 'Rate exceeded', transient: true });
      api(actual).desiredCount = 1;
    },
    actions: ['UpdateService update:Service/api'],
    phases: { 'AliasRecord/api-dns': 'Blocked', 'Service/api': 'Drifted' },
  },
  {
    name: 'a missing service is created after its revision is registered and its migration passed',
    drift: (actual) => {
      actual.services['api'] = null;
      actual.taskDefinitions = {};
    },
    actions: ['RegisterTaskDefinition register:Service/api', 'CreateService create:Service/api <- register:Service/api'],
    phases: { 'Service/api': 'Drifted' },
  },
  {
    name: 'a missing alias record is created with its ownership TXT record',
    drift: (actual) => {
      actual.zones['example.com']!.records = [];
    },
    actions: ['ChangeRecords records:AliasRecord/api-dns'],
    phases: { 'AliasRecord/api-dns': 'Drifted' },
  },
  {
    name: 'an existing record steady does not own is a conflict',
    drift: (actual) => {
      actual.zones['example.com']!.records = actual.zones['example.com']!.records.filter((r) => r.type !== 'TXT');
    },
    actions: [],
    phases: { 'AliasRecord/api-dns': 'Failed' },
  },
];

describe('plan', () => {
  it.each(cases)('$name', ({ desired: makeDesired, drift, actions, phases }) => {
    const desired = (makeDesired ?? desiredShop)();
    const actual = syncedActual(desired);
    drift(actual, desired);

    const p = plan(desired, actual, policyFor(desired, POLICY));

    expect(brief(p)).toEqual(actions);
    for (const [resource, phase] of Object.entries(phases)) expect(statusOf(p, resource).phase, resource).toBe(phase);
  });

  it('pins the new digest in the registered revision and says why', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    pushNewImage(actual);

    const p = plan(desired, actual, policyFor(desired, POLICY));

    const register = p.actions.find((a) => a.id === 'register:Service/api') as Extract<Action, { kind: 'RegisterTaskDefinition' }>;
    expect(register.content.containerDefinitions[0].image).toBe(`${REPO}@${DIGEST_B}`);
    expect(register.diff).toEqual([{ path: 'taskDefinition.containers[app].image', before: `${REPO}@${DIGEST_A}`, after: `${REPO}@${DIGEST_B}`, specValue: `${REPO}:latest` }]);
    expect(register.tags).toMatchObject({ 'steady:managed-by': 'steady', 'steady:environment': 'shop-prod', 'steady:resource': 'Service/api', team: 'shop' });
  });

  it('names the missing image URI in the failed status', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.images[`${REPO}:latest`] = { kind: 'notFound', awsName: 'ImageNotFoundException', message: 'not there' };

    const st = statusOf(plan(desired, actual, policyFor(desired, POLICY)), 'Service/api');

    expect(st.reason).toBe('ImageNotFound');
    expect(st.message).toBe(
      `image not found in ECR: ${REPO}:latest (container app: ImageNotFoundException); nothing of Service api rolls out until the spec names an image that exists`,
    );
  });

  it('names every missing image, and every image it could not resolve, one after another', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    const containers = desired.services[0]!.spec.taskDefinition.containers;
    containers.push({ ...containers[0]!, name: 'worker', image: `${REPO}:worker`, portMappings: [] });
    actual.images[`${REPO}:latest`] = { kind: 'notFound', awsName: 'ImageNotFoundException', message: 'not there' };
    actual.images[`${REPO}:worker`] = { kind: 'notFound', awsName: 'RepositoryNotFoundException', message: 'not there' };

    let st = statusOf(plan(desired, actual, policyFor(desired, POLICY)), 'Service/api');
    expect(st.message).toBe(
      `image not found in ECR: ${REPO}:latest (container app: ImageNotFoundException), ${REPO}:worker (container worker: RepositoryNotFoundException); nothing of Service api rolls out until the spec names an image that exists`,
    );

    delete actual.images[`${REPO}:latest`];
    delete actual.images[`${REPO}:worker`];
    st = statusOf(plan(desired, actual, policyFor(desired, POLICY)), 'Service/api');
    expect(st).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed', message: `could not resolve ${REPO}:latest, ${REPO}:worker in ECR this pass; nothing of Service api changes until it can` });
  });

  it('upserts the alias with the new DNS name and canonical zone id and reports before and after', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    const lb = actual.loadBalancers['shop-api-alb']!;
    lb.dnsName = 'shop-api-alb-987654321.ap-northeast-1.elb.amazonaws.com';

    const p = plan(desired, actual, policyFor(desired, POLICY));

    const change = p.actions[0] as Extract<Action, { kind: 'ChangeRecords' }>;
    expect(change.changes).toEqual([
      {
        action: 'UPSERT',
        record: { name: 'api.example.com', type: 'A', alias: { dnsName: lb.dnsName, hostedZoneId: 'Z14GRHDCWA56QT', evaluateTargetHealth: false } },
      },
    ]);
    expect(change.diff).toEqual([
      { path: 'api.example.com A', before: `ALIAS dualstack.${LB_DNS} (zone Z14GRHDCWA56QT)`, after: `ALIAS ${lb.dnsName} (zone Z14GRHDCWA56QT)` },
    ]);
  });

  it('blocks the rollout, not the scale-up, behind a failed migration', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    pushNewImage(actual);
    api(actual).desiredCount = 1;
    const first = plan(desired, actual, policyFor(desired, POLICY));
    const migrationVersionTag = (first.actions.find((a) => a.kind === 'RegisterTaskDefinition' && a.resource === 'Migration/db-migrate') as Extract<Action, { kind: 'RegisterTaskDefinition' }>).tags;
    actual.migrations['db-migrate'].latest = {
      ...actual.migrations['db-migrate'].latest!,
      tags: { ...migrationVersionTag, [TAG_MIGRATION_RESULT]: 'failed: exit code 1' },
    };

    const p = plan(desired, actual, policyFor(desired, POLICY));

    expect(brief(p)).toEqual(['RegisterTaskDefinition register:Service/api', 'UpdateService update:Service/api']);
    const update = p.actions[1] as Extract<Action, { kind: 'UpdateService' }>;
    expect(update.taskDefinition).toBeUndefined();
    expect(update.settings).toEqual({ desiredCount: 2 });
    expect(statusOf(p, 'Migration/db-migrate')).toMatchObject({ phase: 'Failed', reason: 'MigrationFailed' });
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Blocked', reason: 'MigrationFailed' });
    expect(statusOf(p, 'Migration/db-migrate').message).toContain('steady retry migration/db-migrate --env shop-prod');
  });

  it('does not push again a revision the circuit breaker rolled back', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    const current = actual.taskDefinitions[api(actual).taskDefinitionArn];
    // steady registered :8 with a new image and rolled it out; the circuit breaker rolled back to :7.
    const bad = { ...current, arn: current.arn.replace(':7', ':8'), revision: 8, content: { ...current.content, containerDefinitions: [{ ...current.content.containerDefinitions[0], image: `${REPO}@${DIGEST_B}` }] } };
    actual.taskDefinitions[bad.arn] = bad;
    actual.familyRevisions['shop-api'] = [bad.arn, current.arn];
    pushNewImage(actual);
    api(actual).tags[TAG_ROLLOUT] = `${bad.arn}@${POLICY.now - 600_000}`;
    api(actual).events.unshift({ createdAt: POLICY.now - 300_000, message: '(service api) (deployment ecs-svc/1) deployment failed: tasks failed to start.' });
    actual.migrations['db-migrate'].latest = null; // irrelevant here: pretend the migration is not gating
    desired.services[0].spec.after = [];
    desired.migrations = [];

    const p = plan(desired, actual, policyFor(desired, POLICY));

    expect(brief(p)).toEqual(['TagResource record:Service/api']);
    expect((p.actions[0] as Extract<Action, { kind: 'TagResource' }>).tags).toEqual({
      [TAG_ROLLOUT]: `${bad.arn}@${POLICY.now - 600_000}#failed:(service api) (deployment ecs-svc/1) deployment failed: tasks failed to start.`,
    });
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'RolloutFailed' });
    expect(statusOf(p, 'Service/api').message).toContain('deployment failed: tasks failed to start.');
    expect(p.budget.used).toBe(0);

    // Once written down, the failure needs no more evidence and no more writes.
    api(actual).tags[TAG_ROLLOUT] = (p.actions[0] as Extract<Action, { kind: 'TagResource' }>).tags[TAG_ROLLOUT];
    api(actual).events = [];
    const again = plan(desired, actual, policyFor(desired, POLICY));
    expect(brief(again)).toEqual([]);
    expect(statusOf(again, 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'RolloutFailed' });
  });

  it('rolls out again a revision that someone reverted by hand without a failure', () => {
    const desired = desiredShop();
    desired.services[0].spec.after = [];
    desired.migrations = [];
    const actual = syncedActual(desired);
    const current = actual.taskDefinitions[api(actual).taskDefinitionArn];
    const old = { ...current, arn: current.arn.replace(':7', ':6'), revision: 6, content: { ...current.content, cpu: '512', memory: '1024' } };
    actual.taskDefinitions[old.arn] = old;
    actual.familyRevisions['shop-api'] = [current.arn, old.arn];
    api(actual).tags[TAG_ROLLOUT] = `${current.arn}@${POLICY.now - 600_000}`;
    api(actual).taskDefinitionArn = old.arn;

    expect(brief(plan(desired, actual, policyFor(desired, POLICY)))).toEqual(['UpdateService update:Service/api']);
  });

  it('reports a CODE_DEPLOY service that needs a new revision instead of calling UpdateService', () => {
    const desired = desiredShop();
    desired.services[0].spec.after = [];
    desired.migrations = [];
    const actual = syncedActual(desired);
    api(actual).deploymentController = 'CODE_DEPLOY';
    pushNewImage(actual);

    const p = plan(desired, actual, policyFor(desired, POLICY));

    expect(brief(p)).toEqual([]);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'CodeDeployController' });
  });

  it('holds every action in observe mode and still reports the plan', () => {
    const desired = desiredShop({ mode: 'observe' });
    const actual = syncedActual(desired);
    api(actual).desiredCount = 0;

    const p = plan(desired, actual, policyFor(desired, POLICY));

    expect(p.holdAll).toBe(true);
    expect(brief(p)).toEqual(['UpdateService update:Service/api']);
    expect(statusOf(p, 'Service/api').notes).toEqual(['would change, but environment is in observe mode: steady reports, and changes nothing']);
  });

  it('stops when the plan exceeds the change budget', () => {
    const desired = desiredShop({ changeBudget: 1 });
    const actual = syncedActual(desired);
    api(actual).desiredCount = 0;
    actual.loadBalancers['shop-api-alb']!.dnsName = 'new-1.ap-northeast-1.elb.amazonaws.com';

    const p = plan(desired, actual, policyFor(desired, POLICY));

    expect(p.budget).toEqual({ limit: 1, used: 2, exceeded: true });
    expect(p.holdAll).toBe(true);
    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Blocked', reason: 'ChangeBudgetExceeded' });
  });

  it('blocks everything on an unreadable cluster', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    delete actual.cluster;

    const p = plan(desired, actual, policyFor(desired, POLICY));

    expect(statusOf(p, 'Service/api').phase).toBe('Blocked');
    expect(statusOf(p, 'Migration/db-migrate').phase).toBe('Blocked');
  });

  it('waits for a migration task an earlier pass started', () => {
    const desired = desiredShop();
    const actual = runningMigrationTask(syncedActual(desired));

    const p = plan(desired, actual, policyFor(desired, POLICY));

    expect(brief(p)).toEqual(['AwaitMigration wait:Migration/db-migrate']);
    expect(p.actions[0]).toMatchObject({ deadline: POLICY.now - 60_000 + 600_000 });
    expect(statusOf(p, 'Migration/db-migrate').phase).toBe('Progressing');
  });

  it('never plans a change to the target group binding when the target group is unknown', () => {
    const desired = desiredShop();
    const actual = syncedActual(desired);
    actual.targetGroups['shop-api-tg'] = null;

    const p = plan(desired, actual, policyFor(desired, POLICY));

    expect(statusOf(p, 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'TargetGroupNotFound' });
    expect(p.actions.filter((a) => a.resource === 'Service/api')).toEqual([]);
    expect(TG_ARN).toContain('shop-api-tg');
  });
});
