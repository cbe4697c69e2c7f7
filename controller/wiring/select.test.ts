import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { PassInterruptedError } from '../errors.js';
import { interrupt, stopFor } from '../interrupt.js';
import type { PassResult } from '../model/pass.js';
import { createAdapters, runPass } from '../pass.js';
import { buildEnvironment } from '../testing/fleet.js';
import { checkWiring } from './check.js';
import type { Facts } from './links.js';
import { wiringMemoryOf } from './memory.js';
import { forwardSignatures } from './select.js';

const MINUTE = 60_000;
/** 60 services, passes a minute apart, every service read within 10 minutes: 6 a pass. */
const SLICE = 6;

/** 60 services behind 6 ALBs, created by a first pass and settled; the AWS rate limits on. */
async function fleet(size = 60, rotationMinutes?: number) {
  const env = buildEnvironment(size, { rateLimits: true, ...(rotationMinutes ? { rotationMinutes } : {}) });
  const { account, desired } = env;
  const clients = account.clients();
  const adapters = createAdapters(clients);
  await runPass({ desired, adapters, clock: account.clock });
  account.clock.advance(15 * MINUTE);
  // A pass with the wiring checks, as reconcile runs it: adapters (and so their memory) kept across passes.
  const pass = async (): Promise<{ result: PassResult; calls: Record<string, number> }> => {
    const from = account.calls.length;
    const { result } = await runPass({ desired, adapters, clock: account.clock, wiring: { probes: false } });
    return { result, calls: account.callCounts(from) };
  };
  const targetGroupsRead = (from: number) => account.calls.slice(from).filter((c) => c.operation === 'DescribeTargetHealth').map((c) => c.input.TargetGroupArn as string);
  return { ...env, clients, adapters, pass, targetGroupsRead };
}

const wiring = (r: PassResult) => r.resources.filter((s) => s.kind === 'Wiring');
const targetsOf = (r: PassResult, service: string) => wiring(r).find((s) => s.name === service)!.wiring!.links.find((l) => l.name === 'targets')!;

describe('the wiring checks of a reconcile pass', () => {
  it('read target health for a rotation slice, not every target group, and visit every service within the period', async () => {
    const { account, pass, targetGroupsRead } = await fleet();
    const read = new Set<string>();
    let listenerReads = 0;

    for (let i = 0; i < 10; i++) {
      const from = account.calls.length;
      const { result, calls } = await pass();
      targetGroupsRead(from).forEach((arn) => read.add(arn));
      expect(calls['elbv2:DescribeTargetHealth']).toBe(SLICE);
      // Listeners and rules only of the load balancers in front of the slice (ordered by load
      // balancer), and not again for the next slice when it shares one.
      expect(calls['elbv2:DescribeListeners'] ?? 0).toBeLessThanOrEqual(1);
      expect(calls['elbv2:DescribeRules'] ?? 0).toBe(calls['elbv2:DescribeListeners'] ?? 0);
      listenerReads += calls['elbv2:DescribeListeners'] ?? 0;
      expect(wiring(result).map((s) => s.phase)).toEqual(Array(60).fill('Synced'));
      expect(account.calls.slice(from).filter((c) => /Throttl/.test(c.error ?? ''))).toEqual([]);
      account.clock.advance(MINUTE);
    }

    expect(read.size).toBe(60);
    // Each of the 6 load balancers' listeners once in the period (the cold start's slice may have read one a pass early).
    expect(listenerReads).toBeGreaterThanOrEqual(6);
    expect(listenerReads).toBeLessThanOrEqual(7);
  });

  it("start a warm pass's rotation reads beside observe, and a cold pass's as soon as observe has read the target groups", async () => {
    const { account, pass } = await fleet();
    account.faults.latency({ ms: 40 });
    const order = (from: number) => account.calls.slice(from).map((c) => c.operation);

    const coldFrom = account.calls.length;
    const { calls: coldCalls } = await pass();
    const cold = order(coldFrom);
    account.clock.advance(MINUTE);
    const warmFrom = account.calls.length;
    const { calls } = await pass();

    // Cold: no order to take the slice from until observe has read the target groups; then the
    // slice is read beside the rest of observe, before the checks read listeners after observe.
    expect(cold.indexOf('DescribeTargetHealth')).toBeGreaterThan(cold.indexOf('DescribeTargetGroups'));
    expect(cold.indexOf('DescribeTargetHealth')).toBeLessThan(cold.indexOf('DescribeListeners'));
    expect(coldCalls['elbv2:DescribeTargetHealth']).toBe(SLICE);
    // Warm: the slice is read while observe reads, with the same number of calls.
    const warm = order(warmFrom);
    expect(warm.indexOf('DescribeTargetHealth')).toBeLessThan(warm.lastIndexOf('ListResourceRecordSets'));
    expect(calls['elbv2:DescribeTargetHealth']).toBe(SLICE);
  });

  it("read one slice for nothing in an environment's first pass, whose services do not exist yet when the early reads start", async () => {
    const { account, desired } = buildEnvironment(60, { rateLimits: true });
    account.faults.latency({ ms: 40 });
    const adapters = createAdapters(account.clients());
    const lastCreate = () => account.calls.findLastIndex((c) => c.operation === 'CreateService');

    const { result } = await runPass({ desired, adapters, clock: account.clock, wiring: { probes: false } });

    const health = account.calls.map((c, i) => ({ c, i })).filter(({ c }) => c.operation === 'DescribeTargetHealth');
    expect(health.filter(({ i }) => i < lastCreate())).toHaveLength(SLICE);
    // Every target group read once after its service was created (the pass changed it), as judged.
    expect(health.filter(({ i }) => i > lastCreate())).toHaveLength(60);
    expect(new Set(health.filter(({ i }) => i > lastCreate()).map(({ c }) => c.input.TargetGroupArn)).size).toBe(60);
    expect(wiring(result).every((s) => s.wiring!.healthReadAt === s.wiring!.checkedAt)).toBe(true);
  });

  it('say when the health they were judged on was read, or that ECS stood in for it after a cold start', async () => {
    const { account, pass } = await fleet();

    const first = (await pass()).result;
    account.clock.advance(2 * MINUTE);
    const second = (await pass()).result;

    const readFirst = wiring(first).filter((s) => s.wiring!.healthReadAt !== undefined);
    const notRead = wiring(first).filter((s) => s.wiring!.healthReadAt === undefined);
    expect(readFirst).toHaveLength(SLICE);
    expect(targetsOf(first, notRead[0].name)).toMatchObject({
      status: 'ok',
      summary: "2/2 tasks running, no failed health checks in ECS's events (target health not read yet; it is read at least every 10 minutes)",
      evidence: { source: 'ECS service', runningCount: 2, desiredCount: 2 },
    });
    // The next pass reads another slice and judges the first one's from what it read then.
    const again = wiring(second).find((s) => s.name === readFirst[0].name)!;
    expect(again.wiring!.healthReadAt).toBe(readFirst[0].wiring!.healthReadAt);
    expect(targetsOf(second, again.name).summary).toMatch(/^2\/2 healthy \(.+\) \(read 2 minutes ago\)$/);
  });

  it('read a service whose deployment ECS says is failing at once, whatever the rotation', async () => {
    const { account, clients, desired, pass, targetGroupsRead } = await fleet();
    // A service the first pass read: the rotation has moved on from it.
    const victim = wiring((await pass()).result).find((s) => s.wiring!.healthReadAt !== undefined)!.name;
    // Someone starts a deployment whose tasks fail their health checks.
    account.ecs.failHealthChecks({ taskDefinition: victim });
    await clients.ecs.send(new UpdateServiceCommand({ cluster: desired.environment.spec.cluster, service: victim, forceNewDeployment: true }));
    account.clock.advance(MINUTE);

    const from = account.calls.length;
    const { result } = await pass();

    const read = targetGroupsRead(from);
    expect(read).toContain(account.elbv2.targetGroupArnOf(`tg-${victim}`));
    expect(read).toHaveLength(SLICE + 1);
    // Judged on this read: the new tasks register beside the old ones.
    const chain = wiring(result).find((s) => s.name === victim)!.wiring!;
    expect(chain.healthReadAt).toBe(chain.checkedAt);
    expect(targetsOf(result, victim).summary).toMatch(/^2\/[3-6] healthy /);
  });

  it('read what the pass changed in that pass', async () => {
    const { account, clients, desired, pass, targetGroupsRead } = await fleet();
    await pass();
    const scaled = desired.services[30].metadata.name;
    await clients.ecs.send(new UpdateServiceCommand({ cluster: desired.environment.spec.cluster, service: scaled, desiredCount: 0 }));
    account.clock.advance(MINUTE);

    const from = account.calls.length;
    const { result } = await pass();

    expect(result.outcomes.filter((o) => o.state === 'done').map((o) => o.resource)).toEqual([`Service/${scaled}`]);
    expect(targetGroupsRead(from)).toContain(account.elbv2.targetGroupArnOf(`tg-${scaled}`));
    const chain = wiring(result).find((s) => s.name === scaled)!.wiring!;
    expect(chain.healthReadAt).toBe(chain.checkedAt);
  });

  it('read the listeners of a recreated load balancer at once', async () => {
    const { account, layout, pass } = await fleet();
    await pass();
    const alb = layout.loadBalancers.at(-1)!;
    account.elbv2.recreateLoadBalancer(alb);
    account.clock.advance(MINUTE);

    const from = account.calls.length;
    await pass();

    const lb = account.elbv2.findByName(alb)!;
    expect(account.calls.slice(from).filter((c) => c.operation === 'DescribeListeners').map((c) => c.input.LoadBalancerArn)).toContain(lb.arn);
  });

  it("start no rotation read once the pass must stop: a warm pass stopped before it began reads no target health", async () => {
    const { account, desired, adapters, pass } = await fleet();
    await pass();
    account.clock.advance(MINUTE);
    const stopper = new AbortController();
    interrupt(stopper, 'leaseLost', 'the lease was taken over');

    const from = account.calls.length;
    const { result } = await runPass({ desired, adapters, clock: account.clock, wiring: { probes: false }, signal: stopper.signal });

    expect(result.interrupted).toEqual({ reason: 'leaseLost', stage: 'observe', message: 'the lease was taken over' });
    expect(account.callCounts(from)['elbv2:DescribeTargetHealth'] ?? 0).toBe(0);
  });

  it('start no target-health read once the stop says so, and throw that the checks were interrupted', async () => {
    const { account, desired, adapters } = await fleet();
    const stopper = new AbortController();
    let reads = 0;
    // The 20th read stops the pass (a lost lease, say): the 40 not yet started are not read.
    const elbv2 = new Proxy(adapters.elbv2, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop === 'targetHealth')
          return (arn: string) => {
            if (++reads === 20) interrupt(stopper, 'leaseLost', 'the lease was taken over');
            return target.targetHealth(arn);
          };
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const from = account.calls.length;

    const checking = checkWiring(desired, { ...adapters, elbv2 }, { now: () => account.clock.now(), probes: false, stop: stopFor({ clock: account.clock, signal: stopper.signal }) });

    await expect(checking).rejects.toThrow(PassInterruptedError);
    expect(account.callCounts(from)['elbv2:DescribeTargetHealth']).toBe(20);
  });

  it("lengthen the rotation when ELB's rate cannot meet the period, count re-reads in it, and say which period is used", async () => {
    const { account, desired } = await fleet(60, 3);
    // steady paces at 4% of AWS's buckets: ELB Describe* at 0.4 calls a second, of which the rotation
    // may use half, 12 calls a minute. 60 services and 6 load balancers' listeners and rules cost 72
    // calls, so every service is read at least every 6 minutes, not every 3 as configured: 10 a minute.
    const adapters = createAdapters(account.clients({ rateShare: 0.04 }));
    const memory = wiringMemoryOf(adapters).of(desired.name);
    const reads: number[] = [];
    const readAt = new Map<string, number>();
    let aged: string[] = [];
    let lastResult: PassResult | undefined;
    account.clock.advance(MINUTE - (account.clock.now() % MINUTE));
    for (let i = 0; i < 20; i++) {
      if (i === 10) {
        // The rotation missed 5 services (a pass stopped early, say): their reads are 20 minutes old.
        const next = new Set(memory.order!.slice(memory.cursor, memory.cursor! + 20).map((o) => o.targetGroupArn));
        aged = [...memory.health.keys()].filter((arn) => !next.has(arn)).slice(0, 5);
        for (const arn of aged) memory.health.get(arn)!.readAt -= 20 * MINUTE;
      }
      const from = account.calls.length;
      const start = account.clock.now();
      const { result } = await runPass({ desired, adapters, clock: account.clock, wiring: { probes: false } });
      lastResult = result;
      const health = account.calls.slice(from).filter((c) => c.operation === 'DescribeTargetHealth');
      for (const c of health) readAt.set(c.input.TargetGroupArn as string, account.clock.now());
      reads.push(health.length);
      // Every warm pass fits in the schedule's minute, without a throttled call.
      if (i > 0) expect(account.clock.now() - start).toBeLessThan(MINUTE);
      expect(account.calls.slice(from).filter((c) => /Throttl/.test(c.error ?? ''))).toEqual([]);
      // The next minute boundary, as rate(1 minute) starts passes.
      account.clock.advance((MINUTE - (account.clock.now() % MINUTE)) % MINUTE);
    }

    // 10 a pass; the 5 re-reads are taken from the next passes' share: 10 passes read 100, plus one slice at most.
    expect(reads.slice(1, 10)).toEqual(Array(9).fill(10));
    expect(reads[10]).toBe(15);
    expect(reads.slice(10).reduce((a, b) => a + b)).toBeLessThanOrEqual(100 + 10);
    expect(aged.every((arn) => readAt.get(arn)! >= account.clock.now() - 10 * MINUTE)).toBe(true);
    // Every service read within the period used (and a pass).
    expect(readAt.size).toBe(60);
    expect(Math.min(...readAt.values())).toBeGreaterThanOrEqual(account.clock.now() - 7 * MINUTE);
    const readEarlier = wiring(lastResult!).map((s) => targetsOf(lastResult!, s.name).summary).find((summary) => /read \d+ minutes? ago/.test(summary))!;
    expect(readEarlier).toMatch(/; read at least every 6 minutes \(wiring\.rotationMinutes 3 cannot be met within the share of ELB's request rate limit the rotation may use\)\)$/);
    // 20 passes of 60 services: slow on a shared machine.
  }, 120_000);

  it('leave steady verify reading every link', async () => {
    const { account, desired, adapters } = await fleet();
    const from = account.calls.length;

    const results = await checkWiring(desired, adapters, { now: () => account.clock.now(), probes: false });

    expect(results.every((r) => r.condition.type === 'Ready')).toBe(true);
    expect(account.callCounts(from)['elbv2:DescribeTargetHealth']).toBe(60);
  });
});

describe('forwardSignatures', () => {
  it('names, for every load balancer, the target groups that say it forwards to them, from one walk over 5,000 target groups', () => {
    // 500 load balancers of 10 target groups each, listed out of order; some shared by two load
    // balancers, some listing their load balancer twice, one attached to none, one not found (null).
    const lbArn = (i: number) => `arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/lb-${i}/x`;
    const targetGroups: Record<string, { name: string; loadBalancerArns: string[] } | null> = { 'tg-gone': null };
    const expected = new Map<string, Set<string>>();
    for (let i = 4999; i >= 0; i--) {
      const name = `tg-${String(i).padStart(4, '0')}`;
      const lb = Math.floor(i / 10);
      const arns = i % 97 === 0 ? [lbArn(lb), lbArn((lb + 1) % 500)] : i % 89 === 0 ? [lbArn(lb), lbArn(lb)] : i === 4242 ? [] : [lbArn(lb)];
      targetGroups[name] = { name, loadBalancerArns: arns };
      for (const arn of arns) expected.set(arn, (expected.get(arn) ?? new Set()).add(name));
    }

    const signatures = forwardSignatures({ targetGroups } as unknown as Facts);

    expect(signatures.size).toBe(500);
    for (const [arn, names] of expected) expect(signatures.get(arn)).toBe([...names].sort().join(','));
    expect(signatures.get(lbArn(1))).toBe('tg-0000,tg-0010,tg-0011,tg-0012,tg-0013,tg-0014,tg-0015,tg-0016,tg-0017,tg-0018,tg-0019');
    expect(signatures.get(lbArn(424))).toBe('tg-4240,tg-4241,tg-4243,tg-4244,tg-4245,tg-4246,tg-4247,tg-4248,tg-4249');
    expect(signatures.get(lbArn(8))).toBe('tg-0080,tg-0081,tg-0082,tg-0083,tg-0084,tg-0085,tg-0086,tg-0087,tg-0088,tg-0089');
  });
});
