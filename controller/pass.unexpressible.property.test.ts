/**
 * Property: nothing steady cannot see is ever dropped. For task definitions with random extra
 * content the spec language cannot say (since issue 20 that is every field ECS adds after this
 * version of steady, whole or nested in objects the spec can otherwise say):
 * - adopting the service with a spec that lacks that content leaves it Blocked, naming each field,
 *   and the call log holds no RegisterTaskDefinition, UpdateService or TagResource;
 * - the same content added by hand to the revision of a service steady created is reported the next
 *   pass (every difference a removal steady will not make), and again nothing is registered or updated.
 */
import {
  CreateServiceCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DesiredEnvironment } from './model/plan.js';
import { createAdapters, runPass } from './pass.js';
import { SimAccount } from './sim/account.js';
import { environmentSchema, serviceSchema } from './spec/schema.js';
import { NETWORK, REGISTRY } from './testing/ecs-world.js';

const AGENT_IMAGE = 'public.ecr.aws/docker/library/busybox:stable';
const SIZES = [
  ['256', '512'],
  ['512', '1024'],
  ['1024', '2048'],
] as const;

type TD = RegisterTaskDefinitionCommandInput;

/** Extra content: the field paths steady must name, and how to add it to a RegisterTaskDefinition input. */
interface Extra {
  paths: string[];
  apply: (td: TD) => void;
}

const containerOf = (td: TD, name: string): ContainerDefinition => td.containerDefinitions!.find((c) => c.name === name)!;

/**
 * Container-level content the spec cannot say, for container `c`: fields ECS may add after this
 * version of steady (the SDK passes them through, and so does the simulated account), whole or inside
 * objects the spec can otherwise say. Everything RegisterTaskDefinition has today that applies to
 * Fargate is expressible (issue 20).
 */
function containerExtras(c: string): fc.Arbitrary<Extra> {
  const on = (field: string, value: unknown, path = field): Extra => ({
    paths: [`containerDefinitions[${c}].${path}`],
    apply: (td) => void Object.assign(containerOf(td, c), { [field]: value }),
  });
  return fc.oneof(
    fc.integer({ min: 1, max: 1_000_000 }).map((n) => on('futureContainerLimit', n)),
    fc.constantFrom('strict', 'lenient').map((mode) => on('futureSandbox', { mode })),
    fc.boolean().map((b) => on('linuxParameters', { initProcessEnabled: true, futureLinuxOption: b }, 'linuxParameters.futureLinuxOption')),
    fc.integer({ min: 1, max: 9 }).map((n) => on('restartPolicy', { enabled: true, futureRestartOption: n }, 'restartPolicy.futureRestartOption')),
  );
}

/** Task-level content the spec cannot say. */
const taskExtras: fc.Arbitrary<Extra> = fc.oneof(
  fc.integer({ min: 1, max: 100 }).map((n) => ({ paths: ['futureTaskSetting'], apply: (td: TD) => void Object.assign(td, { futureTaskSetting: { level: n } }) })),
  fc.constant<Extra>({
    paths: ['volumes[shared].efsVolumeConfiguration.futureEfsOption'],
    apply: (td) => {
      const efs = { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: 'ENABLED', futureEfsOption: 'on' };
      td.volumes = [...(td.volumes ?? []).filter((v) => v.name !== 'shared'), { name: 'shared', efsVolumeConfiguration: efs as never }];
    },
  }),
  fc.constant<Extra>({
    paths: ['volumes[scratch].futureVolumeKind'],
    apply: (td) => void (td.volumes = [...(td.volumes ?? []).filter((v) => v.name !== 'scratch'), { name: 'scratch', futureVolumeKind: { size: 1 } } as never]),
  }),
);

interface Case {
  size: number;
  agent: boolean;
  /** FireLens: the agent routes the app's logs (`awsfirelens` and the router's `firelensConfiguration`, both in the spec). */
  firelens: boolean;
  extras: Extra[];
}

function caseOf(options: { firelens: boolean }): fc.Arbitrary<Case> {
  return fc
    .record({
      size: fc.integer({ min: 0, max: SIZES.length - 1 }),
      agent: fc.boolean(),
      firelens: options.firelens ? fc.boolean() : fc.constant(false),
      tasks: fc.array(taskExtras, { maxLength: 3 }),
      app: fc.array(containerExtras('app'), { maxLength: 3 }),
      agentExtras: fc.array(containerExtras('agent'), { maxLength: 2 }),
    })
    .map((r) => {
      const agent = r.agent || r.firelens;
      return { size: r.size, agent, firelens: r.firelens, extras: [...r.tasks, ...r.app, ...(agent ? r.agentExtras : [])] };
    })
    .filter((c) => c.extras.length > 0);
}

const expectedPaths = (c: Case) => [...new Set(c.extras.flatMap((e) => e.paths))].sort();

function account(): SimAccount {
  return new SimAccount({ seed: 9 }).seed({ ecr: { repositories: { app: [{ tags: ['latest'] }] } }, ecs: { clusters: ['prop'] } });
}

const ROUTER = { type: 'fluentbit' as const };
const appLogging = { logDriver: 'awsfirelens' as const, options: { Name: 'cloudwatch', region: 'ap-northeast-1' } };

/** The spec: exactly what the spec language can say of the case's task definition. */
function desiredOf(c: Case, adopt: boolean): DesiredEnvironment {
  const environment = environmentSchema.parse({ apiVersion: 'steady.dev/v1alpha1', kind: 'Environment', metadata: { name: 'prop' }, spec: { region: 'ap-northeast-1', cluster: 'prop' } });
  const service = serviceSchema.parse({
    apiVersion: 'steady.dev/v1alpha1',
    kind: 'Service',
    metadata: { name: 'gen', environment: 'prop' },
    spec: {
      adopt,
      desiredCount: 1,
      network: { subnets: NETWORK.awsvpcConfiguration.subnets, securityGroups: NETWORK.awsvpcConfiguration.securityGroups },
      taskDefinition: {
        family: 'gen',
        cpu: SIZES[c.size][0],
        memory: SIZES[c.size][1],
        containers: [
          { name: 'app', image: `${REGISTRY}/app:latest`, portMappings: [{ containerPort: 8080 }], ...(c.firelens ? { logConfiguration: appLogging } : {}) },
          ...(c.agent ? [{ name: 'agent', image: AGENT_IMAGE, essential: false, ...(c.firelens ? { firelensConfiguration: ROUTER } : {}) }] : []),
        ],
      },
    },
  });
  return { name: 'prop', environment, services: [service], migrations: [], aliases: [], scheduledTasks: [] };
}

/** The same task definition, registered by hand, with the extra content. */
function handMade(c: Case, digest: string): TD {
  const td: TD = {
    family: 'gen',
    cpu: SIZES[c.size][0],
    memory: SIZES[c.size][1],
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    containerDefinitions: [
      { name: 'app', image: `${REGISTRY}/app@${digest}`, portMappings: [{ containerPort: 8080 }], ...(c.firelens ? { logConfiguration: appLogging } : {}) },
      ...(c.agent ? [{ name: 'agent', image: AGENT_IMAGE, essential: false, ...(c.firelens ? { firelensConfiguration: ROUTER } : {}) }] : []),
    ],
  };
  for (const e of c.extras) e.apply(td);
  return td;
}

/** The names a blocked status lists after "cannot express: ". */
const named = (message: string) => /cannot express: (.*?)\. A revision/.exec(message)?.[1].split(', ');

const CHANGES = ['RegisterTaskDefinition', 'UpdateService', 'TagResource', 'CreateService'];

describe('content the spec cannot express is never dropped', () => {
  it('adopting a service whose revision has it: Blocked, every field named, nothing registered, updated or tagged', async () => {
    await fc.assert(
      fc.asyncProperty(caseOf({ firelens: true }), async (c) => {
        const a = account();
        const ecs = a.clients().ecs;
        const digest = a.ecr.push('app', 'latest');
        const arn = (await ecs.send(new RegisterTaskDefinitionCommand(handMade(c, digest)))).taskDefinition!.taskDefinitionArn!;
        await ecs.send(new CreateServiceCommand({ cluster: 'prop', serviceName: 'gen', taskDefinition: arn, desiredCount: 1, launchType: 'FARGATE', networkConfiguration: NETWORK }));
        const since = a.calls.length;

        const { result } = await runPass({ desired: desiredOf(c, true), adapters: createAdapters(a.clients()), clock: a.clock, pollMs: 5_000 });

        const status = result.resources.find((r) => r.resource === 'Service/gen')!;
        expect(status).toMatchObject({ phase: 'Blocked', reason: 'UnexpressibleFields' });
        expect(named(status.message)).toEqual(expectedPaths(c));
        expect(a.calls.slice(since).filter((call) => CHANGES.includes(call.operation))).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });

  it('the same content added by hand to the revision of a service steady created is reported the next pass, and not removed', async () => {
    await fc.assert(
      fc.asyncProperty(caseOf({ firelens: false }), async (c) => {
        const a = account();
        const ecs = a.clients().ecs;
        const desired = desiredOf(c, false);
        const pass = () => runPass({ desired, adapters: createAdapters(a.clients()), clock: a.clock, pollMs: 5_000 });
        const first = await pass();
        expect(first.result.outcomes.map((o) => `${o.kind}:${o.state}`)).toEqual(['RegisterTaskDefinition:done', 'CreateService:done']);
        a.clock.advance(300_000);

        // A person registers steady's revision again with the extra content, and moves the service to it.
        const steadys = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'gen:1' }))).taskDefinition!;
        const { taskDefinitionArn: _a, revision: _r, status: _s, registeredAt: _at, registeredBy: _by, compatibilities: _c, requiresAttributes: _ra, ...content } = steadys;
        const edited = structuredClone(content) as TD;
        for (const e of c.extras) e.apply(edited);
        const arn = (await ecs.send(new RegisterTaskDefinitionCommand(edited))).taskDefinition!.taskDefinitionArn!;
        await ecs.send(new UpdateServiceCommand({ cluster: 'prop', service: 'gen', taskDefinition: arn }));
        a.clock.advance(300_000);
        const since = a.calls.length;

        const { result } = await pass();

        const status = result.resources.find((r) => r.resource === 'Service/gen')!;
        expect(status).toMatchObject({ phase: 'Blocked', reason: 'UnexpressibleFields' });
        expect(named(status.message)).toEqual(expectedPaths(c));
        expect(status.diff.length).toBeGreaterThan(0);
        expect(status.diff.filter((d) => d.after !== undefined)).toEqual([]);
        expect(a.calls.slice(since).filter((call) => CHANGES.includes(call.operation))).toEqual([]);
      }),
      { numRuns: 30 },
    );
  });
});
