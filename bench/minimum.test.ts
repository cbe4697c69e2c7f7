import { describe, expect, it } from 'vitest';
import { countCalls } from '../controller/aws/clients.js';
import { createAdapters, runPass } from '../controller/pass.js';
import { chooseDrift, driftShape, injectDrift } from './drift.js';
import { benchLayout, buildEnvironment } from '../controller/testing/fleet.js';
import { driftMinimum, firstPassMinimum, noDriftMinimum, rotationMinimum, sum, total, type CallCounts } from './minimum.js';
import { INTERVAL_MS, PERIOD_MS, SETTLE_MS } from './scenario.js';

// The benchmark's sanity checks, fast and without timing anything: 10 services, no latency, no
// throttling. They keep the independent minimum honest against steady's real calls, so `npm test`
// guards the ratio the benchmark reports.

/**
 * A 10-service environment and `lambda()`, a fresh Lambda container (its own adapters, caches and
 * wiring memory) whose `pass()` runs one production pass (wiring checks on) and returns it with
 * the calls the account answered during it.
 */
function tenServices() {
  const env = buildEnvironment(10);
  const lambda = () => {
    const clients = env.account.clients();
    const adapters = createAdapters(clients);
    const calls = countCalls(clients);
    return async () => {
      const from = env.account.calls.length;
      const { result } = await runPass({ desired: env.desired, adapters, clock: env.account.clock, calls, wiring: {} });
      return { result, log: env.account.callCounts(from) };
    };
  };
  return { env, lambda };
}

/** `tenServices()` after a first pass has created everything and the account has settled; a cold Lambda's `pass`. */
async function settledTenServices() {
  const world = tenServices();
  await world.lambda()();
  world.env.account.clock.advance(SETTLE_MS);
  return { ...world, pass: world.lambda() };
}

/** Operations whose calls beyond the minimum are polls while waiting (see minimum.ts). */
const WAITS = ['route53:GetChange', 'ecs:DescribeTasks'];

function aboveMinimum(log: CallCounts, minimum: CallCounts): { op: string; by: number }[] {
  return [...new Set([...Object.keys(log), ...Object.keys(minimum)])]
    .map((op) => ({ op, by: (log[op] ?? 0) - (minimum[op] ?? 0) }))
    .filter((d) => d.by !== 0)
    .sort((a, b) => a.op.localeCompare(b.op));
}

const rotation = { intervalMs: INTERVAL_MS, periodMs: PERIOD_MS };

describe('benchmark environment and the independent minimum', () => {
  it('states the no-drift minimum of 1,000 services term by term, from the API maxima', () => {
    expect(noDriftMinimum(benchLayout(1000), { cold: true, ...rotation })).toEqual({
      'ecs:DescribeClusters': 1,
      'ecs:DescribeServices': 100, // 1000 services / 10
      'ecr:DescribeImages': 101, // 100 team repositories (10 tags each) + the sidecar's
      'elbv2:DescribeTargetGroups': 3, // the account's 1000, listed 400 a page (by name: 50 calls)
      'elbv2:DescribeLoadBalancers': 1, // 100, listed 400 a page (by name: 5 calls)
      'route53:ListHostedZonesByName': 1, // 3 zones, listed 100 a page; a warm Lambda keeps their ids
      'route53:ListResourceRecordSets': 9, // 3 zones of ~668 record sets (SOA, NS, aliases, TXT) / 300
      'ecs:DescribeTaskDefinition': 10, // one per migration
      'elbv2:DescribeTargetHealth': 100, // a tenth of the services: every one within 10 minutes
      'elbv2:DescribeListeners': 10, // the load balancers in front of them
      'elbv2:DescribeRules': 10,
      'acm:DescribeCertificate': 1, // once a period
    });
    // Warm: no zone lookups, no certificate, and a tenth of the load balancers' listeners and rules.
    expect(total(noDriftMinimum(benchLayout(1000), { cold: false, ...rotation }))).toBe(225 + 120);
    // 10 services: 10 warm passes of 10 reads and 1 target health each, the one load balancer's listeners and rules once.
    expect(total(rotationMinimum(benchLayout(10), 10, INTERVAL_MS, PERIOD_MS))).toBe(10 * 11 + 2);
  });

  it('builds a 10-service environment that steady accepts, creates, and then leaves alone', async () => {
    // Prepare
    const { env, lambda } = tenServices();
    expect([env.desired.services.length, env.desired.aliases.length, env.desired.migrations.length]).toEqual([10, 10, 1]);
    const pass = lambda();

    // Act
    const first = await pass();
    env.account.clock.advance(SETTLE_MS);
    const second = await pass();

    // Assess: everything was created, the next pass has nothing to do and every resource is synced.
    expect(first.result.outcomes.filter((o) => o.state !== 'done')).toEqual([]);
    expect(env.account.ecs.serviceState(env.layout.cluster, 'svc-0009')).toMatchObject({ status: 'ACTIVE', runningCount: 2 });
    expect(second.result.plan?.actions).toEqual([]);
    expect(second.result.resources.filter((r) => r.phase !== 'Synced')).toEqual([]);
    // The first pass makes the minimum, plus polls while waiting, the revisions listed before
    // registering (steady's contract), what the wiring checks read again after the changes, and the
    // rotation's slice (1 of 10) read beside observe before it knew the services did not exist yet.
    const above = aboveMinimum(first.log, firstPassMinimum(env.layout)).filter((d) => !WAITS.includes(d.op));
    expect(above).toEqual([
      { op: 'ecs:DescribeServices', by: 1 },
      { op: 'ecs:ListTaskDefinitions', by: 10 },
      { op: 'ecs:ListTasks', by: 1 },
      { op: 'elbv2:DescribeTargetHealth', by: 1 },
      { op: 'route53:ListResourceRecordSets', by: 3 },
    ]);
  });

  it('makes exactly the independent minimum, by operation, in a cold 10-service pass with no drift', async () => {
    // Prepare
    const { env, pass } = await settledTenServices();

    // Act
    const { result, log } = await pass();

    // Assess
    expect(log).toEqual(noDriftMinimum(env.layout, { cold: true, ...rotation }));
    expect(result.apiCalls).toEqual(log);
    expect(result.resources.filter((r) => r.kind === 'Wiring').map((r) => r.phase)).toEqual(Array(10).fill('Synced'));
  });

  it('makes the independent minimum over a rotation of warm passes, a minute apart', async () => {
    // Prepare
    const { env, pass } = await settledTenServices();
    await pass();

    // Act
    let log: CallCounts = {};
    for (let i = 0; i < 10; i++) {
      env.account.clock.advance(INTERVAL_MS);
      log = sum(log, (await pass()).log);
    }

    // Assess: the certificate, read by the cold pass, is read again once the period is over.
    expect(aboveMinimum(log, rotationMinimum(env.layout, 10, INTERVAL_MS, PERIOD_MS)).filter((d) => d.op !== 'acm:DescribeCertificate')).toEqual([]);
    expect(log['acm:DescribeCertificate'] ?? 0).toBeLessThanOrEqual(1);
  });

  it('heals every kind of drift with no calls beyond the minimum but polls and the re-reads of what it changed', async () => {
    // Prepare
    const { env, pass } = await settledTenServices();
    await pass();
    env.account.clock.advance(INTERVAL_MS);
    const events = await injectDrift(env, env.account.clients(), chooseDrift(env.layout));

    // Act
    const drift = await pass();
    env.account.clock.advance(SETTLE_MS);
    const after = await pass();

    // Assess
    expect(events.map((e) => e.kind)).toEqual(['image-pushed', 'image-pushed-with-migration', 'revision-left-behind', 'wrong-image', 'scaled-by-hand', 'alb-recreated']);
    expect(drift.result.outcomes.filter((o) => o.state !== 'done')).toEqual([]);
    // Above the minimum: the services and zones changed, described again for the wiring checks
    // (which judge what AWS says after the changes); the family's revisions listed before
    // registering (steady's contract); the tasks of the services changed; the target health of the
    // rotation's service, read beside observe before the pass knew it would change it, read again.
    const above = aboveMinimum(drift.log, driftMinimum(env.layout, driftShape(env.layout, events), INTERVAL_MS, PERIOD_MS)).filter((d) => !WAITS.includes(d.op));
    expect(above).toEqual([
      { op: 'ecs:DescribeServices', by: 1 },
      { op: 'ecs:ListTaskDefinitions', by: 3 },
      { op: 'ecs:ListTasks', by: 1 },
      { op: 'elbv2:DescribeTargetHealth', by: 1 },
      { op: 'route53:ListResourceRecordSets', by: 3 },
    ]);
    expect(after.result.plan?.actions).toEqual([]);
  });
});
