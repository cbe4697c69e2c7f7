/**
 * Planning AliasRecords: resolve the named target (load balancer, CloudFront distribution) on
 * every pass, which is what heals an alias to a recreated ALB, and change the record together
 * with its ownership TXT record (external-dns's registry idea: Route 53 records cannot be
 * tagged). Pure.
 */
import { findRecord } from '../model/actual.js';
import { CLOUDFRONT_HOSTED_ZONE_ID, sameAliasDnsName, type AliasTarget, type RecordSet } from '../model/aws.js';
import type { FieldDiff, ResourceStatus } from '../model/plan.js';
import type { AliasRecordDoc } from '../spec/schema.js';
import { status, unreadStatus, type Context, type Planned } from './common.js';
import { resourceKey, specHash } from './desired.js';


/** The TXT record that says a record is steady's (external-dns's registry idea). */
export function ownerRecordName(type: string, name: string): string {
  return `_steady-${type.toLowerCase()}.${name}`;
}

export function ownerRecordValue(env: string, key: string): string {
  return `"heritage=steady,steady/environment=${env},steady/resource=${key}"`;
}

function parseOwner(record: RecordSet | undefined): { env?: string; resource?: string } | undefined {
  const value = record?.values?.find((v) => v.includes('heritage=steady'));
  if (!value) return undefined;
  const fields = Object.fromEntries(
    value
      .replace(/^"|"$/g, '')
      .split(',')
      .map((kv) => kv.split('=') as [string, string]),
  );
  return { env: fields['steady/environment'], resource: fields['steady/resource'] };
}

function renderAlias(a: AliasTarget | undefined): string | undefined {
  return a ? `ALIAS ${a.dnsName} (zone ${a.hostedZoneId}${a.evaluateTargetHealth ? ', evaluate target health' : ''})` : undefined;
}

/**
 * An existing record that already points where the spec says (in any equivalent form: `dualstack.`,
 * letter case, trailing dot) is adopted as it is: only the ownership TXT record is written.
 */
function adoptAsIs(a: AliasRecordDoc, zone: { id: string; name: string }, current: RecordSet, ownerTxt: RecordSet): Planned {
  const key = resourceKey('AliasRecord', a.metadata.name);
  const { name, type } = a.spec;
  const diff: FieldDiff[] = [{ path: `${ownerTxt.name} TXT`, before: undefined, after: ownerTxt.values![0] }];
  return {
    actions: [
      {
        kind: 'ChangeRecords',
        id: `records:${key}`,
        resource: key,
        summary: `adopt ${name} ${type} as it is (${current.alias!.dnsName}); write its ownership record ${ownerTxt.name}`,
        diff,
        dependsOn: [],
        zoneId: zone.id,
        zoneName: zone.name,
        changes: [{ action: 'UPSERT', record: ownerTxt }],
      },
    ],
    status: status('AliasRecord', a.metadata.name, specHash(a), 'Drifted', 'Adopting', `${name} ${type} already points at ${current.alias!.dnsName}; steady adopts it unchanged`, diff),
  };
}

/**
 * Plans one AliasRecord.
 *
 * @example
 * const { actions, status } = planAlias(ctx, aliasDoc); // [] or [ChangeRecords]
 */
export function planAlias(ctx: Context, a: AliasRecordDoc): Planned {
  const name = a.metadata.name;
  const key = resourceKey('AliasRecord', name);
  const hash = specHash(a);
  const none = (st: ResourceStatus): Planned => ({ actions: [], status: st });
  const early = unreadStatus(ctx, 'AliasRecord', name, hash);
  if (early) return none(early);
  const spec = a.spec;
  const zoneKey = spec.zoneId ?? spec.zone;
  const observed = ctx.actual.zones[zoneKey];
  if (observed === undefined) return none(status('AliasRecord', name, hash, 'Blocked', 'ObserveFailed', `hosted zone ${zoneKey} could not be read; nothing is changed this pass`));
  if (observed === null) return none(status('AliasRecord', name, hash, 'Failed', 'ZoneNotFound', `hosted zone ${zoneKey} does not exist in this account`));

  // Resolve the target every pass: this is what heals an alias to a recreated ALB.
  let want: AliasTarget;
  const t = spec.target;
  if ('loadBalancer' in t) {
    const lb = ctx.actual.loadBalancers[t.loadBalancer];
    if (lb === undefined) return none(status('AliasRecord', name, hash, 'Blocked', 'ObserveFailed', `load balancer ${t.loadBalancer} could not be read; the record is left as it is`));
    if (lb === null) return none(status('AliasRecord', name, hash, 'Failed', 'TargetNotFound', `load balancer ${t.loadBalancer} does not exist; the record is left as it is`));
    want = { dnsName: lb.dnsName, hostedZoneId: lb.canonicalHostedZoneId, evaluateTargetHealth: spec.evaluateTargetHealth };
  } else if ('cloudFront' in t) {
    const d = ctx.actual.distributions[t.cloudFront];
    if (d === undefined) return none(status('AliasRecord', name, hash, 'Blocked', 'ObserveFailed', `CloudFront distribution ${t.cloudFront} could not be read; the record is left as it is`));
    if (d === null) return none(status('AliasRecord', name, hash, 'Failed', 'TargetNotFound', `CloudFront distribution ${t.cloudFront} does not exist; the record is left as it is`));
    want = { dnsName: d.domainName, hostedZoneId: CLOUDFRONT_HOSTED_ZONE_ID, evaluateTargetHealth: spec.evaluateTargetHealth };
  } else {
    want = { dnsName: t.dnsName, hostedZoneId: t.hostedZoneId, evaluateTargetHealth: spec.evaluateTargetHealth };
  }

  // Indexed once per zone: a zone's records are not scanned per alias.
  const current = findRecord(observed, spec.name, spec.type);
  const ownerName = ownerRecordName(spec.type, spec.name);
  const ownerRecord = findRecord(observed, ownerName, 'TXT', { anySet: true });
  const owner = parseOwner(ownerRecord);
  const mine = owner?.env === ctx.env && owner?.resource === key;
  if (owner && !mine) {
    return none(status('AliasRecord', name, hash, 'Failed', 'Conflict', `${spec.name} ${spec.type} is managed by steady for ${owner.env} ${owner.resource}; steady leaves it alone`));
  }
  if (current && !mine && !spec.adopt) {
    return none(
      status(
        'AliasRecord',
        name,
        hash,
        'Failed',
        'Conflict',
        `${spec.name} ${spec.type} exists in zone ${observed.zone.name} but steady did not create it; nothing is changed. Set spec.adopt: true to let steady manage it`,
      ),
    );
  }

  const record: RecordSet = { name: spec.name, type: spec.type, alias: want };
  const ownerTxt: RecordSet = { name: ownerName, type: 'TXT', ttl: 300, values: [ownerRecordValue(ctx.env, key)] };
  const same =
    current?.alias &&
    sameAliasDnsName(current.alias.dnsName, want.dnsName) &&
    current.alias.hostedZoneId === want.hostedZoneId &&
    current.alias.evaluateTargetHealth === want.evaluateTargetHealth;
  // Equivalent forms (`dualstack.`, letter case, trailing dot) are not drift, and adoption keeps the user's.
  if (same && mine) {
    return none(status('AliasRecord', name, hash, 'Synced', 'UpToDate', `${spec.name} ${spec.type} -> ${want.dnsName}`));
  }
  if (same) return adoptAsIs(a, observed.zone, current!, ownerTxt);
  const diff: FieldDiff[] = [{ path: `${spec.name} ${spec.type}`, before: current ? (renderAlias(current.alias) ?? `${current.values?.join(' ')}`) : undefined, after: renderAlias(want) }];
  const changes = [
    { action: current ? ('UPSERT' as const) : ('CREATE' as const), record },
    ...(mine ? [] : [{ action: 'UPSERT' as const, record: ownerTxt }]),
  ];
  const verb = !current ? 'create' : mine ? 'update' : 'adopt';
  return {
    actions: [
      {
        kind: 'ChangeRecords',
        id: `records:${key}`,
        resource: key,
        summary: `${verb} ${spec.name} ${spec.type} -> ${want.dnsName}`,
        diff,
        dependsOn: [],
        zoneId: observed.zone.id,
        zoneName: observed.zone.name,
        changes,
      },
    ],
    status: status('AliasRecord', name, hash, 'Drifted', current ? (mine ? 'TargetDiffers' : 'Adopting') : 'NotFound', `${spec.name} ${spec.type}: ${diff[0].before ?? 'missing'} -> ${diff[0].after}`, diff),
  };
}
