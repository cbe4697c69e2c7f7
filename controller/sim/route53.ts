import {
  HostedZoneAlreadyExists,
  InvalidChangeBatch,
  InvalidDomainName,
  InvalidInput,
  NoSuchChange,
  NoSuchHostedZone,
  PriorRequestNotComplete,
  type Change,
  type ChangeInfo,
  type ChangeResourceRecordSetsRequest,
  type CreateHostedZoneRequest,
  type GetChangeRequest,
  type GetHostedZoneRequest,
  type HostedZone,
  type ListHostedZonesByNameRequest,
  type ListHostedZonesRequest,
  type ListResourceRecordSetsRequest,
  type ResourceRecordSet,
  type VPC,
} from '@aws-sdk/client-route-53';
import { CLOUDFRONT_HOSTED_ZONE_ID, normaliseDnsName } from '../model/aws.js';
import type { SimAccount, SimService } from './account.js';
import { awsError } from './errors.js';
import { SEEDED_AGE_MS, upperAlnum } from './support.js';

/** Time from a change's submission (`PENDING`) to `INSYNC`; AWS says "generally within 60 seconds". */
export const CHANGE_PROPAGATION_MS = 30_000;

const RECORDS_PAGE_MAX = 300;
const ZONES_PAGE_MAX = 100;
const MAX_RECORDS_PER_BATCH = 1000;
const MAX_VALUE_CHARS_PER_BATCH = 32_000;
const NAMESPACE = 'https://route53.amazonaws.com/doc/2013-04-01/';

// -------------------------------------------------------------------------------------- names

/**
 * A name as Route 53 stores and returns it: lower-case, fully qualified with the trailing dot, and
 * every character other than `a-z 0-9 - _ .` written as a backslash and three octal digits
 * (`*.example.com` -> `\052.example.com.`). Input may use either form.
 */
export function route53Name(name: string): string {
  const plain = normaliseDnsName(name);
  return `${plain}.`.replace(/[^a-z0-9\-_.]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/**
 * The order Route 53 lists names in: labels reversed (`www.example.com` -> `com.example.www.`),
 * compared character by character on the unescaped name, so `-` and `*` sort before the dot.
 */
function sortKey(name: string): string {
  const plain = normaliseDnsName(name);
  return `${plain.split('.').reverse().join('.')}.`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// -------------------------------------------------------------------------------------- state

interface RecordState {
  rrset: ResourceRecordSet;
  key: string;
  createdAt: number;
}

interface ZoneState {
  id: string;
  /** In Route 53's returned form (trailing dot, escapes). */
  name: string;
  callerReference: string;
  comment?: string;
  private: boolean;
  vpcs: VPC[];
  nameServers: string[];
  records: RecordState[];
  createdAt: number;
  /** How many more ChangeResourceRecordSets calls answer PriorRequestNotComplete. */
  busy: number;
}

interface ChangeState {
  id: string;
  status: 'PENDING' | 'INSYNC';
  submittedAt: number;
  comment?: string;
}

/** Identity of a record set within a zone: name, type and (for routing policies) set identifier. */
const identity = (r: ResourceRecordSet) => `${r.Name}|${r.Type}|${r.SetIdentifier ?? ''}`;

function recordOrder(a: RecordState, b: RecordState): number {
  return compare(a.key, b.key) || compare(a.rrset.Type ?? '', b.rrset.Type ?? '') || compare(a.rrset.SetIdentifier ?? '', b.rrset.SetIdentifier ?? '');
}

// ------------------------------------------------------------------------------------ fixture

/** An alias target in a fixture: a load balancer or distribution by name/id, resolved at seed time, or literal. */
export type AliasFixture =
  | { loadBalancer: string; dualstack?: boolean; evaluateTargetHealth?: boolean }
  | { cloudFront: string; evaluateTargetHealth?: boolean }
  | { dnsName: string; hostedZoneId: string; evaluateTargetHealth?: boolean };

/** A record set in a fixture: alias, or plain values (TXT values quoted, as in Route 53). */
export interface RecordFixture {
  /** Fully qualified, relative to the zone (`api`), or `@` for the apex. */
  name: string;
  type: string;
  /** Plain records: default 300. */
  ttl?: number;
  values?: string | string[];
  alias?: AliasFixture;
  setIdentifier?: string;
  weight?: number;
}

/** A hosted zone in a fixture; the apex SOA and NS records are created as CreateHostedZone does. */
export interface HostedZoneFixture {
  name: string;
  /** Pins the zone id (`Z...`); generated when omitted. */
  id?: string;
  /** A private zone, associated with this VPC. */
  vpc?: string;
  comment?: string;
  records?: RecordFixture[];
}

/**
 * Starting state of the simulated Route 53 (see fixture.ts). Alias targets name a load balancer
 * or CloudFront distribution of the same fixture, so their DNS names need not be copied.
 *
 * @example
 * // YAML
 * route53:
 *   zones:
 *     - name: example.com
 *       records:
 *         - { name: api, type: A, alias: { loadBalancer: shop-api-alb } }
 *         - { name: _steady-a.api, type: TXT, values: '"heritage=steady,steady/environment=shop-prod,steady/resource=AliasRecord/api-dns"' }
 */
export interface Route53Fixture {
  zones?: HostedZoneFixture[];
}

// ------------------------------------------------------------------------------------ simulator

/**
 * The simulated Route 53: hosted zones (public and private), record sets in Route 53's order and
 * name form, all-or-nothing change batches with Route 53's InvalidChangeBatch messages (alias
 * targets checked against the simulated load balancers and distributions), and changes that go
 * `PENDING` -> `INSYNC` on the simulated clock.
 */
export class Route53Sim implements SimService {
  readonly operations: Record<string, (input: any) => unknown> = {
    CreateHostedZone: (i: CreateHostedZoneRequest) => this.#createHostedZone(i),
    GetHostedZone: (i: GetHostedZoneRequest) => this.#getHostedZone(i),
    ListHostedZones: (i: ListHostedZonesRequest) => this.#listHostedZones(i),
    ListHostedZonesByName: (i: ListHostedZonesByNameRequest) => this.#listHostedZonesByName(i),
    ListResourceRecordSets: (i: ListResourceRecordSetsRequest) => this.#listResourceRecordSets(i),
    ChangeResourceRecordSets: (i: ChangeResourceRecordSetsRequest) => this.#changeResourceRecordSets(i),
    GetChange: (i: GetChangeRequest) => this.#getChange(i),
  };

  #zones = new Map<string, ZoneState>();
  #changes = new Map<string, ChangeState>();
  #seeding = false;
  /** The account's other Regions (an organisation's), whose load balancers an alias may target too. */
  #otherRegions: Pick<SimAccount, 'elbv2'>[] = [];

  constructor(readonly account: SimAccount) {}

  /** Route 53 is global: an alias may target a load balancer in any Region of the account. */
  addRegion(account: Pick<SimAccount, 'elbv2'>): void {
    this.#otherRegions.push(account);
  }

  /** Creation time of a new zone or record (seeded ones already existed, see SEEDED_AGE_MS). */
  #now(): number {
    return this.account.clock.now() - (this.#seeding ? SEEDED_AGE_MS : 0);
  }

  seed(fixture: Route53Fixture): void {
    this.#seeding = true;
    try {
      this.#seedFrom(fixture);
    } finally {
      this.#seeding = false;
    }
  }

  #seedFrom(fixture: Route53Fixture): void {
    for (const z of fixture.zones ?? []) {
      const zone = this.#newZone({ name: z.name, id: z.id, vpc: z.vpc ? { VPCId: z.vpc, VPCRegion: this.account.region as VPC['VPCRegion'] } : undefined, comment: z.comment });
      const apex = normaliseDnsName(zone.name);
      for (const r of z.records ?? []) {
        const plain = normaliseDnsName(r.name);
        const name = r.name === '@' ? apex : plain === apex || plain.endsWith(`.${apex}`) ? plain : `${plain}.${apex}`;
        const rrset: ResourceRecordSet = {
          Name: route53Name(name),
          Type: r.type as ResourceRecordSet['Type'],
          ...(r.setIdentifier !== undefined ? { SetIdentifier: r.setIdentifier } : {}),
          ...(r.weight !== undefined ? { Weight: r.weight } : {}),
          ...(r.alias
            ? { AliasTarget: this.#fixtureAlias(r.alias, `route53 fixture: ${name} ${r.type}`) }
            : { TTL: r.ttl ?? 300, ResourceRecords: [r.values ?? []].flat().map((Value) => ({ Value })) }),
        };
        // A fixture may hold stale aliases (that is a scenario), but not records AWS would refuse.
        const problem = outsideZone(zone, rrset) ?? valueProblem(rrset);
        if (problem) throw new Error(`route53 fixture: zone ${z.name}: ${problem}`);
        this.#put(zone, rrset);
      }
    }
  }

  // ------------------------------------------------------------------------------ scenarios

  /**
   * Makes the next `times` ChangeResourceRecordSets calls on a zone (by id or name) fail with
   * PriorRequestNotComplete, as Route 53 does while it is still processing an earlier request.
   */
  priorRequestNotComplete(zone: string, times = 1): void {
    this.#zoneByIdOrName(zone).busy += times;
  }

  /** The record sets of a zone (by id or name) as ListResourceRecordSets returns them, ignoring stale reads. */
  recordSets(zone: string): ResourceRecordSet[] {
    return this.#zoneByIdOrName(zone).records.map((r) => structuredClone(r.rrset));
  }

  #zoneByIdOrName(zone: string): ZoneState {
    const byId = this.#zones.get(zone.replace(/^\/hostedzone\//, ''));
    if (byId) return byId;
    const name = route53Name(zone);
    const byName = [...this.#zones.values()].find((z) => z.name === name);
    if (!byName) throw new Error(`no hosted zone ${zone}`);
    return byName;
  }

  #fixtureAlias(alias: AliasFixture, where: string) {
    const EvaluateTargetHealth = alias.evaluateTargetHealth ?? false;
    if ('loadBalancer' in alias) {
      const lb = this.account.elbv2.findByName(alias.loadBalancer);
      if (!lb) throw new Error(`${where}: no load balancer named ${alias.loadBalancer}`);
      return { HostedZoneId: lb.hostedZoneId, DNSName: route53Name(`${alias.dualstack ? 'dualstack.' : ''}${lb.dnsName}`), EvaluateTargetHealth };
    }
    if ('cloudFront' in alias) {
      const d = this.account.cloudfront.findById(alias.cloudFront);
      if (!d) throw new Error(`${where}: no CloudFront distribution ${alias.cloudFront}`);
      return { HostedZoneId: CLOUDFRONT_HOSTED_ZONE_ID, DNSName: route53Name(d.domainName), EvaluateTargetHealth };
    }
    return { HostedZoneId: alias.hostedZoneId, DNSName: route53Name(alias.dnsName), EvaluateTargetHealth };
  }

  // ---------------------------------------------------------------------------------- zones

  #createHostedZone(input: CreateHostedZoneRequest) {
    if (!input.Name) throw invalidInput(incomplete('CreateHostedZoneRequest', 'Name'));
    if (!input.CallerReference) throw invalidInput(incomplete('CreateHostedZoneRequest', 'CallerReference'));
    const plain = normaliseDnsName(input.Name);
    const labels = plain.split('.');
    if (plain.length > 253 || labels.some((l) => l.length === 0 || l.length > 63) || !/^[a-z0-9\-_.*]+$/.test(plain)) {
      throw awsError(InvalidDomainName, `${input.Name} is not a valid domain name.`);
    }
    if ([...this.#zones.values()].some((z) => z.callerReference === input.CallerReference)) {
      throw awsError(HostedZoneAlreadyExists, 'A hosted zone has already been created with the specified caller reference.', {}, 409);
    }
    const zone = this.#newZone({ name: plain, callerReference: input.CallerReference, vpc: input.VPC, comment: input.HostedZoneConfig?.Comment });
    return {
      HostedZone: this.#zoneOut(zone),
      ChangeInfo: this.#changeOut(this.#newChange()),
      ...(zone.private ? { VPC: structuredClone(zone.vpcs[0]) } : { DelegationSet: { NameServers: [...zone.nameServers] } }),
      Location: `https://route53.amazonaws.com/2013-04-01/hostedzone/${zone.id}`,
    };
  }

  #newZone(spec: { name: string; id?: string; callerReference?: string; vpc?: VPC; comment?: string }): ZoneState {
    const id = spec.id ?? `Z${upperAlnum(() => this.account.random(), 19)}`;
    if (this.#zones.has(id)) throw new Error(`a hosted zone ${id} already exists`);
    const isPrivate = spec.vpc !== undefined;
    // Private zones get Route 53's fixed placeholder name servers; public ones a random set.
    const nameServers = isPrivate
      ? ['ns-0.awsdns-00.com.', 'ns-512.awsdns-00.net.', 'ns-1024.awsdns-00.org.', 'ns-1536.awsdns-00.co.uk.']
      : ['com', 'net', 'org', 'co.uk'].map((tld, i) => {
          const n = i * 512 + Math.floor(this.account.random() * 512);
          return `ns-${n}.awsdns-${String(Math.floor(this.account.random() * 64)).padStart(2, '0')}.${tld}.`;
        });
    const zone: ZoneState = {
      id,
      name: route53Name(spec.name),
      callerReference: spec.callerReference ?? `steady-sim-${id}`,
      comment: spec.comment,
      private: isPrivate,
      vpcs: spec.vpc ? [structuredClone(spec.vpc)] : [],
      nameServers,
      records: [],
      createdAt: this.#now(),
      busy: 0,
    };
    this.#zones.set(id, zone);
    this.#put(zone, { Name: zone.name, Type: 'SOA', TTL: 900, ResourceRecords: [{ Value: `${nameServers[0]} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400` }] });
    this.#put(zone, { Name: zone.name, Type: 'NS', TTL: 172800, ResourceRecords: nameServers.map((Value) => ({ Value })) });
    return zone;
  }

  #getHostedZone(input: GetHostedZoneRequest) {
    const zone = this.#zone(input.Id, true);
    return {
      HostedZone: this.#zoneOut(zone),
      ...(zone.private ? { VPCs: structuredClone(zone.vpcs) } : { DelegationSet: { NameServers: [...zone.nameServers] } }),
    };
  }

  #listHostedZones(input: ListHostedZonesRequest) {
    const max = pageMax(input.MaxItems, ZONES_PAGE_MAX);
    const zones = this.#visibleZones().filter((z) => !input.HostedZoneType || z.private);
    let start = 0;
    if (input.Marker) {
      start = zones.findIndex((z) => z.id === input.Marker);
      if (start < 0) throw invalidInput(`Invalid marker: ${input.Marker}`);
    }
    const page = zones.slice(start, start + max);
    const next = zones[start + max];
    return {
      HostedZones: page.map((z) => this.#zoneOut(z)),
      Marker: input.Marker ?? '',
      IsTruncated: next !== undefined,
      ...(next ? { NextMarker: next.id } : {}),
      MaxItems: max,
    };
  }

  /** Not a filter: `DNSName` (and `HostedZoneId`) only say where in name order the page starts. */
  #listHostedZonesByName(input: ListHostedZonesByNameRequest) {
    if (input.HostedZoneId && !input.DNSName) throw invalidInput('The input is not valid: HostedZoneId requires DNSName');
    const max = pageMax(input.MaxItems, ZONES_PAGE_MAX);
    const zones = this.#visibleZones();
    const fromKey = input.DNSName ? sortKey(input.DNSName) : '';
    const fromId = input.HostedZoneId?.replace(/^\/hostedzone\//, '') ?? '';
    const start = zones.findIndex((z) => (compare(sortKey(z.name), fromKey) || compare(z.id, fromId)) >= 0);
    const page = start < 0 ? [] : zones.slice(start, start + max);
    const next = start < 0 ? undefined : zones[start + max];
    return {
      HostedZones: page.map((z) => this.#zoneOut(z)),
      ...(input.DNSName ? { DNSName: input.DNSName } : {}),
      ...(input.HostedZoneId ? { HostedZoneId: input.HostedZoneId } : {}),
      IsTruncated: next !== undefined,
      ...(next ? { NextDNSName: next.name, NextHostedZoneId: next.id } : {}),
      MaxItems: max,
    };
  }

  /** Zones readers can see, in ListHostedZonesByName order (reversed-label name, then id). */
  #visibleZones(): ZoneState[] {
    return [...this.#zones.values()]
      .filter((z) => this.account.visible('route53', z.createdAt))
      .sort((a, b) => compare(sortKey(a.name), sortKey(b.name)) || compare(a.id, b.id));
  }

  #zone(id: string | undefined, read: boolean): ZoneState {
    const bare = (id ?? '').replace(/^\/hostedzone\//, '');
    const zone = this.#zones.get(bare);
    if (!zone || (read && !this.account.visible('route53', zone.createdAt))) {
      throw awsError(NoSuchHostedZone, `No hosted zone found with ID: ${bare}`, {}, 404);
    }
    return zone;
  }

  #zoneOut(z: ZoneState): HostedZone {
    return {
      Id: `/hostedzone/${z.id}`,
      Name: z.name,
      CallerReference: z.callerReference,
      Config: { ...(z.comment !== undefined ? { Comment: z.comment } : {}), PrivateZone: z.private },
      ResourceRecordSetCount: z.records.length,
    };
  }

  // -------------------------------------------------------------------------------- records

  #listResourceRecordSets(input: ListResourceRecordSetsRequest) {
    const zone = this.#zone(input.HostedZoneId, true);
    if (input.StartRecordType && !input.StartRecordName) throw invalidInput('The input is not valid: StartRecordType requires StartRecordName');
    if (input.StartRecordIdentifier && !input.StartRecordType) throw invalidInput('The input is not valid: StartRecordIdentifier requires StartRecordType');
    const max = pageMax(input.MaxItems, RECORDS_PAGE_MAX);
    const records = zone.records.filter((r) => this.account.visible('route53', r.createdAt));
    const from = { key: input.StartRecordName ? sortKey(input.StartRecordName) : '', type: input.StartRecordType ?? '', id: input.StartRecordIdentifier ?? '' };
    let start = records.findIndex(
      (r) => (compare(r.key, from.key) || compare(r.rrset.Type ?? '', from.type) || compare(r.rrset.SetIdentifier ?? '', from.id)) >= 0,
    );
    if (start < 0) start = records.length;
    const next = records[start + max]?.rrset;
    return {
      ResourceRecordSets: records.slice(start, start + max).map((r) => structuredClone(r.rrset)),
      IsTruncated: next !== undefined,
      ...(next ? { NextRecordName: next.Name, NextRecordType: next.Type, ...(next.SetIdentifier ? { NextRecordIdentifier: next.SetIdentifier } : {}) } : {}),
      MaxItems: max,
    };
  }

  #changeResourceRecordSets(input: ChangeResourceRecordSetsRequest) {
    const zone = this.#zone(input.HostedZoneId, false);
    const changes = input.ChangeBatch?.Changes ?? [];
    for (const problem of changes.length === 0 ? [incomplete('Changes', 'Change')] : changes.map(malformed)) {
      if (problem) throw invalidInput(problem);
    }
    if (zone.busy > 0) {
      zone.busy -= 1;
      throw awsError(PriorRequestNotComplete, 'The request was rejected because Route 53 was still processing a prior request.');
    }
    const problems = [...batchLimits(changes)];
    // Changes apply in order to a working copy, so DELETE then CREATE of one record set works;
    // a failed change is reported and skipped, and any problem leaves the zone untouched.
    const working = new Map(zone.records.map((r) => [identity(r.rrset), r]));
    for (const change of changes) {
      const rrset = normaliseRecord(change.ResourceRecordSet!);
      const problem = this.#apply(zone, working, change.Action!, rrset);
      if (problem) problems.push(problem);
    }
    if (problems.length > 0) throw awsError(InvalidChangeBatch, `[${problems.join(', ')}]`, { messages: [] });
    zone.records = [...working.values()].sort(recordOrder);
    return { ChangeInfo: this.#changeOut(this.#newChange(input.ChangeBatch?.Comment)) };
  }

  /** Applies one change to the working copy; returns Route 53's message when it cannot. */
  #apply(zone: ZoneState, working: Map<string, RecordState>, action: string, rrset: ResourceRecordSet): string | undefined {
    const described = describeRecord(rrset);
    const outside = outsideZone(zone, rrset);
    if (outside) return outside;
    const current = working.get(identity(rrset));
    if (action === 'DELETE') {
      if (!current) return `Tried to delete resource record set [${described}] but it was not found`;
      if (!sameRecord(current.rrset, rrset)) return `Tried to delete resource record set [${described}] but the values provided do not match the current values`;
      working.delete(identity(rrset));
      return undefined;
    }
    if (action === 'CREATE' && current) return `Tried to create resource record set [${described}] but it already exists`;
    const problem = valueProblem(rrset) ?? this.#conflict(zone, working, rrset) ?? (rrset.AliasTarget ? this.#aliasProblem(zone, working, rrset) : undefined);
    if (problem) return problem;
    working.set(identity(rrset), { rrset, key: sortKey(rrset.Name!), createdAt: this.account.clock.now() });
    return undefined;
  }

  #conflict(zone: ZoneState, working: Map<string, RecordState>, rrset: ResourceRecordSet): string | undefined {
    if (rrset.Type === 'CNAME' && rrset.Name === zone.name) return `RRSet of type CNAME with DNS name ${rrset.Name} is not permitted at apex in zone ${zone.name}`;
    for (const other of working.values()) {
      const o = other.rrset;
      if (o.Name !== rrset.Name || o.Type === rrset.Type) continue;
      if (o.Type === 'CNAME' || rrset.Type === 'CNAME') {
        return `RRSet of type ${rrset.Type} with DNS name ${rrset.Name} is not permitted because a conflicting RRSet of type ${o.Type} with the same DNS name already exists in zone ${zone.name}`;
      }
    }
    return undefined;
  }

  /**
   * Checks an alias target the way Route 53 does: the name must lie within the DNS domain of the
   * zone `AliasTarget.HostedZoneId` names (an ELB region's canonical zone, CloudFront's, or a
   * hosted zone of the account), and the target must exist there.
   */
  #aliasProblem(zone: ZoneState, working: Map<string, RecordState>, rrset: ResourceRecordSet): string | undefined {
    const target = rrset.AliasTarget!;
    const dns = normaliseDnsName(target.DNSName!);
    const head = `Tried to create an alias that targets ${route53Name(dns)}, type ${rrset.Type} in zone ${target.HostedZoneId}`;
    const targetZone = target.HostedZoneId === zone.id ? zone : this.#zones.get(target.HostedZoneId ?? '');
    const domain =
      target.HostedZoneId === CLOUDFRONT_HOSTED_ZONE_ID
        ? 'cloudfront.net'
        : (this.account.elbv2.hostedZoneDomain(target.HostedZoneId ?? '') ?? (targetZone && normaliseDnsName(targetZone.name)));
    if (!domain || (dns !== domain && !dns.endsWith(`.${domain}`))) return `${head}, but the alias target name does not lie within the target zone`;
    let found: boolean;
    if (target.HostedZoneId === CLOUDFRONT_HOSTED_ZONE_ID) found = this.account.cloudfront.findByDomainName(dns) !== undefined;
    else if (targetZone) {
      const records = targetZone === zone ? [...working.values()] : targetZone.records;
      found = records.some((r) => r.rrset.Name === route53Name(dns) && r.rrset.Type === rrset.Type);
    } else found = [this.account, ...this.#otherRegions].some((a) => a.elbv2.findByDnsName(dns)?.hostedZoneId === target.HostedZoneId);
    return found ? undefined : `${head}, but that target was not found`;
  }

  #put(zone: ZoneState, rrset: ResourceRecordSet): void {
    const record: RecordState = { rrset: normaliseRecord(rrset), key: sortKey(rrset.Name!), createdAt: this.#now() };
    zone.records = [...zone.records.filter((r) => identity(r.rrset) !== identity(record.rrset)), record].sort(recordOrder);
  }

  // -------------------------------------------------------------------------------- changes

  #newChange(comment?: string): ChangeState {
    const change: ChangeState = { id: `C${upperAlnum(() => this.account.random(), 19)}`, status: 'PENDING', submittedAt: this.account.clock.now(), comment };
    this.#changes.set(change.id, change);
    this.account.clock.schedule(CHANGE_PROPAGATION_MS, () => {
      change.status = 'INSYNC';
    });
    return change;
  }

  #getChange(input: GetChangeRequest) {
    const change = this.#changes.get((input.Id ?? '').replace(/^\/change\//, ''));
    if (!change) throw awsError(NoSuchChange, 'A change with the specified change ID does not exist.', {}, 404);
    return { ChangeInfo: this.#changeOut(change) };
  }

  #changeOut(c: ChangeState): ChangeInfo {
    return { Id: `/change/${c.id}`, Status: c.status, SubmittedAt: new Date(c.submittedAt), ...(c.comment !== undefined ? { Comment: c.comment } : {}) };
  }
}

// ---------------------------------------------------------------------------- validation

function invalidInput(message: string): Error {
  return awsError(InvalidInput, message);
}

/** The XML-schema message Route 53 gives for a missing element. */
function incomplete(element: string, expected: string): string {
  return `Invalid XML ; cvc-complex-type.2.4.b: The content of element '${element}' is not complete. One of '{"${NAMESPACE}":${expected}}' is expected.`;
}

/** What makes a change malformed (InvalidInput), or undefined. */
function malformed(change: Change): string | undefined {
  if (!change.Action) return incomplete('Change', 'Action');
  if (!['CREATE', 'DELETE', 'UPSERT'].includes(change.Action)) {
    return `Invalid XML ; cvc-enumeration-valid: Value '${change.Action}' is not facet-valid with respect to enumeration '[CREATE, DELETE, UPSERT]'. It must be a value from the enumeration.`;
  }
  const r = change.ResourceRecordSet;
  if (!r) return incomplete('Change', 'ResourceRecordSet');
  if (!r.Name) return incomplete('ResourceRecordSet', 'Name');
  if (!r.Type) return incomplete('ResourceRecordSet', 'Type');
  if (r.AliasTarget) {
    if (!r.AliasTarget.HostedZoneId) return incomplete('AliasTarget', 'HostedZoneId');
    if (!r.AliasTarget.DNSName) return incomplete('AliasTarget', 'DNSName');
    if (r.AliasTarget.EvaluateTargetHealth === undefined) return incomplete('AliasTarget', 'EvaluateTargetHealth');
  }
  const plain = r.TTL !== undefined && (r.ResourceRecords?.length ?? 0) > 0;
  const found = [r.AliasTarget !== undefined, plain, r.TrafficPolicyInstanceId !== undefined].filter(Boolean).length;
  if (found !== 1) {
    return (
      'Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], ' +
      `but found ${found === 0 ? 'none' : 'more than one'} in Change with [Action=${change.Action}, Name=${r.Name}, Type=${r.Type}, SetIdentifier=${r.SetIdentifier ?? 'null'}]`
    );
  }
  return undefined;
}

function* batchLimits(changes: Change[]): Generator<string> {
  let records = 0;
  let chars = 0;
  for (const c of changes) {
    const weight = c.Action === 'UPSERT' ? 2 : 1; // Route 53 counts an UPSERT twice
    const values = c.ResourceRecordSet?.ResourceRecords ?? [];
    records += weight * values.length;
    chars += weight * values.reduce((n, v) => n + (v.Value ?? '').length, 0);
  }
  if (records > MAX_RECORDS_PER_BATCH) yield `Number of records limit of ${MAX_RECORDS_PER_BATCH} exceeded.`;
  if (chars > MAX_VALUE_CHARS_PER_BATCH) yield `Number of characters limit of ${MAX_VALUE_CHARS_PER_BATCH} exceeded.`;
}

function outsideZone(zone: ZoneState, r: ResourceRecordSet): string | undefined {
  const inside = r.Name === zone.name || r.Name!.endsWith(`.${zone.name}`);
  return inside ? undefined : `RRSet with DNS name ${r.Name} is not permitted in zone ${zone.name}`;
}

/** Problems Route 53 finds in record values (the ones steady can run into). */
function valueProblem(r: ResourceRecordSet): string | undefined {
  for (const { Value = '' } of r.ResourceRecords ?? []) {
    if ((r.Type === 'TXT' || r.Type === 'SPF') && !/^"(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*$/.test(Value)) {
      return `Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '${Value}''`;
    }
    if (r.Type === 'A' && !/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(Value)) {
      return `Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '${Value}''`;
    }
  }
  return undefined;
}

/** A record set in Route 53's stored form: names (and alias DNS names) canonical, nothing else touched. */
function normaliseRecord(r: ResourceRecordSet): ResourceRecordSet {
  const out = structuredClone(r);
  out.Name = route53Name(r.Name!);
  if (out.AliasTarget?.DNSName) out.AliasTarget.DNSName = route53Name(out.AliasTarget.DNSName);
  return out;
}

/** `name='...', type='...'` (plus the set identifier of a routing record), as Route 53 prints it. */
function describeRecord(r: ResourceRecordSet): string {
  return `name='${r.Name}', type='${r.Type}'${r.SetIdentifier !== undefined ? `, set-identifier='${r.SetIdentifier}'` : ''}`;
}

/** DELETE must match the current record set in every field; values may come in any order. */
function sameRecord(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  const comparable = (r: ResourceRecordSet) => ({
    ...r,
    ResourceRecords: r.ResourceRecords?.map((v) => v.Value).sort(),
    AliasTarget: r.AliasTarget && { ...r.AliasTarget, DNSName: normaliseDnsName(r.AliasTarget.DNSName ?? '') },
  });
  return stableJson(comparable(a)) === stableJson(comparable(b));
}

/** JSON with object keys sorted and undefined members left out, for comparing structures. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function pageMax(maxItems: number | string | undefined, cap: number): number {
  const n = maxItems === undefined ? cap : Number(maxItems);
  if (!Number.isInteger(n) || n < 1) throw invalidInput(`The value of MaxItems must be a positive integer, got ${maxItems}`);
  // Route 53 returns at most `cap` items whatever is asked for.
  return Math.min(n, cap);
}
