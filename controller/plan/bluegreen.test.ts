import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ActualState } from '../model/actual.js';
import type { CodeDeployDeployment, EcsService } from '../model/aws.js';
import { TAG_CODEDEPLOY, TAG_MIGRATION_RESULT, TAG_MIGRATION_VERSION, type CreateCodeDeployDeploymentAction, type DesiredEnvironment, type Plan } from '../model/plan.js';
import { ACCOUNT, DIGEST_B, POLICY, REGION, REPO, TG_ARN, desiredShop, syncedActual } from '../testing/plan-fixtures.js';
import { appSpec, deploymentFailedMessage } from './bluegreen.js';
import { plan } from './plan.js';

const GREEN_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/shop-api-green/fedcba9876543210`;
const OTHER_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/shop-admin-tg/0000000000000000`;
const PROD = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/shop-api-alb/1111111111111111/aaaaaaaaaaaaaaaa`;
const TEST = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:listener/app/shop-api-alb/1111111111111111/bbbbbbbbbbbbbbbb`;
const TD7 = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/shop-api:7`;
const TD8 = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/shop-api:8`;

/**
 * The shop environment with its API deployed blue/green: CodeDeploy application `shop`, group
 * `api` over target groups shop-api-tg (blue, production) and shop-api-green (test listener).
 */
function blueGreenShop(): { desired: DesiredEnvironment; actual: ActualState } {
  const desired = desiredShop();
  desired.services[0].spec.deployment = { strategy: 'blueGreen', codeDeploy: { application: 'shop', deploymentGroup: 'api', deploymentConfig: 'CodeDeployDefault.ECSAllAtOnce' } };
  const actual = syncedActual(desired);
  const svc = api(actual);
  svc.deploymentController = 'CODE_DEPLOY';
  svc.deployments = [];
  svc.taskSets = [{ id: 'ecs-svc/1111111111111111111', status: 'PRIMARY', taskDefinitionArn: svc.taskDefinitionArn }];
  svc.deploymentConfiguration = { minimumHealthyPercent: 100, maximumPercent: 200 };
  actual.targetGroups['shop-api-green'] = { arn: GREEN_ARN, name: 'shop-api-green', port: 8000, protocol: 'HTTP', targetType: 'ip', loadBalancerArns: ['arn:lb'] };
  actual.blueGreen['api'] = {
    group: {
      application: 'shop',
      name: 'api',
      computePlatform: 'ECS',
      deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      ecsServices: [{ serviceName: 'api', clusterName: 'shop-prod' }],
      targetGroups: ['shop-api-tg', 'shop-api-green'],
      prodListenerArns: [PROD],
      testListenerArns: [TEST],
      targetGroupPairs: 1,
    },
    listeners: {
      [PROD]: { arn: PROD, loadBalancerArn: 'arn:lb', port: 443, protocol: 'HTTPS', certificateArns: [], defaultActions: [{ type: 'forward', targetGroups: [{ arn: TG_ARN, weight: 1 }] }] },
      [TEST]: { arn: TEST, loadBalancerArn: 'arn:lb', port: 8443, protocol: 'HTTPS', certificateArns: [], defaultActions: [{ type: 'forward', targetGroups: [{ arn: GREEN_ARN, weight: 1 }] }] },
    },
    active: [],
  };
  return { desired, actual };
}

const api = (actual: ActualState): EcsService => actual.services['api']!;
const bg = (actual: ActualState) => actual.blueGreen['api'];
const statusOf = (p: Plan) => p.resources.find((r) => r.resource === 'Service/api')!;
const brief = (p: Plan) => p.actions.map((a) => `${a.kind} ${a.id}${a.dependsOn.length ? ` <- ${a.dependsOn.join(',')}` : ''}`);

function pushNewImage(actual: ActualState) {
  actual.images[`${REPO}:latest`] = { kind: 'pinned', digest: DIGEST_B, pinned: `${REPO}@${DIGEST_B}` };
}

/** A new image, registered already as shop-api:8 (what a later pass sees after a deployment of it). */
function revision8Exists(actual: ActualState) {
  pushNewImage(actual);
  const current = actual.taskDefinitions[TD7];
  const containers = current.content.containerDefinitions.map((c) => ({ ...c, image: `${REPO}@${DIGEST_B}` }));
  actual.taskDefinitions[TD8] = { ...current, arn: TD8, revision: 8, content: { ...current.content, containerDefinitions: containers } };
  actual.familyRevisions['shop-api'] = [TD8, TD7];
}

/** blue/green shop with shop-api:8 registered and nothing (no migration, no `after`) holding its deployment back. */
/** The status of a service whose shop-api:8 is about to be deployed. */
const DEPLOY_8 = { phase: 'Drifted', reason: 'TaskDefinitionDiffers', message: 'production runs shop-api:7, the spec asks for shop-api:8: deploy it blue/green through CodeDeploy' };

function revision8Waiting(): { desired: DesiredEnvironment; actual: ActualState } {
  const { desired, actual } = blueGreenShop();
  revision8Exists(actual);
  desired.migrations = [];
  desired.services[0].spec.after = [];
  return { desired, actual };
}

function deployment(over: Partial<CodeDeployDeployment>): CodeDeployDeployment {
  return { id: 'd-ABCDEFGH1', application: 'shop', deploymentGroup: 'api', status: 'InProgress', creator: 'user', createdAt: POLICY.now - 60_000, ...over };
}

describe('planning a blue/green service', () => {
  it('plans nothing when production runs the spec\'s revision, and says where traffic goes', () => {
    const { desired, actual } = blueGreenShop();

    const p = plan(desired, actual, POLICY);

    expect(p.actions).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: 'runs shop-api:7 with 2/2 tasks; production traffic goes to target group shop-api-tg', diff: [] });
  });

  it('says so when the production listener sends traffic to no target group', () => {
    const { desired, actual } = blueGreenShop();
    bg(actual).listeners[PROD]!.defaultActions = [{ type: 'fixed-response', targetGroups: [] }];

    expect(statusOf(plan(desired, actual, POLICY))).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: 'runs shop-api:7 with 2/2 tasks; production traffic goes to target group (none)' });
  });

  it('a service whose CodeDeploy side could not be read is Blocked, and nothing is changed', () => {
    const { desired, actual } = blueGreenShop();
    pushNewImage(actual);
    api(actual).desiredCount = 5;
    delete actual.blueGreen['api'];

    const p = plan(desired, actual, POLICY);

    expect(p.actions.filter((a) => a.resource === 'Service/api')).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed', message: 'CodeDeploy deployment group api of application shop could not be read; nothing is changed this pass' });
  });

  it('rolls a new image out as one CodeDeploy deployment, after registration and the migration', () => {
    const { desired, actual } = blueGreenShop();
    pushNewImage(actual);

    const p = plan(desired, actual, POLICY);

    expect(brief(p)).toEqual([
      'RegisterTaskDefinition register:Migration/db-migrate',
      'RunMigration run:Migration/db-migrate <- register:Migration/db-migrate',
      'RegisterTaskDefinition register:Service/api',
      'CreateCodeDeployDeployment deploy:Service/api <- register:Service/api,run:Migration/db-migrate',
    ]);
    expect(p.actions.at(-1)).toMatchObject({
      application: 'shop',
      deploymentGroup: 'api',
      deploymentConfig: 'CodeDeployDefault.ECSAllAtOnce',
      cluster: 'shop-prod',
      serviceName: 'api',
      taskDefinition: { registeredBy: 'register:Service/api' },
      containerName: 'app',
      containerPort: 8000,
      network: { subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
      platformVersion: 'LATEST',
      production: 'shop-api:7',
      summary: 'deploy shop-api:<new revision> blue/green through CodeDeploy deployment group api of application shop (CodeDeployDefault.ECSAllAtOnce); production runs shop-api:7',
    } satisfies Partial<CreateCodeDeployDeploymentAction>);
    expect(statusOf(p)).toMatchObject({
      phase: 'Drifted',
      reason: 'TaskDefinitionDiffers',
      message: 'production runs shop-api:7, the spec asks for shop-api:<new revision>: deploy it blue/green through CodeDeploy',
      diff: [{ path: 'taskDefinition.containers[app].image', before: `${REPO}@sha256:${'a'.repeat(64)}`, after: `${REPO}@${DIGEST_B}` }],
    });
  });

  it('takes production\'s revision from the PRIMARY task set, not from the service', () => {
    const { desired, actual } = blueGreenShop();
    revision8Exists(actual);
    // ECS already reports the new revision, but production still runs 7 (CodeDeploy has not switched).
    api(actual).taskDefinitionArn = TD8;
    actual.migrations['db-migrate'].latest = null;
    desired.migrations = [];
    desired.services[0].spec.after = [];

    const p = plan(desired, actual, POLICY);

    expect(brief(p)).toEqual(['CreateCodeDeployDeployment deploy:Service/api']);
    expect(p.actions[0]).toMatchObject({ taskDefinition: { arn: TD8 }, production: 'shop-api:7' });
  });

  it("production's revision is the service's when ECS lists no task set (none yet, or none reported)", () => {
    for (const taskSets of [[], undefined]) {
      const { desired, actual } = blueGreenShop();
      api(actual).taskSets = taskSets;

      const p = plan(desired, actual, POLICY);

      expect(p.actions).toEqual([]);
      expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: 'runs shop-api:7 with 2/2 tasks; production traffic goes to target group shop-api-tg' });
    }
  });

  it('production\'s revision is the PRIMARY task set\'s, not that of an ACTIVE replacement task set listed first', () => {
    const { desired, actual } = revision8Waiting();
    // steady's deployment of shop-api:8 has started the replacement (green) task set; traffic has not moved.
    api(actual).tags[TAG_CODEDEPLOY] = `d-ABCDEFGH1@${TD8}`;
    api(actual).taskSets = [
      { id: 'ecs-svc/2222222222222222222', status: 'ACTIVE', taskDefinitionArn: TD8 },
      { id: 'ecs-svc/1111111111111111111', status: 'PRIMARY', taskDefinitionArn: TD7 },
    ];
    bg(actual).active = [deployment({ status: 'InProgress' })];

    const p = plan(desired, actual, POLICY);

    expect(p.actions).toEqual([
      {
        kind: 'AwaitCodeDeployDeployment',
        id: 'follow:Service/api',
        resource: 'Service/api',
        summary: 'follow CodeDeploy deployment d-ABCDEFGH1 of shop-api:8 (InProgress)',
        diff: [],
        dependsOn: [],
        deploymentId: 'd-ABCDEFGH1',
        revision: 'shop-api:8',
        serviceArn: api(actual).arn,
        production: 'shop-api:7',
      },
    ]);
    expect(statusOf(p)).toMatchObject({ phase: 'Progressing', reason: 'Deploying', message: 'CodeDeploy deployment d-ABCDEFGH1 of shop-api:8 is InProgress; production runs shop-api:7' });
  });

  it('changes a desired count with UpdateService, never the task definition', () => {
    const { desired, actual } = blueGreenShop();
    api(actual).desiredCount = 5;

    const p = plan(desired, actual, POLICY);

    expect(brief(p)).toEqual(['UpdateService update:Service/api']);
    expect(p.actions[0]).toMatchObject({ settings: { desiredCount: 2 } });
    expect(p.actions[0]).not.toHaveProperty('taskDefinition');

    // A setting ECS does not report yet shows its old value as '-'.
    desired.services[0].spec.healthCheckGracePeriodSeconds = 30;
    const q = plan(desired, actual, POLICY);
    const diff = [
      { path: 'desiredCount', before: '5', after: '2' },
      { path: 'healthCheckGracePeriodSeconds', before: undefined, after: '30' },
    ];
    expect(q.actions[0]).toMatchObject({ summary: 'update service api: desiredCount 5 -> 2, healthCheckGracePeriodSeconds - -> 30', settings: { desiredCount: 2, healthCheckGracePeriodSeconds: 30 }, diff });
    expect(statusOf(q)).toMatchObject({ phase: 'Drifted', reason: 'SettingsDiffer', message: 'desiredCount 5 -> 2; healthCheckGracePeriodSeconds - -> 30', diff });
  });

  it('adopting a blue/green service: the settings change waits only for the tag, the deployment for the tag and the registration', () => {
    const { desired, actual } = blueGreenShop();
    desired.services[0].spec.adopt = true;
    desired.migrations = [];
    desired.services[0].spec.after = [];
    for (const k of Object.keys(api(actual).tags)) if (k.startsWith('steady:')) delete api(actual).tags[k];
    pushNewImage(actual);
    api(actual).desiredCount = 5;

    expect(brief(plan(desired, actual, POLICY))).toEqual([
      'RegisterTaskDefinition register:Service/api',
      'TagResource adopt:Service/api',
      'UpdateService update:Service/api <- adopt:Service/api',
      'CreateCodeDeployDeployment deploy:Service/api <- register:Service/api,adopt:Service/api',
    ]);

    // Behind a migration that failed: the tag and the settings change go ahead, nothing is registered or deployed.
    desired.migrations = desiredShop().migrations;
    desired.services[0].spec.after = ['db-migrate'];
    const version = (plan(desired, actual, POLICY).actions.find((a) => a.kind === 'RunMigration') as { version: string }).version;
    const m = actual.migrations['db-migrate'];
    m.latest = { ...m.latest!, tags: { ...m.latest!.tags, [TAG_MIGRATION_VERSION]: version, [TAG_MIGRATION_RESULT]: 'failed: exit code 1' } };
    const p = plan(desired, actual, POLICY);
    expect(brief(p).filter((b) => b.includes('Service/api'))).toEqual(['TagResource adopt:Service/api', 'UpdateService update:Service/api <- adopt:Service/api']);
    expect(statusOf(p)).toMatchObject({ phase: 'Blocked', reason: 'MigrationFailed' });
  });

  it('notes a network that differs instead of calling UpdateService, which ECS refuses for CODE_DEPLOY services', () => {
    const { desired, actual } = blueGreenShop();
    api(actual).network = { subnets: ['subnet-0cccccccccccccccc'], securityGroups: [], assignPublicIp: 'DISABLED' };

    const p = plan(desired, actual, POLICY);

    expect(p.actions).toEqual([]);
    expect(statusOf(p).notes).toEqual([
      'network differs ({"assignPublicIp":"DISABLED","securityGroups":[],"subnets":["subnet-0cccccccccccccccc"]} -> {"assignPublicIp":"DISABLED","securityGroups":["sg-0123456789abcdef0"],"subnets":["subnet-0aaaaaaaaaaaaaaaa","subnet-0bbbbbbbbbbbbbbbb"]}); a CODE_DEPLOY service takes it from the AppSpec, so it changes with the next blue/green deployment',
    ]);
  });
});

describe('validating the deployment group', () => {
  it('fails the service when the group does not exist, with CodeDeploy\'s answer', () => {
    const { desired, actual } = blueGreenShop();
    pushNewImage(actual);
    actual.blueGreen['api'] = { group: null, missing: { awsName: 'DeploymentGroupDoesNotExistException', message: 'No Deployment Group found for name: api' }, listeners: {}, active: [] };

    const p = plan(desired, actual, POLICY);

    expect(p.actions.filter((a) => a.resource === 'Service/api')).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Failed',
      reason: 'DeploymentGroupNotFound',
      message:
        'CodeDeploy deployment group api of application shop does not exist (DeploymentGroupDoesNotExistException: No Deployment Group found for name: api); create it or fix spec.deployment.codeDeploy. Nothing is rolled out',
    });
  });

  const mismatches: { name: string; drift: (actual: ActualState) => void; problem: string }[] = [
    {
      name: 'a group that deploys another service',
      drift: (a) => (bg(a).group!.ecsServices = [{ serviceName: 'admin', clusterName: 'shop-prod' }]),
      problem: 'it deploys admin in cluster shop-prod, not api in cluster shop-prod',
    },
    {
      name: 'a group in another cluster',
      drift: (a) => (bg(a).group!.ecsServices = [{ serviceName: 'api', clusterName: 'shop-staging' }]),
      problem: 'it deploys api in cluster shop-staging, not api in cluster shop-prod',
    },
    {
      name: 'a group for EC2 instances',
      drift: (a) => (bg(a).group!.computePlatform = 'Server'),
      problem: 'it is for the Server compute platform, not ECS',
    },
    {
      name: 'a group with one target group',
      drift: (a) => (bg(a).group!.targetGroups = ['shop-api-tg']),
      problem: 'it has 1 target group in 1 pair; a blue/green ECS deployment needs one pair of two',
    },
    {
      name: 'a spec target group outside the pair',
      drift: (a) => {
        bg(a).group!.targetGroups = ['shop-admin-blue', 'shop-api-green'];
        a.targetGroups['shop-admin-blue'] = { arn: OTHER_ARN, name: 'shop-admin-blue', targetType: 'ip', loadBalancerArns: ['arn:lb'] };
      },
      problem:
        'its target groups are shop-admin-blue and shop-api-green, but spec.loadBalancer.targetGroup is shop-api-tg; ' +
        'ECS service api sends traffic to target group shop-api-tg, which is not shop-admin-blue and shop-api-green; ' +
        'its production listener (port 443) forwards to shop-api-tg, which is not shop-admin-blue and shop-api-green',
    },
    {
      name: 'a target group of the pair that was deleted',
      drift: (a) => (a.targetGroups['shop-api-green'] = null),
      problem: 'its target group shop-api-green does not exist',
    },
    {
      name: 'a production listener that forwards elsewhere',
      drift: (a) => {
        a.targetGroups['shop-admin-tg'] = { arn: OTHER_ARN, name: 'shop-admin-tg', targetType: 'ip', loadBalancerArns: ['arn:lb'] };
        bg(a).listeners[PROD]!.defaultActions = [{ type: 'forward', targetGroups: [{ arn: OTHER_ARN, weight: 1 }] }];
      },
      problem: 'its production listener (port 443) forwards to shop-admin-tg, which is not shop-api-tg and shop-api-green',
    },
    {
      name: 'a test listener that is gone',
      drift: (a) => (bg(a).listeners[TEST] = null),
      problem: `its test listener ${TEST} is not a listener of the load balancer of shop-api-tg and shop-api-green`,
    },
    {
      name: 'a service whose load balancer names another container',
      drift: (a) => (api(a).loadBalancers = [{ targetGroupArn: TG_ARN, containerName: 'sidecar', containerPort: 9000 }]),
      problem: 'ECS service api sends traffic to container sidecar port 9000, but spec.loadBalancer names container app port 8000',
    },
    {
      name: 'a group that deploys no ECS service at all',
      drift: (a) => (bg(a).group!.ecsServices = []),
      problem: 'it deploys no ECS service, not api in cluster shop-prod',
    },
    {
      name: 'a group with two target-group pairs',
      drift: (a) => (bg(a).group!.targetGroupPairs = 2),
      problem: 'it has 2 target groups in 2 pairs; a blue/green ECS deployment needs one pair of two',
    },
    {
      name: 'a service with no load balancer',
      drift: (a) => (api(a).loadBalancers = []),
      problem: 'ECS service api has no load balancer',
    },
    {
      name: 'a service whose load balancer names another container on the same port',
      drift: (a) => (api(a).loadBalancers = [{ targetGroupArn: TG_ARN, containerName: 'sidecar', containerPort: 8000 }]),
      problem: 'ECS service api sends traffic to container sidecar port 8000, but spec.loadBalancer names container app port 8000',
    },
    {
      name: 'a service whose load balancer names the same container on another port',
      drift: (a) => (api(a).loadBalancers = [{ targetGroupArn: TG_ARN, containerName: 'app', containerPort: 9000 }]),
      problem: 'ECS service api sends traffic to container app port 9000, but spec.loadBalancer names container app port 8000',
    },
    {
      name: 'a group with no production listener',
      drift: (a) => (bg(a).group!.prodListenerArns = []),
      problem: 'it has no production listener',
    },
  ];

  it.each(mismatches)('fails the service on $name and rolls nothing out', ({ drift, problem }) => {
    const { desired, actual } = blueGreenShop();
    pushNewImage(actual);
    drift(actual);

    const p = plan(desired, actual, POLICY);

    expect(p.actions.filter((a) => a.resource === 'Service/api')).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Failed',
      reason: 'DeploymentGroupMismatch',
      message: `CodeDeploy deployment group api of application shop does not match the service: ${problem}. Nothing is rolled out until it does`,
    });
  });

  it('accepts a production listener in the middle of a canary (weights on both target groups)', () => {
    const { desired, actual } = blueGreenShop();
    bg(actual).listeners[PROD]!.defaultActions = [{ type: 'forward', targetGroups: [{ arn: TG_ARN, weight: 90 }, { arn: GREEN_ARN, weight: 10 }] }];

    expect(statusOf(plan(desired, actual, POLICY))).toMatchObject({ phase: 'Synced', message: expect.stringMatching(/production traffic goes to target group shop-api-tg, shop-api-green$/) });
  });

  it('a group that deploys this service and another one as well is accepted (only a group without this service is a mismatch)', () => {
    const { desired, actual } = blueGreenShop();
    bg(actual).group!.ecsServices = [
      { serviceName: 'admin', clusterName: 'shop-prod' },
      { serviceName: 'api', clusterName: 'shop-prod' },
    ];

    const p = plan(desired, actual, POLICY);

    expect(p.actions).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: 'runs shop-api:7 with 2/2 tasks; production traffic goes to target group shop-api-tg' });
  });

  it('a listener that could not be looked up is skipped without a message, while one that does not exist is reported', () => {
    const { desired, actual } = blueGreenShop();
    pushNewImage(actual);
    delete bg(actual).listeners[TEST];
    bg(actual).listeners[PROD] = null;

    const p = plan(desired, actual, POLICY);

    expect(p.actions.filter((a) => a.resource === 'Service/api')).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Failed',
      reason: 'DeploymentGroupMismatch',
      message: `CodeDeploy deployment group api of application shop does not match the service: its production listener ${PROD} is not a listener of the load balancer of shop-api-tg and shop-api-green. Nothing is rolled out until it does`,
    });
  });

  it('a target group a canary listener gives weight 0 receives no production traffic', () => {
    const { desired, actual } = blueGreenShop();
    bg(actual).listeners[PROD]!.defaultActions = [{ type: 'forward', targetGroups: [{ arn: TG_ARN, weight: 100 }, { arn: GREEN_ARN, weight: 0 }] }];

    const p = plan(desired, actual, POLICY);

    expect(p.actions).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Synced', reason: 'UpToDate', message: 'runs shop-api:7 with 2/2 tasks; production traffic goes to target group shop-api-tg' });
  });

  it('fails a blueGreen spec whose service uses the ECS deployment controller', () => {
    const { desired, actual } = blueGreenShop();
    api(actual).deploymentController = 'ECS';

    expect(statusOf(plan(desired, actual, POLICY))).toMatchObject({
      phase: 'Failed',
      reason: 'DeploymentControllerMismatch',
      message: 'ECS service api uses the ECS deployment controller; a blueGreen deployment needs a service created with the CODE_DEPLOY controller. Nothing is rolled out',
    });
  });
});

describe('deployments that have not finished', () => {
  it('leaves a deployment someone else started alone, even when the spec wants another revision', () => {
    const { desired, actual } = blueGreenShop();
    pushNewImage(actual);
    bg(actual).active = [deployment({ description: 'hotfix by hand' })];

    const p = plan(desired, actual, POLICY);

    expect(p.actions.filter((a) => a.resource === 'Service/api')).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Progressing',
      reason: 'DeploymentInProgress',
      message: 'deployment d-ABCDEFGH1 started by someone else is in progress (InProgress); steady does not interrupt or race it',
      notes: ['the spec asks for shop-api:<new revision>; steady deploys it once deployment d-ABCDEFGH1 has finished'],
    });

    // One made in the console has no description; with nothing to deploy, nothing waits.
    actual.images[`${REPO}:latest`] = { kind: 'pinned', digest: `sha256:${'a'.repeat(64)}`, pinned: `${REPO}@sha256:${'a'.repeat(64)}` };
    bg(actual).active = [deployment({})];
    const q = plan(desired, actual, POLICY);
    expect(q.actions).toEqual([]);
    expect(statusOf(q)).toMatchObject({ phase: 'Progressing', reason: 'DeploymentInProgress' });
    expect(statusOf(q).notes).toBeUndefined();
  });

  it("a steady:codedeploy tag that is not `<id>@<arn>` names no deployment: someone else's stays someone else's", () => {
    const { desired, actual } = blueGreenShop();
    api(actual).tags[TAG_CODEDEPLOY] = 'd-ABCDEFGH1!';
    bg(actual).active = [deployment({ description: 'hotfix by hand' })];

    const p = plan(desired, actual, POLICY);

    expect(p.actions.filter((a) => a.resource === 'Service/api')).toEqual([]);
    expect(statusOf(p)).toMatchObject({ phase: 'Progressing', reason: 'DeploymentInProgress' });
  });

  it('follows its own deployment, which changes nothing and costs no change budget', () => {
    const { desired, actual } = revision8Waiting();
    api(actual).tags[TAG_CODEDEPLOY] = `d-ABCDEFGH1@${TD8}`;
    bg(actual).active = [deployment({ status: 'Ready' })];

    const p = plan(desired, actual, { ...POLICY, changeBudget: 0 });

    expect(p.actions).toEqual([
      {
        kind: 'AwaitCodeDeployDeployment',
        id: 'follow:Service/api',
        resource: 'Service/api',
        summary: 'follow CodeDeploy deployment d-ABCDEFGH1 of shop-api:8 (Ready)',
        diff: [],
        dependsOn: [],
        deploymentId: 'd-ABCDEFGH1',
        revision: 'shop-api:8',
        serviceArn: api(actual).arn,
        production: 'shop-api:7',
      },
    ]);
    expect(p.budget).toEqual({ limit: 0, used: 0, exceeded: false });
    expect(statusOf(p)).toMatchObject({ phase: 'Progressing', reason: 'Deploying', message: 'CodeDeploy deployment d-ABCDEFGH1 of shop-api:8 is Ready; production runs shop-api:7' });
  });

  it('recognises its own deployment by its description when the tag was never written, and records it', () => {
    const { desired, actual } = blueGreenShop();
    bg(actual).active = [deployment({ description: 'steady: shop-prod Service/api -> shop-api:8' })];

    const p = plan(desired, actual, POLICY);

    expect(p.actions).toEqual([expect.objectContaining({ kind: 'AwaitCodeDeployDeployment', revision: 'shop-api:8', recordTag: `d-ABCDEFGH1@${TD8}` })]);
  });

  it('reports CodeDeploy rolling back, and waits for it', () => {
    const { desired, actual } = blueGreenShop();
    bg(actual).active = [deployment({ id: 'd-ROLLBACK1', creator: 'codeDeployRollback', rollback: { rollbackTriggeringDeploymentId: 'd-ABCDEFGH1' } })];

    const p = plan(desired, actual, POLICY);

    expect(p.actions).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Progressing',
      reason: 'RollingBack',
      message: 'CodeDeploy is rolling back deployment d-ABCDEFGH1 (rollback deployment d-ROLLBACK1 is InProgress); production runs shop-api:7',
    });
    expect(statusOf(p).notes).toBeUndefined();

    // The spec's revision waits for it; a rollback that does not name the deployment it undoes is still reported.
    pushNewImage(actual);
    bg(actual).active = [deployment({ id: 'd-ROLLBACK1', creator: 'codeDeployRollback' })];
    const q = plan(desired, actual, POLICY);
    expect(q.actions.filter((a) => a.resource === 'Service/api')).toEqual([]);
    expect(statusOf(q)).toMatchObject({
      phase: 'Progressing',
      reason: 'RollingBack',
      message: 'CodeDeploy is rolling back (rollback deployment d-ROLLBACK1 is InProgress); production runs shop-api:7',
      notes: ['the spec asks for shop-api:<new revision>; steady deploys it once deployment d-ROLLBACK1 has finished'],
    });
  });
});

describe('deployments that failed', () => {
  function failedBefore(status: 'Failed' | 'Stopped') {
    const { desired, actual } = revision8Waiting();
    api(actual).tags[TAG_CODEDEPLOY] = `d-ABCDEFGH1@${TD8}`;
    bg(actual).recorded = deployment({
      status,
      error: status === 'Failed' ? { code: 'ALARM_ACTIVE', message: 'Activated alarms: <api-5xx>' } : { code: 'MANUAL_STOP', message: 'The deployment was stopped by a user.' },
      rollback: { rollbackDeploymentId: 'd-ROLLBACK1' },
    });
    return { desired, actual };
  }

  it('does not deploy a revision whose deployment failed again, and says so the same way every pass', () => {
    const { desired, actual } = failedBefore('Failed');

    const p = plan(desired, actual, POLICY);

    expect(p.actions).toEqual([]);
    expect(statusOf(p)).toMatchObject({
      phase: 'Failed',
      reason: 'DeploymentFailed',
      message:
        'CodeDeploy deployment d-ABCDEFGH1 of shop-api:8 failed (ALARM_ACTIVE: Activated alarms: <api-5xx>) and CodeDeploy rolled it back (deployment d-ROLLBACK1); production stays on shop-api:7. ' +
        'steady does not deploy shop-api:8 again until the spec changes or someone runs `steady retry service/api --env shop-prod` (which removes the service\'s steady:codedeploy tag)',
    });
    expect(plan(desired, actual, POLICY).resources).toEqual(p.resources);
  });

  it('treats a stopped deployment like a failed one', () => {
    const { desired, actual } = failedBefore('Stopped');

    expect(statusOf(plan(desired, actual, POLICY))).toMatchObject({ phase: 'Failed', reason: 'DeploymentFailed', message: expect.stringMatching(/^CodeDeploy deployment d-ABCDEFGH1 of shop-api:8 was stopped \(MANUAL_STOP: /) });
  });

  it('deploys again once the spec asks for another revision', () => {
    const { desired, actual } = failedBefore('Failed');
    actual.images[`${REPO}:latest`] = { kind: 'pinned', digest: `sha256:${'c'.repeat(64)}`, pinned: `${REPO}@sha256:${'c'.repeat(64)}` };

    expect(brief(plan(desired, actual, POLICY))).toEqual(['RegisterTaskDefinition register:Service/api', 'CreateCodeDeployDeployment deploy:Service/api <- register:Service/api']);
  });

  it('deploys again once `steady retry` removed the tag', () => {
    const { desired, actual } = failedBefore('Failed');
    delete api(actual).tags[TAG_CODEDEPLOY];
    delete bg(actual).recorded;

    expect(brief(plan(desired, actual, POLICY))).toEqual(['CreateCodeDeployDeployment deploy:Service/api']);
  });
});

describe('the circuit-breaker rule of blue/green rollouts (a failure blocks only its own revision)', () => {
  const TD9 = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/shop-api:9`;

  it('a failed deployment of another revision does not block deploying the revision the spec asks for', () => {
    const { desired, actual } = revision8Waiting();
    // shop-api:9 was deployed and failed; the spec now asks for shop-api:8 (registered already).
    api(actual).tags[TAG_CODEDEPLOY] = `d-ABCDEFGH1@${TD9}`;
    bg(actual).recorded = deployment({ status: 'Failed', error: { code: 'ALARM_ACTIVE', message: 'Activated alarms: <api-5xx>' } });

    const p = plan(desired, actual, POLICY);

    expect(brief(p)).toEqual(['CreateCodeDeployDeployment deploy:Service/api']);
    expect(p.actions[0]).toMatchObject({ taskDefinition: { arn: TD8 }, production: 'shop-api:7' } satisfies Partial<CreateCodeDeployDeploymentAction>);
    expect(statusOf(p)).toMatchObject(DEPLOY_8);
  });

  it('a deployment of the revision that succeeded is no failure: when production no longer runs it, it is deployed again', () => {
    const { desired, actual } = revision8Waiting();
    // shop-api:8 was deployed and succeeded; production was put back on shop-api:7 by hand since.
    api(actual).tags[TAG_CODEDEPLOY] = `d-ABCDEFGH1@${TD8}`;
    bg(actual).recorded = deployment({ status: 'Succeeded' });

    const p = plan(desired, actual, POLICY);

    expect(brief(p)).toEqual(['CreateCodeDeployDeployment deploy:Service/api']);
    expect(p.actions[0]).toMatchObject({ taskDefinition: { arn: TD8 }, production: 'shop-api:7' } satisfies Partial<CreateCodeDeployDeploymentAction>);
    expect(statusOf(p)).toMatchObject(DEPLOY_8);
  });
  it('a recorded deployment CodeDeploy no longer knows is no evidence of a failure: the revision is deployed', () => {
    const { desired, actual } = revision8Waiting();
    api(actual).tags[TAG_CODEDEPLOY] = `d-ABCDEFGH1@${TD8}`;
    bg(actual).recorded = null;

    const p = plan(desired, actual, POLICY);

    expect(brief(p)).toEqual(['CreateCodeDeployDeployment deploy:Service/api']);
    expect(p.actions[0]).toMatchObject({ taskDefinition: { arn: TD8 }, production: 'shop-api:7' } satisfies Partial<CreateCodeDeployDeploymentAction>);
    expect(statusOf(p)).toMatchObject(DEPLOY_8);
  });
});

describe('following steady\'s own deployment', () => {
  it('says the spec\'s revision waits only when the deployment is of another revision', () => {
    const { desired, actual } = revision8Waiting();
    api(actual).tags[TAG_CODEDEPLOY] = `d-ABCDEFGH1@${TD8}`;
    bg(actual).active = [deployment({ status: 'InProgress' })];
    expect(statusOf(plan(desired, actual, POLICY)).notes).toBeUndefined();

    api(actual).tags[TAG_CODEDEPLOY] = `d-ABCDEFGH1@${TD7.replace(/:7$/, ':6')}`;
    expect(statusOf(plan(desired, actual, POLICY)).notes).toEqual(['the spec asks for shop-api:8; steady deploys it once deployment d-ABCDEFGH1 has finished']);
  });

  it('while its own deployment runs, a spec revision not registered yet is noted as waiting for it', () => {
    const { desired, actual } = blueGreenShop();
    pushNewImage(actual);
    desired.migrations = [];
    desired.services[0].spec.after = [];
    api(actual).tags[TAG_CODEDEPLOY] = `d-ABCDEFGH1@${TD8}`;
    bg(actual).active = [deployment({ status: 'InProgress' })];

    const p = plan(desired, actual, POLICY);

    expect(brief(p)).toEqual(['AwaitCodeDeployDeployment follow:Service/api']);
    expect(statusOf(p)).toMatchObject({
      phase: 'Progressing',
      reason: 'Deploying',
      message: 'CodeDeploy deployment d-ABCDEFGH1 of shop-api:8 is InProgress; production runs shop-api:7',
      notes: ['the spec asks for shop-api:<new revision>; steady deploys it once deployment d-ABCDEFGH1 has finished'],
    });
  });

  it('a deployment whose description has steady\'s prefix but names no revision is followed, and no record is made up from it', () => {
    const { desired, actual } = blueGreenShop();
    bg(actual).active = [deployment({ description: 'steady: shop-prod Service/api -> something else' })];

    const p = plan(desired, actual, POLICY);

    expect(p.actions).toHaveLength(1);
    expect(p.actions[0]).toMatchObject({ kind: 'AwaitCodeDeployDeployment', revision: 'something else' });
    expect(p.actions[0]).not.toHaveProperty('recordTag');
  });

  it.each([
    ['shop-api:12', `d-ABCDEFGH1@arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/shop-api:12`],
    ['other/shop-api:8', undefined],
    ['shop-api:8 (canary)', undefined],
  ])('records a deployment recognised by its description only when it names a revision as family:number (%s)', (revision, recordTag) => {
    const { desired, actual } = blueGreenShop();
    bg(actual).active = [deployment({ description: `steady: shop-prod Service/api -> ${revision}` })];

    const [follow] = plan(desired, actual, POLICY).actions;

    expect(follow).toMatchObject({ kind: 'AwaitCodeDeployDeployment', revision });
    expect((follow as { recordTag?: string }).recordTag).toBe(recordTag);
  });
});

describe('migrations gate blue/green rollouts', () => {
  it('blocks the deployment while the migration it waits for has failed; settings still converge', () => {
    const { desired, actual } = blueGreenShop();
    revision8Exists(actual);
    api(actual).desiredCount = 5;
    // The migration's new version (the new image) ran in an earlier pass and failed.
    const version = (plan(desired, actual, POLICY).actions.find((a) => a.kind === 'RunMigration') as { version: string }).version;
    const m = actual.migrations['db-migrate'];
    m.latest = { ...m.latest!, tags: { ...m.latest!.tags, [TAG_MIGRATION_VERSION]: version, [TAG_MIGRATION_RESULT]: 'failed: exit code 1' } };

    const p = plan(desired, actual, POLICY);

    expect(brief(p)).toEqual(['UpdateService update:Service/api']);
    expect(statusOf(p)).toMatchObject({ phase: 'Blocked', reason: 'MigrationFailed', message: expect.stringMatching(/^rollout waits: migration db-migrate failed \(version \w+ failed: exit code 1; /) });
  });
});

describe('appSpec', () => {
  it('names the revision, the container and port, the network and platform, with the sha256 of exactly that content', () => {
    const spec = appSpec({
      taskDefinitionArn: TD8,
      containerName: 'app',
      containerPort: 8000,
      network: { subnets: ['subnet-0aaaaaaaaaaaaaaaa'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' },
      platformVersion: '1.4.0',
    });

    expect(spec.content).toBe(
      `{"version":0.0,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"${TD8}","LoadBalancerInfo":{"ContainerName":"app","ContainerPort":8000},"PlatformVersion":"1.4.0",` +
        '"NetworkConfiguration":{"AwsvpcConfiguration":{"Subnets":["subnet-0aaaaaaaaaaaaaaaa"],"SecurityGroups":["sg-0123456789abcdef0"],"AssignPublicIp":"DISABLED"}}}}}]}',
    );
    expect(spec.sha256).toBe(createHash('sha256').update(spec.content).digest('hex'));
    expect(JSON.parse(spec.content).version).toBe(0);
  });
});

describe('deploymentFailedMessage', () => {
  it('names the error code alone when CodeDeploy gives no message', () => {
    expect(deploymentFailedMessage(deployment({ status: 'Failed', error: { code: 'TIMEOUT' } }), 'shop-api:8', { key: 'Service/api', env: 'shop-prod' })).toMatch(
      /^CodeDeploy deployment d-ABCDEFGH1 of shop-api:8 failed \(TIMEOUT\)\. /,
    );
  });

  it('works without error details or a rollback', () => {
    expect(deploymentFailedMessage(deployment({ status: 'Failed' }), 'shop-api:8', { key: 'Service/api', env: 'shop-prod' })).toBe(
      'CodeDeploy deployment d-ABCDEFGH1 of shop-api:8 failed. steady does not deploy shop-api:8 again until the spec changes or someone runs `steady retry service/api --env shop-prod` (which removes the service\'s steady:codedeploy tag)',
    );
  });
});
