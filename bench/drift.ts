/**
 * Drift for the benchmark's third pass: what people, CI pipelines and AWS do to an environment
 * between two passes (DESIGN.md, "Why it exists"), done to the simulated account the way they
 * would do it — through the SDK, or through the simulator's scenario helpers where AWS itself
 * acts (an image pushed to ECR, an ALB recreated).
 */
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type TaskDefinition } from '@aws-sdk/client-ecs';
import type { AwsClients } from '../controller/aws/clients.js';
import { pinImage, parseImageUri } from '../controller/model/image.js';
import { imageUri, type BenchEnvironment, type BenchLayout, type BenchService } from '../controller/testing/fleet.js';
import { DRIFT_KINDS, type DriftKind, type DriftShape } from './minimum.js';

/** Share of the services that drift (events), as the issue asks: 5%. */
export const DRIFT_SHARE = 0.05;
/** A public sample image: what "the task definition points at the wrong image" looked like. */
export const SAMPLE_IMAGE = 'public.ecr.aws/nginx/nginx:latest';

/** One thing done to the environment, and the spec resources it made drift. */
export interface DriftEvent {
  kind: DriftKind;
  /** What was done, for people. */
  what: string;
  /** Spec resources that drifted (`Service/svc-0001`, `AliasRecord/svc-0002-dns`). */
  resources: string[];
  /** The ECS service changed (service kinds). */
  service?: string;
  /** Alias record names made stale (alb-recreated). */
  records?: string[];
}

/** A drift event chosen but not yet applied: its kind and what it hits. */
export interface DriftTarget {
  kind: DriftKind;
  service?: BenchService;
  loadBalancer?: string;
}

/**
 * Which events the drift pass gets: {@link DRIFT_SHARE} of the services, at least one of each
 * kind (so a 10-service environment gets 6 events, 60%), kinds in turn, targets spread evenly
 * over the environment. Service events hit distinct services; "image pushed with migration" takes
 * the services that migrations run before, the other service kinds the rest.
 */
export function chooseDrift(layout: BenchLayout): DriftTarget[] {
  const count = Math.max(DRIFT_KINDS.length, Math.round(layout.size * DRIFT_SHARE));
  const kinds = Array.from({ length: count }, (_, e) => DRIFT_KINDS[e % DRIFT_KINDS.length]);
  const spread = <T>(items: T[], n: number): T[] => {
    if (n > items.length) throw new Error(`drift needs ${n} targets, the ${layout.environment} environment has ${items.length}`);
    return Array.from({ length: n }, (_, k) => items[Math.floor(((k + 0.5) * items.length) / n)]);
  };
  const withMigration = layout.services.filter((s) => s.migration);
  const plain = layout.services.filter((s) => !s.migration);
  const migrationTargets = spread(withMigration, kinds.filter((k) => k === 'image-pushed-with-migration').length);
  const serviceTargets = spread(plain, kinds.filter((k) => k !== 'image-pushed-with-migration' && k !== 'alb-recreated').length);
  const albTargets = spread(layout.loadBalancers, kinds.filter((k) => k === 'alb-recreated').length);
  return kinds.map((kind) => {
    if (kind === 'alb-recreated') return { kind, loadBalancer: albTargets.shift()! };
    if (kind === 'image-pushed-with-migration') return { kind, service: migrationTargets.shift()! };
    return { kind, service: serviceTargets.shift()! };
  });
}

/**
 * Applies the chosen drift to the account. `clients` are the hands of the people doing it
 * (not steady's clients, so steady's counters see none of these calls).
 */
export async function injectDrift(env: BenchEnvironment, clients: AwsClients, targets = chooseDrift(env.layout)): Promise<DriftEvent[]> {
  const { account, layout } = env;
  const cluster = layout.cluster;
  const events: DriftEvent[] = [];
  const currentRevision = async (service: string): Promise<TaskDefinition> => {
    const { services } = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    const out = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: services![0].taskDefinition! }));
    return out.taskDefinition!;
  };
  /** Registers a copy of `td` with the app container's image replaced, as CI or a person would. */
  const registerWithImage = async (td: TaskDefinition, image: string): Promise<string> => {
    const out = await clients.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: td.family,
        cpu: td.cpu,
        memory: td.memory,
        networkMode: td.networkMode,
        requiresCompatibilities: td.requiresCompatibilities,
        executionRoleArn: td.executionRoleArn,
        taskRoleArn: td.taskRoleArn,
        runtimePlatform: td.runtimePlatform,
        containerDefinitions: td.containerDefinitions!.map((c) => (c.name === 'app' ? { ...c, image } : c)),
      }),
    );
    return out.taskDefinition!.taskDefinitionArn!;
  };

  for (const t of targets) {
    const s = t.service;
    switch (t.kind) {
      case 'image-pushed':
      case 'image-pushed-with-migration': {
        account.ecr.push(s!.repository, s!.tag);
        const what = `pushed a new image to ${s!.repository}:${s!.tag}${s!.migration ? ` (migration ${s!.migration} runs first)` : ''}`;
        events.push({ kind: t.kind, what, resources: [`Service/${s!.name}`, ...(s!.migration ? [`Migration/${s!.migration}`] : [])], service: s!.name });
        break;
      }
      case 'revision-left-behind': {
        const digest = account.ecr.push(s!.repository, s!.tag);
        const arn = await registerWithImage(await currentRevision(s!.name), pinImage(parseImageUri(imageUri(s!.repository, s!.tag)), digest));
        const what = `pushed ${s!.repository}:${s!.tag}, CI registered ${arn.slice(arn.lastIndexOf('/') + 1)} with it, the service was never updated`;
        events.push({ kind: t.kind, what, resources: [`Service/${s!.name}`], service: s!.name });
        break;
      }
      case 'wrong-image': {
        const arn = await registerWithImage(await currentRevision(s!.name), SAMPLE_IMAGE);
        await clients.ecs.send(new UpdateServiceCommand({ cluster, service: s!.name, taskDefinition: arn }));
        events.push({ kind: t.kind, what: `updated ${s!.name} by hand to a revision running ${SAMPLE_IMAGE}`, resources: [`Service/${s!.name}`], service: s!.name });
        break;
      }
      case 'scaled-by-hand': {
        await clients.ecs.send(new UpdateServiceCommand({ cluster, service: s!.name, desiredCount: 0 }));
        events.push({ kind: t.kind, what: `scaled ${s!.name} to 0 by hand`, resources: [`Service/${s!.name}`], service: s!.name });
        break;
      }
      case 'alb-recreated': {
        account.elbv2.recreateLoadBalancer(t.loadBalancer!);
        const stale = layout.services.filter((x) => x.loadBalancer === t.loadBalancer);
        events.push({
          kind: t.kind,
          what: `recreated ${t.loadBalancer}: ${stale.length} aliases point at its old DNS name`,
          resources: stale.map((x) => `AliasRecord/${x.name}-dns`),
          records: stale.map((x) => x.record),
        });
        break;
      }
    }
  }
  return events;
}

/** The shape of the drift the minimum formula needs. */
export function driftShape(layout: BenchLayout, events: DriftEvent[]): DriftShape {
  const stale = new Set(events.flatMap((e) => e.records ?? []));
  const staleZones = new Set(layout.services.filter((s) => stale.has(s.record)).map((s) => s.zone));
  return { events: events.map((e) => ({ kind: e.kind })), staleZones: staleZones.size };
}
