/**
 * The rotation's routine reads started early: in a warm Lambda the services due this pass are known
 * before observe has read anything (the rotation's order and each service's target group are
 * remembered from the previous pass), so their DescribeTargetHealth calls run while observe reads
 * ECS, ECR and Route 53. The two use different rate-limit buckets, so a pass takes about the longer
 * of the two instead of their sum. The wiring checks then use these reads for the services that are
 * due and nothing else (a service the pass changes, or that looks wrong, is read again after the
 * changes). After a cold start there is no order yet: it is made from the specs and observe's
 * target groups as soon as observe has read those (`coldOrder`), and the reads start then, beside
 * the rest of observe, before it knows which services exist: an environment's very first pass
 * (services still to create) reads one slice for nothing, as its checks read every service it
 * created again after the changes. They honour the pass's stop (interrupt.ts): once it says stop, no further
 * read starts (those in flight finish).
 */
import type { Stop } from '../interrupt.js';
import type { TargetGroup, TargetHealth } from '../model/aws.js';
import type { ServiceDoc } from '../spec/schema.js';
import type { Adapters } from '../observe/observe.js';
import { mapLimit } from '../concurrency.js';
import { nameFromArn } from './links.js';
import { rotationSlice, type EnvironmentMemory } from './memory.js';

/** Most target-health reads in flight at once (steady's pacing decides the rate). */
const EARLY_CONCURRENCY = 16;

export interface EarlyReads {
  /** The rotation's slice for this pass (already taken from the memory). */
  due: Set<string>;
  /** When the reads started. */
  at: number;
  /** Target group ARN -> its health, or the error that read ended with. */
  health: Map<string, TargetHealth[] | Error>;
}

/**
 * Takes this pass's rotation slice and reads its target health. Undefined after a cold start.
 *
 * @example
 * const early = startEarlyReads(adapters, memory.of(env), { now: clock.now(), periodMs: 600_000 });
 */
export async function startEarlyReads(
  adapters: Adapters,
  memory: EnvironmentMemory,
  options: { now: number; periodMs: number; stop?: Stop },
): Promise<EarlyReads | undefined> {
  const order = memory.order;
  if (!order || order.length === 0) return undefined;
  const due = rotationSlice(
    memory,
    order.map((o) => o.name),
    options.now,
    options.periodMs,
  );
  const health = new Map<string, TargetHealth[] | Error>();
  const reads = order.filter((o) => due.has(o.name) && o.targetGroupArn);
  await mapLimit(reads, EARLY_CONCURRENCY, async ({ targetGroupArn: arn }) => {
    // Not read once the pass must stop: the wiring checks, if they still run, read it themselves.
    if (options.stop?.check()) return;
    health.set(arn!, await adapters.elbv2.targetHealth(arn!).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
  });
  return { due, at: options.now, health };
}

/**
 * The rotation's order after a cold start, from the specs and the target groups observe read: by the
 * load balancer each target group is attached to (or the one the spec names), then by name, as
 * `selectReads` orders it (which makes the order of every later pass from all it read).
 */
export function coldOrder(subjects: readonly ServiceDoc[], targetGroups: Readonly<Record<string, TargetGroup | null>>): NonNullable<EnvironmentMemory['order']> {
  const order = subjects.map((s) => {
    const lb = s.spec.loadBalancer;
    const tg = lb ? targetGroups[lb.targetGroup] : undefined;
    const loadBalancer = lb?.listener?.loadBalancer ?? (tg && tg.loadBalancerArns.length > 0 ? nameFromArn(tg.loadBalancerArns[0]) : undefined);
    return { name: s.metadata.name, targetGroupArn: tg?.arn, loadBalancer };
  });
  return order.sort((a, b) => (a.loadBalancer ?? '').localeCompare(b.loadBalancer ?? '') || a.name.localeCompare(b.name));
}
