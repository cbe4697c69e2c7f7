/**
 * Observing Maintenances: the CloudFront distribution each switches, with its whole configuration,
 * ETag and tags (GetDistribution, ListTagsForResource); then the load balancer (shared with the
 * aliases' read when they name it), its listener on the spec's port, that listener's rules and the
 * tags of its fixed-response rules (DescribeListeners, DescribeRules, DescribeTags).
 */
import type { ActualState, ObservedMaintenance } from '../model/actual.js';
import type { DesiredEnvironment } from '../model/plan.js';
import { resourceKey } from '../plan/desired.js';
import type { MaintenanceDoc } from '../spec/schema.js';
import type { Adapters, Read } from './common.js';

function observed(actual: ActualState, name: string): ObservedMaintenance {
  return (actual.maintenance[name] ??= {});
}

/** First round: the distributions. */
export async function observeMaintenance(desired: DesiredEnvironment, actual: ActualState, adapters: Adapters, read: Read): Promise<void> {
  await Promise.all(
    (desired.maintenance ?? []).map((m) => {
      const name = m.metadata.name;
      const o = observed(actual, name);
      const cf = m.spec.cloudFront;
      if (!cf) return undefined;
      // The aliases to the same distribution use this read (observeAliases leaves it out).
      const aliases = desired.aliases.filter((a) => 'cloudFront' in a.spec.target && a.spec.target.cloudFront === cf.distribution).map((a) => resourceKey('AliasRecord', a.metadata.name));
      return read(`CloudFront distribution ${cf.distribution}`, [resourceKey('Maintenance', name), ...aliases], async () => {
        const detail = await adapters.cloudfront.distributionDetail(cf.distribution);
        o.distribution = detail ?? null;
        actual.distributions[cf.distribution] = detail ? { id: detail.id, domainName: detail.domainName, status: detail.status, enabled: detail.enabled, aliases: detail.aliases } : null;
      });
    }),
  );
}

/** Second round: the load balancer (read by the aliases already, when they name it), its listener, rules and their tags. */
export function maintenanceFollowUps(desired: DesiredEnvironment, actual: ActualState, adapters: Adapters, read: Read): (() => Promise<void>)[] {
  return (desired.maintenance ?? []).filter((m) => m.spec.loadBalancer).map((m) => () => observeListener(m, actual, adapters, read));
}

async function observeListener(m: MaintenanceDoc, actual: ActualState, adapters: Adapters, read: Read): Promise<void> {
  const lb = m.spec.loadBalancer!;
  const o = observed(actual, m.metadata.name);
  await read(`listener ${lb.listener.port} of load balancer ${lb.name}`, [resourceKey('Maintenance', m.metadata.name)], async () => {
    let balancer = actual.loadBalancers[lb.name];
    if (balancer === undefined) {
      const { found } = await adapters.elbv2.loadBalancersByName([lb.name]);
      balancer = found[0] ?? null;
    }
    o.loadBalancer = balancer;
    if (!balancer) return;
    const listeners = await adapters.elbv2.listeners(balancer.arn);
    o.listener = listeners.find((l) => l.port === lb.listener.port && (!lb.listener.protocol || l.protocol === lb.listener.protocol)) ?? null;
    if (!o.listener) return;
    const rules = await adapters.elbv2.rules(o.listener.arn);
    const fixed = rules.filter((r) => !r.isDefault && r.actions.some((a) => a.type === 'fixed-response'));
    const tags = fixed.length > 0 ? await adapters.elbv2.tags(fixed.map((r) => r.arn)) : {};
    o.rules = rules.map((r) => (tags[r.arn] ? { ...r, tags: tags[r.arn] } : r));
  });
}
