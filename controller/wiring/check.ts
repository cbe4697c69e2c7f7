/**
 * The wiring checks (DESIGN.md, failure 6): every resource can exist and look right while the
 * system is down, because what broke is a connection between them. For each Service reachable
 * from a name (an AliasRecord whose load balancer fronts the service's target group) or bound to
 * a load balancer, this checks the chain from the name to the running containers and reports the
 * first broken link in plain words. Read-only: it changes nothing.
 *
 * Reads, on top of what observe read, batched and run concurrently where independent (steady's
 * pacing keeps them within AWS's rate limits): DescribeListeners per load balancer, DescribeRules
 * per listener, DescribeTargetHealth per target group (no batch form), the services' tasks (one
 * ListTasks per service, or the cluster's whole listing when that is fewer calls, and DescribeTasks
 * 100 a call), certificates, and what observe did not read. `steady verify` reads all of them; a
 * reconcile pass (with `memory`) reads them only where select.ts says, and remembers the reads.
 */
import { mapLimit } from '../concurrency.js';
import { observeBlueGreen } from '../observe/bluegreen.js';
import { readerFor } from '../observe/common.js';
import { observe, type Adapters } from '../observe/observe.js';
import { AwsCallError, SteadyError } from '../errors.js';
import type { Stop } from '../interrupt.js';
import type { ActualState } from '../model/actual.js';
import type { EcsService } from '../model/aws.js';
import { parseImageUri, pinImage } from '../model/image.js';
import type { DesiredEnvironment } from '../model/plan.js';
import { serviceName } from '../plan/desired.js';
import type { ServiceDoc } from '../spec/schema.js';
import type { CertificateReader } from './certificates.js';
import { evaluateService, factsFrom, placeLoadBalancer, type Facts, liveTargetGroup } from './links.js';
import { DEFAULT_ROTATION_MINUTES, type EnvironmentMemory, type WiringMemory } from './memory.js';
import { runProbe } from './probe.js';
import type { EarlyReads } from './early.js';
import { forwardSignatures, hasTagImages, selectReads, type ReadSelection } from './select.js';
import type { WiringResult } from './types.js';

/** The default of an Environment's `wiring.certificateExpiryDays`. */
export const DEFAULT_CERTIFICATE_EXPIRY_DAYS = 30;

/** Most per-listener / per-target-group / per-service reads in flight at once (pacing decides the rate). */
const READ_CONCURRENCY = 16;

export interface WiringOptions {
  /**
   * What observe read for this environment, reused instead of read again. After a converge that
   * changed things, name the changed resources in `changed`: those are read again.
   */
  actual?: ActualState;
  /** Resource keys (`Service/api`, `AliasRecord/api-dns`) the pass changed since `actual` was read. */
  changed?: readonly string[];
  /**
   * Read selectively and remember the reads between passes (a reconcile pass; see select.ts).
   * Without it every link is read (`steady verify`).
   */
  memory?: WiringMemory;
  /** Now, epoch ms (the simulated clock in tests). Default `Date.now`. */
  now?: () => number;
  /** Where certificate expiry is read: ACM through the adapters by default; `null` skips the check. */
  certificates?: CertificateReader | null;
  /** Run the services' HTTP probes (default true). */
  probes?: boolean;
  /** The fetch the probes use (default the global one). */
  fetch?: typeof fetch;
  /** The rotation's reads this pass started before observe (early.ts), with `memory`. */
  early?: EarlyReads;
  /** When the pass started: the rotation counts passes from their starts (default: now). */
  passStartedAt?: number;
  /**
   * Checked before every read: once it says stop, no read starts and the checks throw
   * PassInterruptedError after remembering what they did read (what they did not is due again later).
   */
  stop?: Stop;
}

/** The Services the checks cover: those with a load-balancer binding or a probe. */
export function wiringSubjects(desired: DesiredEnvironment): ServiceDoc[] {
  return desired.services.filter((s) => s.spec.loadBalancer || s.spec.probe);
}

/**
 * Checks the chain from each name to the running containers of every Service of one environment
 * that has a load-balancer binding or a probe. Never throws for AWS trouble: what could not be
 * read makes the links that depend on it `unknown`.
 *
 * @example
 * const results = await checkWiring(desired, createAdapters(createAwsClients({ region })));
 * for (const r of results) console.log(r.service, r.condition.type, r.firstBroken ?? '', r.condition.message);
 *
 * @example
 * // In a reconcile pass: reuse what observe read, read the rest selectively.
 * const results = await checkWiring(desired, adapters, { actual, changed, memory: wiringMemoryOf(adapters), now: () => clock.now() });
 */
export async function checkWiring(desired: DesiredEnvironment, adapters: Adapters, options: WiringOptions = {}): Promise<WiringResult[]> {
  const subjects = wiringSubjects(desired);
  if (subjects.length === 0) return [];
  options.stop?.throwIfStopped();
  const now = options.now ?? (() => Date.now());
  const actual = options.actual ?? (await observe(desired, adapters, now, options.stop));
  if (options.actual && options.changed?.length) await refreshChanged(desired, adapters, actual, new Set(options.changed));
  options.stop?.throwIfStopped();
  const certificates = options.certificates === undefined ? adapters.acm : options.certificates;
  const facts = await gatherFacts(desired, adapters, actual, subjects, { ...options, certificates }, now);
  return subjects.map((svc) => evaluateService(svc, facts));
}

function messageOf(err: unknown): string {
  if (err instanceof AwsCallError || err instanceof SteadyError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

const unique = <T>(items: T[]): T[] => [...new Set(items)];

type Attempt = (keys: string[], fn: () => Promise<void>) => Promise<void>;

/**
 * After a converge: the services and zones the pass changed are read again (a rollout started, an
 * alias re-pointed), so the checks judge what AWS says now. What a failed read leaves is the
 * earlier read.
 */
async function refreshChanged(desired: DesiredEnvironment, adapters: Adapters, actual: ActualState, changed: Set<string>): Promise<void> {
  const cluster = desired.environment.spec.cluster;
  const specs = desired.services.filter((s) => changed.has(`Service/${s.metadata.name}`));
  const services = specs.map(serviceName);
  const zones = unique(desired.aliases.filter((a) => changed.has(`AliasRecord/${a.metadata.name}`)).map((a) => a.spec.zoneId ?? a.spec.zone));
  await Promise.all([
    services.length > 0 &&
      adapters.ecs.describeServices(cluster, services).then(
        ({ services: found }) => {
          for (const s of found) actual.services[s.name] = s.status === 'INACTIVE' ? null : s;
        },
        () => undefined,
      ),
    ...zones.map(async (key) => {
      const observed = actual.zones[key];
      if (!observed) return;
      actual.zones[key] = { zone: observed.zone, records: await adapters.route53.recordSets(observed.zone).catch(() => observed.records) };
    }),
    // A deployment steady started moves production traffic between the pair as it goes.
    ...specs.filter((s) => s.spec.deployment.strategy === 'blueGreen').map((s) => observeBlueGreen(actual, adapters, s, readerFor(actual))),
  ]);
}

/** Reads what the links are judged on that observe did not read, selectively when there is memory. */
export async function gatherFacts(
  desired: DesiredEnvironment,
  adapters: Adapters,
  actual: ActualState,
  subjects: ServiceDoc[],
  options: WiringOptions,
  now: () => number,
): Promise<Facts> {
  const env = desired.environment.spec;
  const rotationMinutes = env.wiring?.rotationMinutes ?? DEFAULT_ROTATION_MINUTES;
  const f = factsFrom(actual, {
    environment: desired.name,
    cluster: env.cluster,
    now: now(),
    certificateExpiryDays: env.wiring?.certificateExpiryDays ?? DEFAULT_CERTIFICATE_EXPIRY_DAYS,
    aliases: desired.aliases,
    maintenance: desired.maintenance ?? [],
  });
  if (options.certificates) f.certificateSource = options.certificates.source;
  f.rotationMinutes = rotationMinutes;
  /** Runs a read (none once the pass must stop); a failure is recorded under every key it would have answered. */
  const attempt: Attempt = async (keys, fn) => {
    if (options.stop?.check()) return;
    try {
      await fn();
    } catch (err) {
      for (const k of keys) f.errors[k] = { message: messageOf(err), ...(err instanceof AwsCallError ? { cause: err.awsCause } : {}) };
    }
  };
  // Probes need nothing from AWS: start them first.
  const probing = Promise.all(
    options.probes === false
      ? []
      : subjects.filter((s) => s.spec.probe).map(async (s) => {
          f.probes[s.metadata.name] = await runProbe(s.spec.probe!, options.fetch);
        }),
  );
  await readUnobserved(desired, adapters, subjects, f, attempt);
  options.stop?.throwIfStopped();
  const memory = options.memory?.of(desired.name);
  const early = memory ? options.early : undefined;
  const selection = memory ? selectReads(subjects, f, memory, { now: f.now, periodMs: rotationMinutes * 60_000, changed: new Set(options.changed ?? []), due: early?.due, sliceAt: options.passStartedAt }) : undefined;
  if (memory?.periodMs !== undefined) {
    // ELB's rate may not meet the configured period: the links say which one is used.
    f.rotationMinutes = memory.periodMs / 60_000;
    if (memory.configuredPeriodMs !== undefined) f.rotationConfiguredMinutes = memory.configuredPeriodMs / 60_000;
  }
  await readFront(adapters, subjects, f, attempt, selection);
  options.stop?.throwIfStopped();
  await readBack(adapters, subjects, f, attempt, options.certificates ?? undefined, selection, memory, early);
  if (memory) rememberAndRecall(memory, subjects, f, selection!);
  await probing;
  options.stop?.throwIfStopped();
  return f;
}

/** Stage 1: target groups, services and zones observe did not read (or could not). */
async function readUnobserved(desired: DesiredEnvironment, adapters: Adapters, subjects: ServiceDoc[], f: Facts, attempt: Attempt): Promise<void> {
  const tgNames = unique(subjects.flatMap((s) => (s.spec.loadBalancer ? [s.spec.loadBalancer.targetGroup] : []))).filter((n) => !(n in f.targetGroups));
  const ecsNames = unique(subjects.map(serviceName)).filter((n) => !(n in f.services));
  const zoneKeys = unique(desired.aliases.map((a) => a.spec.zoneId ?? a.spec.zone)).filter((k) => !(k in f.zones));
  await Promise.all([
    tgNames.length > 0 &&
      attempt(tgNames.map((n) => `tg:${n}`), async () => {
        const { found, missing } = await adapters.elbv2.targetGroupsByName(tgNames);
        for (const tg of found) f.targetGroups[tg.name] = tg;
        for (const n of missing) f.targetGroups[n] = null;
      }),
    ecsNames.length > 0 &&
      attempt(ecsNames.map((n) => `service:${n}`), async () => {
        const { services, missing } = await adapters.ecs.describeServices(f.cluster, ecsNames);
        for (const n of missing) f.services[n] = null;
        for (const s of services) f.services[s.name] = s.status === 'INACTIVE' ? null : s;
      }),
    ...zoneKeys.map((key) =>
      attempt([`zone:${key}`], async () => {
        const spec = desired.aliases.find((a) => (a.spec.zoneId ?? a.spec.zone) === key)!.spec;
        const zone = await adapters.route53.findZone(spec.zone, { id: spec.zoneId });
        f.zones[key] = zone ? { zone, records: await adapters.route53.recordSets(zone) } : null;
      }),
    ),
  ]);
}

/** The live ECS services of the subjects, with their spec names. */
function liveServices(subjects: ServiceDoc[], f: Facts): { spec: ServiceDoc; service: EcsService }[] {
  return subjects.flatMap((spec) => {
    const service = f.services[serviceName(spec)];
    return service && service.status !== 'INACTIVE' ? [{ spec, service }] : [];
  });
}

/** Stage 2: the load balancers in front of the services and their listeners; the revisions the services run. */
async function readFront(adapters: Adapters, subjects: ServiceDoc[], f: Facts, attempt: Attempt, selection: ReadSelection | undefined): Promise<void> {
  const placed = unique(subjects.map((s) => placeLoadBalancer(s, f).name).filter((n): n is string => !!n));
  const lbNames = placed.filter((n) => !(n in f.loadBalancers));
  const live = liveServices(subjects, f).map((l) => l.service);
  const liveArns = unique(live.flatMap((s) => [s.taskDefinitionArn, ...s.deployments.map((d) => d.taskDefinitionArn), ...(s.taskSets ?? []).map((t) => t.taskDefinitionArn)])).filter(Boolean);
  const tdArns = liveArns.filter((arn) => !(arn in f.taskDefinitions));
  await Promise.all([
    lbNames.length > 0 &&
      attempt(lbNames.map((n) => `lb:${n}`), async () => {
        const { found, missing } = await adapters.elbv2.loadBalancersByName(lbNames);
        for (const lb of found) f.loadBalancers[lb.name] = lb;
        for (const n of missing) f.loadBalancers[n] = null;
      }),
    mapLimit(tdArns, READ_CONCURRENCY, (arn) =>
      attempt([`td:${arn}`], async () => {
        const td = await adapters.ecs.describeTaskDefinition(arn);
        if (td) f.taskDefinitions[td.arn] = td;
      }),
    ),
  ]);
  const lbs = placed.map((n) => f.loadBalancers[n]).filter((lb) => !!lb);
  const reading = lbs.filter((lb) => !selection || selection.loadBalancers.has(lb!.name));
  for (const lb of lbs) if (!reading.includes(lb)) f.deferred.add(`listeners:${lb!.arn}`);
  await mapLimit(reading, READ_CONCURRENCY, (lb) =>
    attempt([`listeners:${lb!.arn}`], async () => {
      f.listeners[lb!.arn] = await adapters.elbv2.listeners(lb!.arn);
    }),
  );
}

/** Stage 3: rules of the listeners read, target health, tasks, certificates, and the digests of image tags the running revisions name. */
async function readBack(
  adapters: Adapters,
  subjects: ServiceDoc[],
  f: Facts,
  attempt: Attempt,
  certificates: CertificateReader | undefined,
  selection: ReadSelection | undefined,
  memory: EnvironmentMemory | undefined,
  early?: EarlyReads,
): Promise<void> {
  const listeners = Object.values(f.listeners).flat();
  // Routine reads of due services that were started early are used as they are.
  const earlyFor = new Set(subjects.filter((s) => selection?.services.get(s.metadata.name) === 'due').map((s) => liveTargetGroup(s, f)).map((tg) => (tg ? f.targetGroups[tg]?.arn : undefined)));
  const tgs = unique(
    subjects.flatMap((s) => {
      const name = liveTargetGroup(s, f);
      const tg = name ? f.targetGroups[name] : undefined;
      if (!tg) return [];
      if (selection && !selection.services.has(s.metadata.name)) {
        f.deferred.add(`health:${tg.arn}`);
        return [];
      }
      return [tg];
    }),
  );
  for (const tg of tgs) f.deferred.delete(`health:${tg.arn}`);
  const periodMs = (f.rotationMinutes ?? 10) * 60_000;
  const certArns = unique(listeners.flatMap((l) => l.certificateArns)).filter((arn) => {
    const known = memory?.certificates.get(arn);
    return !known || f.now - known.readAt >= periodMs;
  });
  const taskServices = liveServices(subjects, f).filter((l) => !selection || selection.tasks.has(l.spec.metadata.name));
  await Promise.all([
    mapLimit(listeners, READ_CONCURRENCY, (l) =>
      attempt([`rules:${l.arn}`], async () => {
        f.rules[l.arn] = await adapters.elbv2.rules(l.arn);
      }),
    ),
    mapLimit(tgs, READ_CONCURRENCY, (tg) =>
      attempt([`health:${tg.arn}`], async () => {
        const read = earlyFor.has(tg.arn) ? early?.health.get(tg.arn) : undefined;
        if (read instanceof Error) throw read;
        f.health[tg.arn] = read ?? (await adapters.elbv2.targetHealth(tg.arn));
      }),
    ),
    certificates &&
      certArns.length > 0 &&
      attempt(certArns.map((a) => `cert:${a}`), async () => {
        for (const [arn, info] of await certificates.describeCertificates(certArns)) f.certificates[arn] = info;
      }),
    readTasks(adapters, subjects, f, attempt, taskServices, !!selection),
  ]);
  await readTagImages(adapters, f, attempt, taskServices.map((l) => l.service));
}

/**
 * The running tasks of `wanted`: one ListTasks per service when that is fewer calls than listing
 * the whole cluster (and always in full mode the cluster's listing, which also covers services
 * whose names steady does not know), then DescribeTasks 100 a call.
 */
async function readTasks(adapters: Adapters, subjects: ServiceDoc[], f: Facts, attempt: Attempt, wanted: { spec: ServiceDoc; service: EcsService }[], selective: boolean): Promise<void> {
  const wantedNames = new Set(wanted.map((w) => w.service.name));
  for (const l of liveServices(subjects, f)) if (!wantedNames.has(l.service.name)) f.deferred.add(`tasks:${l.service.name}`);
  if (wanted.length === 0) return;
  const clusterPages = Math.ceil(Object.values(f.services).reduce((n, s) => n + (s?.runningCount ?? 0) + (s?.pendingCount ?? 0), 0) / 100);
  const perService = selective && wanted.length <= clusterPages;
  await attempt(
    wanted.map((w) => `tasks:${w.service.name}`),
    async () => {
      const arns = perService
        ? (await mapLimit(wanted, READ_CONCURRENCY, (w) => adapters.ecs.listTasks(f.cluster, { serviceName: w.service.name }))).flat()
        : await adapters.ecs.listTasks(f.cluster, { desiredStatus: 'RUNNING' });
      const { tasks } = arns.length > 0 ? await adapters.ecs.describeTasks(f.cluster, unique(arns)) : { tasks: [] };
      // ECS puts a service's tasks in the group `service:<name>`.
      const byGroup = new Map<string, typeof tasks>();
      for (const t of tasks) if (t.desiredStatus === 'RUNNING' && t.group) byGroup.set(t.group, [...(byGroup.get(t.group) ?? []), t]);
      for (const w of wanted) f.tasks[w.service.name] = byGroup.get(`service:${w.service.name}`) ?? [];
    },
  );
}

/** The digests the ECR tags of the running revisions resolve to now (what their tasks should run). */
async function readTagImages(adapters: Adapters, f: Facts, attempt: Attempt, services: EcsService[]): Promise<void> {
  const arns = unique(services.flatMap((s) => [s.taskDefinitionArn, ...s.deployments.map((d) => d.taskDefinitionArn), ...(s.taskSets ?? []).map((t) => t.taskDefinitionArn)]));
  const tagImages = unique(
    arns
      .flatMap((arn) => f.taskDefinitions[arn]?.content.containerDefinitions.map((c) => c.image) ?? [])
      .filter((uri) => !(uri in f.images) && !parseImageUri(uri).digest && parseImageUri(uri).ecr),
  );
  if (tagImages.length === 0) return;
  await attempt(tagImages.map((u) => `image:${u}`), async () => {
    const refs = tagImages.map((u) => parseImageUri(u));
    const resolved = await adapters.ecr.resolveImages(refs);
    for (const ref of refs) {
      const r = resolved.get(ref.uri);
      if (r === undefined) f.images[ref.uri] = { kind: 'unpinnable' };
      else if (r instanceof AwsCallError) f.errors[`image:${ref.uri}`] = { message: r.message, cause: r.awsCause };
      else f.images[ref.uri] = { kind: 'pinned', digest: r.digest, pinned: pinImage(ref, r.digest) };
    }
  });
}

/**
 * Keeps this pass's reads in memory with their time, and fills what was not read from earlier
 * passes' reads (the links then say when they were read). Drops what is no longer checked.
 */
function rememberAndRecall(memory: EnvironmentMemory, subjects: ServiceDoc[], f: Facts, selection: ReadSelection): void {
  const keep = { loadBalancers: new Set<string>(), listeners: new Set<string>(), rules: new Set<string>(), health: new Set<string>(), tasks: new Set<string>(), certificates: new Set<string>() };
  const sync = <T>(map: Map<string, { value: T; readAt: number }>, facts: Record<string, T>, key: string, deferredKey: string, live: Set<string>) => {
    live.add(key);
    if (key in facts && !f.errors[deferredKey]) map.set(key, { value: facts[key], readAt: f.now });
    else {
      const known = map.get(key);
      if (known && !(key in facts)) {
        facts[key] = known.value;
        f.readAt[deferredKey] = known.readAt;
        f.deferred.delete(deferredKey);
      }
    }
  };
  const signatures = forwardSignatures(f);
  for (const name of unique(subjects.map((s) => placeLoadBalancer(s, f).name).filter((n): n is string => !!n))) {
    const lb = f.loadBalancers[name];
    if (!lb) continue;
    keep.loadBalancers.add(name);
    if (selection.loadBalancers.has(name) && f.listeners[lb.arn]) memory.loadBalancers.set(name, { arn: lb.arn, forwards: signatures.get(lb.arn) ?? '' });
    sync(memory.listeners, f.listeners, lb.arn, `listeners:${lb.arn}`, keep.listeners);
    for (const l of f.listeners[lb.arn] ?? []) {
      sync(memory.rules, f.rules, l.arn, `rules:${l.arn}`, keep.rules);
      for (const c of l.certificateArns) sync(memory.certificates, f.certificates, c, `cert:${c}`, keep.certificates);
    }
  }
  for (const s of subjects) {
    const tgName = liveTargetGroup(s, f);
    const tg = tgName ? f.targetGroups[tgName] : undefined;
    if (tg) sync(memory.health, f.health, tg.arn, `health:${tg.arn}`, keep.health);
    // Tasks of a revision that pins its images say nothing its deployment does not: those are
    // judged on ECS's view each pass, never on an old read.
    const service = f.services[serviceName(s)];
    if (service && hasTagImages(f, service)) sync(memory.tasks, f.tasks, service.name, `tasks:${service.name}`, keep.tasks);
  }
  memory.prune(keep);
}
