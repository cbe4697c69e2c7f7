import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  InvalidChangeBatch,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { SimAccount } from './account.js';
import type { SimFixture } from './fixture.js';
import { CHANGE_PROPAGATION_MS } from './route53.js';

const ZONE = 'Z0EXAMPLE0000000001';
const TXT_OWNER = '"heritage=steady,steady/environment=shop-prod,steady/resource=AliasRecord/api-dns"';

const FIXTURE: SimFixture = {
  elbv2: { loadBalancers: [{ name: 'shop-alb' }] },
  cloudfront: { distributions: [{ id: 'E2QWRUHAPOMQZL', domainName: 'd111111abcdef8.cloudfront.net', aliases: ['www.example.com'] }] },
  route53: {
    zones: [
      {
        name: 'example.com',
        id: ZONE,
        records: [
          { name: 'api', type: 'A', alias: { loadBalancer: 'shop-alb' } },
          { name: '_steady-a.api', type: 'TXT', values: TXT_OWNER },
          { name: 'www.example.com', type: 'A', alias: { cloudFront: 'E2QWRUHAPOMQZL' } },
        ],
      },
    ],
  },
};

function sim(fixture: SimFixture = FIXTURE) {
  const account = new SimAccount({ region: 'ap-northeast-1', start: 0 }).seed(fixture);
  return { account, r53: account.clients().route53 };
}

const a = (name: string, value = '192.0.2.1'): ResourceRecordSet => ({ Name: name, Type: 'A', TTL: 300, ResourceRecords: [{ Value: value }] });
const batch = (...changes: Change[]) => ({ HostedZoneId: ZONE, ChangeBatch: { Changes: changes } });

async function listAll(r53: ReturnType<typeof sim>['r53'], zoneId = ZONE) {
  return (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets!;
}

describe('simulated Route 53: hosted zones', () => {
  it('creates a public zone with apex SOA and NS records and a pending change', async () => {
    const { r53 } = sim({});

    const out = await r53.send(new CreateHostedZoneCommand({ Name: 'Example.org', CallerReference: 'ref-1' }));

    expect(out.HostedZone).toMatchObject({ Name: 'example.org.', CallerReference: 'ref-1', Config: { PrivateZone: false }, ResourceRecordSetCount: 2 });
    expect(out.HostedZone!.Id).toMatch(/^\/hostedzone\/Z[A-Z0-9]{19}$/);
    expect(out.ChangeInfo).toMatchObject({ Status: 'PENDING' });
    expect(out.DelegationSet!.NameServers).toHaveLength(4);
    const records = await listAll(r53, out.HostedZone!.Id!);
    expect(records.map((r) => [r.Name, r.Type, r.TTL])).toEqual([
      ['example.org.', 'NS', 172800],
      ['example.org.', 'SOA', 900],
    ]);
    expect(records[0].ResourceRecords!.map((r) => r.Value)).toEqual(out.DelegationSet!.NameServers);
  });

  it('creates a private zone associated with its VPC', async () => {
    const { r53 } = sim({});
    const vpc = { VPCId: 'vpc-0123', VPCRegion: 'ap-northeast-1' as const };

    const created = await r53.send(new CreateHostedZoneCommand({ Name: 'internal.example.com', CallerReference: 'ref-2', VPC: vpc }));
    const got = await r53.send(new GetHostedZoneCommand({ Id: created.HostedZone!.Id }));

    expect(got.HostedZone!.Config).toEqual({ PrivateZone: true });
    expect(got.VPCs).toEqual([vpc]);
    expect(got.DelegationSet).toBeUndefined();
  });

  it('refuses a reused caller reference', async () => {
    const { r53 } = sim({});
    await r53.send(new CreateHostedZoneCommand({ Name: 'a.com', CallerReference: 'same' }));

    await expect(r53.send(new CreateHostedZoneCommand({ Name: 'b.com', CallerReference: 'same' }))).rejects.toMatchObject({
      name: 'HostedZoneAlreadyExists',
      message: 'A hosted zone has already been created with the specified caller reference.',
    });
  });

  it('answers an unknown zone with NoSuchHostedZone and HTTP 404', async () => {
    const { r53 } = sim();

    await expect(r53.send(new GetHostedZoneCommand({ Id: '/hostedzone/ZNOPE' }))).rejects.toMatchObject({
      name: 'NoSuchHostedZone',
      message: 'No hosted zone found with ID: ZNOPE',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('lists zones by name from a start position in reversed-label order, not as a filter', async () => {
    const { r53 } = sim({ route53: { zones: ['b.org', 'example.net', 'a.example.com', 'example.com'].map((name) => ({ name })) } });

    const all = await r53.send(new ListHostedZonesByNameCommand({}));
    const fromNet = await r53.send(new ListHostedZonesByNameCommand({ DNSName: 'example.net' }));

    expect(all.HostedZones!.map((z) => z.Name)).toEqual(['example.com.', 'a.example.com.', 'example.net.', 'b.org.']);
    expect(fromNet.HostedZones!.map((z) => z.Name)).toEqual(['example.net.', 'b.org.']);
    expect(fromNet.DNSName).toBe('example.net');
  });

  it('pages zones by name with NextDNSName and NextHostedZoneId, at most 100 a page', async () => {
    const zones = Array.from({ length: 130 }, (_, i) => ({ name: `zone${String(i).padStart(3, '0')}.com` }));
    const { r53 } = sim({ route53: { zones } });

    const first = await r53.send(new ListHostedZonesByNameCommand({ MaxItems: 500 }));
    const second = await r53.send(new ListHostedZonesByNameCommand({ DNSName: first.NextDNSName, HostedZoneId: first.NextHostedZoneId }));

    expect(first.HostedZones).toHaveLength(100);
    expect(first).toMatchObject({ IsTruncated: true, NextDNSName: 'zone100.com.', MaxItems: 100 });
    expect(second.HostedZones).toHaveLength(30);
    expect(second.IsTruncated).toBe(false);
    expect(second.NextDNSName).toBeUndefined();
  });

  it('pages ListHostedZones with Marker and NextMarker', async () => {
    const { r53 } = sim({ route53: { zones: [{ name: 'a.com' }, { name: 'b.com' }, { name: 'c.com' }] } });

    const first = await r53.send(new ListHostedZonesCommand({ MaxItems: 2 }));
    const second = await r53.send(new ListHostedZonesCommand({ MaxItems: 2, Marker: first.NextMarker }));

    expect([...first.HostedZones!, ...second.HostedZones!].map((z) => z.Name)).toEqual(['a.com.', 'b.com.', 'c.com.']);
    expect(second.IsTruncated).toBe(false);
  });
});

describe('simulated Route 53: record sets', () => {
  it('resolves fixture aliases to the load balancer and distribution they name', async () => {
    const { account, r53 } = sim();
    const lb = account.elbv2.findByName('shop-alb')!;

    const records = await listAll(r53);

    expect(records.find((r) => r.Name === 'api.example.com.')!.AliasTarget).toEqual({
      HostedZoneId: 'Z14GRHDCWA56QT',
      DNSName: `${lb.dnsName.toLowerCase()}.`,
      EvaluateTargetHealth: false,
    });
    expect(records.find((r) => r.Name === 'www.example.com.')!.AliasTarget).toMatchObject({
      HostedZoneId: 'Z2FDTNDATAQYW2',
      DNSName: 'd111111abcdef8.cloudfront.net.',
    });
    expect(records.find((r) => r.Type === 'TXT')!.ResourceRecords).toEqual([{ Value: TXT_OWNER }]);
  });

  it('lists names by reversed labels, with characters before the dot first and escapes for *', async () => {
    const { r53 } = sim({
      route53: {
        zones: [
          { name: 'example.com', id: ZONE, records: ['api', 'api-x', '_steady-a.api', '*', 'b'].map((name) => ({ name, type: 'A', values: '192.0.2.1' })) },
        ],
      },
    });

    const names = (await listAll(r53)).map((r) => `${r.Name} ${r.Type}`);

    expect(names).toEqual([
      'example.com. NS',
      'example.com. SOA',
      '\\052.example.com. A',
      'api-x.example.com. A',
      'api.example.com. A',
      '_steady-a.api.example.com. A',
      'b.example.com. A',
    ]);
  });

  it('pages 700 record sets in pages of 300 from StartRecordName/Type', async () => {
    const records = Array.from({ length: 698 }, (_, i) => ({ name: `host${String(i).padStart(3, '0')}`, type: 'A', values: '192.0.2.1' }));
    const { r53 } = sim({ route53: { zones: [{ name: 'example.com', id: ZONE, records }] } });

    const first = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE }));
    const second = await r53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: ZONE, StartRecordName: first.NextRecordName, StartRecordType: first.NextRecordType }),
    );

    expect(first.ResourceRecordSets).toHaveLength(300);
    expect(first).toMatchObject({ IsTruncated: true, NextRecordName: 'host298.example.com.', NextRecordType: 'A', MaxItems: 300 });
    expect(second.ResourceRecordSets![0].Name).toBe('host298.example.com.');
    expect(second.NextRecordName).toBe('host598.example.com.');
  });

  it('returns at most 300 record sets whatever MaxItems asks for', async () => {
    const records = Array.from({ length: 400 }, (_, i) => ({ name: `h${i}`, type: 'A', values: '192.0.2.1' }));
    const { r53 } = sim({ route53: { zones: [{ name: 'example.com', id: ZONE, records }] } });

    const out = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE, MaxItems: 1000 }));

    expect(out.ResourceRecordSets).toHaveLength(300);
    expect(out.MaxItems).toBe(300);
  });

  it('refuses StartRecordType without StartRecordName with InvalidInput', async () => {
    const { r53 } = sim();

    await expect(r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: ZONE, StartRecordType: 'A' }))).rejects.toMatchObject({
      name: 'InvalidInput',
      message: 'The input is not valid: StartRecordType requires StartRecordName',
    });
  });

  it('applies a batch in order and shows the new records while the change is PENDING', async () => {
    const { r53 } = sim();

    const out = await r53.send(
      new ChangeResourceRecordSetsCommand(
        batch({ Action: 'CREATE', ResourceRecordSet: a('new.example.com') }, { Action: 'DELETE', ResourceRecordSet: a('new.example.com') }, {
          Action: 'CREATE',
          ResourceRecordSet: a('new.example.com', '192.0.2.9'),
        }),
      ),
    );

    expect(out.ChangeInfo).toMatchObject({ Status: 'PENDING' });
    expect((await listAll(r53)).find((r) => r.Name === 'new.example.com.')!.ResourceRecords).toEqual([{ Value: '192.0.2.9' }]);
  });

  it('goes PENDING -> INSYNC after the propagation delay', async () => {
    const { account, r53 } = sim();
    const { ChangeInfo } = await r53.send(new ChangeResourceRecordSetsCommand(batch({ Action: 'UPSERT', ResourceRecordSet: a('x.example.com') })));

    const pending = await r53.send(new GetChangeCommand({ Id: ChangeInfo!.Id }));
    account.clock.advance(CHANGE_PROPAGATION_MS);
    const insync = await r53.send(new GetChangeCommand({ Id: ChangeInfo!.Id }));

    expect(pending.ChangeInfo!.Status).toBe('PENDING');
    expect(insync.ChangeInfo!.Status).toBe('INSYNC');
    await expect(r53.send(new GetChangeCommand({ Id: '/change/CNOPE' }))).rejects.toMatchObject({
      name: 'NoSuchChange',
      message: 'A change with the specified change ID does not exist.',
    });
  });

  it('rejects the whole batch with every problem in one InvalidChangeBatch', async () => {
    const { account, r53 } = sim();
    const before = account.route53.recordSets(ZONE);

    const err = await r53
      .send(
        new ChangeResourceRecordSetsCommand(
          batch(
            { Action: 'CREATE', ResourceRecordSet: a('fine.example.com') },
            { Action: 'CREATE', ResourceRecordSet: { Name: '_steady-a.api.example.com', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: TXT_OWNER }] } },
            { Action: 'DELETE', ResourceRecordSet: a('missing.example.com') },
            { Action: 'DELETE', ResourceRecordSet: { Name: '_steady-a.api.example.com', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: TXT_OWNER }] } },
          ),
        ),
      )
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(InvalidChangeBatch);
    expect((err as Error).message).toBe(
      "[Tried to create resource record set [name='_steady-a.api.example.com.', type='TXT'] but it already exists, " +
        "Tried to delete resource record set [name='missing.example.com.', type='A'] but it was not found, " +
        "Tried to delete resource record set [name='_steady-a.api.example.com.', type='TXT'] but the values provided do not match the current values]",
    );
    expect(account.route53.recordSets('example.com')).toEqual(before);
  });

  it('refuses to delete the same record set twice in one batch', async () => {
    const { r53 } = sim();
    const txt = { Name: '_steady-a.api.example.com', Type: 'TXT' as const, TTL: 300, ResourceRecords: [{ Value: TXT_OWNER }] };

    await expect(
      r53.send(new ChangeResourceRecordSetsCommand(batch({ Action: 'DELETE', ResourceRecordSet: txt }, { Action: 'DELETE', ResourceRecordSet: txt }))),
    ).rejects.toMatchObject({ message: "[Tried to delete resource record set [name='_steady-a.api.example.com.', type='TXT'] but it was not found]" });
  });

  it('accepts an alias to a live load balancer, with or without dualstack., and refuses a vanished one', async () => {
    const { account, r53 } = sim();
    const lb = account.elbv2.findByName('shop-alb')!;
    const alias = (dns: string, zoneId = lb.hostedZoneId): ResourceRecordSet => ({
      Name: 'api.example.com',
      Type: 'A',
      AliasTarget: { HostedZoneId: zoneId, DNSName: dns, EvaluateTargetHealth: true },
    });
    await r53.send(new ChangeResourceRecordSetsCommand(batch({ Action: 'UPSERT', ResourceRecordSet: alias(`dualstack.${lb.dnsName}`) })));

    account.elbv2.recreateLoadBalancer('shop-alb');

    await expect(r53.send(new ChangeResourceRecordSetsCommand(batch({ Action: 'UPSERT', ResourceRecordSet: alias(lb.dnsName) })))).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      message: `[Tried to create an alias that targets ${lb.dnsName.toLowerCase()}., type A in zone Z14GRHDCWA56QT, but that target was not found]`,
    });
    const fresh = account.elbv2.findByName('shop-alb')!;
    await r53.send(new ChangeResourceRecordSetsCommand(batch({ Action: 'UPSERT', ResourceRecordSet: alias(fresh.dnsName) })));
    expect((await listAll(r53)).find((r) => r.Name === 'api.example.com.')!.AliasTarget!.DNSName).toBe(`${fresh.dnsName.toLowerCase()}.`);
  });

  it('refuses an alias whose HostedZoneId is not the target canonical zone', async () => {
    const { account, r53 } = sim();
    const lb = account.elbv2.findByName('shop-alb')!;

    await expect(
      r53.send(
        new ChangeResourceRecordSetsCommand(
          batch({ Action: 'UPSERT', ResourceRecordSet: { Name: 'api.example.com', Type: 'A', AliasTarget: { HostedZoneId: ZONE, DNSName: lb.dnsName, EvaluateTargetHealth: false } } }),
        ),
      ),
    ).rejects.toMatchObject({
      message: `[Tried to create an alias that targets ${lb.dnsName.toLowerCase()}., type A in zone ${ZONE}, but the alias target name does not lie within the target zone]`,
    });
  });

  it('checks CloudFront alias targets against the distributions', async () => {
    const { r53 } = sim();
    const cf = (dns: string): Change => ({
      Action: 'UPSERT',
      ResourceRecordSet: { Name: 'cdn.example.com', Type: 'A', AliasTarget: { HostedZoneId: 'Z2FDTNDATAQYW2', DNSName: dns, EvaluateTargetHealth: false } },
    });

    await r53.send(new ChangeResourceRecordSetsCommand(batch(cf('D111111ABCDEF8.cloudfront.net.'))));
    await expect(r53.send(new ChangeResourceRecordSetsCommand(batch(cf('dzzzz.cloudfront.net'))))).rejects.toMatchObject({
      message: '[Tried to create an alias that targets dzzzz.cloudfront.net., type A in zone Z2FDTNDATAQYW2, but that target was not found]',
    });
  });

  it('refuses unquoted TXT values, names outside the zone and CNAME conflicts', async () => {
    const { r53 } = sim();

    await expect(
      r53.send(
        new ChangeResourceRecordSetsCommand(
          batch(
            { Action: 'CREATE', ResourceRecordSet: { Name: 't.example.com', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: 'heritage=steady' }] } },
            { Action: 'CREATE', ResourceRecordSet: a('api.example.net') },
            { Action: 'CREATE', ResourceRecordSet: { Name: 'api.example.com', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'x.example.com' }] } },
          ),
        ),
      ),
    ).rejects.toMatchObject({
      message:
        "[Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'heritage=steady'', " +
        'RRSet with DNS name api.example.net. is not permitted in zone example.com., ' +
        'RRSet of type CNAME with DNS name api.example.com. is not permitted because a conflicting RRSet of type A with the same DNS name already exists in zone example.com.]',
    });
  });

  it('answers a malformed change with InvalidInput', async () => {
    const { r53 } = sim();

    await expect(
      r53.send(
        new ChangeResourceRecordSetsCommand(
          batch({ Action: 'UPSERT', ResourceRecordSet: { Name: 'x.example.com', Type: 'A', AliasTarget: { HostedZoneId: 'Z2FDTNDATAQYW2', DNSName: 'd1.cloudfront.net' } as never } }),
        ),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidInput',
      message: `Invalid XML ; cvc-complex-type.2.4.b: The content of element 'AliasTarget' is not complete. One of '{"https://route53.amazonaws.com/doc/2013-04-01/":EvaluateTargetHealth}' is expected.`,
    });
    await expect(r53.send(new ChangeResourceRecordSetsCommand(batch({ Action: 'CREATE', ResourceRecordSet: { Name: 'x.example.com', Type: 'A' } })))).rejects.toMatchObject({
      name: 'InvalidInput',
      message:
        'Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=x.example.com, Type=A, SetIdentifier=null]',
    });
  });

  it('answers PriorRequestNotComplete while a scenario says the zone is busy', async () => {
    const { account } = sim();
    const r53 = account.clients().route53;
    account.route53.priorRequestNotComplete('example.com', 5);

    await expect(r53.send(new ChangeResourceRecordSetsCommand(batch({ Action: 'UPSERT', ResourceRecordSet: a('x.example.com') })))).rejects.toMatchObject({
      name: 'PriorRequestNotComplete',
      message: 'The request was rejected because Route 53 was still processing a prior request.',
    });
    expect(account.calls.map((c) => c.error)).toEqual(['PriorRequestNotComplete', 'PriorRequestNotComplete', 'PriorRequestNotComplete']);
  });

  it('refuses a fixture record that Route 53 would refuse', () => {
    expect(() => sim({ route53: { zones: [{ name: 'example.com', records: [{ name: 'owner', type: 'TXT', values: 'heritage=steady' }] }] } })).toThrow(
      "route53 fixture: zone example.com: Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'heritage=steady''",
    );
  });

  it('hides just-created record sets from listings under injected stale reads', async () => {
    const { account, r53 } = sim();
    account.faults.staleReads({ service: 'route53', forMs: 5_000 });
    await r53.send(new ChangeResourceRecordSetsCommand(batch({ Action: 'CREATE', ResourceRecordSet: a('late.example.com') })));

    const early = (await listAll(r53)).map((r) => r.Name);
    account.clock.advance(5_000);
    const later = (await listAll(r53)).map((r) => r.Name);

    expect(early).not.toContain('late.example.com.');
    expect(later).toContain('late.example.com.');
  });
});
