import { StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { describe, expect, it } from 'vitest';
import { AwsCallError } from '../errors.js';
import { appSpec } from '../plan/bluegreen.js';
import { exampleAccount } from '../testing/world.js';
import { CodeDeployAdapter } from './codedeploy.js';

const V1 = 'arn:aws:ecs:ap-northeast-1:210987654321:task-definition/messaging-api:1';
const NETWORK = { subnets: ['subnet-0d4e5f6071829304a'], securityGroups: ['sg-0f6071829304a5b6c'], assignPublicIp: 'DISABLED' as const };

async function world() {
  const account = await exampleAccount('messaging-prod', { seed: 3 });
  const clients = account.clients();
  const adapter = new CodeDeployAdapter(clients.codedeploy);
  const request = (description = 'steady: messaging-prod Service/messaging-api -> messaging-api:1') => ({
    application: 'messaging-prod',
    deploymentGroup: 'messaging-api',
    deploymentConfig: 'CodeDeployDefault.ECSAllAtOnce',
    appSpec: appSpec({ taskDefinitionArn: V1, containerName: 'api', containerPort: 8080, network: NETWORK }),
    description,
  });
  return { account, clients, adapter, request };
}

describe('CodeDeployAdapter.deploymentGroup', () => {
  it('normalises an ECS blue/green group: service, target-group pair, listeners', async () => {
    const { account, adapter } = await world();

    const found = await adapter.deploymentGroup('messaging-prod', 'messaging-api');

    expect(found).toEqual({
      group: {
        application: 'messaging-prod',
        name: 'messaging-api',
        computePlatform: 'ECS',
        deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
        ecsServices: [{ serviceName: 'messaging-api', clusterName: 'messaging-prod' }],
        targetGroups: ['messaging-api-blue', 'messaging-api-green'],
        prodListenerArns: [account.elbv2.listenerArnOf('messaging-api-alb', 443)],
        testListenerArns: [account.elbv2.listenerArnOf('messaging-api-alb', 8443)],
        targetGroupPairs: 1,
      },
    });
  });

  it('says which of the application and the group is missing, with CodeDeploy\'s message', async () => {
    const { adapter } = await world();

    expect(await adapter.deploymentGroup('messaging-dev', 'messaging-api')).toEqual({
      missing: { awsName: 'ApplicationDoesNotExistException', message: 'No application found for name: messaging-dev' },
    });
    expect(await adapter.deploymentGroup('messaging-prod', 'messaging-worker')).toEqual({
      missing: { awsName: 'DeploymentGroupDoesNotExistException', message: 'No Deployment Group found for name: messaging-worker' },
    });
  });

  it('turns other failures into an AwsCallError that says what was being read', async () => {
    const { account, adapter } = await world();
    account.faults.fail({ service: 'codedeploy', operation: 'GetDeploymentGroup', error: 'accessDenied' });

    const err = await adapter.deploymentGroup('messaging-prod', 'messaging-api').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ awsName: 'AccessDeniedException', transient: false });
    expect((err as Error).message).toMatch(/^reading deployment group messaging-api of CodeDeploy application messaging-prod: AccessDeniedException: User: /);
  });
});

describe('CodeDeployAdapter deployments', () => {
  it('creates a deployment with an AppSpec revision and lists it as unfinished until it is done', async () => {
    const { account, adapter, request } = await world();

    const id = await adapter.createDeployment(request());
    const unfinished = await adapter.activeDeployments('messaging-prod', 'messaging-api');
    const created = await adapter.deployment(id);
    account.clock.advance(10 * 60_000);

    expect(account.calls.find((c) => c.operation === 'CreateDeployment')?.input).toEqual({
      applicationName: 'messaging-prod',
      deploymentGroupName: 'messaging-api',
      deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      description: 'steady: messaging-prod Service/messaging-api -> messaging-api:1',
      revision: { revisionType: 'AppSpecContent', appSpecContent: request().appSpec },
    });
    expect(unfinished).toEqual([id]);
    expect(created).toEqual({
      id,
      application: 'messaging-prod',
      deploymentGroup: 'messaging-api',
      status: 'Created',
      creator: 'user',
      description: 'steady: messaging-prod Service/messaging-api -> messaging-api:1',
      deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      appSpecSha256: request().appSpec.sha256,
      createdAt: account.clock.now() - 10 * 60_000,
    });
    expect(await adapter.activeDeployments('messaging-prod', 'messaging-api')).toEqual([]);
    expect(await adapter.deployment(id)).toMatchObject({ status: 'Succeeded', completedAt: expect.any(Number) });
  });

  it('reports why a deployment stopped and which deployment rolled it back', async () => {
    const { account, clients, adapter, request } = await world();
    const id = await adapter.createDeployment(request());
    account.clock.advance(60_000);

    await clients.codedeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true }));
    const stopped = await adapter.deployment(id);

    expect(stopped).toMatchObject({
      status: 'Stopped',
      error: { code: 'MANUAL_STOP', message: 'The deployment was stopped by a user.' },
      rollback: { rollbackDeploymentId: expect.stringMatching(/^d-/) },
    });
    expect(await adapter.deployment(stopped!.rollback!.rollbackDeploymentId!)).toMatchObject({ creator: 'codeDeployRollback', rollback: { rollbackTriggeringDeploymentId: id } });
  });

  it('answers undefined for a deployment CodeDeploy does not know', async () => {
    const { adapter } = await world();

    expect(await adapter.deployment('d-AAAAAAAAA')).toBeUndefined();
  });

  it('refuses a second deployment with the AWS error name and the group it concerned', async () => {
    const { adapter, request } = await world();
    const first = await adapter.createDeployment(request());

    const err = await adapter.createDeployment(request()).catch((e: unknown) => e);

    expect(err).toMatchObject({ awsName: 'DeploymentLimitExceededException', transient: false });
    expect((err as Error).message).toBe(
      `creating a deployment in deployment group messaging-api of CodeDeploy application messaging-prod: DeploymentLimitExceededException: The Deployment Group 'messaging-api' already has an active Deployment '${first}'`,
    );
  });

  it('retries throttled reads', async () => {
    const { account, adapter } = await world();
    account.faults.fail({ service: 'codedeploy', operation: 'ListDeployments', error: 'throttle', times: 2 });

    expect(await adapter.activeDeployments('messaging-prod', 'messaging-api')).toEqual([]);
    expect(account.calls.filter((c) => c.operation === 'ListDeployments').map((c) => c.error)).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
  });
});
