import { describe, expect, it } from 'vitest';
import { countCalls } from '../controller/aws/clients.js';
import { createAdapters, runPass } from '../controller/pass.js';
import { chooseDrift, driftShape, injectDrift } from './drift.js';
import { benchLayout, buildEnvironment } from '../controller/testing/fleet.js';
import { driftMinimum, firstPassMinimum, noDriftMinimum, noDriftWiringMinimum, total, type CallCounts } from './minimum.js';
import { SETTLE_MS } from './scenario.js';

// The benchmark's sanity checks, fast and without timing anything: 10 services, no latency, no
// throttling. They keep the minimum formulas honest, so `npm test` guards the ratio the
// benchmark reports.

/**
 * A 10-service environment and `pass(wiring?)`, which runs one pass on it with the production
 * adapters and returns the pass with the calls the account answered during it.
 */
function tenServices() {
  const env = buildEnvironment(10);
  const clients = env.account.clients();
  const adapters = createAdapters(clients);
  const calls = countCalls(clients);
  const pass = async (wiring?: object) => {
    const from = env.account.calls.length;
    const { result } = await runPass({ desired: env.desired, adapters, clock: env.account.clock, calls, wiring });
    return { result, log: env.account.callCounts(from) };
  };
  return { env, pass };
}

/** `tenServices()` after a first pass has created everything and the account has settled. */
async function settledTenServices() {
  const world = tenServices();
  await world.pass();
  world.env.account.clock.advance(SETTLE_MS);
  return world;
}

/** Operations whose calls beyond the minimum are polls while waiting (see minimum.ts). */
const WAITS = ['route53:GetChange', 'ecs:DescribeTasks'];

function aboveMinimum(log: CallCounts, minimum: CallCounts): { op: string; by: number }[] {
  return [...new Set([...Object.keys(log), ...Object.keys(minimum)])]
    .map((op) => ({ op, by: (log[op] ?? 0) - (minimum[op] ?? 0) }))
    .filter((d) => d.by !== 0)
    .sort((a, b) => a.op.localeCompare(b.op));
}

describe('benchmark environment and minimum formulas', () => {
  it('states the no-drift minimum of each size term by term', () => {
    expect(noDriftMinimum(benchLayout(1000))).toEqual({
      'ecs:DescribeClusters': 1,
      'ecs:DescribeServices': 100, // 1000 services / 10
      'ecr:DescribeImages': 101, // 100 team repositories (10 tags each) + the sidecar's
      'elbv2:DescribeTargetGroups': 50, // 1000 / 20
      'elbv2:DescribeLoadBalancers': 5, // 100 ALBs / 20
      'route53:ListHostedZonesByName': 3,
      'route53:ListResourceRecordSets': 9, // 3 zones of ~668 record sets (SOA, NS, aliases, TXT) / 300
      'ecs:DescribeTaskDefinition': 10, // one per migration
    });
    expect(total(noDriftMinimum(benchLayout(10)))).toBe(13);
  });

  it('builds a 10-service environment that steady accepts, creates, and then leaves alone', async () => {
    // Prepare
    const { env, pass } = tenServices();
    expect([env.desired.services.length, env.desired.aliases.length, env.desired.migrations.length]).toEqual([10, 10, 1]);

    // Act
    const first = await pass();
    env.account.clock.advance(SETTLE_MS);
    const second = await pass();

    // Assess: everything was created, the next pass has nothing to do and every resource is synced.
    expect(first.result.outcomes.filter((o) => o.state !== 'done')).toEqual([]);
    expect(env.account.ecs.serviceState(env.layout.cluster, 'svc-0009')).toMatchObject({ status: 'ACTIVE', runningCount: 2 });
    expect(second.result.plan?.actions).toEqual([]);
    expect(second.result.resources.filter((r) => r.phase !== 'Synced')).toEqual([]);
    // The first pass makes the minimum, plus only polls while waiting for the migration and DNS.
    expect(aboveMinimum(first.log, firstPassMinimum(env.layout)).filter((d) => !WAITS.includes(d.op) || d.by < 0)).toEqual([]);
  });

  it('makes exactly the minimum number of calls, by operation, in a 10-service no-drift pass', async () => {
    // Prepare
    const { env, pass } = await settledTenServices();

    // Act
    const { result, log } = await pass();

    // Assess
    expect(log).toEqual(noDriftMinimum(env.layout));
    expect(result.apiCalls).toEqual(log);
  });

  it('makes exactly the minimum number of calls with the wiring checks, and finds every chain connected', async () => {
    // Prepare
    const { env, pass } = await settledTenServices();

    // Act
    const { result, log } = await pass({});

    // Assess: 10 services of 2 tasks each.
    expect(log).toEqual(noDriftWiringMinimum(env.layout, 20));
    expect(result.resources.filter((r) => r.kind === 'Wiring').map((r) => r.phase)).toEqual(Array(10).fill('Synced'));
  });

  it('heals every kind of drift with no calls beyond the minimum but polls', async () => {
    // Prepare
    const { env, pass } = await settledTenServices();
    const events = await injectDrift(env, env.account.clients(), chooseDrift(env.layout));

    // Act
    const drift = await pass();
    env.account.clock.advance(SETTLE_MS);
    const after = await pass();

    // Assess
    expect(events.map((e) => e.kind)).toEqual(['image-pushed', 'image-pushed-with-migration', 'revision-left-behind', 'wrong-image', 'scaled-by-hand', 'alb-recreated']);
    expect(drift.result.outcomes.filter((o) => o.state !== 'done')).toEqual([]);
    expect(aboveMinimum(drift.log, driftMinimum(env.layout, driftShape(env.layout, events))).filter((d) => !WAITS.includes(d.op) || d.by < 0)).toEqual([]);
    expect(after.result.plan?.actions).toEqual([]);
  });
});
