/**
 * From specs to the desired state in AWS's terms: task-definition content with images pinned,
 * service settings, migration versions, alias targets. Pure.
 */
import type { ActualState, ImageResolution } from '../model/actual.js';
import type { EcsNetwork, EcsTaskDefinition } from '../model/aws.js';
import type { FieldDiff, ServiceSettings } from '../model/plan.js';
import { canonicalAlarms, canonicalSetting, EXTRA_SETTINGS, type EcsServiceExtras } from '../model/service-settings.js';
import { contentDiff, contentHash, stableJson, type TaskDefinitionContent } from '../model/taskdef.js';
import type { ContainerSpec, MigrationDoc, NetworkSpec, ServiceDoc, TaskDefinitionSpec } from '../spec/schema.js';
import { specContent } from './expressible.js';

/** The ECS service name of a Service spec. */
export function serviceName(svc: ServiceDoc): string {
  return svc.spec.serviceName ?? svc.metadata.name;
}

export function resourceKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/** Why a desired task definition could not be built. */
export type ImageProblem =
  | { kind: 'notFound'; container: string; image: string; awsName: string; message: string }
  | { kind: 'unread'; container: string; image: string };

/**
 * The image a container should run: the ECR digest the spec's tag resolves to, or the URI as
 * written when it is not an ECR image. A container whose image is owned by an outside deployer
 * keeps what it runs now (`current`), if it runs anything.
 */
function imageFor(c: ContainerSpec, images: Record<string, ImageResolution>, current?: string): string | ImageProblem {
  if (c.imageOwner === 'external' && current) return current;
  const resolution = images[c.image];
  if (!resolution) return { kind: 'unread', container: c.name, image: c.image };
  switch (resolution.kind) {
    case 'pinned':
      return resolution.pinned;
    case 'unpinnable':
      return c.image;
    case 'notFound':
      return { kind: 'notFound', container: c.name, image: c.image, awsName: resolution.awsName, message: resolution.message };
  }
}

/**
 * The canonical task-definition content a spec asks for, with images pinned to digests.
 * `current` is the revision the service runs now (for externally owned images).
 *
 * @example
 * const built = desiredTaskDefinition(svc.spec.taskDefinition, actual.images, current);
 * if ('content' in built) registerIfDifferent(built.content);
 */
export function desiredTaskDefinition(
  td: TaskDefinitionSpec,
  images: Record<string, ImageResolution>,
  current?: EcsTaskDefinition,
  family = td.family,
): { content: TaskDefinitionContent } | { problems: ImageProblem[] } {
  const problems: ImageProblem[] = [];
  const pinned = new Map<string, string>();
  for (const c of td.containers) {
    const running = current?.content.containerDefinitions.find((x) => x.name === c.name)?.image;
    const image = imageFor(c, images, running);
    if (typeof image === 'string') pinned.set(c.name, image);
    else problems.push(image);
  }
  if (problems.length > 0) return { problems };
  return { content: specContent(td, family, (c) => pinned.get(c.name)!) };
}

export function networkOf(n: NetworkSpec): EcsNetwork {
  return { subnets: [...n.subnets].sort(), securityGroups: [...n.securityGroups].sort(), assignPublicIp: n.assignPublicIp };
}

/**
 * The settings of `EcsServiceExtras` a Service spec names, in ECS's shapes and canonical form: the
 * spec's `NAME: value` maps become ECS's lists (Service Connect's log `secretOptions`, EBS volume tags).
 */
export function desiredExtras(spec: ServiceDoc['spec']): EcsServiceExtras {
  const ecs: Partial<Record<keyof EcsServiceExtras, unknown>> = {
    ...spec,
    serviceConnectConfiguration: spec.serviceConnectConfiguration && {
      ...spec.serviceConnectConfiguration,
      logConfiguration: spec.serviceConnectConfiguration.logConfiguration && {
        ...spec.serviceConnectConfiguration.logConfiguration,
        secretOptions: pairs(spec.serviceConnectConfiguration.logConfiguration.secretOptions),
      },
    },
    volumeConfigurations: spec.volumeConfigurations?.map((v) => ({
      ...v,
      managedEBSVolume: {
        ...v.managedEBSVolume,
        tagSpecifications: v.managedEBSVolume.tagSpecifications?.map((t) => ({ ...t, tags: t.tags && Object.entries(t.tags).map(([key, value]) => ({ key, value })) })),
      },
    })),
  };
  const out: EcsServiceExtras = {};
  for (const field of EXTRA_SETTINGS) {
    if (spec[field] !== undefined) (out as Record<string, unknown>)[field] = canonicalSetting(field, ecs[field]);
  }
  return out;
}

function pairs(map: Record<string, string> | undefined): { name: string; valueFrom: string }[] {
  return Object.entries(map ?? {}).map(([name, valueFrom]) => ({ name, valueFrom }));
}

/** The settings of an ECS service a Service spec manages (target group resolved to its ARN). */
export function desiredServiceSettings(svc: ServiceDoc, targetGroupArn: string | undefined): ServiceSettings & { network: EcsNetwork } {
  const s = svc.spec;
  const lb = s.loadBalancer;
  return {
    ...desiredExtras(s),
    ...(s.deployment.strategy === 'rolling' && s.deployment.alarms ? { deploymentAlarms: canonicalAlarms(s.deployment.alarms) } : {}),
    desiredCount: s.desiredCount,
    loadBalancers: lb && targetGroupArn ? [{ targetGroupArn, containerName: lb.containerName, containerPort: lb.containerPort }] : [],
    network: networkOf(s.network),
    platformVersion: s.platformVersion,
    healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
    deploymentConfiguration:
      s.deployment.strategy === 'rolling'
        ? {
            minimumHealthyPercent: s.deployment.minimumHealthyPercent,
            maximumPercent: s.deployment.maximumPercent,
            circuitBreaker: { ...s.deployment.circuitBreaker },
          }
        : undefined,
  };
}

/** The family a migration's task definition is registered under. */
export function migrationFamily(m: MigrationDoc, services: ServiceDoc[]): string {
  if (m.spec.taskDefinition) return m.spec.taskDefinition.family;
  const svc = services.find((s) => s.metadata.name === m.spec.fromService);
  return `${svc?.spec.taskDefinition.family ?? m.spec.fromService}-${m.metadata.name}`.slice(0, 255);
}

/** The container a migration runs its command in: named, or the first essential one. */
export function migrationContainer(m: MigrationDoc, td: TaskDefinitionSpec): string {
  return m.spec.container ?? td.containers.find((c) => c.essential)?.name ?? td.containers[0].name;
}

/**
 * A migration's version: what it runs (the pinned images of its task definition), in which
 * container, with which command. A migration runs once per version.
 */
export function migrationVersion(content: TaskDefinitionContent, container: string, command: string[] | undefined): string {
  const images = content.containerDefinitions.map((c) => [c.name, c.image]);
  const effective = command ?? content.containerDefinitions.find((c) => c.name === container)?.command ?? [];
  return contentHash({ images, container, command: effective });
}

/** Hash of a spec document: the "generation" a status was computed for. */
export function specHash(doc: { spec: unknown }): string {
  return contentHash(doc.spec);
}

// ------------------------------------------------------------------------------------ diffs

/** A value as a diff shows it: strings as they are, anything else as JSON. */
export function render(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  return stableJson(v);
}

/** A content path in the diff's spec terms: `containerDefinitions[app].image` -> `taskDefinition.containers[app].image`. */
export function specPath(path: string): string {
  return `taskDefinition.${path.replace(/^containerDefinitions\[/, 'containers[')}`;
}

/**
 * Every difference between two canonical task definitions, nested fields included, with containers
 * and other named items matched by name: `taskDefinition.containers[app].image: repo@sha256:aaa ->
 * repo@sha256:bbb`, `taskDefinition.containers[app].ulimits: [...] -> -`. Empty exactly when the two
 * are equal, so a registration is never shown with part of its reason.
 */
export function taskDefinitionDiff(before: TaskDefinitionContent | undefined, after: TaskDefinitionContent, spec?: Pick<TaskDefinitionSpec, 'containers'>): FieldDiff[] {
  if (!before) {
    const containers = after.containerDefinitions.map((c) => c.name).join(', ');
    return [{ path: 'taskDefinition', before: undefined, after: `${after.family} (cpu ${after.cpu}, memory ${after.memory}; containers ${containers})` }];
  }
  return contentDiff(before, after).map((d) => {
    // A whole container comes or goes: say so, not its every field.
    const whole = /^containerDefinitions\[[^\]]+\]$/.test(d.path);
    const diff: FieldDiff = {
      path: specPath(d.path),
      before: whole ? (d.before === undefined ? undefined : 'present') : render(d.before),
      after: whole ? (d.after === undefined ? undefined : 'present') : render(d.after),
    };
    // A pinned image says which tag of the spec it is: `repo@sha256:589d…` alone names nothing a person wrote.
    const image = /^containerDefinitions\[([^\]]+)\]\.image$/.exec(d.path);
    const written = image ? spec?.containers.find((c) => c.name === image[1])?.image : undefined;
    return written !== undefined && written !== diff.after ? { ...diff, specValue: written } : diff;
  });
}

/** Field-level differences of service settings; only fields the desired side sets are compared. */
export function settingsDiff(current: ServiceSettings, desired: ServiceSettings): { diff: FieldDiff[]; changed: ServiceSettings } {
  const diff: FieldDiff[] = [];
  const changed: ServiceSettings = {};
  for (const key of Object.keys(desired) as (keyof ServiceSettings)[]) {
    const want = desired[key];
    if (want === undefined) continue;
    if (stableJson(current[key]) !== stableJson(want)) {
      diff.push({ path: key, before: render(current[key]), after: render(want) });
      (changed as Record<string, unknown>)[key] = want;
    }
  }
  return { diff, changed };
}

/** Unreadable entries that affect a resource. */
export function unreadableFor(actual: ActualState, key: string) {
  return actual.unreadable.filter((u) => u.affects.includes(key));
}
