import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ChangeInfo as SdkChangeInfo,
  type HostedZone as SdkHostedZone,
  type ResourceRecordSet,
  type RRType,
} from '@aws-sdk/client-route-53';
import { AwsCallError, SteadyError, awsCall } from '../errors.js';
import { normaliseDnsName, type ChangeInfo, type HostedZone, type RecordChange, type RecordSet } from '../model/aws.js';
import { collectPages } from './batching.js';

/** ListResourceRecordSets returns at most 300 record sets a page. */
export const RECORDS_PER_PAGE = 300;
/**
 * How long a zone found by name is trusted without looking it up again. Its id never changes; a
 * deleted zone is forgotten as soon as a read of it says so; a second zone created with the same
 * name (which makes the name ambiguous) is noticed within this time.
 */
export const ZONE_TTL_MS = 60 * 60_000;

/** ListHostedZonesByName returns at most 100 zones a page. */
export const ZONES_PER_PAGE = 100;

/** Route 53 refuses a ChangeResourceRecordSets request with more ResourceRecord elements than this. */
export const MAX_RECORDS_PER_CHANGE_BATCH = 1000;
/** ... or with more characters than this in all its record values. */
export const MAX_VALUE_CHARS_PER_CHANGE_BATCH = 32_000;

/**
 * What `changes` count against Route 53's per-request limits: ResourceRecord elements and the
 * characters of their values, an UPSERT counted twice (as Route 53 counts it). Alias records have
 * no values and count zero.
 */
export function changeBatchSize(changes: readonly RecordChange[]): { records: number; chars: number } {
  let records = 0;
  let chars = 0;
  for (const c of changes) {
    const weight = c.action === 'UPSERT' ? 2 : 1;
    const values = c.record.values ?? [];
    records += weight * values.length;
    chars += weight * values.reduce((n, v) => n + v.length, 0);
  }
  return { records, chars };
}

/** A hosted zone as the record operations need it: the id to call, the name to say in messages. */
export type ZoneRef = Pick<HostedZone, 'id' | 'name'>;

/**
 * steady's use of Route 53: finding a hosted zone by name, reading all its record sets, sending a
 * change batch and following the change. Names come back normalised (lower-case, no trailing dot,
 * `\052` -> `*`) and go out fully qualified with the trailing dot. Every failure is an
 * AwsCallError saying what was being done.
 *
 * @example
 * const r53 = new Route53Adapter(clients.route53);
 * const zone = await r53.findZone('example.com');
 * const records = zone && (await r53.recordSets(zone));
 */
export class Route53Adapter {
  /** Zones found by name, kept across passes (the adapter lives as long as a warm Lambda). */
  readonly #zones = new Map<string, { zones: HostedZone[]; at: number }>();
  readonly #now: () => number;
  readonly #zoneTtlMs: number;

  constructor(
    private readonly client: Route53Client = new Route53Client({ region: 'us-east-1', retryMode: 'adaptive' }),
    options: { now?: () => number; zoneTtlMs?: number } = {},
  ) {
    this.#now = options.now ?? (() => Date.now());
    this.#zoneTtlMs = options.zoneTtlMs ?? ZONE_TTL_MS;
  }

  /**
   * Every hosted zone named `name` (public and private unless `private` says which), in Route 53's
   * order. ListHostedZonesByName only says where the listing starts, so names are compared here
   * and the listing stops at the first zone with another name.
   */
  async zonesNamed(name: string, options: { private?: boolean } = {}): Promise<HostedZone[]> {
    const wanted = normaliseDnsName(name);
    const known = this.#zones.get(wanted);
    if (known && this.#now() - known.at < this.#zoneTtlMs) return options.private === undefined ? known.zones : known.zones.filter((z) => z.private === options.private);
    const zones: HostedZone[] = [];
    let start: { dnsName: string; zoneId?: string } | undefined = { dnsName: `${wanted}.` };
    while (start) {
      const from: { dnsName: string; zoneId?: string } = start;
      const out = await awsCall('route53', 'ListHostedZonesByName', `looking up hosted zone ${wanted}`, () =>
        this.client.send(new ListHostedZonesByNameCommand({ DNSName: from.dnsName, HostedZoneId: from.zoneId, MaxItems: ZONES_PER_PAGE })),
      );
      const page = (out.HostedZones ?? []).map(toHostedZone);
      const matching = page.filter((z) => z.name === wanted);
      zones.push(...matching);
      // Zones are sorted by name: once a page holds another name, no later page has the wanted one.
      const more = out.IsTruncated && matching.length === page.length;
      start = more ? { dnsName: out.NextDNSName!, zoneId: out.NextHostedZoneId } : undefined;
    }
    // Only found zones are kept: a zone created later must be seen by the next pass.
    if (zones.length > 0) this.#zones.set(wanted, { zones, at: this.#now() });
    return options.private === undefined ? zones : zones.filter((z) => z.private === options.private);
  }

  /**
   * Looks up several zones at once: when more than one of `names` is not known yet, the account's
   * zones are listed from the start (100 a page) instead of one ListHostedZonesByName per name,
   * for at most as many pages as there are such names (so it never costs more calls than asking
   * by name). A name is settled by the listing when the listing went past it (zones come sorted by
   * name, so all zones of that name were seen) and remembered as `zonesNamed` remembers it; the
   * rest are left to `zonesNamed`.
   */
  async prefetchZones(names: readonly string[]): Promise<void> {
    const unknown = [...new Set(names.map(normaliseDnsName))].filter((n) => {
      const known = this.#zones.get(n);
      return !known || this.#now() - known.at >= this.#zoneTtlMs;
    });
    if (unknown.length < 2) return;
    const listed: HostedZone[] = [];
    let start: { dnsName: string; zoneId: string } | undefined;
    let done = false;
    for (let pages = 0; pages < unknown.length && !done; pages++) {
      const from = start;
      const out = await awsCall('route53', 'ListHostedZonesByName', `listing hosted zones to find ${unknown.join(', ')}`, () =>
        this.client.send(new ListHostedZonesByNameCommand({ DNSName: from?.dnsName, HostedZoneId: from?.zoneId, MaxItems: ZONES_PER_PAGE })),
      );
      listed.push(...(out.HostedZones ?? []).map(toHostedZone));
      done = !out.IsTruncated;
      start = done ? undefined : { dnsName: out.NextDNSName!, zoneId: out.NextHostedZoneId! };
    }
    const at = this.#now();
    for (const name of unknown) {
      const zones = listed.filter((z) => z.name === name);
      const settled = done || (zones.length > 0 && listed.at(-1)!.name !== name);
      if (settled && zones.length > 0) this.#zones.set(name, { zones, at });
    }
  }

  /**
   * The hosted zone named `name`: the one with `id` when pinned, else the only zone of that name
   * (of the given kind). Undefined when there is none; a terminal SteadyError when several zones
   * share the name and nothing says which (Route 53 allows that; steady must not guess).
   */
  async findZone(name: string, options: { private?: boolean; id?: string } = {}): Promise<HostedZone | undefined> {
    const zones = await this.zonesNamed(name, options);
    if (options.id !== undefined) {
      const id = options.id.replace(/^\/hostedzone\//, '');
      return zones.find((z) => z.id === id);
    }
    if (zones.length > 1) {
      const list = zones.map((z) => `${z.id} (${z.private ? 'private' : 'public'})`).join(', ');
      throw new SteadyError(`hosted zone ${normaliseDnsName(name)} is ambiguous: ${zones.length} zones have that name, ${list}; pin one with zoneId`);
    }
    return zones[0];
  }

  /** Every record set of a zone, 300 a ListResourceRecordSets page, to the end. */
  async recordSets(zone: ZoneRef): Promise<RecordSet[]> {
    const records = await this.#forgettingDeleted(zone, () => this.#listRecords(zone));
    return records.map(toRecordSet);
  }

  /** A zone that turned out deleted is looked up again next time. */
  async #forgettingDeleted<T>(zone: ZoneRef, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AwsCallError && err.awsName === 'NoSuchHostedZone') this.#zones.delete(normaliseDnsName(zone.name));
      throw err;
    }
  }

  #listRecords(zone: ZoneRef): Promise<ResourceRecordSet[]> {
    type Start = { name: string; type?: RRType; identifier?: string };
    return awsCall('route53', 'ListResourceRecordSets', `listing record sets of zone ${zoneLabel(zone)}`, () =>
      collectPages(async (start: Start | undefined) => {
        const out = await this.client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zone.id,
            StartRecordName: start?.name,
            StartRecordType: start?.type,
            StartRecordIdentifier: start?.identifier,
            MaxItems: RECORDS_PER_PAGE,
          }),
        );
        const next: Start | undefined = out.IsTruncated
          ? { name: out.NextRecordName!, type: out.NextRecordType, identifier: out.NextRecordIdentifier }
          : undefined;
        return { items: out.ResourceRecordSets ?? [], next };
      }),
    );
  }

  /**
   * Sends one change batch (all-or-nothing on Route 53's side) and returns its ChangeInfo, still
   * PENDING. The caller decides what goes into one batch (e.g. a record and its ownership TXT).
   */
  async changeRecordSets(zone: ZoneRef, changes: readonly RecordChange[], comment?: string): Promise<ChangeInfo> {
    const count = `${changes.length} record set${changes.length === 1 ? '' : 's'}`;
    const out = await awsCall('route53', 'ChangeResourceRecordSets', `changing ${count} in zone ${zoneLabel(zone)}`, () =>
      this.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zone.id,
          ChangeBatch: { ...(comment !== undefined ? { Comment: comment } : {}), Changes: changes.map((c) => ({ Action: c.action, ResourceRecordSet: toSdkRecord(c.record) })) },
        }),
      ),
    );
    return toChangeInfo(out.ChangeInfo!);
  }

  /** The status of a change (PENDING until Route 53 has applied it everywhere, then INSYNC). */
  async getChange(id: string): Promise<ChangeInfo> {
    const bare = id.replace(/^\/change\//, '');
    const out = await awsCall('route53', 'GetChange', `reading the status of Route 53 change ${bare}`, () => this.client.send(new GetChangeCommand({ Id: bare })));
    return toChangeInfo(out.ChangeInfo!);
  }
}

function zoneLabel(zone: ZoneRef): string {
  return `${zone.name} (${zone.id})`;
}

export function toHostedZone(z: SdkHostedZone): HostedZone {
  return {
    id: z.Id!.replace(/^\/hostedzone\//, ''),
    name: normaliseDnsName(z.Name!),
    private: z.Config?.PrivateZone ?? false,
    ...(z.ResourceRecordSetCount !== undefined ? { recordCount: z.ResourceRecordSetCount } : {}),
  };
}

function toRecordSet(r: ResourceRecordSet): RecordSet {
  return {
    name: normaliseDnsName(r.Name!),
    type: r.Type!,
    ...(r.SetIdentifier !== undefined ? { setIdentifier: r.SetIdentifier } : {}),
    ...(r.TTL !== undefined ? { ttl: r.TTL } : {}),
    ...(r.ResourceRecords ? { values: r.ResourceRecords.map((v) => v.Value!) } : {}),
    ...(r.AliasTarget
      ? {
          alias: {
            dnsName: normaliseDnsName(r.AliasTarget.DNSName!),
            hostedZoneId: r.AliasTarget.HostedZoneId!,
            evaluateTargetHealth: r.AliasTarget.EvaluateTargetHealth ?? false,
          },
        }
      : {}),
  };
}

/** A record set as Route 53 takes it: the name fully qualified, values and alias target as given. */
function toSdkRecord(r: RecordSet): ResourceRecordSet {
  return {
    Name: r.name.endsWith('.') ? r.name : `${r.name}.`,
    Type: r.type as RRType,
    ...(r.setIdentifier !== undefined ? { SetIdentifier: r.setIdentifier } : {}),
    ...(r.ttl !== undefined ? { TTL: r.ttl } : {}),
    ...(r.values ? { ResourceRecords: r.values.map((Value) => ({ Value })) } : {}),
    ...(r.alias ? { AliasTarget: { HostedZoneId: r.alias.hostedZoneId, DNSName: r.alias.dnsName, EvaluateTargetHealth: r.alias.evaluateTargetHealth } } : {}),
  };
}

function toChangeInfo(c: SdkChangeInfo): ChangeInfo {
  return { id: c.Id!.replace(/^\/change\//, ''), status: c.Status as ChangeInfo['status'], submittedAt: c.SubmittedAt!.getTime() };
}
