/**
 * The wiring checks (DESIGN.md, failure 6): every resource can exist and look right while the
 * system is down, because what broke is a connection between them. For each Service reachable
 * from a name (an AliasRecord whose load balancer fronts the service's target group) or bound to
 * a load balancer, this checks the chain from the name to the running containers and reports the
 * first broken link in plain words. Read-only: it changes nothing.
 *
 * Reads, all batched and run in parallel where independent, on top of what observe read:
 * DescribeListeners once per load balancer, DescribeRules once per listener, DescribeTargetHealth
 * once per target group, ListTasks once per service and DescribeTasks 100 tasks a call, plus the
 * target groups, load balancers, zones, services and revisions observe did not already read.
 */
import { mapLimit } from '../concurrency.js';
import { observe, type Adapters } from '../observe/observe.js';
import { AwsCallError, SteadyError } from '../errors.js';
import type { Stop } from '../interrupt.js';
import type { ActualState } from '../model/actual.js';
import { parseImageUri, pinImage } from '../model/image.js';
import type { DesiredEnvironment } from '../model/plan.js';
import { serviceName } from '../plan/desired.js';
import type { ServiceDoc } from '../spec/schema.js';
import type { CertificateReader } from './certificates.js';
import { evaluateService, factsFrom, placeLoadBalancer, type Facts, liveTargetGroup } from './links.js';
import { runProbe } from './probe.js';
import type { WiringResult } from './types.js';

/** The default of an Environment's `wiring.certificateExpiryDays`. */
export const DEFAULT_CERTIFICATE_EXPIRY_DAYS = 30;

/** Most per-listener / per-target-group reads in flight at once. */
const READ_CONCURRENCY = 16;

export interface WiringOptions {
  /**
   * What observe read for this environment, reused instead of read again. Pass it only when
   * nothing was changed since (`steady verify`, observe mode, a pass that planned nothing); after
   * a converge that changed things, let the checks read afresh.
   */
  actual?: ActualState;
  /** Now, epoch ms (the simulated clock in tests). Default `Date.now`. */
  now?: () => number;
  /** Where certificate expiry is read: ACM through the adapters by default; `null` skips the check. */
  certificates?: CertificateReader | null;
  /** Run the services' HTTP probes (default true). */
  probes?: boolean;
  /** The fetch the probes use (default the global one). */
  fetch?: typeof fetch;
  /** Checked between rounds of reads: once it says stop, the checks throw PassInterruptedError. */
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
 * // In a pass that changed nothing, reuse what observe read:
 * const results = await checkWiring(desired, adapters, { actual, now: () => clock.now() });
 */
export async function checkWiring(desired: DesiredEnvironment, adapters: Adapters, options: WiringOptions = {}): Promise<WiringResult[]> {
  const subjects = wiringSubjects(desired);
  if (subjects.length === 0) return [];
  options.stop?.throwIfStopped();
  const now = options.now ?? (() => Date.now());
  const actual = options.actual ?? (await observe(desired, adapters, now, options.stop));
  const certificates = options.certificates === undefined ? adapters.acm : options.certificates;
  const facts = await gatherFacts(desired, adapters, actual, subjects, { ...options, certificates }, now);
  return subjects.map((svc) => evaluateService(svc, facts));
}

function messageOf(err: unknown): string {
  if (err instanceof AwsCallError || err instanceof SteadyError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

const unique = <T>(items: T[]): T[] => [...new Set(items)];

/** Reads what the links are judged on that observe did not read. */
export async function gatherFacts(
  desired: DesiredEnvironment,
  adapters: Adapters,
  actual: ActualState,
  subjects: ServiceDoc[],
  options: WiringOptions,
  now: () => number,
): Promise<Facts> {
  const env = desired.environment.spec;
  const f = factsFrom(actual, {
    environment: desired.name,
    cluster: env.cluster,
    now: now(),
    certificateExpiryDays: env.wiring?.certificateExpiryDays ?? DEFAULT_CERTIFICATE_EXPIRY_DAYS,
    aliases: desired.aliases,
  });
  if (options.certificates) f.certificateSource = options.certificates.source;
  /** Runs a read; a failure is recorded under every key it would have answered. */
  const attempt = async (keys: string[], fn: () => Promise<void>) => {
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

  // 1. Target groups, services and zones observe did not read (or could not).
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

  options.stop?.throwIfStopped();

  // 2. The load balancers in front of the services; the revisions and tasks the services run.
  const placed = unique(subjects.map((s) => placeLoadBalancer(s, f).name).filter((n): n is string => !!n));
  const lbNames = placed.filter((n) => !(n in f.loadBalancers));
  const live = subjects.map(serviceName).map((n) => f.services[n]).filter((s) => !!s && s.status !== 'INACTIVE');
  const liveArns = unique(live.flatMap((s) => [s!.taskDefinitionArn, ...s!.deployments.map((d) => d.taskDefinitionArn), ...(s!.taskSets ?? []).map((t) => t.taskDefinitionArn)])).filter(Boolean);
  const tdArns = liveArns.filter((arn) => !(arn in f.taskDefinitions));
  const clusterTasks: string[] = [];
  await Promise.all([
    lbNames.length > 0 &&
      attempt(lbNames.map((n) => `lb:${n}`), async () => {
        const { found, missing } = await adapters.elbv2.loadBalancersByName(lbNames);
        for (const lb of found) f.loadBalancers[lb.name] = lb;
        for (const n of missing) f.loadBalancers[n] = null;
      }),
    ...tdArns.map((arn) =>
      attempt([`td:${arn}`], async () => {
        const td = await adapters.ecs.describeTaskDefinition(arn);
        if (td) f.taskDefinitions[td.arn] = td;
      }),
    ),
    // One listing of the cluster's running tasks (100 a page) instead of one call per service.
    live.length > 0 &&
      attempt(
        live.map((s) => `tasks:${s!.name}`),
        async () => {
          clusterTasks.push(...(await adapters.ecs.listTasks(f.cluster, { desiredStatus: 'RUNNING' })));
        },
      ),
  ]);

  options.stop?.throwIfStopped();

  // 3. Listeners of those load balancers; the tasks (100 a DescribeTasks call, across services).
  const lbs = placed.map((n) => f.loadBalancers[n]).filter((lb) => !!lb);
  const allTasks = unique(clusterTasks);
  await Promise.all([
    ...lbs.map((lb) =>
      attempt([`listeners:${lb!.arn}`], async () => {
        f.listeners[lb!.arn] = await adapters.elbv2.listeners(lb!.arn);
      }),
    ),
    live.length > 0 &&
      attempt(
        live.map((s) => `tasks:${s!.name}`),
        async () => {
          const { tasks } = allTasks.length > 0 ? await adapters.ecs.describeTasks(f.cluster, allTasks) : { tasks: [] };
          // ECS puts a service's tasks in the group `service:<name>`.
          const byGroup = new Map<string, typeof tasks>();
          for (const t of tasks) if (t.desiredStatus === 'RUNNING' && t.group) byGroup.set(t.group, [...(byGroup.get(t.group) ?? []), t]);
          for (const s of live) f.tasks[s!.name] = byGroup.get(`service:${s!.name}`) ?? [];
        },
      ),
  ]);

  options.stop?.throwIfStopped();

  // 4. Rules of every listener, target health of every target group, certificates, and the
  //    digests of image tags the running revisions name.
  const listeners = lbs.flatMap((lb) => f.listeners[lb!.arn] ?? []);
  const tgs = unique(subjects.flatMap((s) => { const name = liveTargetGroup(s, f); return name ? [f.targetGroups[name]] : []; })).filter((tg) => !!tg);
  const certArns = unique(listeners.flatMap((l) => l.certificateArns));
  const tagImages = unique(
    liveArns
      .flatMap((arn) => f.taskDefinitions[arn]?.content.containerDefinitions.map((c) => c.image) ?? [])
      .filter((uri) => !(uri in f.images) && !parseImageUri(uri).digest && parseImageUri(uri).ecr),
  );
  await Promise.all([
    // One call per listener and per target group (the APIs have no batch form): a few at a time.
    mapLimit(listeners, READ_CONCURRENCY, (l) =>
      attempt([`rules:${l.arn}`], async () => {
        f.rules[l.arn] = await adapters.elbv2.rules(l.arn);
      }),
    ),
    mapLimit(tgs, READ_CONCURRENCY, (tg) =>
      attempt([`health:${tg!.arn}`], async () => {
        f.health[tg!.arn] = await adapters.elbv2.targetHealth(tg!.arn);
      }),
    ),
    options.certificates &&
      certArns.length > 0 &&
      attempt(certArns.map((a) => `cert:${a}`), async () => {
        for (const [arn, info] of await options.certificates!.describeCertificates(certArns)) f.certificates[arn] = info;
      }),
    tagImages.length > 0 &&
      attempt(tagImages.map((u) => `image:${u}`), async () => {
        const refs = tagImages.map((u) => parseImageUri(u));
        const resolved = await adapters.ecr.resolveImages(refs);
        for (const ref of refs) {
          const r = resolved.get(ref.uri);
          if (r === undefined) f.images[ref.uri] = { kind: 'unpinnable' };
          else if (r instanceof AwsCallError) f.errors[`image:${ref.uri}`] = { message: r.message, cause: r.awsCause };
          else f.images[ref.uri] = { kind: 'pinned', digest: r.digest, pinned: pinImage(ref, r.digest) };
        }
      }),
  ]);

  await probing;
  options.stop?.throwIfStopped();
  return f;
}
