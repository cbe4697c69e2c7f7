/**
 * The simulated ECS takes and returns the service settings of CreateService/UpdateService a Fargate
 * service uses (capacity providers, ECS Exec, tag propagation, Availability Zone rebalancing,
 * Service Connect, Cloud Map, EBS volumes) as ECS does, and refuses task definitions and settings
 * ECS refuses for Fargate.
 */
import {
  ClientException,
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { ecsWorld, NETWORK, REGISTRY, registerApp } from '../testing/ecs-world.js';

type World = ReturnType<typeof ecsWorld>;

async function create(w: World, extra: Partial<CreateServiceCommandInput> = {}) {
  return (
    await w.ecs.send(new CreateServiceCommand({ cluster: 'prod', serviceName: 'api', taskDefinition: 'shop-api', desiredCount: 1, networkConfiguration: NETWORK, ...extra }))
  ).service!;
}

const describeApi = async (w: World) => (await w.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['api'] }))).services![0];

/** shop-api with a named port, so Service Connect can use it. */
async function registerNamed(w: World) {
  await registerApp(w.ecs, { extra: { containerDefinitions: [{ name: 'app', image: `${REGISTRY}/shop-api:v1`, portMappings: [{ containerPort: 8000, name: 'web', appProtocol: 'http' }] }] } });
}

describe('simulated ECS: service settings', () => {
  it('runs a service on a capacity provider strategy: reported instead of a launch type, base and weight filled', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);

    const svc = await create(w, { capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 3 }, { capacityProvider: 'FARGATE', base: 1, weight: 1 }] });

    expect(svc.launchType).toBeUndefined();
    expect(svc.capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 },
      { capacityProvider: 'FARGATE', weight: 1, base: 1 },
    ]);
    expect(svc.deployments![0].capacityProviderStrategy).toEqual(svc.capacityProviderStrategy);
  });

  it('refuses a capacity provider the cluster does not have, and a launch type together with a strategy', async () => {
    const w = ecsWorld();
    await w.ecs.send(new CreateClusterCommand({ clusterName: 'bare' }));
    await registerApp(w.ecs);

    const bare = create(w, { cluster: 'bare', capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] });
    const both = create(w, { launchType: 'FARGATE', capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] });

    await expect(bare).rejects.toThrow(InvalidParameterException);
    await expect(bare).rejects.toThrow(/cannot contain a capacity provider that is not associated with the cluster/);
    await expect(both).rejects.toThrow('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
  });

  it('reports ECS Exec, tag options and Availability Zone rebalancing (ENABLED when CreateService does not say)', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);

    await create(w, { launchType: 'FARGATE', enableExecuteCommand: true, propagateTags: 'TASK_DEFINITION', enableECSManagedTags: true });

    expect(await describeApi(w)).toMatchObject({ enableExecuteCommand: true, propagateTags: 'TASK_DEFINITION', enableECSManagedTags: true, availabilityZoneRebalancing: 'ENABLED' });
  });

  it('reports Service Connect and Cloud Map registries where ECS does: the registries on the service, Service Connect on the deployment', async () => {
    const w = ecsWorld();
    await registerNamed(w);
    const serviceConnectConfiguration = { enabled: true, namespace: 'shop', services: [{ portName: 'web', clientAliases: [{ port: 80, dnsName: 'api' }] }] };
    const serviceRegistries = [{ registryArn: 'arn:aws:servicediscovery:ap-northeast-1:123456789012:service/srv-0123456789abcdef' }];

    await create(w, { launchType: 'FARGATE', serviceConnectConfiguration, serviceRegistries });
    const svc = await describeApi(w);

    expect(svc.serviceRegistries).toEqual(serviceRegistries);
    expect(svc.deployments![0].serviceConnectConfiguration).toEqual(serviceConnectConfiguration);
  });

  it('refuses a Service Connect port name the task definition does not have', async () => {
    const w = ecsWorld();
    await registerNamed(w);

    const out = create(w, { launchType: 'FARGATE', serviceConnectConfiguration: { enabled: true, services: [{ portName: 'grpc' }] } });

    await expect(out).rejects.toThrow(InvalidParameterException);
  });

  it('starts a deployment for a new strategy or Service Connect, not for ECS Exec or tag options', async () => {
    const w = ecsWorld();
    await registerNamed(w);
    await create(w, { launchType: 'FARGATE' });
    w.advance(120_000);

    await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', enableExecuteCommand: true, propagateTags: 'SERVICE', availabilityZoneRebalancing: 'DISABLED' }));
    const quiet = await describeApi(w);
    await w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }));
    const moved = await describeApi(w);

    expect(quiet.deployments).toHaveLength(1);
    expect(quiet).toMatchObject({ enableExecuteCommand: true, propagateTags: 'SERVICE', availabilityZoneRebalancing: 'DISABLED', launchType: 'FARGATE' });
    expect(moved.deployments).toHaveLength(2);
    expect(moved.launchType).toBeUndefined();
    expect(moved.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }]);
  });

  it('refuses those settings on a CODE_DEPLOY service', async () => {
    const w = ecsWorld();
    await registerApp(w.ecs);
    await create(w, { launchType: 'FARGATE', deploymentController: { type: 'CODE_DEPLOY' } });

    const out = w.ecs.send(new UpdateServiceCommand({ cluster: 'prod', service: 'api', enableExecuteCommand: true }));

    await expect(out).rejects.toThrow(/Unable to update enableExecuteCommand on services with a CODE_DEPLOY deployment controller/);
  });
});

describe('simulated ECS: task definitions for Fargate', () => {
  const base = { family: 'fg', cpu: '256', memory: '512', networkMode: 'awsvpc' as const, requiresCompatibilities: ['FARGATE' as const] };

  it('refuses what Fargate does not run: privileged containers, tmpfs, Docker volumes, other log drivers', async () => {
    const w = ecsWorld();
    const register = (extra: object, container: object = {}) =>
      w.ecs.send(new RegisterTaskDefinitionCommand({ ...base, ...extra, containerDefinitions: [{ name: 'app', image: 'nginx', ...container }] }));

    for (const attempt of [
      register({}, { privileged: true }),
      register({}, { linuxParameters: { tmpfs: [{ containerPath: '/run', size: 64 }] } }),
      register({ volumes: [{ name: 'd', dockerVolumeConfiguration: { scope: 'task' } }] }),
      register({}, { logConfiguration: { logDriver: 'json-file' } }),
      register({ ipcMode: 'host' }),
    ]) {
      await expect(attempt).rejects.toThrow(ClientException);
      await expect(attempt).rejects.toThrow('Task definition does not support launch_type FARGATE.');
    }
  });

  it('refuses a mount point of no volume and EFS IAM authorization without transit encryption; keeps both when right', async () => {
    const w = ecsWorld();
    const efs = { fileSystemId: 'fs-0123456789abcdef0', authorizationConfig: { iam: 'ENABLED' as const } };
    const send = (transitEncryption: 'ENABLED' | 'DISABLED', sourceVolume: string) =>
      w.ecs.send(
        new RegisterTaskDefinitionCommand({
          ...base,
          volumes: [{ name: 'shared', efsVolumeConfiguration: { ...efs, transitEncryption } }],
          containerDefinitions: [{ name: 'app', image: 'nginx', mountPoints: [{ sourceVolume, containerPath: '/data' }] }],
        }),
      );

    await expect(send('ENABLED', 'other')).rejects.toThrow(/sourceVolume 'other' is not a volume of the task definition/);
    await expect(send('DISABLED', 'shared')).rejects.toThrow(/Transit encryption must be enabled/);
    const ok = (await send('ENABLED', 'shared')).taskDefinition!;
    expect(ok.volumes).toEqual([{ name: 'shared', efsVolumeConfiguration: { ...efs, transitEncryption: 'ENABLED' } }]);
    expect(ok.containerDefinitions![0].mountPoints).toEqual([{ sourceVolume: 'shared', containerPath: '/data' }]);
  });
});
