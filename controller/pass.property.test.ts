/**
 * Property: for any environment steady can express and any mix of drift a person or CI can cause,
 * one pass converges (the pass after it plans nothing) and no mutating call ever touches a
 * resource steady does not own.
 */
import { CreateServiceCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DesiredEnvironment } from './model/plan.js';
import { createAdapters, runPass } from './pass.js';
import { isMutating, SimAccount } from './sim/account.js';
import { aliasRecordSchema, environmentSchema, migrationSchema, serviceSchema } from './spec/schema.js';

const REGISTRY = '123456789012.dkr.ecr.ap-northeast-1.amazonaws.com';
const SIZES = [
  ['256', '512'],
  ['512', '1024'],
  ['1024', '3072'],
] as const;

interface ServiceShape {
  size: number;
  desiredCount: number;
  autoscaling: boolean;
  repo: number;
  loadBalanced: boolean;
  migration: boolean;
}

const serviceShape = fc.record({
  size: fc.integer({ min: 0, max: SIZES.length - 1 }),
  desiredCount: fc.integer({ min: 0, max: 3 }),
  autoscaling: fc.boolean(),
  repo: fc.integer({ min: 0, max: 1 }),
  loadBalanced: fc.boolean(),
  migration: fc.boolean(),
});

type Drift =
  | { kind: 'push'; repo: number }
  | { kind: 'scale'; service: number; count: number }
  | { kind: 'recreateAlb' }
  | { kind: 'oldRevision'; service: number }
  | { kind: 'deleteRecord'; alias: number };

const drift = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), repo: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('scale' as const), service: fc.nat(), count: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant('recreateAlb' as const) }),
  fc.record({ kind: fc.constant('oldRevision' as const), service: fc.nat() }),
  fc.record({ kind: fc.constant('deleteRecord' as const), alias: fc.nat() }),
);

function account(): SimAccount {
  return new SimAccount({ seed: 5 }).seed({
    ecr: { repositories: { 'app-0': [{ tags: ['latest'] }], 'app-1': [{ tags: ['latest'] }] } },
    elbv2: {
      targetGroups: [0, 1, 2, 3].map((i) => ({ name: `tg-${i}`, port: 8080 })),
      loadBalancers: [{ name: 'web-alb', listeners: [{ port: 80, forward: 'tg-0', rules: [1, 2, 3].map((i) => ({ priority: i, pathPattern: `/s${i}/*`, forward: `tg-${i}` })) }] }],
    },
    cloudfront: { distributions: [{ id: 'E1EXAMPLE0000', aliases: ['example.com'] }] },
    route53: {
      zones: [
        {
          name: 'example.com',
          // Someone else's record, not steady's: it must never be touched.
          records: [{ name: 'legacy', type: 'A', alias: { loadBalancer: 'web-alb' } }],
        },
      ],
    },
    ecs: { clusters: ['prop'] },
  });
}

function desiredOf(shapes: ServiceShape[], aliasCount: number): DesiredEnvironment {
  const environment = environmentSchema.parse({ apiVersion: 'steady.dev/v1alpha1', kind: 'Environment', metadata: { name: 'prop' }, spec: { region: 'ap-northeast-1', cluster: 'prop', changeBudget: 100 } });
  const services = shapes.map((s, i) =>
    serviceSchema.parse({
      apiVersion: 'steady.dev/v1alpha1',
      kind: 'Service',
      metadata: { name: `svc-${i}`, environment: 'prop' },
      spec: {
        desiredCount: s.desiredCount,
        autoscaling: s.autoscaling,
        after: s.migration ? [`migrate-${i}`] : [],
        network: { subnets: ['subnet-0123456789abcdef0'] },
        ...(s.loadBalanced ? { loadBalancer: { targetGroup: `tg-${i}`, containerName: 'app', containerPort: 8080 } } : {}),
        taskDefinition: {
          family: `svc-${i}`,
          cpu: SIZES[s.size][0],
          memory: SIZES[s.size][1],
          containers: [{ name: 'app', image: `${REGISTRY}/app-${s.repo}:latest`, portMappings: [{ containerPort: 8080 }] }],
        },
      },
    }),
  );
  const migrations = shapes.flatMap((s, i) =>
    s.migration
      ? [migrationSchema.parse({ apiVersion: 'steady.dev/v1alpha1', kind: 'Migration', metadata: { name: `migrate-${i}`, environment: 'prop' }, spec: { fromService: `svc-${i}`, command: ['migrate'] } })]
      : [],
  );
  const aliases = Array.from({ length: aliasCount }, (_, i) =>
    aliasRecordSchema.parse({
      apiVersion: 'steady.dev/v1alpha1',
      kind: 'AliasRecord',
      metadata: { name: `dns-${i}`, environment: 'prop' },
      spec: { zone: 'example.com', name: i === 0 ? 'example.com' : `app${i}.example.com`, target: i === 0 ? { cloudFront: 'E1EXAMPLE0000' } : { loadBalancer: 'web-alb' } },
    }),
  );
  return { name: 'prop', environment, services, migrations, scheduledTasks: [], aliases };
}

async function applyDrift(a: SimAccount, d: Drift, shapes: ServiceShape[], aliasCount: number): Promise<void> {
  const clients = a.clients();
  switch (d.kind) {
    case 'push':
      a.ecr.push(`app-${d.repo}`, 'latest');
      return;
    case 'scale':
      if (shapes.length === 0) return;
      await clients.ecs.send(new UpdateServiceCommand({ cluster: 'prop', service: `svc-${d.service % shapes.length}`, desiredCount: d.count }));
      return;
    case 'recreateAlb':
      a.elbv2.recreateLoadBalancer('web-alb');
      return;
    case 'oldRevision': {
      if (shapes.length === 0) return;
      const i = d.service % shapes.length;
      const out = await clients.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: `svc-${i}`,
          cpu: '256',
          memory: '512',
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          containerDefinitions: [{ name: 'app', image: `${REGISTRY}/app-${shapes[i].repo}:latest` }],
        }),
      );
      await clients.ecs.send(new UpdateServiceCommand({ cluster: 'prop', service: `svc-${i}`, taskDefinition: out.taskDefinition!.taskDefinitionArn }));
      return;
    }
    case 'deleteRecord': {
      if (aliasCount === 0) return;
      const i = d.alias % aliasCount;
      const name = i === 0 ? 'example.com' : `app${i}.example.com`;
      const zone = a.route53.recordSets('example.com');
      const rr = zone.find((r) => r.Name === `${name}.` && r.Type === 'A');
      if (!rr) return;
      const id = (a.route53.operations.ListHostedZonesByName({ DNSName: 'example.com' }) as { HostedZones: { Id: string }[] }).HostedZones[0].Id.split('/').pop()!;
      await clients.route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: id, ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: rr }] } }));
      return;
    }
  }
}

describe('a pass', () => {
  it('converges any environment from any drift in one pass and never touches what it does not own', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(serviceShape, { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 3 }), fc.array(drift, { maxLength: 4 }), async (shapes, aliasCount, drifts) => {
        const a = account();
        const clients = a.clients();
        // Someone else's service in the same cluster, with a name no spec uses.
        a.ecs.operations.RegisterTaskDefinition({ family: 'legacy', containerDefinitions: [{ name: 'x', image: `${REGISTRY}/app-0:latest` }], networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512' });
        await clients.ecs.send(new CreateServiceCommand({ cluster: 'prop', serviceName: 'legacy', taskDefinition: 'legacy', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } } }));
        const desired = desiredOf(shapes, aliasCount);
        const adapters = createAdapters(clients);
        const pass = () => runPass({ desired, adapters, clock: a.clock, pollMs: 5_000 });

        await pass();
        a.clock.advance(600_000);
        for (const d of drifts) await applyDrift(a, d, shapes, aliasCount);
        a.clock.advance(60_000);
        const from = a.calls.length;
        const { result } = await pass();
        expect(result.outcomes.filter((o) => o.state !== 'done')).toEqual([]);
        a.clock.advance(600_000);
        const { result: after } = await pass();

        expect(after.plan!.actions.map((x) => x.summary)).toEqual([]);
        const touched = a.calls.slice(from).filter((c) => isMutating(c.operation) && /legacy/.test(JSON.stringify(c.input)));
        expect(touched).toEqual([]);
      }),
      { numRuns: 25, seed: 20261125 },
    );
  });
});
