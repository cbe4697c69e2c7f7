/**
 * Observed snapshots: what AWS looked like for one resource at the end of a pass, derived from
 * the pass's ActualState (pure), then compressed and, when large, split into parts so that no
 * item comes near DynamoDB's 400 KB limit.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { ActualState, ObservedMigration, ObservedZone } from '../model/actual.js';
import type { EcsService, EcsTask, LoadBalancer, RecordSet, SchedulerSchedule, TargetGroup } from '../model/aws.js';
import { behaviours } from '../model/maintenance.js';
import { TAG_ENVIRONMENT, TAG_MANAGED_BY, TAG_RESOURCE, type DesiredEnvironment, type ResourceStatus } from '../model/plan.js';

/** What AWS looked like for one resource (JSON-able). `found: false` when AWS had nothing. */
export type ResourceSnapshot =
  | ServiceSnapshot
  | MigrationSnapshot
  | ScheduledTaskSnapshot
  | AliasRecordSnapshot
  | MaintenanceSnapshot
  | EnvironmentSnapshot
  | { resource: string; observedAt: number; found: false; why: string };

interface SnapshotBase {
  resource: string;
  observedAt: number;
  /** What could not be read for this resource during the pass. */
  unreadable?: { what: string; awsName: string; message: string }[];
}

export interface ServiceSnapshot extends SnapshotBase {
  found: true;
  kind: 'Service';
  service: Omit<EcsService, 'events' | 'tags'> & { tags: Record<string, string>; events: EcsService['events'] };
  /** The revision the service runs: family:revision and its containers' images. */
  taskDefinition?: { arn: string; revision: string; images: Record<string, string> };
  targetGroups: { arn: string; name?: string; loadBalancers: { arn: string; name: string; dnsName: string }[] }[];
}

export interface MigrationSnapshot extends SnapshotBase {
  found: true;
  kind: 'Migration';
  latest: { arn: string; revision: string; tags: Record<string, string>; images: Record<string, string> } | null;
  /** Newest first, at most 10. */
  tasks: MigrationTaskSummary[];
}

export type MigrationTaskSummary = Pick<
  EcsTask,
  'arn' | 'lastStatus' | 'desiredStatus' | 'startedBy' | 'createdAt' | 'startedAt' | 'stoppedAt' | 'stopCode' | 'stoppedReason'
> & {
  /** Container name -> exit code (null while it has none). */
  exitCodes: Record<string, number | null>;
};

export interface ScheduledTaskSnapshot extends SnapshotBase {
  found: true;
  kind: 'ScheduledTask';
  /** The schedule as Scheduler describes it (null: it does not exist). */
  schedule: SchedulerSchedule | null;
  /** The family's latest revision, with the last run's record in its tags. */
  latest: { arn: string; revision: string; tags: Record<string, string>; images: Record<string, string> } | null;
  /** The runs ECS still lists, newest first, at most 10: exit codes and times. */
  runs: MigrationTaskSummary[];
}

export interface AliasRecordSnapshot extends SnapshotBase {
  found: true;
  kind: 'AliasRecord';
  zone: { id: string; name: string; private: boolean };
  /** The alias records at the name, and the ownership TXT record beside them. */
  records: RecordSet[];
  /** The target as observed this pass (what the alias should point at). */
  target?: { kind: 'loadBalancer' | 'cloudFront'; name: string; dnsName: string | null };
}

export interface MaintenanceSnapshot extends SnapshotBase {
  found: true;
  kind: 'Maintenance';
  /** The distribution's behaviours (pattern -> origin), error responses and maintenance tags, as observed. */
  distribution?: { id: string; status: string; behaviors: Record<string, string>; errorResponses: unknown[]; tags: Record<string, string> } | null;
  /** The listener and its non-default rules (priority, conditions, what they answer). */
  listener?: { arn: string; label: string; rules: { priority: string; conditions: { field: string; values: string[] }[]; answers: string; tags?: Record<string, string> }[] } | null;
}

export interface EnvironmentSnapshot extends SnapshotBase {
  found: true;
  kind: 'Environment';
  cluster: { arn: string; name: string; status: string } | null | 'unread';
  counts: { services: number; taskDefinitions: number; zones: number; migrations: number; loadBalancers: number };
  unreadable: { what: string; awsName: string; message: string; affects: string[] }[];
}

/** Most tasks of a migration and events of a service kept in a snapshot. */
const MAX_TASKS = 10;
const MAX_EVENTS = 5;

function revisionOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function images(actual: ActualState, arn: string): Record<string, string> {
  const td = actual.taskDefinitions[arn];
  return Object.fromEntries((td?.content.containerDefinitions ?? []).map((c) => [c.name, c.image]));
}

type ServiceDoc = DesiredEnvironment['services'][number];
type AliasRecordDoc = DesiredEnvironment['aliases'][number];

/** Keeps the first item of each key, in order. */
function firstBy<T>(items: Iterable<T>, key: (item: T) => string | undefined): Map<string, T> {
  const out = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (k !== undefined && !out.has(k)) out.set(k, item);
  }
  return out;
}

/**
 * What the snapshots of one pass look things up by, built once from its ActualState (each part when
 * first used): a pass records every resource's snapshot, and a scan of the environment per resource
 * made that quadratic. `actual` must not change while the index is in use.
 *
 * @example
 * const index = new SnapshotIndex(actual, desired);
 * const snapshots = result.resources.map((status) => snapshotResource(actual, status, desired, index));
 */
export class SnapshotIndex {
  #unreadable?: Map<string, ActualState['unreadable']>;
  #owned?: Map<string, EcsService>;
  #targetGroups?: Map<string, TargetGroup>;
  #loadBalancers?: Map<string, LoadBalancer>;
  #specServices?: Map<string, ServiceDoc>;
  #specAliases?: Map<string, AliasRecordDoc>;
  readonly #records = new Map<RecordSet[], Map<string, { at: number; record: RecordSet }[]>>();

  constructor(
    private readonly actual: ActualState,
    private readonly desired?: DesiredEnvironment,
  ) {}

  /** What could not be read that affects `resource`, in the order observe met it. */
  unreadable(resource: string): ActualState['unreadable'] {
    if (!this.#unreadable) {
      this.#unreadable = new Map();
      for (const u of this.actual.unreadable) {
        for (const r of new Set(u.affects)) this.#unreadable.set(r, [...(this.#unreadable.get(r) ?? []), u]);
      }
    }
    return this.#unreadable.get(resource) ?? [];
  }

  /** The first service steady tagged as `resource` of this environment. */
  ownedService(resource: string): EcsService | undefined {
    const env = this.actual.environment;
    this.#owned ??= firstBy(
      Object.values(this.actual.services).filter((s): s is EcsService => !!s),
      (s) => (s.tags[TAG_MANAGED_BY] === 'steady' && s.tags[TAG_ENVIRONMENT] === env ? s.tags[TAG_RESOURCE] : undefined),
    );
    return this.#owned.get(resource);
  }

  targetGroup(arn: string): TargetGroup | undefined {
    this.#targetGroups ??= firstBy(
      Object.values(this.actual.targetGroups).filter((t): t is TargetGroup => !!t),
      (t) => t.arn,
    );
    return this.#targetGroups.get(arn);
  }

  loadBalancer(arn: string): LoadBalancer | undefined {
    this.#loadBalancers ??= firstBy(
      Object.values(this.actual.loadBalancers).filter((l): l is LoadBalancer => !!l),
      (l) => l.arn,
    );
    return this.#loadBalancers.get(arn);
  }

  specService(name: string): ServiceDoc | undefined {
    this.#specServices ??= firstBy(this.desired?.services ?? [], (s) => s.metadata.name);
    return this.#specServices.get(name);
  }

  specAlias(name: string): AliasRecordDoc | undefined {
    this.#specAliases ??= firstBy(this.desired?.aliases ?? [], (a) => a.metadata.name);
    return this.#specAliases.get(name);
  }

  /** The records of `zone` at `name` of `type` and its ownership TXT record, in the zone's order. */
  aliasRecords(zone: ObservedZone, name: string, type: string | undefined, ownership: string): RecordSet[] {
    let byKey = this.#records.get(zone.records);
    if (!byKey) {
      byKey = new Map();
      zone.records.forEach((record, at) => {
        const key = `${record.type} ${record.name}`;
        byKey!.set(key, [...(byKey!.get(key) ?? []), { at, record }]);
      });
      this.#records.set(zone.records, byKey);
    }
    const own = byKey.get(`${type} ${name}`) ?? [];
    const txt = type === 'TXT' && name === ownership ? [] : (byKey.get(`TXT ${ownership}`) ?? []);
    return [...own, ...txt].sort((a, b) => a.at - b.at).map((x) => x.record);
  }
}

function unreadableOf(index: SnapshotIndex, resource: string) {
  const list = index.unreadable(resource).map(({ what, awsName, message }) => ({ what, awsName, message }));
  return list.length > 0 ? { unreadable: list } : {};
}

function serviceSnapshot(actual: ActualState, status: ResourceStatus, index: SnapshotIndex): ResourceSnapshot {
  const base = { resource: status.resource, observedAt: actual.observedAt, ...unreadableOf(index, status.resource) };
  const spec = index.specService(status.name);
  const name = spec?.spec.serviceName ?? status.name;
  // The service steady tagged as this resource, else the one with the spec's name.
  const svc = index.ownedService(status.resource) ?? actual.services[name] ?? undefined;
  if (!svc) return { ...base, found: false, why: actual.services[name] === null ? `ECS service ${name} does not exist` : `ECS service ${name} was not read` };
  const { events, tags, ...rest } = svc;
  const targetGroups = svc.loadBalancers.map((b) => {
    const tg = index.targetGroup(b.targetGroupArn);
    const loadBalancers = (tg?.loadBalancerArns ?? []).flatMap((arn) => {
      const lb = index.loadBalancer(arn);
      return lb ? [{ arn, name: lb.name, dnsName: lb.dnsName }] : [];
    });
    return { arn: b.targetGroupArn, name: tg?.name, loadBalancers };
  });
  return {
    ...base,
    found: true,
    kind: 'Service',
    service: { ...rest, tags, events: events.slice(0, MAX_EVENTS) },
    taskDefinition: { arn: svc.taskDefinitionArn, revision: revisionOf(svc.taskDefinitionArn), images: images(actual, svc.taskDefinitionArn) },
    targetGroups,
  };
}

function migrationSnapshot(actual: ActualState, status: ResourceStatus, index: SnapshotIndex): ResourceSnapshot {
  const base = { resource: status.resource, observedAt: actual.observedAt, ...unreadableOf(index, status.resource) };
  const observed: ObservedMigration | undefined = actual.migrations[status.name];
  if (!observed) return { ...base, found: false, why: `migration ${status.name} was not read` };
  const latest = observed.latest;
  return {
    ...base,
    found: true,
    kind: 'Migration',
    latest: latest && {
      arn: latest.arn,
      revision: revisionOf(latest.arn),
      tags: latest.tags,
      images: Object.fromEntries(latest.content.containerDefinitions.map((c) => [c.name, c.image])),
    },
    tasks: observed.tasks.slice(0, MAX_TASKS).map(taskSummary),
  };
}

function taskSummary(t: EcsTask): MigrationTaskSummary {
  return {
    arn: t.arn,
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    startedBy: t.startedBy,
    createdAt: t.createdAt,
    startedAt: t.startedAt,
    stoppedAt: t.stoppedAt,
    stopCode: t.stopCode,
    stoppedReason: t.stoppedReason,
    exitCodes: Object.fromEntries(t.containers.map((c) => [c.name, c.exitCode ?? null])),
  };
}

function scheduledTaskSnapshot(actual: ActualState, status: ResourceStatus, index: SnapshotIndex): ResourceSnapshot {
  const base = { resource: status.resource, observedAt: actual.observedAt, ...unreadableOf(index, status.resource) };
  const observed = actual.scheduledTasks[status.name];
  if (!observed) return { ...base, found: false, why: `scheduled task ${status.name} was not read` };
  const latest = observed.latest;
  return {
    ...base,
    found: true,
    kind: 'ScheduledTask',
    schedule: observed.schedule,
    latest: latest && {
      arn: latest.arn,
      revision: revisionOf(latest.arn),
      tags: latest.tags,
      images: Object.fromEntries(latest.content.containerDefinitions.map((c) => [c.name, c.image])),
    },
    runs: (observed.runs ?? []).slice(0, MAX_TASKS).map(taskSummary),
  };
}

/** Route 53's ownership TXT value mentions `steady/resource=<key>` and the environment. */
function ownsRecord(record: RecordSet, environment: string, resource: string): boolean {
  return (
    record.type === 'TXT' &&
    (record.values ?? []).some((v) => v.includes(`steady/environment=${environment}`) && v.includes(`steady/resource=${resource}`))
  );
}

function aliasSnapshot(actual: ActualState, status: ResourceStatus, index: SnapshotIndex): ResourceSnapshot {
  const base = { resource: status.resource, observedAt: actual.observedAt, ...unreadableOf(index, status.resource) };
  const spec = index.specAlias(status.name)?.spec;
  const zones = spec ? [actual.zones[spec.zoneId ?? spec.zone]] : Object.values(actual.zones);
  for (const observed of zones) {
    if (!observed) continue;
    // With a spec: the record it names. Without: the record whose ownership TXT names this resource.
    let name = spec?.name.toLowerCase().replace(/\.$/, '');
    let type = spec?.type;
    if (!name) {
      const txt = observed.records.find((r) => ownsRecord(r, actual.environment, status.resource));
      const m = txt && /^_steady-([a-z]+)\.(.+)$/.exec(txt.name);
      if (!m) continue;
      type = m[1].toUpperCase() as 'A' | 'AAAA';
      name = m[2];
    }
    const ownership = `_steady-${(type ?? 'a').toLowerCase()}.${name}`;
    const records = index.aliasRecords(observed, name, type, ownership);
    const target = spec?.target;
    let observedTarget: AliasRecordSnapshot['target'];
    if (target && 'loadBalancer' in target) {
      observedTarget = { kind: 'loadBalancer', name: target.loadBalancer, dnsName: actual.loadBalancers[target.loadBalancer]?.dnsName ?? null };
    } else if (target && 'cloudFront' in target) {
      observedTarget = { kind: 'cloudFront', name: target.cloudFront, dnsName: actual.distributions[target.cloudFront]?.domainName ?? null };
    }
    return {
      ...base,
      found: true,
      kind: 'AliasRecord',
      zone: { id: observed.zone.id, name: observed.zone.name, private: observed.zone.private },
      records,
      ...(observedTarget ? { target: observedTarget } : {}),
    };
  }
  return { ...base, found: false, why: spec ? `hosted zone ${spec.zoneId ?? spec.zone} was not found or not read` : 'no record owned by this resource was seen' };
}

function maintenanceSnapshot(actual: ActualState, status: ResourceStatus): ResourceSnapshot {
  const o = actual.maintenance[status.name];
  const base = { resource: status.resource, observedAt: actual.observedAt };
  if (!o) return { ...base, found: false, why: 'nothing of this maintenance was read' };
  const d = o.distribution;
  const distribution =
    d &&
    ({
      id: d.id,
      status: d.status,
      behaviors: Object.fromEntries(behaviours(d.config).map((b) => [b.pattern, b.origin])),
      errorResponses: d.config.CustomErrorResponses?.Items ?? [],
      tags: Object.fromEntries(Object.entries(d.tags).filter(([k]) => k.startsWith('steady:'))),
    } as const);
  const l = o.listener;
  const listener =
    l &&
    ({
      arn: l.arn,
      label: `${l.protocol}:${l.port}`,
      rules: (o.rules ?? [])
        .filter((r) => !r.isDefault)
        .map((r) => ({
          priority: r.priority,
          conditions: r.conditions,
          answers: r.actions.map((a) => (a.fixedResponse ? `${a.fixedResponse.statusCode} ${a.fixedResponse.contentType ?? ''}`.trim() : `${a.type} ${a.targetGroups.map((g) => g.arn).join(', ')}`)).join('; '),
          ...(r.tags ? { tags: r.tags } : {}),
        })),
    } as const);
  return {
    ...base,
    found: true,
    kind: 'Maintenance',
    ...(d !== undefined ? { distribution: distribution ?? null } : {}),
    ...(l !== undefined ? { listener: listener ?? null } : {}),
  };
}

/**
 * The snapshot of one resource, from what the pass observed. `desired`, when given, maps spec
 * names to AWS names (a service's `serviceName`, an alias's zone and record name); without it the
 * ownership tags and TXT records are used. The snapshots of a pass share one `index` (built from
 * the same `actual` and `desired`).
 */
export function snapshotResource(actual: ActualState, status: ResourceStatus, desired?: DesiredEnvironment, index = new SnapshotIndex(actual, desired)): ResourceSnapshot {
  switch (status.kind) {
    case 'Service':
      return serviceSnapshot(actual, status, index);
    case 'Migration':
      return migrationSnapshot(actual, status, index);
    case 'ScheduledTask':
      return scheduledTaskSnapshot(actual, status, index);
    case 'AliasRecord':
      return aliasSnapshot(actual, status, index);
    case 'Maintenance':
      return maintenanceSnapshot(actual, status);
    case 'Wiring':
      // The chain's evidence lives in the status message and notes; its parts are the other snapshots.
      return { resource: status.resource, observedAt: actual.observedAt, found: false, why: 'a wiring check reads the resources the other snapshots show' };
  }
}

/** The environment-wide part of a snapshot: the cluster and what could not be read. */
export function snapshotEnvironment(actual: ActualState): EnvironmentSnapshot {
  const cluster = actual.cluster === undefined ? 'unread' : actual.cluster && { arn: actual.cluster.arn, name: actual.cluster.name, status: actual.cluster.status };
  return {
    resource: `Environment/${actual.environment}`,
    observedAt: actual.observedAt,
    found: true,
    kind: 'Environment',
    cluster,
    counts: {
      services: Object.keys(actual.services).length,
      taskDefinitions: Object.keys(actual.taskDefinitions).length,
      zones: Object.keys(actual.zones).length,
      migrations: Object.keys(actual.migrations).length,
      loadBalancers: Object.keys(actual.loadBalancers).length,
    },
    unreadable: actual.unreadable.map(({ what, awsName, message, affects }) => ({ what, awsName, message, affects })),
  };
}

// ------------------------------------------------------------------------------------- encoding

/** How snapshot bytes are stored: brotli-compressed JSON, in a binary attribute. */
export const SNAPSHOT_ENCODING = 'json+br';

/** Most bytes of compressed snapshot in one item (far below the 400 KB item limit). */
export const SNAPSHOT_PART_BYTES = 96 * 1024;

/** Compresses a snapshot and cuts it into parts of at most `partBytes`. */
export function encodeSnapshot(snapshot: unknown, partBytes = SNAPSHOT_PART_BYTES): Uint8Array[] {
  const bytes = brotliCompressSync(Buffer.from(JSON.stringify(snapshot), 'utf8'), {
    params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
  });
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += partBytes) parts.push(new Uint8Array(bytes.subarray(i, i + partBytes)));
  return parts.length > 0 ? parts : [new Uint8Array()];
}

export function decodeSnapshot<T = ResourceSnapshot>(parts: Uint8Array[]): T {
  return JSON.parse(brotliDecompressSync(Buffer.concat(parts.map((p) => Buffer.from(p)))).toString('utf8')) as T;
}
