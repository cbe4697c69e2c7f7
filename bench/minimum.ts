/**
 * The theoretical minimum number of API calls of each measured pass, by `service:Operation`.
 * bench/README.md explains each term; the sanity test checks the no-drift formula against the
 * call log of a real pass.
 *
 * "Minimum" means: the fewest calls that can establish what steady must know (every read
 * batched to its API maximum, immutable task-definition revisions never described twice) and
 * make the changes it must make, one call per change where the API has no batch form. Waiting
 * (GetChange, DescribeTasks) counts one call per wait: the poll that sees the end. Polls before
 * that depend on the poll interval and on how long AWS takes, and are reported as excess.
 */
import { MAX_RECORDS_PER_CHANGE_BATCH, MAX_VALUE_CHARS_PER_CHANGE_BATCH } from '../controller/aws/route53.js';
import { ownerRecordValue } from '../controller/plan/alias.js';
import type { BenchLayout } from '../controller/testing/fleet.js';

/** Calls by `service:Operation`. */
export type CallCounts = Record<string, number>;

/** API maxima the formulas use (the adapters batch to the same numbers). */
export const SERVICES_PER_DESCRIBE = 10;
export const IMAGE_IDS_PER_DESCRIBE = 100;
export const ELB_NAMES_PER_DESCRIBE = 20;
export const RECORDS_PER_PAGE = 300;
/** Route 53 creates the apex SOA and NS records with every zone. */
export const APEX_RECORDS = 2;

/** The drift kinds the benchmark injects (see drift.ts). */
export const DRIFT_KINDS = ['image-pushed', 'image-pushed-with-migration', 'revision-left-behind', 'wrong-image', 'scaled-by-hand', 'alb-recreated'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** What the drift pass must heal: the injected events and the zones their aliases live in. */
export interface DriftShape {
  events: { kind: DriftKind }[];
  /** Zones with at least one alias made stale by a recreated ALB. */
  staleZones: number;
}

const ceil = (n: number, per: number) => Math.ceil(n / per);

function add(into: CallCounts, op: string, n: number): void {
  if (n > 0) into[op] = (into[op] ?? 0) + n;
}

/** Adds `b` to `a` (a new object). */
export function sum(a: CallCounts, b: CallCounts): CallCounts {
  const out = { ...a };
  for (const [op, n] of Object.entries(b)) add(out, op, n);
  return out;
}

export function total(counts: CallCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Aliases per zone, in the layout's zone order. */
function aliasesPerZone(layout: BenchLayout): number[] {
  return layout.zones.map((z) => layout.services.filter((s) => s.zone === z).length);
}

/**
 * The reads every pass makes, whatever it finds: each a batch at its API maximum.
 * `recordsPerZone` is the number of record sets in each zone when the pass reads it.
 */
export function observeMinimum(layout: BenchLayout, recordsPerZone: number[]): CallCounts {
  const c: CallCounts = {};
  add(c, 'ecs:DescribeClusters', 1);
  add(c, 'ecs:DescribeServices', ceil(layout.services.length, SERVICES_PER_DESCRIBE));
  for (const tags of Object.values(layout.repositories)) add(c, 'ecr:DescribeImages', ceil(new Set(tags).size, IMAGE_IDS_PER_DESCRIBE));
  add(c, 'elbv2:DescribeTargetGroups', ceil(layout.targetGroups.length, ELB_NAMES_PER_DESCRIBE));
  add(c, 'elbv2:DescribeLoadBalancers', ceil(layout.loadBalancers.length, ELB_NAMES_PER_DESCRIBE));
  add(c, 'route53:ListHostedZonesByName', layout.zones.length);
  for (const records of recordsPerZone) add(c, 'route53:ListResourceRecordSets', Math.max(1, ceil(records, RECORDS_PER_PAGE)));
  // The migration family's latest revision, with its tags (which say which version last ran):
  // tags change, so this read is never served from the cache.
  add(c, 'ecs:DescribeTaskDefinition', layout.migrations.length);
  return c;
}

/**
 * A pass with nothing to do: the reads above, over zones holding the apex records plus each
 * alias and its ownership TXT record. The revisions the services run come from the cache.
 */
export function noDriftMinimum(layout: BenchLayout): CallCounts {
  return observeMinimum(
    layout,
    aliasesPerZone(layout).map((n) => APEX_RECORDS + 2 * n),
  );
}

/** DescribeListeners and DescribeRules return up to 400 a page. */
export const ELB_PAGE_SIZE = 400;
/** ListTasks returns, and DescribeTasks takes, up to 100 tasks. */
export const TASKS_PER_CALL = 100;

/**
 * The wiring checks (`controller/wiring/`) on top of a pass that changed nothing, so they reuse
 * what observe read: per ALB in front of a service 1 DescribeListeners, per listener 1
 * DescribeRules (its rules and the default one, 400 a page), per target group 1
 * DescribeTargetHealth (the API has no batch form), the cluster's running tasks listed and
 * described 100 a call, and 1 DescribeCertificate per certificate the listeners use.
 */
export function wiringMinimum(layout: BenchLayout, runningTasks: number): CallCounts {
  const c: CallCounts = {};
  const rulesPerListener = new Map<string, number>();
  for (const s of layout.services) rulesPerListener.set(s.loadBalancer, (rulesPerListener.get(s.loadBalancer) ?? 0) + 1);
  add(c, 'elbv2:DescribeListeners', layout.loadBalancers.length);
  for (const rules of rulesPerListener.values()) add(c, 'elbv2:DescribeRules', ceil(rules + 1, ELB_PAGE_SIZE));
  add(c, 'elbv2:DescribeTargetHealth', layout.targetGroups.length);
  add(c, 'ecs:ListTasks', Math.max(1, ceil(runningTasks, TASKS_PER_CALL)));
  add(c, 'ecs:DescribeTasks', ceil(runningTasks, TASKS_PER_CALL));
  add(c, 'acm:DescribeCertificate', 1);
  return c;
}

/** The no-drift pass with the wiring checks `reconcileEnvironment` runs by default. */
export function noDriftWiringMinimum(layout: BenchLayout, runningTasks: number): CallCounts {
  return sum(noDriftMinimum(layout), wiringMinimum(layout, runningTasks));
}

/** ChangeResourceRecordSets calls a zone's new aliases need at least: Route 53's per-request limits. */
export function firstPassBatches(layout: BenchLayout, zone: string): number {
  let records = 0;
  let chars = 0;
  for (const s of layout.services.filter((x) => x.zone === zone)) {
    // The alias (no values) and its ownership TXT record as an UPSERT, which Route 53 counts twice.
    const value = ownerRecordValue(layout.environment, `AliasRecord/${s.name}-dns`);
    records += 2;
    chars += 2 * value.length;
  }
  return Math.max(ceil(records, MAX_RECORDS_PER_CHANGE_BATCH), ceil(chars, MAX_VALUE_CHARS_PER_CHANGE_BATCH), 1);
}

/**
 * The first pass over an account that has the infrastructure but nothing of steady's.
 * - the reads, over empty zones (one page each);
 * - per service: 1 ListTaskDefinitions (a revision registered by someone else may already match
 *   the spec and be reused; steady's contract, not strictly unavoidable), 1 RegisterTaskDefinition,
 *   1 CreateService (ownership and rollout tags go in with the create);
 * - per migration: 1 RegisterTaskDefinition (its own family), 1 RunTask, 1 DescribeTasks (the
 *   poll that sees it stop), 1 TagResource (the outcome, on the revision);
 * - per zone: the change batches Route 53's limits allow, and 1 GetChange each (INSYNC).
 */
export function firstPassMinimum(layout: BenchLayout): CallCounts {
  const c = observeMinimum(
    layout,
    layout.zones.map(() => APEX_RECORDS),
  );
  const services = layout.services.length;
  const migrations = layout.migrations.length;
  add(c, 'ecs:ListTaskDefinitions', services);
  add(c, 'ecs:RegisterTaskDefinition', services + migrations);
  add(c, 'ecs:CreateService', services);
  add(c, 'ecs:RunTask', migrations);
  add(c, 'ecs:DescribeTasks', migrations);
  add(c, 'ecs:TagResource', migrations);
  const batches = layout.zones.reduce((n, z) => n + firstPassBatches(layout, z), 0);
  add(c, 'route53:ChangeResourceRecordSets', batches);
  add(c, 'route53:GetChange', batches);
  return c;
}

/** What healing one drift event costs at least, beyond the reads every pass makes. */
export function driftEventMinimum(kind: DriftKind): CallCounts {
  // A rollout: the family's revisions are listed (one may already match), the service updated,
  // and the rollout remembered in the service's steady:rollout tag (UpdateService takes no tags).
  const rollout: CallCounts = { 'ecs:ListTaskDefinitions': 1, 'ecs:UpdateService': 1, 'ecs:TagResource': 1 };
  switch (kind) {
    case 'image-pushed':
      // The pushed digest is in no revision yet: register one.
      return sum(rollout, { 'ecs:RegisterTaskDefinition': 1 });
    case 'image-pushed-with-migration':
      // As above, and first the migration's new version: register, run, see it stop, record it.
      return sum(rollout, { 'ecs:RegisterTaskDefinition': 2, 'ecs:RunTask': 1, 'ecs:DescribeTasks': 1, 'ecs:TagResource': 1 });
    case 'revision-left-behind':
      // CI registered the matching revision: describe it once (not in the cache), roll it out.
      return sum(rollout, { 'ecs:DescribeTaskDefinition': 1 });
    case 'wrong-image':
      // The service runs a revision registered by hand: describe it once; the revision that
      // matches the spec is in the cache already, so nothing is registered.
      return sum(rollout, { 'ecs:DescribeTaskDefinition': 1 });
    case 'scaled-by-hand':
      return { 'ecs:UpdateService': 1 };
    case 'alb-recreated':
      // Per zone, not per event: see driftMinimum.
      return {};
  }
}

/**
 * The drift pass: the no-drift reads, each event's healing, and per zone with stale aliases one
 * change batch (UPSERTs of aliases carry no values, so one batch holds them all) and one GetChange.
 */
export function driftMinimum(layout: BenchLayout, drift: DriftShape): CallCounts {
  let c = noDriftMinimum(layout);
  for (const e of drift.events) c = sum(c, driftEventMinimum(e.kind));
  add(c, 'route53:ChangeResourceRecordSets', drift.staleZones);
  add(c, 'route53:GetChange', drift.staleZones);
  return c;
}
