/**
 * Which links a reconcile pass reads afresh. DescribeTargetHealth has no batch form, so reading
 * every target group every pass costs a call per service; listeners and rules a call per load
 * balancer and per listener. Instead a pass reads them only for the services that look wrong in
 * what observe already read of ECS or had targets not healthy when last read, that the pass changed,
 * whose last read is older than the Environment's `wiring.rotationMinutes` (and a pass), or that are due in a
 * rotation visiting every service within that period; the rest are judged from what an
 * earlier pass read (with the time of that read) or, after a cold start, from ECS's own view of the
 * service. Pure: decides, reads nothing.
 */
import type { EcsService } from '../model/aws.js';
import { serviceName } from '../plan/desired.js';
import type { ServiceDoc } from '../spec/schema.js';
import { liveTargetGroup, placeLoadBalancer, type Facts } from './links.js';
import { ASSUMED_INTERVAL_MS, rotationSlice, type EnvironmentMemory } from './memory.js';

/** Why a service's links are read this pass. */
export type ReadReason = 'changed' | 'looks wrong' | 'changed in ECS' | 'was not healthy' | 'too old' | 'due';

export interface ReadSelection {
  /** Service spec name -> why its target health (and, when they say something, its tasks) is read. */
  services: Map<string, ReadReason>;
  /** Load balancer names whose listeners and rules are read. */
  loadBalancers: Set<string>;
  /** Service spec names whose tasks are read (a subset of `services`). */
  tasks: Set<string>;
}

/** Reads that are routine (nothing says the service changed): its tasks and listeners only when they can say something new. */
const ROUTINE = new Set<ReadReason>(['due', 'too old']);

/** The share of the rotation period within which listeners read for a due service are not read again. */
const LISTENERS_FRESH = 0.9;

/** ECS's events that say targets or tasks are failing. */
const FAILING = /unhealthy|health checks?|failed|unable to|circuit breaker|rolling back/i;

/**
 * Does ECS's own view of the service say something is wrong: a deployment under way or failed,
 * fewer tasks running than wanted, or an event since `since` about failing health checks or tasks?
 */
export function looksWrong(service: EcsService, since: number): boolean {
  const primary = service.deployments.find((d) => d.status === 'PRIMARY');
  if (service.deployments.length > 1 || (primary?.rolloutState !== undefined && primary.rolloutState !== 'COMPLETED')) return true;
  if ((primary?.runningCount ?? service.runningCount) !== (primary?.desiredCount ?? service.desiredCount) || service.pendingCount > 0) return true;
  return service.events.some((e) => e.createdAt >= since && FAILING.test(e.message));
}

/**
 * Has ECS changed or said anything of the service since `at` (a deployment created or updated, an
 * event)? Then what was read of its targets and tasks before may be out of date.
 */
export function changedSince(service: EcsService, at: number): boolean {
  return service.deployments.some((d) => d.updatedAt > at || d.createdAt > at) || service.events.some((e) => e.createdAt > at);
}

/** The images of a revision the task check can compare (ECR images named by tag): reading tasks says something only then. */
export function hasTagImages(f: Facts, service: EcsService): boolean {
  const td = f.taskDefinitions[service.taskDefinitionArn];
  if (!td) return true;
  return td.content.containerDefinitions.some((c) => !/@sha256:[0-9a-f]{64}$/.test(c.image) && /\.dkr\.ecr\./.test(c.image));
}

/**
 * The target groups each load balancer's listeners forward to, as the target groups say it
 * (observe's reads): their names, sorted and comma-separated, by load balancer ARN (one walk over
 * the target groups for every load balancer; a load balancer nothing forwards to is absent: '').
 */
export function forwardSignatures(f: Facts): Map<string, string> {
  const names = new Map<string, string[]>();
  for (const tg of Object.values(f.targetGroups)) {
    if (!tg) continue;
    for (const arn of new Set(tg.loadBalancerArns)) {
      const list = names.get(arn);
      if (list) list.push(tg.name);
      else names.set(arn, [tg.name]);
    }
  }
  return new Map([...names].map(([arn, list]) => [arn, list.sort().join(',')]));
}

/**
 * Chooses what this pass reads.
 *
 * @example
 * const selection = selectReads(subjects, facts, memory.of(env), { now, periodMs: 600_000, changed: new Set(['Service/api']) });
 */
export function selectReads(
  subjects: ServiceDoc[],
  f: Facts,
  memory: EnvironmentMemory,
  options: { now: number; periodMs: number; changed: ReadonlySet<string>; due?: ReadonlySet<string>; sliceAt?: number },
): ReadSelection {
  const placements = new Map(subjects.map((s) => [s.metadata.name, placeLoadBalancer(s, f).name]));
  // Ordered by load balancer, so that a rotation slice reads few load balancers' listeners and rules.
  const ordered = [...subjects].sort((a, b) => (placements.get(a.metadata.name) ?? '').localeCompare(placements.get(b.metadata.name) ?? '') || a.metadata.name.localeCompare(b.metadata.name)).map((s) => s.metadata.name);
  // The slice was taken before observe when the pass started its routine reads early (early.ts).
  // The rotation counts from the starts of passes, as early.ts does, so a slow cold pass does not
  // shorten the next pass's share.
  const byName = new Map(subjects.map((s) => [s.metadata.name, s]));
  memory.order = ordered.map((name) => {
    const tg = liveTargetGroup(byName.get(name)!, f);
    return { name, targetGroupArn: tg ? f.targetGroups[tg]?.arn : undefined, loadBalancer: placements.get(name) };
  });
  const due = options.due ?? rotationSlice(memory, ordered, options.sliceAt ?? options.now, options.periodMs);
  // The period in use: the configured one unless ELB's rate cannot meet it (memory.ts).
  const periodMs = memory.periodMs ?? options.periodMs;
  const services = new Map<string, ReadReason>();
  const tooOld: { name: string; lastRead: number }[] = [];
  for (const s of subjects) {
    const name = s.metadata.name;
    const service = f.services[serviceName(s)];
    if (!service || service.status !== 'ACTIVE') continue;
    const tg = liveTargetGroup(s, f);
    const tgArn = tg ? f.targetGroups[tg]?.arn : undefined;
    const health = tgArn ? memory.health.get(tgArn) : undefined;
    const reads = [health?.readAt, memory.tasks.get(service.name)?.readAt].filter((t): t is number => typeof t === 'number');
    const lastRead = reads.length > 0 ? Math.min(...reads) : undefined;
    const since = lastRead ?? options.now - periodMs;
    const reason: ReadReason | undefined = options.changed.has(`Service/${name}`)
      ? 'changed'
      : looksWrong(service, since)
        ? 'looks wrong'
        : lastRead !== undefined && changedSince(service, lastRead)
          ? 'changed in ECS'
          : health?.value.some((t) => t.state !== 'healthy')
            ? 'was not healthy'
            : due.has(name)
              ? 'due'
              : undefined;
    if (reason) services.set(name, reason);
    else if (lastRead !== undefined && options.now - lastRead >= periodMs + ASSUMED_INTERVAL_MS) tooOld.push({ name, lastRead });
  }
  // Services whose last read is older than the period (the rotation missed them: a pass stopped, the
  // order changed) are re-read oldest first, as many as the pass's slice at most, and count in the
  // rotation's share: the next slices are smaller by as many, so the reads of a period stay within it.
  const reread = tooOld.sort((a, b) => a.lastRead - b.lastRead || a.name.localeCompare(b.name)).slice(0, due.size);
  for (const { name } of reread) services.set(name, 'too old');
  memory.owed -= reread.length;
  const tasks = new Set<string>();
  for (const [name, reason] of services) {
    const service = f.services[serviceName(byName.get(name)!)]!;
    if (!ROUTINE.has(reason) || hasTagImages(f, service)) tasks.add(name);
  }
  const loadBalancers = new Set<string>();
  let signatures: Map<string, string> | undefined;
  const forwards = (lbArn: string) => (signatures ??= forwardSignatures(f)).get(lbArn) ?? '';
  for (const s of subjects) {
    const lbName = placements.get(s.metadata.name);
    if (!lbName || loadBalancers.has(lbName)) continue;
    const lb = f.loadBalancers[lbName];
    const remembered = memory.loadBalancers.get(lbName);
    const moved = !!lb && !!remembered && (remembered.arn !== lb.arn || remembered.forwards !== forwards(lb.arn));
    const reason = services.get(s.metadata.name);
    // A rotation slice seldom starts at a load balancer's first service, so consecutive slices share
    // one (or, in a small environment, every slice has the same one): listeners read within most of
    // the period are not read again for a due service. Each load balancer's are read once a period.
    const listenersReadAt = lb ? memory.listeners.get(lb.arn)?.readAt : undefined;
    const fresh = !!reason && ROUTINE.has(reason) && listenersReadAt !== undefined && options.now - listenersReadAt < LISTENERS_FRESH * periodMs;
    if ((reason && !fresh) || moved || (lb && lb.state !== 'active')) loadBalancers.add(lbName);
  }
  return { services, loadBalancers, tasks };
}
