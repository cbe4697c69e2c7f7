/**
 * The six failures steady exists for, and the safety rules, as scenarios on the simulated account:
 * each starts from the converged example environment `shop-prod`, causes one incident, runs real
 * passes, and checks what AWS looks like afterwards, the call log and the statuses. After healing,
 * a second pass must plan nothing.
 */
import { DescribeServicesCommand, ListTaskDefinitionsCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { createAdapters } from './pass.js';
import { retryResource } from './retry.js';
import { isMutating } from './sim/account.js';
import { converged, mark } from './testing/passes.js';
import { world, type World } from './testing/world.js';

const REGISTRY = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com';
const ECS_CLUSTER = 'shop-prod';

async function apiService(w: World) {
  const out = await w.account.clients().ecs.send(new DescribeServicesCommand({ cluster: ECS_CLUSTER, services: ['api'], include: ['TAGS'] }));
  return out.services![0];
}

async function revisions(w: World, family: string) {
  return (await w.account.clients().ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family }))).taskDefinitionArns ?? [];
}

async function record(w: World, name: string) {
  const zone = w.account.route53.operations.ListHostedZonesByName({ DNSName: 'example.com' }) as { HostedZones: { Id: string; Name: string }[] };
  const id = zone.HostedZones.find((z) => z.Name === 'example.com.')!.Id.replace('/hostedzone/', '');
  const out = await w.account.clients().route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: id, StartRecordName: name, StartRecordType: 'A', MaxItems: 1 }));
  return out.ResourceRecordSets![0];
}

async function expectQuiet(w: World) {
  const m = mark(w);
  const { result } = await w.pass();
  expect(result.plan!.actions.map((a) => a.summary)).toEqual([]);
  expect(m.mutations()).toEqual([]);
  return result;
}

const statusOf = (result: { resources: { resource: string }[] }, resource: string) => result.resources.find((r) => r.resource === resource) as any;

describe('steady heals the failures it exists for', () => {
  it('1. a new image pushed to the tag is registered pinned to its digest and rolled out', async () => {
    const w = await converged();
    const digest = w.account.ecr.push('shop-api', 'latest');

    const { result } = await w.pass();

    const svc = await apiService(w);
    expect(svc.taskDefinition).toMatch(/task-definition\/shop-api:2$/);
    const td = w.account.ecs.operations.DescribeTaskDefinition({ taskDefinition: svc.taskDefinition }) as any;
    expect(td.taskDefinition.containerDefinitions.find((c: any) => c.name === 'app').image).toBe(`${REGISTRY}/shop-api@${digest}`);
    expect(statusOf(result, 'Service/api')).toMatchObject({ phase: 'Progressing', reason: 'RollingOut' });
    // The migration ran for the new image before the rollout.
    const kinds = result.outcomes.map((o) => `${o.kind}:${o.state}`);
    expect(kinds.indexOf('RunMigration:done')).toBeLessThan(kinds.indexOf('UpdateService:done'));
    w.advance(600_000);
    await expectQuiet(w);
  });

  it('2. a service left on an old revision is updated to the newest matching one, nothing registered', async () => {
    const w = await converged();
    const ecs = w.account.clients().ecs;
    const [first] = await revisions(w, 'shop-api');
    // Someone registers an old variant and points the service at it by hand.
    const td = (w.account.ecs.operations.DescribeTaskDefinition({ taskDefinition: first }) as any).taskDefinition;
    const { taskDefinitionArn, revision, status, registeredAt, compatibilities, requiresAttributes, registeredBy, ...input } = td;
    const old = (w.account.ecs.operations.RegisterTaskDefinition({ ...input, cpu: '1024', memory: '2048' }) as any).taskDefinition.taskDefinitionArn;
    await ecs.send(new UpdateServiceCommand({ cluster: ECS_CLUSTER, service: 'api', taskDefinition: old }));
    w.advance(600_000);
    const m = mark(w);

    const { result } = await w.pass();

    expect((await apiService(w)).taskDefinition).toBe(first);
    expect(m.mutations()).toEqual(['ecs:UpdateService', 'ecs:TagResource']);
    expect(result.plan!.actions.map((a) => a.kind)).toEqual(['UpdateService']);
    w.advance(600_000);
    await expectQuiet(w);
  });

  it('3. an image URI that does not exist in ECR fails the service, keeps the old revision running, and the rest converges', async () => {
    const w = await converged();
    w.desired.services[0].spec.taskDefinition.containers[0].image = `${REGISTRY}/shop-api:does-not-exist`;
    w.account.elbv2.recreateLoadBalancer('shop-api-alb');
    const before = (await apiService(w)).taskDefinition;
    const m = mark(w);

    const { result } = await w.pass();

    expect(statusOf(result, 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'ImageNotFound' });
    expect(statusOf(result, 'Service/api').message).toBe(
      `image not found in ECR: ${REGISTRY}/shop-api:does-not-exist (container app: ImageNotFoundException); nothing of Service api rolls out until the spec names an image that exists`,
    );
    expect((await apiService(w)).taskDefinition).toBe(before);
    expect(m.mutations()).toEqual(['route53:ChangeResourceRecordSets']);
    expect(statusOf(result, 'AliasRecord/api-dns').phase).toBe('Synced');
  });

  it('4. an alias to a recreated ALB is upserted to its new DNS name and zone id and waited to INSYNC', async () => {
    const w = await converged();
    const lb = w.account.elbv2.recreateLoadBalancer('shop-api-alb');

    const { result } = await w.pass();

    const rr = await record(w, 'api.example.com');
    expect(rr.AliasTarget).toMatchObject({ DNSName: `${lb.DNSName!.toLowerCase()}.`, HostedZoneId: lb.CanonicalHostedZoneId });
    const outcome = result.outcomes.find((o) => o.resource === 'AliasRecord/api-dns')!;
    expect(outcome).toMatchObject({ state: 'done' });
    expect(outcome.message).toMatch(/is INSYNC$/);
    expect(w.account.calls.some((c) => c.operation === 'GetChange')).toBe(true);
    expect(result.drift.find((d) => d.resource === 'AliasRecord/api-dns')?.healedAt).toBeDefined();
    await expectQuiet(w);
  });

  it('5a. a changed migration image runs the migration once, then the service rolls out', async () => {
    const w = await converged();
    w.account.ecr.push('shop-api', 'latest');
    const m = mark(w);

    await w.pass();

    const runTasks = m.calls().filter((c) => c.operation === 'RunTask');
    expect(runTasks).toHaveLength(1);
    expect(runTasks[0].input.overrides.containerOverrides).toEqual([{ name: 'app', command: ['alembic', 'upgrade', 'head'] }]);
    const order = m.mutations();
    expect(order.indexOf('ecs:RunTask')).toBeLessThan(order.indexOf('ecs:UpdateService'));
    w.advance(600_000);
    await expectQuiet(w);
  });

  it('5b. a failing migration blocks the rollout and is not run again until retried', async () => {
    const w = await converged();
    w.account.ecs.setTaskOutcome({ command: ['alembic', 'upgrade', 'head'] }, { exitCode: 1 });
    const before = (await apiService(w)).taskDefinition;
    w.account.ecr.push('shop-api', 'latest');

    const { result } = await w.pass();

    expect(statusOf(result, 'Migration/db-migrate')).toMatchObject({ phase: 'Failed', reason: 'MigrationFailed' });
    expect(statusOf(result, 'Migration/db-migrate').message).toMatch(/migration db-migrate failed: exit code 1/);
    expect(statusOf(result, 'Service/api')).toMatchObject({ phase: 'Blocked', reason: 'MigrationFailed' });
    expect((await apiService(w)).taskDefinition).toBe(before);

    const m = mark(w);
    const { result: next } = await w.pass();
    expect(m.calls().filter((c) => c.operation === 'RunTask')).toEqual([]);
    expect(m.mutations()).toEqual([]);
    expect(statusOf(next, 'Service/api')).toMatchObject({ phase: 'Blocked', reason: 'MigrationFailed' });
    expect(statusOf(next, 'Migration/db-migrate').message).toContain('steady retry migration/db-migrate --env shop-prod');

    // The documented way: fix the cause, then retry. The next pass runs it once more and rolls out.
    w.account.ecs.setTaskOutcome({ command: ['alembic', 'upgrade', 'head'] }, { exitCode: 0 });
    expect(await retryResource(w.desired, 'migration/db-migrate', createAdapters(w.account.clients()))).toMatch(
      /^migration db-migrate: version [0-9a-f]{16} \(failed: exit code 1\) runs again on the next pass \(attempt 2\)$/,
    );
    const r = mark(w);
    const { result: retried } = await w.pass();
    expect(r.calls().filter((c) => c.operation === 'RunTask')).toHaveLength(1);
    expect(statusOf(retried, 'Migration/db-migrate').phase).toBe('Synced');
    expect(statusOf(retried, 'Service/api')).toMatchObject({ phase: 'Progressing', reason: 'RollingOut' });
  });

  it('6a. a service scaled to zero by hand is scaled back', async () => {
    const w = await converged();
    await w.account.clients().ecs.send(new UpdateServiceCommand({ cluster: ECS_CLUSTER, service: 'api', desiredCount: 0 }));
    const m = mark(w);

    const { result } = await w.pass();

    expect((await apiService(w)).desiredCount).toBe(2);
    expect(m.mutations()).toEqual(['ecs:UpdateService']);
    expect(statusOf(result, 'Service/api')).toMatchObject({ phase: 'Synced' });
    w.advance(600_000);
    await expectQuiet(w);
  });

  it('6b. a service whose count autoscaling owns is left at any count', async () => {
    const w = await converged();
    w.desired.services[0].spec.autoscaling = true;
    await w.account.clients().ecs.send(new UpdateServiceCommand({ cluster: ECS_CLUSTER, service: 'api', desiredCount: 0 }));

    await expectQuiet(w);
    expect((await apiService(w)).desiredCount).toBe(0);
  });
});

describe('steady stays safe', () => {
  it('7. a service of the same name that steady does not own is reported as a conflict and left alone', async () => {
    const w = await world('shop-prod');
    const ecs = w.account.clients().ecs;
    w.account.ecs.operations.RegisterTaskDefinition({
      family: 'hand-made',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      containerDefinitions: [{ name: 'app', image: `${REGISTRY}/shop-api:latest` }],
    });
    await ecs.send(
      new (await import('@aws-sdk/client-ecs')).CreateServiceCommand({
        cluster: ECS_CLUSTER,
        serviceName: 'api',
        taskDefinition: 'hand-made',
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d4e5f60718'] } },
      }),
    );
    const m = mark(w);

    const { result } = await w.pass();

    expect(statusOf(result, 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'Conflict' });
    expect(statusOf(result, 'Service/api').message).toBe(
      'ECS service api exists in cluster shop-prod but steady did not create it; nothing is changed. Set spec.adopt: true to let steady manage it',
    );
    const touched = m.calls().filter((c) => isMutating(c.operation) && JSON.stringify(c.input).includes('service/shop-prod/api'));
    expect(touched).toEqual([]);
    expect(m.mutations()).not.toContain('ecs:UpdateService');
    expect((await apiService(w)).taskDefinition).toMatch(/hand-made:1$/);
  });

  it('8. in observe mode the full plan is reported and nothing is changed', async () => {
    const w = await world('shop-prod');
    w.desired.environment.spec.mode = 'observe';
    const m = mark(w);

    const { result } = await w.pass();

    expect(m.mutations()).toEqual([]);
    expect(result.plan!.actions.map((a) => a.kind)).toEqual([
      'RegisterTaskDefinition',
      'RunMigration',
      'RegisterTaskDefinition',
      'CreateService',
      'CreateScheduleGroup',
      'RegisterTaskDefinition',
      'CreateSchedule',
      'ChangeRecords',
      'ChangeRecords',
    ]);
    expect(result.outcomes.every((o) => o.state === 'held')).toBe(true);
  });

  it('8b. a dry run changes nothing either', async () => {
    const w = await converged();
    w.account.ecr.push('shop-api', 'latest');
    const m = mark(w);

    const { result } = await w.pass({ dryRun: true });

    expect(m.mutations()).toEqual([]);
    expect(result.plan!.actions.length).toBeGreaterThan(0);
  });

  it('9. a revision the circuit breaker rolled back is reported Failed and not pushed again', async () => {
    const w = await converged();
    w.desired.services[0].spec.after = [];
    w.desired.migrations = [];
    const before = (await apiService(w)).taskDefinition;
    const digest = w.account.ecr.push('shop-api', 'latest');
    w.account.ecs.failTasksToStart({ imageDigest: digest }, 'CannotPullContainerError: pull access denied');

    await w.pass();
    w.advance(1_800_000);
    expect((await apiService(w)).taskDefinition).toBe(before);

    for (let i = 0; i < 3; i++) {
      const m = mark(w);
      const { result } = await w.pass();
      // The first pass after the rollback writes down that it failed; then nothing at all.
      expect(m.mutations()).toEqual(i === 0 ? ['ecs:TagResource'] : []);
      expect(statusOf(result, 'Service/api')).toMatchObject({ phase: 'Failed', reason: 'RolloutFailed' });
      expect(statusOf(result, 'Service/api').message).toMatch(/deployment failed: tasks failed to start\.\); steady does not push it again/);
      w.advance(600_000);
    }

    // After the image is fixed in ECR, `steady retry service/api` lets the same revision go out again.
    w.account.ecs.clearFailures();
    await retryResource(w.desired, 'service/api', createAdapters(w.account.clients()));
    const m = mark(w);
    await w.pass();
    expect(m.mutations()).toEqual(['ecs:UpdateService', 'ecs:TagResource']);
  });

  it('10. a read that fails changes nothing that depends on it, and the next pass recovers', async () => {
    const w = await converged();
    w.account.elbv2.recreateLoadBalancer('shop-api-alb');
    await w.account.clients().ecs.send(new UpdateServiceCommand({ cluster: ECS_CLUSTER, service: 'api', desiredCount: 0 }));
    w.account.faults.fail({ service: 'elbv2', operation: 'DescribeLoadBalancers', error: 'throttle', times: 3 });
    const m = mark(w);

    const { result } = await w.pass();

    expect(statusOf(result, 'AliasRecord/api-dns')).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed' });
    expect(statusOf(result, 'AliasRecord/api-dns').message).toMatch(/^could not read load balancers shop-api-alb \(ThrottlingException|^could not read load balancers shop-api-alb \(Throttling/);
    expect(m.mutations()).toEqual(['ecs:UpdateService']);

    const { result: next } = await w.pass();
    expect(statusOf(next, 'AliasRecord/api-dns').phase).toBe('Synced');
  });

  it('10b. access denied on one zone blocks only that zone\'s records', async () => {
    const w = await converged();
    w.account.elbv2.recreateLoadBalancer('shop-api-alb');
    w.account.faults.fail({ service: 'route53', operation: 'ListResourceRecordSets', error: 'accessDenied', times: 1 });
    const m = mark(w);

    const { result } = await w.pass();

    expect(statusOf(result, 'AliasRecord/api-dns')).toMatchObject({ phase: 'Blocked', reason: 'ObserveFailed' });
    expect(statusOf(result, 'AliasRecord/api-dns').message).toContain('AccessDenied');
    expect(m.mutations()).toEqual([]);
    expect(statusOf(result, 'Service/api').phase).toBe('Synced');
    const { result: next } = await w.pass();
    expect(statusOf(next, 'AliasRecord/api-dns').phase).toBe('Synced');
  });

  it('11. a record Route 53 rejects does not stop the other records of its zone', async () => {
    const w = await world('shop-prod');
    // The distribution behind example.com disappears: its alias cannot be created.
    w.account.cloudfront.operations.GetDistribution = (input: { Id: string }) => {
      const d = w.account.cloudfront.findById(input.Id);
      return { Distribution: { Id: input.Id, ARN: `arn:aws:cloudfront::123456789012:distribution/${input.Id}`, Status: 'Deployed', DomainName: 'dgone.cloudfront.net', DistributionConfig: { Enabled: true, Aliases: { Quantity: 0, Items: [] } } }, ETag: d ? 'E1' : 'E2' };
    };
    const m = mark(w);

    const { result } = await w.pass();

    const changes = m.calls().filter((c) => c.operation === 'ChangeResourceRecordSets');
    expect(changes.map((c) => c.error ?? 'ok')).toEqual(['InvalidChangeBatch', 'InvalidChangeBatch', 'ok']);
    expect(statusOf(result, 'AliasRecord/apex-dns')).toMatchObject({ phase: 'Failed', reason: 'InvalidChangeBatch' });
    expect(statusOf(result, 'AliasRecord/apex-dns').message).toContain('Tried to create an alias that targets dgone.cloudfront.net.');
    expect(statusOf(result, 'AliasRecord/api-dns').phase).toBe('Synced');
    expect((await record(w, 'api.example.com')).AliasTarget).toBeDefined();
  });

  it('12. a broken connection steady cannot heal is reported as failed wiring, with what to fix', async () => {
    const w = await converged();
    const elbv2 = w.account.clients().elbv2;
    const { CreateTargetGroupCommand, DescribeLoadBalancersCommand, DescribeListenersCommand, ModifyListenerCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
    const lb = (await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['shop-api-alb'] }))).LoadBalancers![0];
    const listener = (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners![0];
    // Someone points the listener at a new target group of theirs.
    const other = (await elbv2.send(new CreateTargetGroupCommand({ Name: 'shop-api-canary', Protocol: 'HTTP', Port: 8000, TargetType: 'ip', VpcId: lb.VpcId }))).TargetGroups![0];
    await elbv2.send(new ModifyListenerCommand({ ListenerArn: listener.ListenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: other.TargetGroupArn }] }));
    const m = mark(w);

    const { result } = await w.pass({ wiring: {} });

    expect(m.mutations()).toEqual([]);
    expect(statusOf(result, 'Service/api').phase).toBe('Synced');
    const wiring = statusOf(result, 'Wiring/api');
    expect(wiring).toMatchObject({ kind: 'Wiring', phase: 'Failed' });
    expect(wiring.message).toMatch(/^forward: /);
    expect(wiring.message).toContain('shop-api-canary');
  });
});
