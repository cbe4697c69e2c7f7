import { DescribeClustersCommand, ECSClient, ListAttributesCommand } from '@aws-sdk/client-ecs';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListTrafficPolicyInstancesCommand } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { SimAccount } from './account.js';
import { ClockRetryStrategy } from './retry.js';

// The core of the simulated account, exercised through an operation no service module answers
// (ECS ListAttributes), so these tests stay about routing, the call log and fault injection.
function accountWithListAttributes() {
  const account = new SimAccount();
  let served = 0;
  (account.ecs.operations as Record<string, (input: any) => unknown>).ListAttributes = () => {
    served += 1;
    return { attributes: [{ name: 'ecs.os-type', value: 'linux' }] };
  };
  return { account, clients: account.clients(), served: () => served };
}

describe('SimAccount', () => {
  it('answers an SDK command without HTTP and logs the call with its input', async () => {
    const { account, clients } = accountWithListAttributes();

    const out = await clients.ecs.send(new ListAttributesCommand({ cluster: 'prod', targetType: 'container-instance' }));

    expect(out.attributes).toEqual([{ name: 'ecs.os-type', value: 'linux' }]);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(account.calls).toHaveLength(1);
    expect(account.calls[0]).toMatchObject({ service: 'ecs', operation: 'ListAttributes', input: { cluster: 'prod' } });
    expect(account.callCounts()).toEqual({ 'ecs:ListAttributes': 1 });
  });

  it('counts only the calls made since a given point', async () => {
    const { account, clients } = accountWithListAttributes();
    await clients.ecs.send(new ListAttributesCommand({ cluster: 'prod', targetType: 'container-instance' }));
    const since = account.calls.length;

    await clients.ecs.send(new ListAttributesCommand({ cluster: 'prod', targetType: 'container-instance' }));

    expect([account.callCounts(), account.callCounts(since), account.callCounts(account.calls.length)]).toEqual([{ 'ecs:ListAttributes': 2 }, { 'ecs:ListAttributes': 1 }, {}]);
  });

  it('throttles with the service wire code and the SDK retry strategy retries it', async () => {
    const { account, clients, served } = accountWithListAttributes();
    account.faults.fail({ service: 'ecs', operation: 'ListAttributes', error: 'throttle', times: 2 });

    const out = await clients.ecs.send(new ListAttributesCommand({ cluster: 'prod', targetType: 'container-instance' }));

    expect(out.$metadata.attempts).toBe(3);
    expect(served()).toBe(1);
    expect(account.calls.map((c) => c.error)).toEqual(['ThrottlingException', 'ThrottlingException', undefined]);
  });

  it('gives up after the retry budget and surfaces the throttling error', async () => {
    const { account, clients } = accountWithListAttributes();
    account.faults.fail({ service: 'ecs', error: 'throttle' });

    await expect(clients.ecs.send(new ListAttributesCommand({ cluster: 'prod', targetType: 'container-instance' }))).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
    expect(account.calls).toHaveLength(3);
  });

  it('spells faults the way each protocol does', async () => {
    const account = new SimAccount();
    const clients = account.clients();
    account.faults.fail({ service: 'route53', error: 'accessDenied' });

    await expect(clients.route53.send(new ListTrafficPolicyInstancesCommand({}))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('refuses an operation it does not simulate, by name', async () => {
    const account = new SimAccount();
    await expect(account.clients().route53.send(new ListTrafficPolicyInstancesCommand({}))).rejects.toThrow(
      'The simulated account does not implement route53:ListTrafficPolicyInstances.',
    );
  });

  it('advances simulated time without sleeping and fires timers in order', async () => {
    const account = new SimAccount({ start: 0 });
    const fired: string[] = [];
    account.clock.schedule(30_000, () => fired.push('insync'));
    account.clock.schedule(10_000, () => fired.push('running'));

    await Promise.all([account.clock.sleep(20_000), account.clock.sleep(20_000)]);

    expect(account.clock.now()).toBe(20_000);
    expect(fired).toEqual(['running']);
    account.clock.advance(10_000);
    expect(fired).toEqual(['running', 'insync']);
  });

  it('models concurrent waits as concurrent: a long back-off does not delay work that goes on meanwhile', async () => {
    const account = new SimAccount({ start: 0 });
    const ends: Record<string, number> = {};
    const chain = async () => {
      for (let i = 0; i < 3; i++) await account.clock.sleep(40);
      ends.chain = account.clock.now();
    };
    const backOff = async () => {
      await account.clock.sleep(2000);
      ends.backOff = account.clock.now();
    };

    await Promise.all([backOff(), chain()]);

    expect(ends).toEqual({ chain: 120, backOff: 2000 });
  });

  it('ends a sleep whose signal aborts at once, and its wake-up no longer moves the clock', async () => {
    const account = new SimAccount({ start: 0 });
    const stop = new AbortController();
    const long = account.clock.sleep(60_000, stop.signal);
    await account.clock.sleep(100);
    stop.abort();
    await long;
    expect(account.clock.now()).toBe(100);
    expect(account.clock.sleeping).toBe(0);

    await account.clock.sleep(50);
    expect(account.clock.now()).toBe(150);
    await account.clock.sleep(0, stop.signal);
    expect(account.clock.now()).toBe(150);
  });

  it('adds latency in simulated time, concurrent calls overlapping', async () => {
    const { account, clients } = accountWithListAttributes();
    account.faults.latency({ service: 'ecs', ms: 40 });

    await Promise.all([1, 2, 3].map(() => clients.ecs.send(new ListAttributesCommand({ cluster: 'prod', targetType: 'container-instance' }))));
    await clients.ecs.send(new ListAttributesCommand({ cluster: 'prod', targetType: 'container-instance' }));

    expect(account.calls.map((c) => c.at - account.calls[0].at)).toEqual([0, 0, 0, 40]);
  });

  it("enforces AWS's rate limits as token buckets on the simulated clock, with each protocol's throttling error", async () => {
    const account = new SimAccount({ start: 0, rateLimits: true }).seed({ elbv2: { loadBalancers: [{ name: 'shop-alb' }] }, ecs: { clusters: ['prod'] } });
    // Bare clients that never retry: the account's answers as they are.
    const credentials = { accessKeyId: 'ASIASIM', secretAccessKey: 's' };
    const elb = account.attach(new ElasticLoadBalancingV2Client({ region: account.region, credentials, retryStrategy: new ClockRetryStrategy(account.clock, 1) }));
    const describe = () => elb.send(new DescribeLoadBalancersCommand({ Names: ['shop-alb'] }));

    // ELBv2's Describe* bucket: 40 at once, then 10 a second.
    const first = await Promise.allSettled(Array.from({ length: 41 }, describe));
    expect(first.filter((r) => r.status === 'fulfilled')).toHaveLength(40);
    expect((first[40] as PromiseRejectedResult).reason).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    account.clock.advance(100);
    await expect(describe()).resolves.toBeDefined();
    await expect(describe()).rejects.toMatchObject({ name: 'Throttling' });

    // ECS is a JSON protocol: ThrottlingException. Its bucket is its own.
    const ecs = account.attach(new ECSClient({ region: account.region, credentials, retryStrategy: new ClockRetryStrategy(account.clock, 1) }));
    const clusters = await Promise.allSettled(Array.from({ length: 51 }, () => ecs.send(new DescribeClustersCommand({ clusters: ['prod'] }))));
    expect(clusters.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name)).toEqual(['ThrottlingException']);
  });

  it('makes the same ids from the same seed', () => {
    expect(new SimAccount({ seed: 7 }).hex(16)).toBe(new SimAccount({ seed: 7 }).hex(16));
    expect(new SimAccount({ seed: 7 }).hex(16)).not.toBe(new SimAccount({ seed: 8 }).hex(16));
  });
});
