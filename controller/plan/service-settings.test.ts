import { describe, expect, it } from 'vitest';
import type { UpdateServiceAction } from '../model/plan.js';
import { serviceSchema, type ServiceDoc } from '../spec/schema.js';
import { desiredShop, POLICY, syncedActual } from '../testing/plan-fixtures.js';
import { plan } from './plan.js';

/** The shop, converged, then the spec of Service/api given `spec` on top of what it says. */
function withSpec(spec: Record<string, unknown>) {
  const desired = desiredShop();
  const actual = syncedActual(desired);
  const raw = structuredClone(desired.services[0]) as unknown as { spec: Record<string, unknown> };
  const svc: ServiceDoc = serviceSchema.parse({ ...raw, spec: { ...raw.spec, ...spec } });
  return { desired: { ...desired, services: [svc] }, actual, cur: actual.services['api']! };
}

const updates = (p: ReturnType<typeof plan>) => p.actions.filter((a): a is UpdateServiceAction => a.kind === 'UpdateService' && a.resource === 'Service/api');

describe('service settings the spec names (ECS Exec, capacity providers, tag propagation, Service Connect, alarms, ...)', () => {
  it('changes one the spec names and the service does not have, alone, without a rollout', () => {
    const { desired, actual } = withSpec({ enableExecuteCommand: true });

    const p = plan(desired, actual, POLICY);

    expect(updates(p)).toHaveLength(1);
    expect(updates(p)[0]).toMatchObject({ taskDefinition: undefined, settings: { enableExecuteCommand: true }, diff: [{ path: 'enableExecuteCommand', before: 'false', after: 'true' }] });
  });

  it('has no opinion on a setting the spec leaves out: a service with ECS Exec on and Fargate Spot stays as it is', () => {
    const { desired, actual, cur } = withSpec({});
    Object.assign(cur, { enableExecuteCommand: true, capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }], propagateTags: 'SERVICE' });

    const p = plan(desired, actual, POLICY);

    expect(updates(p)).toEqual([]);
    expect(p.resources.find((r) => r.resource === 'Service/api')).toMatchObject({ phase: 'Synced' });
  });

  it("takes ECS's defaults and orders as the same: NONE, false, DISABLED, base 0, providers in any order", () => {
    const { desired, actual, cur } = withSpec({
      propagateTags: 'NONE',
      enableECSManagedTags: false,
      enableExecuteCommand: false,
      availabilityZoneRebalancing: 'DISABLED',
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 3 }, { capacityProvider: 'FARGATE', base: 1, weight: 1 }],
      deployment: { strategy: 'rolling', alarms: { alarmNames: ['b-latency', 'a-5xx'] } },
    });
    // As ECS describes the service: base filled in, providers in the order they were sent, alarms likewise.
    Object.assign(cur, {
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 },
      ],
    });
    cur.deploymentConfiguration = { ...cur.deploymentConfiguration, alarms: { alarmNames: ['a-5xx', 'b-latency'], enable: true, rollback: true } };

    const p = plan(desired, actual, POLICY);

    expect(updates(p)).toEqual([]);
  });

  it('sends deployment alarms inside the deploymentConfiguration as observed, the rest of it carried over', () => {
    const { desired, actual, cur } = withSpec({ deployment: { strategy: 'rolling', alarms: { alarmNames: ['api-5xx'], rollback: false } } });
    cur.deploymentConfiguration = { ...cur.deploymentConfiguration, unmodelled: { bakeTimeInMinutes: 5 } };

    const [update] = updates(plan(desired, actual, POLICY));

    expect(update.diff).toEqual([{ path: 'deploymentAlarms', before: undefined, after: '{"alarmNames":["api-5xx"],"enable":true,"rollback":false}' }]);
    expect(update.settings).toEqual({
      deploymentConfiguration: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        circuitBreaker: { enable: true, rollback: true },
        alarms: { alarmNames: ['api-5xx'], enable: true, rollback: false },
        unmodelled: { bakeTimeInMinutes: 5 },
      },
    });
  });

  it('keeps alarms the spec does not name when it changes the percentages', () => {
    const { desired, actual, cur } = withSpec({ deployment: { strategy: 'rolling', minimumHealthyPercent: 50 } });
    const alarms = { alarmNames: ['api-5xx'], enable: true, rollback: true };
    cur.deploymentConfiguration = { ...cur.deploymentConfiguration, alarms };

    const [update] = updates(plan(desired, actual, POLICY));

    expect(update.settings.deploymentConfiguration).toEqual({ minimumHealthyPercent: 50, maximumPercent: 200, circuitBreaker: { enable: true, rollback: true }, alarms });
  });

  it('moves a service from the FARGATE launch type to Fargate Spot, and names Service Connect in ECS terms', () => {
    const { desired, actual } = withSpec({
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      serviceConnectConfiguration: { enabled: true, namespace: 'shop', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'sc' }, secretOptions: { TOKEN: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/t' } } },
    });

    const [update] = updates(plan(desired, actual, POLICY));

    expect(update.settings).toEqual({
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 }],
      serviceConnectConfiguration: {
        enabled: true,
        namespace: 'shop',
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'sc' }, secretOptions: [{ name: 'TOKEN', valueFrom: 'arn:aws:ssm:ap-northeast-1:123456789012:parameter/t' }] },
      },
    });
  });
});
