/**
 * The independent minimum number of API calls of each measured pass, by `service:Operation`,
 * computed from the APIs' maxima and what the account holds — not from how steady batches. It is
 * what any controller doing steady's job (the issue's contract: every resource read each pass,
 * target health read for the services that changed and for a rotation visiting every service
 * within the period) would have to make. bench/README.md explains each term.
 *
 * - A read of N items that an API takes by name, `n` a call, or lists whole, `p` a page, costs
 *   min(ceil(N/n), ceil(all in the account/p)).
 * - What a warm Lambda may keep (hosted zone ids, immutable task-definition revisions, what it read
 *   of a service's links within the rotation period) is not read again; a cold one reads it once.
 * - What steady keeps in AWS's own tags (the fingerprint of a rolled-out revision's content) is
 *   used instead of reading the revision.
 * - Waiting (GetChange, DescribeTasks) counts one call per wait: the poll that sees the end. Polls
 *   before that depend on the poll interval and on how long AWS takes, and show as excess.
 */
import { MAX_RECORDS_PER_CHANGE_BATCH, MAX_VALUE_CHARS_PER_CHANGE_BATCH } from '../controller/aws/route53.js';
import { ownerRecordValue } from '../controller/plan/alias.js';
import { SERVICES_PER_GROUP, type BenchLayout } from '../controller/testing/fleet.js';

/** Calls by `service:Operation`. */
export type CallCounts = Record<string, number>;

/** API maxima (AWS's documentation of each operation). */
export const SERVICES_PER_DESCRIBE = 10;
export const IMAGE_IDS_PER_DESCRIBE = 100;
export const ELB_NAMES_PER_DESCRIBE = 20;
/** DescribeLoadBalancers, DescribeTargetGroups, DescribeListeners and DescribeRules: 400 a page. */
export const ELB_PAGE_SIZE = 400;
export const ZONES_PER_PAGE = 100;
export const RECORDS_PER_PAGE = 300;
/** ListTasks returns, and DescribeTasks takes, up to 100 tasks. */
export const TASKS_PER_CALL = 100;
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

/** N items wanted of `all` in the account: by name `perName` a call, or the whole listing `perPage` a page. */
const byNameOrListing = (wanted: number, all: number, perName: number, perPage: number) => (wanted === 0 ? 0 : Math.min(ceil(wanted, perName), ceil(all, perPage)));

/**
 * The reads every pass makes, whatever it finds. `recordsPerZone`: the record sets in each zone
 * when the pass reads it. `cold`: a fresh Lambda, which must find the hosted zones' ids once (a
 * warm one keeps them). The benchmark's account holds exactly the environment's target groups,
 * load balancers and zones.
 */
export function observeMinimum(layout: BenchLayout, recordsPerZone: number[], cold: boolean): CallCounts {
  const c: CallCounts = {};
  add(c, 'ecs:DescribeClusters', 1);
  add(c, 'ecs:DescribeServices', ceil(layout.services.length, SERVICES_PER_DESCRIBE));
  for (const tags of Object.values(layout.repositories)) add(c, 'ecr:DescribeImages', ceil(new Set(tags).size, IMAGE_IDS_PER_DESCRIBE));
  add(c, 'elbv2:DescribeTargetGroups', byNameOrListing(layout.targetGroups.length, layout.targetGroups.length, ELB_NAMES_PER_DESCRIBE, ELB_PAGE_SIZE));
  add(c, 'elbv2:DescribeLoadBalancers', byNameOrListing(layout.loadBalancers.length, layout.loadBalancers.length, ELB_NAMES_PER_DESCRIBE, ELB_PAGE_SIZE));
  if (cold) add(c, 'route53:ListHostedZonesByName', byNameOrListing(layout.zones.length, layout.zones.length, 1, ZONES_PER_PAGE));
  for (const records of recordsPerZone) add(c, 'route53:ListResourceRecordSets', Math.max(1, ceil(records, RECORDS_PER_PAGE)));
  // The migration family's latest revision, with its tags (which say which version last ran):
  // tags change, so this read is never served from a cache.
  add(c, 'ecs:DescribeTaskDefinition', layout.migrations.length);
  return c;
}

/** Record sets per zone once everything exists: the apex records, each alias and its ownership TXT record. */
export function settledRecords(layout: BenchLayout): number[] {
  return aliasesPerZone(layout).map((n) => APEX_RECORDS + 2 * n);
}

/** ELB's Describe* bucket refill, a second (controller/sim/SIMPLIFICATIONS.md, from the ELB User Guide). */
export const ELB_DESCRIBE_PER_SECOND = 10;
/**
 * The part of that bucket a rotation may take: steady leaves half of every bucket to the other tools
 * in the account, and the rotation half of steady's half to observe and the reads of services that
 * look wrong or changed.
 */
export const ROTATION_SHARE_OF_ELB = 0.25;

/**
 * The rotation period an environment allows: `configuredMs`, or the whole minutes in which a
 * quarter of ELB's Describe* rate reads every service's target health and every load balancer's
 * listeners and rules (one listener each): 10 minutes up to ~1,250 services, 40 at 5,000.
 */
export function rotationPeriod(layout: BenchLayout, configuredMs: number): number {
  const calls = layout.services.length + 2 * layout.loadBalancers.length;
  return Math.max(configuredMs, Math.ceil(calls / (ELB_DESCRIBE_PER_SECOND * ROTATION_SHARE_OF_ELB * 60)) * 60_000);
}

/**
 * Services whose target health a pass with nothing changed must read: the rotation's share of the
 * environment for the time since the previous pass (the issue: every service within the period).
 */
export function rotationShare(services: number, intervalMs: number, periodMs: number): number {
  return Math.min(services, Math.max(1, Math.ceil((services * intervalMs) / periodMs)));
}

/**
 * The wiring reads for `services` services' links: one DescribeTargetHealth each (the API has no
 * batch form); the listeners of `loadBalancers` load balancers and each listener's rules (one page
 * of 400); `certificates` DescribeCertificate calls (once a period).
 */
export function wiringMinimum(services: number, loadBalancers: number, certificates: number): CallCounts {
  const c: CallCounts = {};
  add(c, 'elbv2:DescribeTargetHealth', services);
  add(c, 'elbv2:DescribeListeners', loadBalancers);
  add(c, 'elbv2:DescribeRules', loadBalancers);
  add(c, 'acm:DescribeCertificate', certificates);
  return c;
}

/**
 * A pass with nothing to do, as production runs it (with the wiring checks), `intervalMs` after the
 * previous one. Cold: a fresh Lambda after a deploy (zone ids and the certificate read once; the
 * task definitions the services run are known from their content tags, so none is described).
 * Warm: the certificate is read once per period (see {@link rotationMinimum}).
 */
export function noDriftMinimum(layout: BenchLayout, options: { cold: boolean; intervalMs: number; periodMs: number }): CallCounts {
  const due = rotationShare(layout.services.length, options.intervalMs, options.periodMs);
  // Cold: the load balancers in front of the due services (at best SERVICES_PER_GROUP share one).
  // Warm: each load balancer's listeners once a period, so its share of them.
  const loadBalancers = options.cold ? ceil(due, SERVICES_PER_GROUP) : Math.floor((layout.loadBalancers.length * options.intervalMs) / options.periodMs);
  return sum(observeMinimum(layout, settledRecords(layout), options.cold), wiringMinimum(due, loadBalancers, options.cold ? 1 : 0));
}

/**
 * Warm passes `intervalMs` apart (one number: every pass; a list: each pass's time since the one
 * before, as the schedule ran them: a pass longer than the interval pushes the next one a minute
 * further, and that pass owes the rotation more), right after a cold pass: their minima summed. The
 * cold pass read the certificate, which the period's end may just miss, so none is counted here
 * (a read inside the rotation shows as +1).
 */
export function rotationMinimum(layout: BenchLayout, passes: number, intervalMs: number | number[], periodMs: number): CallCounts {
  const intervals = intervalsOf(passes, intervalMs);
  let c: CallCounts = {};
  for (const interval of intervals) c = sum(c, sum(observeMinimum(layout, settledRecords(layout), false), wiringMinimum(rotationShare(layout.services.length, interval, periodMs), 0, 0)));
  // Every load balancer's listeners and rules once in the period.
  const covered = Math.min(1, intervals.reduce((a, b) => a + b, 0) / periodMs);
  return sum(c, wiringMinimum(0, Math.floor(layout.loadBalancers.length * covered), 0));
}

function intervalsOf(passes: number, intervalMs: number | number[]): number[] {
  return Array.isArray(intervalMs) ? intervalMs.slice(0, passes) : Array.from({ length: passes }, () => intervalMs);
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
 * The first pass over an account that has the infrastructure but nothing of steady's, by a cold
 * Lambda:
 * - the reads, over empty zones (one page each);
 * - per service: 1 RegisterTaskDefinition, 1 CreateService (tags go in with the create);
 * - per migration: 1 RegisterTaskDefinition (its own family), 1 RunTask, 1 DescribeTasks (the
 *   poll that sees it stop), 1 TagResource (the outcome, on the revision);
 * - per zone: the change batches Route 53's limits allow, and 1 GetChange each (INSYNC);
 * - the wiring reads of every service (all of them changed), and the certificate.
 * steady also lists each family's revisions before registering (a revision registered by someone
 * else may already match the spec): its contract, not counted here, so it shows as excess.
 */
export function firstPassMinimum(layout: BenchLayout): CallCounts {
  const c = observeMinimum(
    layout,
    layout.zones.map(() => APEX_RECORDS),
    true,
  );
  const services = layout.services.length;
  const migrations = layout.migrations.length;
  add(c, 'ecs:RegisterTaskDefinition', services + migrations);
  add(c, 'ecs:CreateService', services);
  add(c, 'ecs:RunTask', migrations);
  add(c, 'ecs:DescribeTasks', migrations);
  add(c, 'ecs:TagResource', migrations);
  const batches = layout.zones.reduce((n, z) => n + firstPassBatches(layout, z), 0);
  add(c, 'route53:ChangeResourceRecordSets', batches);
  add(c, 'route53:GetChange', batches);
  return sum(c, wiringMinimum(services, layout.loadBalancers.length, 1));
}

/** What healing one drift event costs at least, beyond the reads every pass makes. */
export function driftEventMinimum(kind: DriftKind): CallCounts {
  // A rollout: the service updated, and the rollout remembered in its tags (UpdateService takes none).
  const rollout: CallCounts = { 'ecs:UpdateService': 1, 'ecs:TagResource': 1 };
  switch (kind) {
    case 'image-pushed':
      // The pushed digest is in no revision yet: register one.
      return sum(rollout, { 'ecs:RegisterTaskDefinition': 1 });
    case 'image-pushed-with-migration':
      // As above, and first the migration's new version: register, run, see it stop, record it.
      return sum(rollout, { 'ecs:RegisterTaskDefinition': 2, 'ecs:RunTask': 1, 'ecs:DescribeTasks': 1, 'ecs:TagResource': 1 });
    case 'revision-left-behind':
      // CI registered the matching revision: find it among the family's revisions, describe it once, roll it out.
      return sum(rollout, { 'ecs:ListTaskDefinitions': 1, 'ecs:DescribeTaskDefinition': 1 });
    case 'wrong-image':
      // The service runs a revision registered by hand: describe it once; roll back to the one that matches.
      return sum(rollout, { 'ecs:DescribeTaskDefinition': 1 });
    case 'scaled-by-hand':
      return { 'ecs:UpdateService': 1 };
    case 'alb-recreated':
      // Per zone, not per event: see driftMinimum.
      return {};
  }
}

/**
 * The drift pass (warm, a minute after the previous pass): the no-drift reads, each event's
 * healing, per zone with stale aliases one change batch (UPSERTs of aliases carry no values, so one
 * batch holds them all) and one GetChange, and the target health of each service changed.
 */
export function driftMinimum(layout: BenchLayout, drift: DriftShape, intervalMs: number, periodMs: number): CallCounts {
  let c = noDriftMinimum(layout, { cold: false, intervalMs, periodMs });
  for (const e of drift.events) c = sum(c, driftEventMinimum(e.kind));
  add(c, 'route53:ChangeResourceRecordSets', drift.staleZones);
  add(c, 'route53:GetChange', drift.staleZones);
  // The changed services' target health (the rotation's slice may include some of them), and the
  // listeners and rules of each recreated load balancer.
  const changed = drift.events.filter((e) => e.kind !== 'alb-recreated').length;
  const due = rotationShare(layout.services.length, intervalMs, periodMs);
  add(c, 'elbv2:DescribeTargetHealth', Math.max(0, changed - due));
  const recreated = drift.events.filter((e) => e.kind === 'alb-recreated').length;
  add(c, 'elbv2:DescribeListeners', recreated);
  add(c, 'elbv2:DescribeRules', recreated);
  return c;
}
