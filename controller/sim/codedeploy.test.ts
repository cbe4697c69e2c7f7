import { createHash } from 'node:crypto';
import {
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  UpdateDeploymentGroupCommand,
  type CodeDeployClient,
} from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { exampleAccount } from '../testing/world.js';
import type { SimAccount } from './account.js';

const ECS_ARN = 'arn:aws:ecs:ap-northeast-1:210987654321';
const V1 = `${ECS_ARN}:task-definition/messaging-api:1`;
const V2 = `${ECS_ARN}:task-definition/messaging-api:2`;
const GROUP = { applicationName: 'messaging-prod', deploymentGroupName: 'messaging-api' };

/** The examples account (messaging-api on v2.7.0 behind messaging-api-blue) with revision 2 (v2.7.1) registered. */
async function messaging() {
  const account = await exampleAccount('messaging-prod', { seed: 7 });
  const clients = account.clients();
  const current = (await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'messaging-api:1' }))).taskDefinition!;
  await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'messaging-api',
      cpu: current.cpu,
      memory: current.memory,
      networkMode: current.networkMode,
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: current.executionRoleArn,
      taskRoleArn: current.taskRoleArn,
      containerDefinitions: current.containerDefinitions!.map((c) => ({ ...c, image: c.image!.replace(':v2.7.0', ':v2.7.1') })),
    }),
  );
  return { account, cd: clients.codedeploy, ecs: clients.ecs };
}

function appSpec(taskDefinition: string, container = 'api', port = 8080): { content: string; sha256: string } {
  const content = JSON.stringify({
    version: 0.0,
    Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: taskDefinition, LoadBalancerInfo: { ContainerName: container, ContainerPort: port } } } }],
  });
  return { content, sha256: createHash('sha256').update(content).digest('hex') };
}

async function deploy(cd: Pick<CodeDeployClient, 'send'>, taskDefinition = V2, deploymentConfigName = 'CodeDeployDefault.ECSAllAtOnce'): Promise<string> {
  const out = await cd.send(
    new CreateDeploymentCommand({ ...GROUP, deploymentConfigName, revision: { revisionType: 'AppSpecContent', appSpecContent: appSpec(taskDefinition) } }),
  );
  return out.deploymentId!;
}

async function deploymentOf(cd: Pick<CodeDeployClient, 'send'>, id: string) {
  return (await cd.send(new GetDeploymentCommand({ deploymentId: id }))).deploymentInfo!;
}

/** Where the production (443) and test (8443) listeners send traffic, by target-group name and weight. */
function routes(account: SimAccount) {
  const of = (port: number) =>
    account.elbv2
      .listenerForwards(account.elbv2.listenerArnOf('messaging-api-alb', port)!)!
      .targetGroups.map((t) => `${account.elbv2.targetGroupInfo(t.arn)!.name}:${t.weight}`)
      .join(' ');
  return { prod: of(443), test: of(8443) };
}

async function taskSets(ecs: ECSClient) {
  const svc = (await ecs.send(new DescribeServicesCommand({ cluster: 'messaging-prod', services: ['messaging-api'] }))).services![0];
  return {
    taskDefinition: svc.taskDefinition,
    deployments: svc.deployments,
    taskSets: svc.taskSets!.map((t) => `${t.status} ${t.taskDefinition!.slice(t.taskDefinition!.lastIndexOf('/') + 1)} ${t.runningCount}`),
  };
}

describe('simulated CodeDeploy: deployment groups', () => {
  it('describes an ECS blue/green group with its service, target-group pair and listeners', async () => {
    const { account, cd } = await messaging();

    const info = (await cd.send(new GetDeploymentGroupCommand(GROUP))).deploymentGroupInfo!;

    expect(info).toMatchObject({
      applicationName: 'messaging-prod',
      deploymentGroupName: 'messaging-api',
      computePlatform: 'ECS',
      deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      ecsServices: [{ serviceName: 'messaging-api', clusterName: 'messaging-prod' }],
      blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 5 } },
      loadBalancerInfo: {
        targetGroupPairInfoList: [
          {
            targetGroups: [{ name: 'messaging-api-blue' }, { name: 'messaging-api-green' }],
            prodTrafficRoute: { listenerArns: [account.elbv2.listenerArnOf('messaging-api-alb', 443)] },
            testTrafficRoute: { listenerArns: [account.elbv2.listenerArnOf('messaging-api-alb', 8443)] },
          },
        ],
      },
    });
    expect(info.lastAttemptedDeployment).toBeUndefined();
  });

  it('answers a missing application and a missing group with their exceptions', async () => {
    const { cd } = await messaging();

    await expect(cd.send(new GetDeploymentGroupCommand({ applicationName: 'nope', deploymentGroupName: 'messaging-api' }))).rejects.toMatchObject({
      name: 'ApplicationDoesNotExistException',
      message: 'No application found for name: nope',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(cd.send(new GetDeploymentGroupCommand({ applicationName: 'messaging-prod', deploymentGroupName: 'nope' }))).rejects.toMatchObject({
      name: 'DeploymentGroupDoesNotExistException',
      message: 'No Deployment Group found for name: nope',
    });
    await expect(cd.send(new CreateDeploymentCommand({ applicationName: 'messaging-prod', deploymentGroupName: 'nope', revision: {} }))).rejects.toMatchObject({
      name: 'DeploymentGroupDoesNotExistException',
    });
  });
});

describe('simulated CodeDeploy: a deployment', () => {
  it('goes Created -> InProgress -> Succeeded: production moves to green, the new task set becomes PRIMARY, the original goes after the wait', async () => {
    const { account, cd, ecs } = await messaging();
    const before = { routes: routes(account), ecs: await taskSets(ecs) };

    const id = await deploy(cd);
    const created = (await deploymentOf(cd, id)).status;
    account.clock.advance(3_000);
    const started = (await deploymentOf(cd, id)).status;
    const duringInstall = await taskSets(ecs);
    account.clock.advance(60_000);
    const shifted = { routes: routes(account), ecs: await taskSets(ecs), status: (await deploymentOf(cd, id)).status };
    account.clock.advance(5 * 60_000);
    const done = await deploymentOf(cd, id);

    expect(before).toEqual({ routes: { prod: 'messaging-api-blue:1', test: 'messaging-api-green:1' }, ecs: { taskDefinition: V1, deployments: [], taskSets: ['PRIMARY messaging-api:1 3'] } });
    expect(id).toMatch(/^d-[A-Z0-9]{9}$/);
    expect([created, started]).toEqual(['Created', 'InProgress']);
    expect(duringInstall.taskSets).toEqual(['PRIMARY messaging-api:1 3', 'ACTIVE messaging-api:2 0']);
    // Traffic moved, the original task set is kept for the termination wait: still InProgress.
    expect(shifted).toEqual({
      routes: { prod: 'messaging-api-green:1', test: 'messaging-api-green:1' },
      ecs: { taskDefinition: V2, deployments: [], taskSets: ['PRIMARY messaging-api:2 3', 'ACTIVE messaging-api:1 3'] },
      status: 'InProgress',
    });
    expect(done).toMatchObject({ status: 'Succeeded', creator: 'user', computePlatform: 'ECS', instanceTerminationWaitTimeStarted: true });
    expect(await taskSets(ecs)).toEqual({ taskDefinition: V2, deployments: [], taskSets: ['PRIMARY messaging-api:2 3'] });
    expect((await cd.send(new GetDeploymentGroupCommand(GROUP))).deploymentGroupInfo).toMatchObject({
      lastAttemptedDeployment: { deploymentId: id, status: 'Succeeded' },
      lastSuccessfulDeployment: { deploymentId: id, status: 'Succeeded' },
    });
  });

  it('shifts a canary: 10% to the replacement first, the rest after the interval', async () => {
    const { account, cd } = await messaging();

    await deploy(cd, V2, 'CodeDeployDefault.ECSCanary10Percent5Minutes');
    account.clock.advance(60_000);
    const canary = routes(account).prod;
    account.clock.advance(5 * 60_000);

    expect(canary).toBe('messaging-api-blue:90 messaging-api-green:10');
    expect(routes(account).prod).toBe('messaging-api-green:1');
  });

  it('deploys the next revision back into blue', async () => {
    const { account, cd, ecs } = await messaging();
    await deploy(cd);
    account.clock.advance(10 * 60_000);

    await deploy(cd, V1);
    account.clock.advance(10 * 60_000);

    expect(routes(account)).toEqual({ prod: 'messaging-api-blue:1', test: 'messaging-api-blue:1' });
    expect((await taskSets(ecs)).taskSets).toEqual(['PRIMARY messaging-api:1 3']);
  });

  it('refuses a second deployment while one is active', async () => {
    const { cd } = await messaging();
    const first = await deploy(cd);

    await expect(deploy(cd)).rejects.toMatchObject({
      name: 'DeploymentLimitExceededException',
      message: `The Deployment Group 'messaging-api' already has an active Deployment '${first}'`,
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('never returns the AppSpec content, only its sha256', async () => {
    const { cd } = await messaging();

    const id = await deploy(cd);

    expect((await deploymentOf(cd, id)).revision).toEqual({ revisionType: 'AppSpecContent', appSpecContent: { sha256: appSpec(V2).sha256 } });
  });

  it('refuses an AppSpec whose sha256 does not match, or that names no task definition', async () => {
    const { cd } = await messaging();
    const good = appSpec(V2);
    const send = (appSpecContent: { content: string; sha256?: string }) =>
      cd.send(new CreateDeploymentCommand({ ...GROUP, revision: { revisionType: 'AppSpecContent', appSpecContent } }));

    await expect(send({ content: good.content, sha256: 'f'.repeat(64) })).rejects.toMatchObject({
      name: 'InvalidRevisionException',
      message: 'The sha256 hash of the AppSpec content does not match the hash given.',
    });
    await expect(send({ content: 'version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n      Properties: {}\n' })).rejects.toMatchObject({
      name: 'InvalidRevisionException',
      message: 'The AppSpec content is not valid: TargetService.Properties.TaskDefinition is missing.',
    });
  });

  it('lists a group\'s unfinished deployments, newest first', async () => {
    const { account, cd } = await messaging();
    const first = await deploy(cd);
    account.clock.advance(10 * 60_000);
    const second = await deploy(cd, V1);

    const unfinished = await cd.send(new ListDeploymentsCommand({ ...GROUP, includeOnlyStatuses: ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] }));
    const all = await cd.send(new ListDeploymentsCommand(GROUP));

    expect(unfinished.deployments).toEqual([second]);
    expect(all.deployments).toEqual([second, first]);
    await expect(cd.send(new ListDeploymentsCommand({ ...GROUP, includeOnlyStatuses: ['Done' as never] }))).rejects.toMatchObject({ name: 'InvalidDeploymentStatusException' });
  });
});

describe('simulated CodeDeploy: failures', () => {
  it('a deployment the scenario fails sends production back to blue, deletes the replacement and is rolled back', async () => {
    const { account, cd, ecs } = await messaging();
    account.codedeploy.failDeployments({ taskDefinition: 'messaging-api:2' }, { code: 'ALARM_ACTIVE', message: 'Activated alarms: <messaging-5xx>' });

    const id = await deploy(cd, V2, 'CodeDeployDefault.ECSCanary10Percent5Minutes');
    account.clock.advance(60_000);
    const failed = await deploymentOf(cd, id);
    const rollback = await deploymentOf(cd, failed.rollbackInfo!.rollbackDeploymentId!);
    account.clock.advance(60_000);

    expect(failed).toMatchObject({ status: 'Failed', errorInformation: { code: 'ALARM_ACTIVE', message: 'Activated alarms: <messaging-5xx>' } });
    expect(rollback).toMatchObject({ status: 'InProgress', creator: 'codeDeployRollback', rollbackInfo: { rollbackTriggeringDeploymentId: id } });
    expect((await deploymentOf(cd, rollback.deploymentId!)).status).toBe('Succeeded');
    expect(routes(account).prod).toBe('messaging-api-blue:1');
    expect(await taskSets(ecs)).toEqual({ taskDefinition: V1, deployments: [], taskSets: ['PRIMARY messaging-api:1 3'] });
  });

  it('fails a deployment whose replacement tasks keep failing to start', async () => {
    const { account, cd, ecs } = await messaging();
    account.ecs.failTasksToStart({ taskDefinition: 'messaging-api:2' }, 'CannotPullContainerError: boom');

    const id = await deploy(cd);
    account.clock.advance(120_000);

    expect(await deploymentOf(cd, id)).toMatchObject({
      status: 'Failed',
      errorInformation: { code: 'ECS_UPDATE_ERROR', message: expect.stringMatching(/^The replacement task set did not reach a steady state: \d+ tasks failed to start or failed their health checks\.$/) },
    });
    expect(routes(account).prod).toBe('messaging-api-blue:1');
    expect((await taskSets(ecs)).taskSets).toEqual(['PRIMARY messaging-api:1 3']);
  });

  it('stops a deployment by hand: Stopped with MANUAL_STOP, production on the original', async () => {
    const { account, cd, ecs } = await messaging();
    const id = await deploy(cd, V2, 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes');
    account.clock.advance(60_000);
    const during = routes(account).prod;

    await cd.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: false }));

    expect(during).toBe('messaging-api-blue:90 messaging-api-green:10');
    expect(await deploymentOf(cd, id)).toMatchObject({ status: 'Stopped', errorInformation: { code: 'MANUAL_STOP' } });
    expect(routes(account).prod).toBe('messaging-api-blue:1');
    expect((await taskSets(ecs)).taskSets).toEqual(['PRIMARY messaging-api:1 3']);
    await expect(cd.send(new StopDeploymentCommand({ deploymentId: id }))).rejects.toMatchObject({ name: 'DeploymentAlreadyCompletedException' });
  });

  it('waits in Ready until ContinueDeployment when the group stops on timeout, and stops if nobody continues', async () => {
    const { account, cd } = await messaging();
    await cd.send(
      new UpdateDeploymentGroupCommand({
        applicationName: 'messaging-prod',
        currentDeploymentGroupName: 'messaging-api',
        blueGreenDeploymentConfiguration: { deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 } },
      }),
    );
    const continued = await deploy(cd);
    account.clock.advance(60_000);
    const ready = (await deploymentOf(cd, continued)).status;
    await cd.send(new ContinueDeploymentCommand({ deploymentId: continued, deploymentWaitType: 'READY_WAIT' }));
    const afterContinue = routes(account).prod;
    account.clock.advance(10 * 60_000);

    const abandoned = await deploy(cd, V1);
    account.clock.advance(31 * 60_000);

    expect(ready).toBe('Ready');
    expect(afterContinue).toBe('messaging-api-green:1');
    expect((await deploymentOf(cd, continued)).status).toBe('Succeeded');
    expect(await deploymentOf(cd, abandoned)).toMatchObject({ status: 'Stopped', errorInformation: { code: 'TIMEOUT' } });
    expect(routes(account).prod).toBe('messaging-api-green:1');
  });

  it('fails a deployment of a revision ECS refuses, before anything moves', async () => {
    const { account, cd } = await messaging();

    const id = await deploy(cd, `${ECS_ARN}:task-definition/messaging-api:9`);
    account.clock.advance(10_000);

    expect(await deploymentOf(cd, id)).toMatchObject({
      status: 'Failed',
      errorInformation: { code: 'ECS_UPDATE_ERROR', message: 'The ECS service cannot create the replacement task set: TaskDefinition not found.' },
    });
    expect(routes(account)).toEqual({ prod: 'messaging-api-blue:1', test: 'messaging-api-green:1' });
  });
});
