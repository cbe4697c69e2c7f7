/**
 * Blue/green scenarios: the messaging example (a CODE_DEPLOY service on v2.7.0 whose spec asks for
 * v2.7.1, CodeDeploy group messaging-api, canary traffic shifting) on the simulated account, run
 * by the real engine.
 */
import { createHash } from 'node:crypto';
import { CreateDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { describe, expect, it } from 'vitest';
import type { PassResult } from './model/pass.js';
import { TAG_CODEDEPLOY } from './model/plan.js';
import { migrationSchema } from './spec/schema.js';
import { world, type World } from './testing/world.js';

const V1 = 'arn:aws:ecs:ap-northeast-1:210987654321:task-definition/messaging-api:1';
const V2 = 'arn:aws:ecs:ap-northeast-1:210987654321:task-definition/messaging-api:2';

const service = (r: PassResult) => r.resources.find((s) => s.resource === 'Service/messaging-api')!;
const createDeployments = (w: World) => w.account.calls.filter((c) => c.operation === 'CreateDeployment');

/** Where production traffic goes (target-group name:weight) and what the PRIMARY task set runs. */
function production(w: World) {
  const { elbv2, ecs } = w.account;
  const prod = elbv2.listenerForwards(elbv2.listenerArnOf('messaging-api-alb', 443)!)!;
  const svc = ecs.codeDeployService('messaging-prod', 'messaging-api')!;
  return {
    listener: prod.targetGroups.map((t) => `${elbv2.targetGroupInfo(t.arn)!.name}:${t.weight}`).join(' '),
    taskSets: svc.taskSets.map((t) => `${t.status} ${t.taskDefinitionArn.slice(t.taskDefinitionArn.lastIndexOf('/') + 1)}`),
  };
}

function serviceTags(w: World): Record<string, string> {
  return Object.fromEntries((w.account.ecs.listTagsForResource({ resourceArn: w.account.ecs.serviceState('messaging-prod', 'messaging-api').arn }).tags ?? []).map((t) => [t.key!, t.value!]));
}

describe('a blue/green service on the simulated account', () => {
  it('rolls a spec image change out as exactly one CodeDeploy deployment, which moves production to green; the next pass plans nothing', async () => {
    const w = await world('messaging-prod');
    const before = production(w);

    const { result: first } = await w.pass();
    const [create] = createDeployments(w);
    const id = w.account.codedeploy.allDeployments()[0].id;
    w.advance(60_000);
    const mutatingBefore = w.account.mutatingCalls().length;
    const { result: second } = await w.pass();

    expect(before).toEqual({ listener: 'messaging-api-blue:1', taskSets: ['PRIMARY messaging-api:1'] });
    expect(createDeployments(w)).toHaveLength(1);
    const content = create.input.revision.appSpecContent.content as string;
    expect(create.input).toMatchObject({
      applicationName: 'messaging-prod',
      deploymentGroupName: 'messaging-api',
      deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      description: 'steady: messaging-prod Service/messaging-api -> messaging-api:2',
      revision: { revisionType: 'AppSpecContent', appSpecContent: { sha256: createHash('sha256').update(content).digest('hex') } },
    });
    expect(JSON.parse(content).Resources[0].TargetService.Properties).toMatchObject({ TaskDefinition: V2, LoadBalancerInfo: { ContainerName: 'api', ContainerPort: 8080 } });
    expect(w.account.codedeploy.deploymentState(id)).toMatchObject({ status: 'Succeeded', taskDefinition: V2 });
    expect(production(w)).toEqual({ listener: 'messaging-api-green:1', taskSets: ['PRIMARY messaging-api:2'] });
    expect(serviceTags(w)).toMatchObject({ [TAG_CODEDEPLOY]: `${id}@${V2}`, 'steady:managed-by': 'steady', 'steady:resource': 'Service/messaging-api' });
    expect(service(first)).toMatchObject({
      phase: 'Synced',
      reason: 'Healed',
      message: `registered messaging-api:2; adopt service messaging-api (tag it as steady's); CodeDeploy deployment ${id} of messaging-api:2 succeeded; production runs messaging-api:2`,
    });

    expect(second.plan!.actions).toEqual([]);
    expect(w.account.mutatingCalls()).toHaveLength(mutatingBefore);
    expect(service(second)).toMatchObject({
      phase: 'Synced',
      reason: 'UpToDate',
      message: 'runs messaging-api:2 with 3/3 tasks; production traffic goes to target group messaging-api-green',
    });
  });

  it('follows a deployment that outlasts the pass in the next pass instead of starting another', async () => {
    const w = await world('messaging-prod');

    const { result: first } = await w.pass({ deadline: w.account.clock.now() + 60_000 });
    w.advance(2 * 60_000);
    const { result: second } = await w.pass();
    const { result: third } = await w.pass();

    expect(service(first)).toMatchObject({ phase: 'Progressing', reason: 'InProgress', message: expect.stringMatching(/^CodeDeploy deployment d-\w{9} of messaging-api:2 is InProgress; the next pass follows it$/) });
    expect(second.plan!.actions.map((a) => a.kind)).toEqual(['AwaitCodeDeployDeployment']);
    expect(service(second)).toMatchObject({ phase: 'Synced', reason: 'Healed' });
    expect(createDeployments(w)).toHaveLength(1);
    expect(third.plan!.actions).toEqual([]);
    expect(production(w)).toEqual({ listener: 'messaging-api-green:1', taskSets: ['PRIMARY messaging-api:2'] });
  });

  it('leaves production on the old revision when the deployment fails, reports it Failed and does not deploy it again', async () => {
    const w = await world('messaging-prod');
    w.account.codedeploy.failDeployments({ taskDefinition: 'messaging-api:2' }, { code: 'ALARM_ACTIVE', message: 'Activated alarms: <messaging-api-5xx>' });

    const results: PassResult[] = [];
    for (let i = 0; i < 4; i++) {
      results.push((await w.pass()).result);
      w.advance(15 * 60_000);
    }

    const [id, rollback] = w.account.codedeploy.allDeployments().map((d) => d.id);
    const message =
      `CodeDeploy deployment ${id} of messaging-api:2 failed (ALARM_ACTIVE: Activated alarms: <messaging-api-5xx>) and CodeDeploy rolled it back (deployment ${rollback}); ` +
      'production stays on messaging-api:1. steady does not deploy messaging-api:2 again until the spec changes or someone runs ' +
      "`steady retry service/messaging-api --env messaging-prod` (which removes the service's steady:codedeploy tag)";
    expect(createDeployments(w)).toHaveLength(1);
    expect(production(w)).toEqual({ listener: 'messaging-api-blue:1', taskSets: ['PRIMARY messaging-api:1'] });
    expect(results.map((r) => [service(r).phase, service(r).reason, service(r).message])).toEqual(Array(4).fill(['Failed', 'DeploymentFailed', message]));
    // One drift, the same every pass: the report says it once, not once per pass.
    expect(new Set(results.map((r) => r.drift.find((d) => d.resource === 'Service/messaging-api')!.key)).size).toBe(1);
    expect(results.slice(1).every((r) => r.plan!.actions.length === 0)).toBe(true);
  });

  it('leaves a deployment someone started by hand alone, and deploys once it has finished', async () => {
    const w = await world('messaging-prod');
    const content = JSON.stringify({
      version: 0.0,
      Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: V1, LoadBalancerInfo: { ContainerName: 'api', ContainerPort: 8080 } } } }],
    });
    const { deploymentId } = await w.account.clients().codedeploy.send(
      new CreateDeploymentCommand({
        applicationName: 'messaging-prod',
        deploymentGroupName: 'messaging-api',
        deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
        revision: { revisionType: 'AppSpecContent', appSpecContent: { content } },
      }),
    );
    w.advance(30_000);

    const { result: during } = await w.pass();
    const steadysDuring = createDeployments(w).length - 1;
    w.advance(10 * 60_000);
    const { result: after } = await w.pass();

    expect(steadysDuring).toBe(0);
    expect(during.plan!.actions.filter((a) => a.resource === 'Service/messaging-api')).toEqual([]);
    expect(service(during)).toMatchObject({
      phase: 'Progressing',
      reason: 'DeploymentInProgress',
      message: `deployment ${deploymentId} started by someone else is in progress (InProgress); steady does not interrupt or race it`,
      notes: [`the spec asks for messaging-api:<new revision>; steady deploys it once deployment ${deploymentId} has finished`],
    });
    expect(w.account.codedeploy.deploymentState(deploymentId!).status).toBe('Succeeded');
    expect(createDeployments(w)).toHaveLength(2);
    expect(service(after)).toMatchObject({ phase: 'Synced', reason: 'Healed' });
  });

  it('holds a blue/green rollout back while the migration it waits for has failed', async () => {
    const w = await world('messaging-prod');
    w.desired.migrations.push(
      migrationSchema.parse({
        apiVersion: 'steady.dev/v1alpha1',
        kind: 'Migration',
        metadata: { name: 'schema', environment: 'messaging-prod' },
        spec: { fromService: 'messaging-api', command: ['/app/messaging-api', 'migrate'] },
      }),
    );
    w.desired.services[0].spec.after = ['schema'];
    w.account.ecs.setTaskOutcome({ family: 'messaging-api-schema' }, { exitCode: 1 });

    const { result: first } = await w.pass();
    w.advance(60_000);
    const { result: second } = await w.pass();

    expect(createDeployments(w)).toHaveLength(0);
    expect(production(w)).toEqual({ listener: 'messaging-api-blue:1', taskSets: ['PRIMARY messaging-api:1'] });
    expect(first.resources.find((r) => r.resource === 'Migration/schema')).toMatchObject({ phase: 'Failed', reason: 'MigrationFailed' });
    expect(service(first)).toMatchObject({ phase: 'Blocked', reason: 'MigrationFailed' });
    expect(service(second)).toMatchObject({ phase: 'Blocked', reason: 'MigrationFailed', message: expect.stringMatching(/^rollout waits: migration schema failed \(version \w+ failed: exit code 1; /) });
    expect(second.plan!.actions.filter((a) => a.kind === 'CreateCodeDeployDeployment')).toEqual([]);
  });
});
