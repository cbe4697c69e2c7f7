import { Route53Client } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { AwsCallError, SteadyError } from '../errors.js';
import { sameAliasDnsName, type RecordSet } from '../model/aws.js';
import { SimAccount } from '../sim/account.js';
import type { SimFixture } from '../sim/fixture.js';
import { ClockRetryStrategy } from '../sim/retry.js';
import { CHANGE_PROPAGATION_MS } from '../sim/route53.js';
import { Elbv2Adapter } from './elbv2.js';
import { Route53Adapter } from './route53.js';

const ZONE = { id: 'Z0EXAMPLE0000000001', name: 'example.com' };
const OWNER = '"heritage=steady,steady/environment=shop-prod,steady/resource=AliasRecord/api-dns"';

const SHOP: SimFixture = {
  elbv2: { loadBalancers: [{ name: 'shop-alb' }] },
  route53: {
    zones: [
      {
        name: 'example.com',
        id: ZONE.id,
        records: [
          { name: 'api', type: 'A', alias: { loadBalancer: 'shop-alb', dualstack: true } },
          { name: '_steady-a.api', type: 'TXT', values: OWNER },
          { name: '*.Example.com', type: 'A', values: ['192.0.2.1', '192.0.2.2'], ttl: 60 },
        ],
      },
    ],
  },
};

function setup(fixture: SimFixture = SHOP) {
  const account = new SimAccount({ region: 'ap-northeast-1', start: 0 }).seed(fixture);
  const clients = account.clients();
  return { account, r53: new Route53Adapter(clients.route53), elb: new Elbv2Adapter(clients.elbv2) };
}

const calls = (account: SimAccount, operation: string) => account.calls.filter((c) => c.operation === operation);

describe('Route53Adapter.findZone', () => {
  const TWINS: SimFixture = {
    route53: {
      zones: [
        { name: 'example.com', id: 'ZPUBLIC000000000001' },
        { name: 'example.com', id: 'ZPRIVATE00000000001', vpc: 'vpc-0123' },
        { name: 'a.example.com', id: 'ZSUB000000000000001' },
        { name: 'example.net', id: 'ZNET000000000000001' },
      ],
    },
  };

  it('tells a public zone from a private one of the same name', async () => {
    const { r53 } = setup(TWINS);

    expect(await r53.findZone('example.com', { private: false })).toEqual({ id: 'ZPUBLIC000000000001', name: 'example.com', private: false, recordCount: 2 });
    expect((await r53.findZone('Example.COM.', { private: true }))?.id).toBe('ZPRIVATE00000000001');
    expect((await r53.findZone('example.com', { id: '/hostedzone/ZPRIVATE00000000001' }))?.private).toBe(true);
  });

  it('refuses to guess between zones that share a name', async () => {
    const { r53 } = setup(TWINS);

    const err = await r53.findZone('example.com').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(SteadyError);
    expect((err as Error).message).toBe(
      'hosted zone example.com is ambiguous: 2 zones have that name, ZPRIVATE00000000001 (private), ZPUBLIC000000000001 (public); pin one with zoneId',
    );
  });

  it('compares names itself, since the listing only starts at the name', async () => {
    const { account, r53 } = setup(TWINS);

    expect(await r53.findZone('b.example.com')).toBeUndefined();
    expect(await r53.findZone('example.com', { id: 'ZNET000000000000001' })).toBeUndefined();
    expect(calls(account, 'ListHostedZonesByName')).toHaveLength(2);
  });

  it('finds a zone among 150 with one call', async () => {
    const zones = Array.from({ length: 150 }, (_, i) => ({ name: `shop${String(i).padStart(3, '0')}.example` }));
    const { account, r53 } = setup({ route53: { zones } });

    const zone = await r53.findZone('shop120.example');

    expect(zone?.name).toBe('shop120.example');
    expect(calls(account, 'ListHostedZonesByName').map((c) => c.input.DNSName)).toEqual(['shop120.example.']);
  });

  it('follows the next page while zones keep the name', async () => {
    const zones = [...Array.from({ length: 105 }, () => ({ name: 'dup.example' })), { name: 'other.example' }];
    const { account, r53 } = setup({ route53: { zones } });

    const found = await r53.zonesNamed('dup.example');

    expect(found).toHaveLength(105);
    expect(calls(account, 'ListHostedZonesByName')).toHaveLength(2);
    expect(calls(account, 'ListHostedZonesByName')[1].input).toMatchObject({ DNSName: 'dup.example.', HostedZoneId: expect.stringMatching(/^Z/) });
  });
});

describe('Route53Adapter.prefetchZones', () => {
  it("lists the account's zones once instead of looking each name up, and remembers them", async () => {
    const { account, r53 } = setup({ route53: { zones: [{ name: 'a.example' }, { name: 'b.example' }, { name: 'c.example' }, { name: 'z.example' }] } });

    await r53.prefetchZones(['a.example', 'B.example.', 'c.example']);
    const found = await Promise.all(['a.example', 'b.example', 'c.example'].map((n) => r53.findZone(n)));

    expect(found.map((z) => z?.name)).toEqual(['a.example', 'b.example', 'c.example']);
    expect(calls(account, 'ListHostedZonesByName').map((c) => c.input.DNSName)).toEqual([undefined]);
  });

  it('never costs more pages than names, and leaves names the listing did not settle to a lookup by name', async () => {
    // 250 zones: two pages for two names end at shop199; shop240 is looked up by name afterwards.
    const zones = Array.from({ length: 250 }, (_, i) => ({ name: `shop${String(i).padStart(3, '0')}.example` }));
    const { account, r53 } = setup({ route53: { zones } });

    await r53.prefetchZones(['shop010.example', 'shop240.example']);
    expect(calls(account, 'ListHostedZonesByName')).toHaveLength(2);
    expect((await r53.findZone('shop010.example'))?.name).toBe('shop010.example');
    expect(calls(account, 'ListHostedZonesByName')).toHaveLength(2);
    expect((await r53.findZone('shop240.example'))?.name).toBe('shop240.example');
    expect(calls(account, 'ListHostedZonesByName').map((c) => c.input.DNSName)).toEqual([undefined, expect.any(String), 'shop240.example.']);
  });

  it('keeps both zones of a shared name, so the ambiguity is still refused', async () => {
    const { account, r53 } = setup({ route53: { zones: [{ name: 'example.com', id: 'ZPUBLIC000000000001' }, { name: 'example.com', id: 'ZPRIVATE00000000001', vpc: 'vpc-0123' }, { name: 'example.net' }] } });

    await r53.prefetchZones(['example.com', 'example.net']);

    await expect(r53.findZone('example.com')).rejects.toThrow('hosted zone example.com is ambiguous: 2 zones have that name');
    expect(calls(account, 'ListHostedZonesByName')).toHaveLength(1);
  });

  it('does nothing for a single unknown name', async () => {
    const { account, r53 } = setup();
    await r53.prefetchZones(['example.com', 'example.com.']);
    expect(calls(account, 'ListHostedZonesByName')).toHaveLength(0);
  });
});

describe('Route53Adapter.recordSets', () => {
  it('reads 700 record sets in 3 pages of at most 300', async () => {
    const records = Array.from({ length: 698 }, (_, i) => ({ name: `host${String(i).padStart(3, '0')}`, type: 'A', values: '192.0.2.1' }));
    const { account, r53 } = setup({ route53: { zones: [{ ...ZONE, records }] } });

    const all = await r53.recordSets(ZONE);

    expect(all).toHaveLength(700);
    expect(calls(account, 'ListResourceRecordSets').map((c) => [c.input.StartRecordName, c.input.StartRecordType, c.input.MaxItems])).toEqual([
      [undefined, undefined, 300],
      ['host298.example.com.', 'A', 300],
      ['host598.example.com.', 'A', 300],
    ]);
  });

  it('normalises names, escapes and alias targets, and keeps TXT values quoted', async () => {
    const { account, r53 } = setup();
    const lb = account.elbv2.findByName('shop-alb')!;

    const records = await r53.recordSets(ZONE);

    expect(records.filter((r) => r.type !== 'NS' && r.type !== 'SOA')).toEqual([
      { name: '*.example.com', type: 'A', ttl: 60, values: ['192.0.2.1', '192.0.2.2'] },
      { name: 'api.example.com', type: 'A', alias: { dnsName: `dualstack.${lb.dnsName.toLowerCase()}`, hostedZoneId: 'Z14GRHDCWA56QT', evaluateTargetHealth: false } },
      { name: '_steady-a.api.example.com', type: 'TXT', ttl: 300, values: [OWNER] },
    ]);
  });

  it('surfaces NoSuchHostedZone with the zone it was listing', async () => {
    const { r53 } = setup();

    const err = await r53.recordSets({ id: 'ZNOPE', name: 'example.org' }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AwsCallError);
    expect(err).toMatchObject({ awsName: 'NoSuchHostedZone', httpStatus: 404, transient: false });
    expect((err as Error).message).toBe('listing record sets of zone example.org (ZNOPE): NoSuchHostedZone: No hosted zone found with ID: ZNOPE');
  });

  it('retries throttling with the SDK retry strategy', async () => {
    const { account, r53 } = setup();
    account.faults.fail({ service: 'route53', error: 'throttle', times: 2 });

    const records = await r53.recordSets(ZONE);

    expect(records).toHaveLength(5);
    expect(account.calls.map((c) => c.error)).toEqual(['Throttling', 'Throttling', undefined]);
  });

  it('is throttled above Route 53 request rate and gets through by backing off, in simulated time', async () => {
    const { account } = setup();
    // A bare client: the SDK's standard back-off (on the simulated clock), none of steady's pacing.
    const client = account.attach(
      new Route53Client({ region: 'us-east-1', credentials: { accessKeyId: 'ASIASIM', secretAccessKey: 's' }, retryStrategy: new ClockRetryStrategy(account.clock, 6) }),
    );
    const r53 = new Route53Adapter(client);
    account.faults.rateLimit({ service: 'route53', perSecond: 5 });

    for (let i = 0; i < 8; i++) await r53.recordSets(ZONE);

    const served = account.calls.filter((c) => !c.error);
    const throttled = account.calls.filter((c) => c.error === 'Throttling');
    expect(served).toHaveLength(8);
    expect(throttled.length).toBeGreaterThan(0);
    // 5 at once (the bucket), then 1 every 200 ms: the last 3 cannot come before 600 ms.
    expect(served.at(-1)!.at).toBeGreaterThanOrEqual(600);
  });

  it("stays within AWS's rate limits with steady's own pacing: many reads at once, none throttled", async () => {
    const account = new SimAccount({ region: 'ap-northeast-1', start: 0, rateLimits: true }).seed(SHOP);
    const r53 = new Route53Adapter(account.clients().route53);

    await Promise.all(Array.from({ length: 60 }, () => r53.recordSets(ZONE)));

    expect(account.calls.filter((c) => c.error)).toEqual([]);
    expect(account.calls).toHaveLength(60);
    // steady takes half of Route 53's bucket (25 at once, 5 a second): 35 more take 7 s.
    expect(account.clock.now()).toBe(7000);
  });
});

describe('Route53Adapter.changeRecordSets and getChange', () => {
  it('sends fully qualified names and returns a PENDING change that turns INSYNC', async () => {
    const { account, r53, elb } = setup();
    const [lb] = (await elb.loadBalancersByName(['shop-alb'])).found;
    const record: RecordSet = { name: 'shop.example.com', type: 'A', alias: { dnsName: lb.dnsName, hostedZoneId: lb.canonicalHostedZoneId, evaluateTargetHealth: true } };
    const owner: RecordSet = { name: '_steady-a.shop.example.com', type: 'TXT', ttl: 300, values: [OWNER] };

    const change = await r53.changeRecordSets(
      ZONE,
      [
        { action: 'CREATE', record },
        { action: 'CREATE', record: owner },
      ],
      'steady: AliasRecord/shop-dns',
    );

    expect(change).toEqual({ id: expect.stringMatching(/^C[A-Z0-9]+$/), status: 'PENDING', submittedAt: 0 });
    expect(calls(account, 'ChangeResourceRecordSets')[0].input.ChangeBatch.Changes.map((c: any) => c.ResourceRecordSet.Name)).toEqual([
      'shop.example.com.',
      '_steady-a.shop.example.com.',
    ]);
    expect((await r53.recordSets(ZONE)).find((r) => r.name === 'shop.example.com')).toEqual(record);
    expect((await r53.getChange(change.id)).status).toBe('PENDING');
    account.clock.advance(CHANGE_PROPAGATION_MS);
    expect(await r53.getChange(`/change/${change.id}`)).toEqual({ ...change, status: 'INSYNC' });
  });

  it('surfaces InvalidChangeBatch with Route 53 exact message, as a terminal error', async () => {
    const { r53 } = setup();

    const err = await r53
      .changeRecordSets(ZONE, [{ action: 'CREATE', record: { name: '_steady-a.api.example.com', type: 'TXT', ttl: 300, values: [OWNER] } }])
      .catch((e: unknown) => e);

    expect(err).toMatchObject({ awsName: 'InvalidChangeBatch', operation: 'ChangeResourceRecordSets', transient: false, httpStatus: 400 });
    expect((err as Error).message).toBe(
      "changing 1 record set in zone example.com (Z0EXAMPLE0000000001): InvalidChangeBatch: [Tried to create resource record set [name='_steady-a.api.example.com.', type='TXT'] but it already exists]",
    );
  });

  it('is retried by the SDK while Route 53 answers PriorRequestNotComplete', async () => {
    const { account, r53 } = setup();
    account.route53.priorRequestNotComplete(ZONE.id, 2);

    const change = await r53.changeRecordSets(ZONE, [{ action: 'UPSERT', record: { name: 'x.example.com', type: 'A', ttl: 60, values: ['192.0.2.7'] } }]);

    expect(change.status).toBe('PENDING');
    expect(calls(account, 'ChangeResourceRecordSets').map((c) => c.error)).toEqual(['PriorRequestNotComplete', 'PriorRequestNotComplete', undefined]);
  });

  it('surfaces NoSuchChange for an unknown change', async () => {
    const { r53 } = setup();

    await expect(r53.getChange('CNOPE')).rejects.toMatchObject({
      awsName: 'NoSuchChange',
      message: 'reading the status of Route 53 change CNOPE: NoSuchChange: A change with the specified change ID does not exist.',
    });
  });
});

describe('the ALB recreation incident, through the adapters', () => {
  it('leaves the alias stale; re-pointing it to the old name fails and to the new one works', async () => {
    const { account, r53, elb } = setup();
    const [before] = (await elb.loadBalancersByName(['shop-alb'])).found;
    const aliasOf = async () => (await r53.recordSets(ZONE)).find((r) => r.name === 'api.example.com')!.alias!;
    expect(sameAliasDnsName((await aliasOf()).dnsName, before.dnsName)).toBe(true);

    account.elbv2.recreateLoadBalancer('shop-alb');
    const [after] = (await elb.loadBalancersByName(['shop-alb'])).found;

    expect(sameAliasDnsName((await aliasOf()).dnsName, after.dnsName)).toBe(false);
    const upsert = (dnsName: string) =>
      r53.changeRecordSets(ZONE, [{ action: 'UPSERT', record: { name: 'api.example.com', type: 'A', alias: { dnsName, hostedZoneId: after.canonicalHostedZoneId, evaluateTargetHealth: false } } }]);
    await expect(upsert(before.dnsName)).rejects.toMatchObject({
      awsName: 'InvalidChangeBatch',
      message: expect.stringContaining(`[Tried to create an alias that targets ${before.dnsName}., type A in zone Z14GRHDCWA56QT, but that target was not found]`),
    });
    await upsert(after.dnsName);
    expect(sameAliasDnsName((await aliasOf()).dnsName, after.dnsName)).toBe(true);
  });
});
