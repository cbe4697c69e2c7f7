import { describe, expect, it } from 'vitest';
import type { ActualState } from '../model/actual.js';
import { TAG_ENVIRONMENT, TAG_MANAGED_BY, TAG_RESOURCE, type DesiredEnvironment, type ResourceStatus } from '../model/plan.js';
import { SnapshotIndex, snapshotResource } from './snapshot.js';

const N = 2000;
const ENV = 'shop';
const tgArn = (i: number) => `arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/tg-${i}/x`;
const lbArn = (i: number) => `arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/lb-${i}/x`;
const owned = (resource: string, environment = ENV) => ({ [TAG_MANAGED_BY]: 'steady', [TAG_ENVIRONMENT]: environment, [TAG_RESOURCE]: resource });
const status = (kind: ResourceStatus['kind'], name: string) => ({ resource: `${kind}/${name}`, kind, name, phase: 'Synced', reason: 'UpToDate', message: '', diff: [], specHash: '' }) as ResourceStatus;

/**
 * 2,000 services, their target groups, load balancers and aliases, with what makes a lookup pick
 * one of several: a second service tagged as the same resource, a service tagged for another
 * environment, an untagged one found by its spec name, a target group listed twice, a null entry,
 * zones whose records interleave, an unreadable item naming a resource twice.
 */
function bigPass() {
  const services: Record<string, unknown> = {};
  const targetGroups: Record<string, unknown> = { gone: null };
  const loadBalancers: Record<string, unknown> = { gone: null };
  const records: Record<string, unknown>[][] = [[], [], []];
  for (let i = 0; i < N; i++) {
    const lb = Math.floor(i / 10);
    const tags = i === 7 ? {} : owned(`Service/svc-${i}`, i === 8 ? 'other' : ENV);
    services[`svc-${i}`] = { name: `svc-${i}`, status: 'ACTIVE', taskDefinitionArn: `td-${i}:1`, loadBalancers: [{ targetGroupArn: tgArn(i) }], events: [], tags };
    targetGroups[`tg-${i}`] = { name: `tg-${i}`, arn: tgArn(i), loadBalancerArns: i % 7 === 0 ? [lbArn(lb), lbArn(lb + 1000)] : [lbArn(lb)] };
    loadBalancers[`lb-${lb}`] = { name: `lb-${lb}`, arn: lbArn(lb), dnsName: `lb-${lb}.example` };
    const zone = records[i % 3];
    zone.push({ name: `svc-${i}.shop.example.com`, type: 'A', alias: { dnsName: `lb-${lb}.example` } });
    if (i % 5 === 0) zone.push({ name: `other-${i}.shop.example.com`, type: 'CNAME', values: ['x'] });
    zone.push({ name: `_steady-a.svc-${i}.shop.example.com`, type: 'TXT', values: [`"heritage=steady,steady/environment=${ENV},steady/resource=AliasRecord/svc-${i}"`] });
    if (i % 11 === 0) zone.push({ name: `svc-${i}.shop.example.com`, type: 'AAAA', alias: { dnsName: `lb-${lb}.example` } });
  }
  // Svc 3 is tagged again on a later service: the first one tagged wins. A target group's ARN listed
  // again under another name after it: the first entry wins.
  services['svc-3-copy'] = { ...(services['svc-3'] as object), name: 'svc-3-copy' };
  targetGroups['tg-5-again'] = { name: 'tg-5-again', arn: tgArn(5), loadBalancerArns: [] };
  // A record of svc-9 again, late in its zone, as a weighted record.
  records[0].push({ name: 'svc-9.shop.example.com', type: 'A', setIdentifier: 'blue', alias: { dnsName: 'lb-0.example' } });
  const actual = {
    environment: ENV,
    observedAt: 1,
    services,
    targetGroups,
    loadBalancers,
    taskDefinitions: {},
    zones: Object.fromEntries(records.map((r, z) => [`zone-${z}`, { zone: { id: `Z${z}`, name: `z${z}.example.com.`, private: false }, records: r }])),
    unreadable: [{ what: 'target health', awsName: 'Throttling', message: 'slow down', affects: ['Service/svc-4', 'Service/svc-4', 'AliasRecord/svc-4'], transient: true }],
  } as unknown as ActualState;
  const desired = {
    name: ENV,
    services: Array.from({ length: N }, (_, i) => ({ metadata: { name: `svc-${i}` }, spec: {} })),
    aliases: Array.from({ length: N }, (_, i) => ({ metadata: { name: `svc-${i}` }, spec: { name: `svc-${i}.shop.example.com`, type: 'A', zone: `zone-${i % 3}`, target: { loadBalancer: `lb-${Math.floor(i / 10)}` } } })),
  } as unknown as DesiredEnvironment;
  return { actual, desired };
}

/** The lookups as scans of everything, for each resource: what the index must agree with. */
function scanned(actual: ActualState, desired: DesiredEnvironment, s: ResourceStatus) {
  const unreadable = actual.unreadable.filter((u) => u.affects.includes(s.resource)).map((u) => u.what);
  if (s.kind === 'Service') {
    const svc = Object.values(actual.services).find((x) => x && x.tags[TAG_MANAGED_BY] === 'steady' && x.tags[TAG_ENVIRONMENT] === ENV && x.tags[TAG_RESOURCE] === s.resource) ?? actual.services[s.name];
    const tg = svc && Object.values(actual.targetGroups).find((t) => t?.arn === svc.loadBalancers[0].targetGroupArn);
    const lbs = (tg?.loadBalancerArns ?? []).flatMap((arn) => Object.values(actual.loadBalancers).filter((l) => l?.arn === arn).slice(0, 1).map((l) => l!.name));
    return { unreadable, service: svc?.name, targetGroup: tg?.name, loadBalancers: lbs };
  }
  const spec = desired.aliases.find((a) => a.metadata.name === s.name)!.spec;
  const zone = actual.zones[spec.zone!]!;
  const name = spec.name;
  const records = zone.records.filter((r) => (r.name === name && r.type === 'A') || (r.name === `_steady-a.${name}` && r.type === 'TXT'));
  return { unreadable, records };
}

describe('snapshots of a large pass, sharing one index', () => {
  it('find the same service, target group, load balancers, records and unreadable items as scans of everything do', () => {
    const { actual, desired } = bigPass();
    const index = new SnapshotIndex(actual, desired);
    const statuses = Array.from({ length: N }, (_, i) => [status('Service', `svc-${i}`), status('AliasRecord', `svc-${i}`)]).flat();

    const snapshots = statuses.map((s) => snapshotResource(actual, s, desired, index));

    // Every snapshot is the one a snapshot alone (its own index) gives.
    for (let i = 0; i < statuses.length; i += 97) expect(snapshots[i]).toEqual(snapshotResource(actual, statuses[i], desired));
    // The tricky ones, and a sample of the rest, agree with scans of everything.
    const sample = statuses.filter((s, i) => i % 53 === 0 || /svc-[3-9]$/.test(s.name));
    for (const s of sample) {
      const snap = snapshots[statuses.indexOf(s)] as Record<string, any>;
      const want = scanned(actual, desired, s);
      expect(snap.unreadable?.map((u: { what: string }) => u.what) ?? [], s.resource).toEqual(want.unreadable);
      if (s.kind === 'Service') {
        expect(snap.found ? snap.service.name : undefined, s.resource).toBe(want.service);
        expect(snap.targetGroups?.[0].name, s.resource).toBe(want.targetGroup);
        expect(snap.targetGroups?.[0].loadBalancers.map((l: { name: string }) => l.name), s.resource).toEqual(want.loadBalancers);
      } else {
        expect(snap.records, s.resource).toEqual(want.records);
      }
    }
    const byResource = new Map(statuses.map((s, i) => [s.resource, snapshots[i] as Record<string, any>]));
    expect(byResource.get('Service/svc-3')!.service.name).toBe('svc-3');
    expect(byResource.get('Service/svc-7')!.service.name).toBe('svc-7');
    expect(byResource.get('Service/svc-8')!.service.name).toBe('svc-8');
    expect(byResource.get('Service/svc-5')!.targetGroups[0].name).toBe('tg-5');
    expect(byResource.get('Service/svc-14')!.targetGroups[0].loadBalancers.map((l: { name: string }) => l.name)).toEqual(['lb-1']);
    expect(byResource.get('Service/svc-4')!.unreadable).toEqual([{ what: 'target health', awsName: 'Throttling', message: 'slow down' }]);
    expect(byResource.get('AliasRecord/svc-9')!.records.map((r: { name: string; type: string; setIdentifier?: string }) => `${r.type} ${r.name}${r.setIdentifier ? ` ${r.setIdentifier}` : ''}`)).toEqual([
      'A svc-9.shop.example.com',
      'TXT _steady-a.svc-9.shop.example.com',
      'A svc-9.shop.example.com blue',
    ]);
  });
});
