/**
 * What the wiring checks remember between passes in a warm Lambda: the listener, rule, target-health,
 * task and certificate reads of earlier passes (each with the time it was made), and where the
 * rotation that re-reads them stands.
 *
 * Why memory and not the state table: none of it is needed for correctness. A cold start forgets it;
 * the checks then judge what they did not read from what observe read of ECS (running against
 * desired tasks, the deployment, the service's events) and say so, and the rotation starts again
 * from a position derived from the time, so restarts do not keep re-reading the same services.
 *
 * Memory is bounded by the environment: entries of load balancers, target groups and services that
 * are no longer checked are dropped at the end of each pass.
 */
import type { EcsTask, Listener, ListenerRule, TargetHealth } from '../model/aws.js';
import type { CertificateInfo } from './certificates.js';

/** The default rotation period: every service's target health and tasks, every load balancer's listeners and rules, read at least this often. */
export const DEFAULT_ROTATION_MINUTES = 10;
/** A pass's interval assumed when the memory has no earlier pass (a cold start): the default schedule's. */
export const ASSUMED_INTERVAL_MS = 60_000;
/** Passes that come less often than this do not read more: a rotation then takes longer than the period. */
export const MAX_INTERVAL_COVERED_MS = 2 * ASSUMED_INTERVAL_MS;

/**
 * The part of steady's ELB read rate (`aws/pace.ts`: half of AWS's bucket, 5 calls a second) the
 * rotation's routine reads may use. The rest is for observe's listings, the reads of services that
 * look wrong or changed, and retries. A rotation period that needs more is lengthened (see
 * `rotationPeriodMs`), so passes do not grow longer than the schedule and feed on themselves.
 */
export const ROTATION_RATE_SHARE = 0.5;
/** ELB's Describe* rate steady uses when nothing says otherwise (the default pacing of `aws/pace.ts`). */
export const DEFAULT_ELB_READS_PER_SECOND = 5;

/** A read and when it was made (epoch ms). */
export interface Remembered<T> {
  value: T;
  readAt: number;
}

/** One environment's memory. */
export class EnvironmentMemory {
  /** When the previous pass ran its checks; undefined after a cold start. */
  lastPassAt?: number;
  /** Position of the rotation in the ordered subjects; undefined after a cold start. */
  cursor?: number;
  /**
   * The part of a service the rotation owes from earlier passes (quotas are whole services);
   * negative after re-reads of services whose last read was too old, which count in the share.
   */
  owed = 0;
  /** The rotation period in use (ms): the configured one, or longer when ELB's rate cannot meet it. Set by `rotationSlice`. */
  periodMs?: number;
  /** The configured period (ms) when `periodMs` had to be longer. */
  configuredPeriodMs?: number;
  /**
   * The rotation's order at the previous pass, with each service's target group: what lets the next
   * pass start its routine reads before observe (early.ts).
   */
  order?: { name: string; targetGroupArn?: string; loadBalancer?: string }[];
  readonly listeners = new Map<string, Remembered<Listener[]>>();
  readonly rules = new Map<string, Remembered<ListenerRule[]>>();
  readonly health = new Map<string, Remembered<TargetHealth[]>>();
  readonly tasks = new Map<string, Remembered<EcsTask[]>>();
  readonly certificates = new Map<string, Remembered<CertificateInfo | null>>();
  /**
   * Load balancer name -> its ARN and the target groups that said it forwards to them when its
   * listeners were last read: a recreated load balancer, or a rule that moved, makes it due.
   */
  readonly loadBalancers = new Map<string, { arn: string; forwards: string }>();

  /** @param elbReadsPerSecond the rate steady paces ELB's Describe* calls at. */
  constructor(readonly elbReadsPerSecond = DEFAULT_ELB_READS_PER_SECOND) {}

  /** Drops what is not among the keys still in use. */
  prune(keep: { loadBalancers: Set<string>; listeners: Set<string>; rules: Set<string>; health: Set<string>; tasks: Set<string>; certificates: Set<string> }): void {
    const drop = <T>(map: Map<string, T>, live: Set<string>) => {
      for (const k of map.keys()) if (!live.has(k)) map.delete(k);
    };
    drop(this.loadBalancers, keep.loadBalancers);
    drop(this.listeners, keep.listeners);
    drop(this.rules, keep.rules);
    drop(this.health, keep.health);
    drop(this.tasks, keep.tasks);
    drop(this.certificates, keep.certificates);
  }
}

/** The memory of every environment checked with one set of adapters (one Lambda container, one region). */
export class WiringMemory {
  readonly #environments = new Map<string, EnvironmentMemory>();

  /** @param elbReadsPerSecond the rate steady paces ELB's Describe* calls at (the adapters' clients). */
  constructor(readonly elbReadsPerSecond = DEFAULT_ELB_READS_PER_SECOND) {}

  of(environment: string): EnvironmentMemory {
    let m = this.#environments.get(environment);
    if (!m) this.#environments.set(environment, (m = new EnvironmentMemory(this.elbReadsPerSecond)));
    return m;
  }
}

const byAdapters = new WeakMap<object, WiringMemory>();

/**
 * The memory that lives as long as `adapters` do: a Lambda container makes its adapters once per
 * region and keeps them across invocations, so this is module state in the warm Lambda.
 */
export function wiringMemoryOf(adapters: { elbv2?: { readsPerSecond?(): number } }): WiringMemory {
  let m = byAdapters.get(adapters);
  if (!m) byAdapters.set(adapters, (m = new WiringMemory(adapters.elbv2?.readsPerSecond?.())));
  return m;
}

/**
 * The ELB calls one service's routine read costs: its DescribeTargetHealth, and its share of the
 * DescribeListeners and DescribeRules of the load balancers in front (each read once a period),
 * as the rotation's order and the listeners remembered say.
 */
export function callsPerService(memory: EnvironmentMemory, services: number): number {
  let listenerCalls = 0;
  for (const name of new Set((memory.order ?? []).map((o) => o.loadBalancer).filter((n) => n !== undefined))) {
    const arn = memory.loadBalancers.get(name)?.arn;
    // A load balancer whose listeners were not read yet: one listener assumed.
    listenerCalls += 1 + ((arn ? memory.listeners.get(arn)?.value.length : undefined) ?? 1);
  }
  return 1 + listenerCalls / Math.max(1, services);
}

/**
 * The rotation period in use for `services` services: `configuredMs`, or, when reading every one
 * within it would take more than `ROTATION_RATE_SHARE` of steady's ELB read rate, the shortest
 * period (in whole minutes) that fits.
 */
export function rotationPeriodMs(memory: EnvironmentMemory, services: number, configuredMs: number): number {
  const callsPerMinute = memory.elbReadsPerSecond * ROTATION_RATE_SHARE * 60;
  const needed = (services * callsPerService(memory, services)) / callsPerMinute;
  return Math.max(configuredMs, Math.ceil(needed - 1e-9) * 60_000);
}

/**
 * The services due for a read this pass: the next `quota` in `ordered` from the rotation's position,
 * where the quota covers the time since the previous pass (so every service is read once per period:
 * a tenth of them a pass at the default 10 minutes and passes a minute apart), at least one (unless
 * re-reads took this pass's share) and at most what `MAX_INTERVAL_COVERED_MS` covers. The period is
 * `rotationPeriodMs`'s: the configured one unless ELB's rate cannot meet it. Moves the position on.
 * After a cold start the position is derived from the time of day, so the rotation does not restart at
 * the first service every time a container starts.
 */
export function rotationSlice(memory: EnvironmentMemory, ordered: readonly string[], now: number, configuredMs: number): Set<string> {
  const n = ordered.length;
  if (n === 0) return new Set();
  const periodMs = rotationPeriodMs(memory, n, configuredMs);
  memory.periodMs = periodMs;
  memory.configuredPeriodMs = periodMs > configuredMs ? configuredMs : undefined;
  const elapsed = Math.min(MAX_INTERVAL_COVERED_MS, Math.max(0, now - (memory.lastPassAt ?? now - ASSUMED_INTERVAL_MS)));
  // Whole services a pass, the fractions carried over: passes a little more than a minute apart
  // read a tenth each, not a tenth and one. Re-reads of services read too long ago were taken from
  // the share (`owed` below zero): the rotation then slows, so the reads of a period stay within it.
  const share = memory.owed + (n * elapsed) / periodMs;
  const quota = Math.min(n, Math.max(share < 0 ? 0 : 1, Math.floor(share + 1e-9)));
  memory.owed = share < 0 ? share : Math.max(0, share - quota);
  const start = memory.cursor ?? Math.floor(((now % periodMs) / periodMs) * n);
  const due = new Set<string>();
  for (let i = 0; i < quota; i++) due.add(ordered[(start + i) % n]);
  memory.cursor = (start + quota) % n;
  memory.lastPassAt = now;
  return due;
}
