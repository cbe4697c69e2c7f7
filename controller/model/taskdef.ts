/**
 * The canonical content of a task definition: what both the spec side (after images are pinned
 * to digests) and the AWS side (DescribeTaskDefinition) are turned into before they are compared.
 * AWS defaults are filled, lists whose order carries no meaning are sorted and empty optional
 * fields are dropped, so an unchanged task definition always compares equal (the cure for drift
 * that never goes away). Revision numbers and tags are not content.
 *
 * Pure: no I/O, no SDK import.
 */
import { createHash } from 'node:crypto';

export interface KeyValue {
  name: string;
  value: string;
}

export interface SecretRef {
  name: string;
  valueFrom: string;
}

export interface CanonicalPortMapping {
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
  name?: string;
  appProtocol?: string;
}

export interface CanonicalHealthCheck {
  command: string[];
  interval: number;
  timeout: number;
  retries: number;
  startPeriod: number;
}

export interface CanonicalLogConfiguration {
  logDriver: string;
  options?: Record<string, string>;
  secretOptions?: SecretRef[];
}

/** A container definition in ECS's own field names, canonical form. */
export interface CanonicalContainer {
  name: string;
  image: string;
  essential: boolean;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  command?: string[];
  entryPoint?: string[];
  workingDirectory?: string;
  user?: string;
  portMappings?: CanonicalPortMapping[];
  environment?: KeyValue[];
  secrets?: SecretRef[];
  dependsOn?: { containerName: string; condition: string }[];
  healthCheck?: CanonicalHealthCheck;
  logConfiguration?: CanonicalLogConfiguration;
  readonlyRootFilesystem?: boolean;
  stopTimeout?: number;
}

/** Task-definition content in ECS's field names (RegisterTaskDefinition input), canonical form. */
export interface TaskDefinitionContent {
  family: string;
  cpu: string;
  memory: string;
  networkMode: string;
  requiresCompatibilities: string[];
  executionRoleArn?: string;
  taskRoleArn?: string;
  runtimePlatform?: { cpuArchitecture: string; operatingSystemFamily: string };
  containerDefinitions: CanonicalContainer[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

function nonEmptyRecord(rec: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!rec || Object.keys(rec).length === 0) return undefined;
  return Object.fromEntries(Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Removes keys whose value is undefined, so that two canonical objects compare with deep equality. */
function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** Loose input: a container as ECS returns it or as built from a spec. */
export interface LooseContainer {
  name?: string;
  image?: string;
  essential?: boolean;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  command?: string[];
  entryPoint?: string[];
  workingDirectory?: string;
  user?: string;
  portMappings?: { containerPort?: number; hostPort?: number; protocol?: string; name?: string; appProtocol?: string }[];
  environment?: { name?: string; value?: string }[];
  secrets?: { name?: string; valueFrom?: string }[];
  dependsOn?: { containerName?: string; condition?: string }[];
  healthCheck?: { command?: string[]; interval?: number; timeout?: number; retries?: number; startPeriod?: number };
  logConfiguration?: { logDriver?: string; options?: Record<string, string>; secretOptions?: { name?: string; valueFrom?: string }[] };
  readonlyRootFilesystem?: boolean;
  stopTimeout?: number;
}

/** Loose input: a task definition as ECS returns it or as built from a spec. */
export interface LooseTaskDefinition {
  family?: string;
  cpu?: string;
  memory?: string;
  networkMode?: string;
  requiresCompatibilities?: string[];
  executionRoleArn?: string;
  taskRoleArn?: string;
  runtimePlatform?: { cpuArchitecture?: string; operatingSystemFamily?: string };
  containerDefinitions?: LooseContainer[];
}

function canonicalContainer(c: LooseContainer, networkMode: string): CanonicalContainer {
  return compact({
    name: c.name ?? '',
    image: c.image ?? '',
    essential: c.essential ?? true,
    cpu: c.cpu || undefined, // ECS reports 0 for "not set"
    memory: c.memory,
    memoryReservation: c.memoryReservation,
    command: nonEmpty(c.command),
    entryPoint: nonEmpty(c.entryPoint),
    workingDirectory: c.workingDirectory,
    user: c.user,
    portMappings: nonEmpty(
      (c.portMappings ?? [])
        .map((p) =>
          compact({
            containerPort: p.containerPort ?? 0,
            // awsvpc: the host port is the container port, and ECS fills it in.
            hostPort: p.hostPort ?? (networkMode === 'awsvpc' ? (p.containerPort ?? 0) : 0),
            protocol: (p.protocol ?? 'tcp') as 'tcp' | 'udp',
            name: p.name,
            appProtocol: p.appProtocol,
          }),
        )
        .sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol)),
    ),
    environment: nonEmpty((c.environment ?? []).map((e) => ({ name: e.name ?? '', value: e.value ?? '' })).sort(byName)),
    secrets: nonEmpty((c.secrets ?? []).map((s) => ({ name: s.name ?? '', valueFrom: s.valueFrom ?? '' })).sort(byName)),
    dependsOn: nonEmpty(
      (c.dependsOn ?? [])
        .map((d) => ({ containerName: d.containerName ?? '', condition: d.condition ?? 'START' }))
        .sort((a, b) => a.containerName.localeCompare(b.containerName)),
    ),
    healthCheck: c.healthCheck
      ? {
          command: c.healthCheck.command ?? [],
          interval: c.healthCheck.interval ?? 30,
          timeout: c.healthCheck.timeout ?? 5,
          retries: c.healthCheck.retries ?? 3,
          startPeriod: c.healthCheck.startPeriod ?? 0,
        }
      : undefined,
    logConfiguration: c.logConfiguration
      ? compact({
          logDriver: c.logConfiguration.logDriver ?? '',
          options: nonEmptyRecord(c.logConfiguration.options),
          secretOptions: nonEmpty(
            (c.logConfiguration.secretOptions ?? []).map((s) => ({ name: s.name ?? '', valueFrom: s.valueFrom ?? '' })).sort(byName),
          ),
        })
      : undefined,
    readonlyRootFilesystem: c.readonlyRootFilesystem || undefined,
    stopTimeout: c.stopTimeout,
  });
}

/**
 * Brings a task definition (spec-built or described by ECS) into canonical form.
 *
 * @example
 * const actual = canonicalTaskDefinition(describeOutput.taskDefinition);
 * const same = taskDefinitionsEqual(actual, desired);
 */
export function canonicalTaskDefinition(td: LooseTaskDefinition): TaskDefinitionContent {
  const networkMode = td.networkMode ?? 'bridge';
  const platform = td.runtimePlatform;
  return compact({
    family: td.family ?? '',
    cpu: td.cpu ?? '',
    memory: td.memory ?? '',
    networkMode,
    requiresCompatibilities: [...(td.requiresCompatibilities ?? [])].sort(),
    executionRoleArn: td.executionRoleArn,
    taskRoleArn: td.taskRoleArn,
    // X86_64/LINUX is what Fargate runs when nothing is said.
    runtimePlatform:
      platform && (platform.cpuArchitecture ?? 'X86_64') + (platform.operatingSystemFamily ?? 'LINUX') !== 'X86_64LINUX'
        ? { cpuArchitecture: platform.cpuArchitecture ?? 'X86_64', operatingSystemFamily: platform.operatingSystemFamily ?? 'LINUX' }
        : undefined,
    containerDefinitions: (td.containerDefinitions ?? []).map((c) => canonicalContainer(c, networkMode)),
  });
}

/** JSON with object keys sorted, so equal content has one spelling. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** A short content hash (sha256, hex) of any JSON-able value. */
export function contentHash(value: unknown, length = 16): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, length);
}

export function taskDefinitionsEqual(a: TaskDefinitionContent, b: TaskDefinitionContent): boolean {
  return stableJson(a) === stableJson(b);
}
