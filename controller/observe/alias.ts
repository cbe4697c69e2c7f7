/**
 * Observing AliasRecords: what their targets are called now (load balancers, 20 names a call;
 * CloudFront distributions), and each hosted zone with all its records (the records and their
 * ownership TXT records).
 */
import type { ActualState } from '../model/actual.js';
import type { DesiredEnvironment } from '../model/plan.js';
import { resourceKey } from '../plan/desired.js';
import { use, type Adapters, type Read } from './common.js';

export async function observeAliases(desired: DesiredEnvironment, actual: ActualState, adapters: Adapters, read: Read): Promise<void> {
  const loadBalancers = new Map<string, string[]>();
  const distributions = new Map<string, string[]>();
  const zones = new Map<string, { keys: string[]; zone: string; zoneId?: string }>();
  // A distribution a Maintenance switches is read by observeMaintenance, whole, for both.
  const readForMaintenance = new Set((desired.maintenance ?? []).map((m) => m.spec.cloudFront?.distribution));
  for (const a of desired.aliases) {
    const key = resourceKey('AliasRecord', a.metadata.name);
    const t = a.spec.target;
    if ('loadBalancer' in t) use(loadBalancers, t.loadBalancer, key);
    if ('cloudFront' in t && !readForMaintenance.has(t.cloudFront)) use(distributions, t.cloudFront, key);
    const zoneKey = a.spec.zoneId ?? a.spec.zone;
    const z = zones.get(zoneKey) ?? { keys: [], zone: a.spec.zone, zoneId: a.spec.zoneId };
    z.keys.push(key);
    zones.set(zoneKey, z);
  }
  // Several zones to find: one listing of the account's zones instead of a lookup each, when that is
  // fewer calls. If the listing fails, each zone's own lookup below says so for its resources.
  const zonesKnown = adapters.route53.prefetchZones([...zones.values()].map((z) => z.zone)).catch(() => undefined);
  await Promise.all([
    loadBalancers.size > 0 &&
      read(`load balancers ${[...loadBalancers.keys()].join(', ')}`, [...new Set([...loadBalancers.values()].flat())], async () => {
        const { found, missing } = await adapters.elbv2.loadBalancersByName([...loadBalancers.keys()]);
        for (const lb of found) actual.loadBalancers[lb.name] = lb;
        for (const name of missing) actual.loadBalancers[name] = null;
      }),
    ...[...distributions].map(([id, keys]) =>
      read(`CloudFront distribution ${id}`, keys, async () => {
        actual.distributions[id] = (await adapters.cloudfront.distribution(id)) ?? null;
      }),
    ),
    ...[...zones].map(([zoneKey, z]) =>
      read(`hosted zone ${zoneKey}`, z.keys, async () => {
        await zonesKnown;
        const zone = await adapters.route53.findZone(z.zone, { id: z.zoneId });
        actual.zones[zoneKey] = zone ? { zone, records: await adapters.route53.recordSets(zone) } : null;
      }),
    ),
  ]);
}
