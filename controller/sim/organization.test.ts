import { CreateClusterCommand, DescribeClustersCommand } from '@aws-sdk/client-ecs';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSServiceException } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { SimOrganization } from './organization.js';

const TARGET = '210987654321';

async function assume(org: SimOrganization, input: { RoleArn: string; RoleSessionName?: string; ExternalId?: string; DurationSeconds?: number }) {
  return org.stsClient().send(new AssumeRoleCommand({ RoleSessionName: 'pass-1', ...input }));
}

async function rejection(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (err) {
    const e = err as STSServiceException;
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('SimOrganization', () => {
  it('hands out credentials for a role that trusts the controller, and calls made with them act in that account and region', async () => {
    const org = new SimOrganization();
    const roleArn = org.trustController(TARGET, 'steady-target', { externalId: 'shop-ext' });

    const out = await assume(org, { RoleArn: roleArn, ExternalId: 'shop-ext' });
    const clients = org.clients({
      region: 'eu-west-1',
      credentials: { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! },
    });
    await clients.ecs.send(new CreateClusterCommand({ clusterName: 'messaging' }));

    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${TARGET}:assumed-role/steady-target/pass-1`);
    expect(out.Credentials?.Expiration?.getTime()).toBe(org.clock.now() + 3600_000);
    const there = await clients.ecs.send(new DescribeClustersCommand({ clusters: ['messaging'] }));
    expect(there.clusters?.map((c) => c.clusterArn)).toEqual([`arn:aws:ecs:eu-west-1:${TARGET}:cluster/messaging`]);
    const home = await org.clients({ region: 'eu-west-1' }).ecs.send(new DescribeClustersCommand({ clusters: ['messaging'] }));
    expect(home.failures?.map((f) => f.reason)).toEqual(['MISSING']);
    expect(org.account(TARGET, 'eu-west-1').calls.map((c) => c.operation)).toEqual(['CreateCluster', 'DescribeClusters']);
    expect(org.account(TARGET, 'ap-northeast-1').calls).toEqual([]);
    const who = await org.attach(new (await import('@aws-sdk/client-sts')).STSClient({ region: 'eu-west-1', credentials: clients.ecs.config.credentials })).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: TARGET, Arn: `arn:aws:sts::${TARGET}:assumed-role/steady-target/pass-1` });
  });

  it('refuses a role that does not trust the caller, a wrong external id and a missing role alike, as AWS does: AccessDenied, 403', async () => {
    const org = new SimOrganization();
    const other = org.putRole(TARGET, 'someone-else', { principals: ['arn:aws:iam::999999999999:role/ci'] });
    const withId = org.trustController(TARGET, 'steady-target', { externalId: 'right-id' });

    const denied = (arn: string) => ({
      name: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:sts::123456789012:assumed-role/steady-controller/steady is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
    });
    expect(await rejection(assume(org, { RoleArn: other }))).toEqual(denied(other));
    expect(await rejection(assume(org, { RoleArn: withId, ExternalId: 'wrong-id' }))).toEqual(denied(withId));
    expect(await rejection(assume(org, { RoleArn: withId }))).toEqual(denied(withId));
    const missing = `arn:aws:iam::${TARGET}:role/nobody`;
    expect(await rejection(assume(org, { RoleArn: missing }))).toEqual(denied(missing));
    expect(org.stsCalls.map((c) => c.error)).toEqual(['AccessDenied', 'AccessDenied', 'AccessDenied', 'AccessDenied']);
  });

  it('trusts any principal of an account whose root the trust policy names', async () => {
    const org = new SimOrganization();
    const arn = org.putRole(TARGET, 'open-to-home', { principals: ['arn:aws:iam::123456789012:root'] });
    expect((await assume(org, { RoleArn: arn })).AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${TARGET}:assumed-role/open-to-home/pass-1`);
  });

  it('validates the session name and duration like STS (a pass id with "/" and ":" is not a session name)', async () => {
    const org = new SimOrganization();
    const arn = org.trustController(TARGET);

    const badName = await rejection(assume(org, { RoleArn: arn, RoleSessionName: 'shop-prod/2026-01-01T00:00:00.000Z/abc' }));
    const tooLong = await rejection(assume(org, { RoleArn: arn, DurationSeconds: 7200 }));

    expect(badName).toEqual({
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'shop-prod/2026-01-01T00:00:00.000Z/abc' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
    expect(tooLong).toMatchObject({ name: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' });
  });

  it('refuses calls made with an expired session (ExpiredTokenException) and with a key it never issued', async () => {
    const org = new SimOrganization();
    const out = await assume(org, { RoleArn: org.trustController(TARGET), DurationSeconds: 900 });
    const clients = org.clients({ credentials: { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: 'x', sessionToken: 'y' } });
    await clients.ecs.send(new DescribeClustersCommand({ clusters: ['x'] }));

    org.clock.advance(900_000);

    expect(await rejection(clients.ecs.send(new DescribeClustersCommand({ clusters: ['x'] })))).toMatchObject({ name: 'ExpiredTokenException', message: 'The security token included in the request is expired' });
    const stranger = org.clients({ credentials: { accessKeyId: 'AKIANOTISSUED', secretAccessKey: 'x' } });
    expect(await rejection(stranger.ecs.send(new DescribeClustersCommand({ clusters: ['x'] })))).toMatchObject({ name: 'UnrecognizedClientException', status: 400 });
    expect(await rejection(stranger.route53.send(new ListHostedZonesCommand({})))).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
  });

  it('keeps one Route 53 per account whatever region a client is made for, and separate ones per account', async () => {
    const org = new SimOrganization();
    await org.clients({ region: 'eu-west-1' }).route53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'a' }));

    const fromTokyo = await org.clients({ region: 'ap-northeast-1' }).route53.send(new ListHostedZonesCommand({}));
    const out = await assume(org, { RoleArn: org.trustController(TARGET) });
    const target = org.clients({ credentials: { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: 'x', sessionToken: 'y' } });
    const fromTarget = await target.route53.send(new ListHostedZonesCommand({}));

    expect(fromTokyo.HostedZones?.map((z) => z.Name)).toEqual(['example.com.']);
    expect(fromTarget.HostedZones).toEqual([]);
  });

  it('lets an alias in the account\'s zone target a load balancer in another of its Regions, as global Route 53 does', async () => {
    const org = new SimOrganization();
    org.account('123456789012', 'eu-west-1').seed({ elbv2: { targetGroups: [{ name: 'web', port: 80 }], loadBalancers: [{ name: 'web-eu', listeners: [{ port: 80, forward: 'web' }] }] } });
    const eu = org.clients({ region: 'eu-west-1' });
    const [lb] = (await eu.elbv2.send(new DescribeLoadBalancersCommand({ Names: ['web-eu'] }))).LoadBalancers!;
    const home = org.clients();
    const zone = (await home.route53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'a' }))).HostedZone!;

    const alias = (name: string) => ({ Action: 'CREATE' as const, ResourceRecordSet: { Name: name, Type: 'A' as const, AliasTarget: { DNSName: lb.DNSName!, HostedZoneId: lb.CanonicalHostedZoneId!, EvaluateTargetHealth: false } } });
    await home.route53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone.Id, ChangeBatch: { Changes: [alias('www.example.com')] } }));

    expect(lb.CanonicalHostedZoneId).toBe('Z32O12XQLNTSW2');
    const records = (await home.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.Id }))).ResourceRecordSets!;
    expect(records.filter((r) => r.Type === 'A').map((r) => [r.Name, r.AliasTarget?.DNSName])).toEqual([['www.example.com.', `${lb.DNSName!.toLowerCase()}.`]]);
    // A load balancer of another account is not one the alias can find in this one.
    const other = org.account(TARGET, 'eu-west-1').seed({ elbv2: { targetGroups: [{ name: 'web', port: 80 }], loadBalancers: [{ name: 'web-other', listeners: [{ port: 80, forward: 'web' }] }] } });
    const foreign = other.elbv2.findByName('web-other')!;
    const refused = await home.route53
      .send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zone.Id, ChangeBatch: { Changes: [{ ...alias('api.example.com'), ResourceRecordSet: { ...alias('api.example.com').ResourceRecordSet, AliasTarget: { DNSName: foreign.dnsName, HostedZoneId: 'Z32O12XQLNTSW2', EvaluateTargetHealth: false } } }] } }))
      .catch((e: Error) => e);
    expect((refused as Error).name).toBe('InvalidChangeBatch');
  });
});
